from odoo import fields, models


class CollectionPredictionBacktestLine(models.TransientModel):
    """One date of a backtest: what the predictions of that date said about the
    following week and how far they were from what happened."""

    _name = "collection.prediction.backtest.line"
    _description = "Backtest of the Payment Predictions: One Date"
    _order = "date desc"

    backtest_id = fields.Many2one(
        "collection.prediction.backtest", required=True, ondelete="cascade", index=True
    )
    currency_id = fields.Many2one(related="backtest_id.currency_id")
    date = fields.Date(string="As Of", readonly=True)
    open_count = fields.Integer(string="Open Items", readonly=True)
    paid_count = fields.Integer(
        string="Paid Since", readonly=True, help="Open items of that date paid since."
    )
    mae_days = fields.Float(
        string="Error (days)",
        readonly=True,
        digits=(16, 1),
        help="Mean absolute difference between the predicted and the actual payment date "
        "of the items paid since.",
    )
    predicted_amount = fields.Monetary(
        string="Predicted Week", readonly=True, help="Receipts predicted for the next 7 days."
    )
    actual_amount = fields.Monetary(
        string="Received Week", readonly=True, help="Received in the next 7 days on those items."
    )
    error_percent = fields.Float(
        string="Week Error (%)",
        readonly=True,
        digits=(16, 1),
        help="|predicted - received| / received, in %.",
    )
