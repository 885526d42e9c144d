from odoo import fields, models


class CollectionCommunicationLine(models.Model):
    _name = "collection.communication.line"
    _description = "Invoice Covered by a Follow-up Communication"
    _order = "date_maturity, id"
    _check_company_auto = True

    communication_id = fields.Many2one(
        "collection.communication",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, check_company=True
    )
    level_id = fields.Many2one(
        "collection.level",
        string="New Level",
        check_company=True,
        help="The level this invoice reaches with the communication. Empty: the invoice "
        "is listed as overdue but already had its due level.",
    )
    previous_level_id = fields.Many2one(
        "collection.level", string="Previous Level", check_company=True
    )
    date_maturity = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    # set by the run that creates the line (a related field would cost an UPDATE per
    # batch of inserted lines)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="communication_id.currency_id")
    amount_residual = fields.Monetary(string="Amount Due")
