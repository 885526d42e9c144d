from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..models.collection_payment_behaviour import SEGMENT_SQL, debtor_joins
from ..tools import MANAGER, check_range, requires_group

# How many past weeks a backtest may replay: two years at most.
BACKTEST_WEEKS = (1, 104)


class CollectionPredictionBacktest(models.TransientModel):
    """The payment predictions replayed as of past dates (each week of the last
    `weeks` weeks): the debtors' behaviour as of each date (`collection.payment.behaviour.
    _behaviour_query`), the receivables open then, the same prediction
    (`collection.payment.prediction._prediction_query`, without today's promises, plans,
    disputes and placements, which the ledger does not date), then compared with what
    happened: the mean absolute error in days of the items paid since, and the error of
    the receipts predicted for the following week."""

    _name = "collection.prediction.backtest"
    _description = "Backtest of the Payment Predictions"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    weeks = fields.Integer(
        default=12,
        required=True,
        help="Replay the predictions as of each of the last weeks (1 to 104).",
    )
    line_ids = fields.One2many(
        "collection.prediction.backtest.line", "backtest_id", string="Dates", readonly=True
    )
    paid_count = fields.Integer(string="Items Checked", readonly=True)
    mae_days = fields.Float(
        string="Mean Error (days)",
        readonly=True,
        digits=(16, 1),
        help="Mean absolute difference between predicted and actual payment dates, over "
        "every date's open items paid since.",
    )
    weekly_error = fields.Float(
        string="Weekly Forecast Error (%)",
        readonly=True,
        digits=(16, 1),
        help="Sum of |predicted - received| over the dates / sum received, in %, for the "
        "week after each date.",
    )
    is_done = fields.Boolean(string="Done", readonly=True)

    @api.constrains("weeks")
    def _check_weeks(self):
        check_range(self, "weeks", *BACKTEST_WEEKS)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _past_items_query(self, company, dates):
        """The company's receivable items open at each date of `dates`, rebuilt from the
        ledger (the reconciliations dated after it added back)."""
        return SQL(
            """
            SELECT * FROM (
                SELECT asof.as_of, aml.id AS line_id, aml.move_id, aml.company_id,
                       debtor.id AS partner_id, %(segment)s AS segment,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       aml.balance - COALESCE((
                           SELECT SUM(partial.amount)
                             FROM account_partial_reconcile partial
                            WHERE partial.debit_move_id = aml.id
                              AND partial.max_date <= asof.as_of), 0) AS residual
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                  %(joins)s
                  JOIN (SELECT unnest(%(dates)s::date[]) AS as_of) asof
                    ON aml.date <= asof.as_of
                 WHERE aml.company_id = %(company)s
                   AND account.account_type = 'asset_receivable'
                   AND move.state = 'posted'
                   AND aml.balance > 0
                   AND (aml.reconciled IS NOT TRUE OR (
                           SELECT MAX(partial.max_date)
                             FROM account_partial_reconcile partial
                            WHERE partial.debit_move_id = aml.id) > asof.as_of)
            ) open_items
             WHERE residual > 0
            """,
            segment=SEGMENT_SQL,
            joins=debtor_joins(),
            dates=list(dates),
            company=company.id,
        )

    @api.model
    def _backtest(self, company, dates):
        """[{date, open_count, paid_count, error_days (sum), predicted_amount,
        actual_amount}] per date of `dates`, in one query."""
        self.env.flush_all()
        behaviour = SQL(
            "SELECT figures.*, %s AS company_id FROM (%s) figures",
            company.id,
            self.env["collection.payment.behaviour"]._behaviour_query(company, dates),
        )
        prediction = self.env["collection.payment.prediction"]._prediction_query(
            self._past_items_query(company, dates), behaviour, adjust=False
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
                WITH prediction AS (%(prediction)s),
                outcome AS (
                    SELECT prediction.as_of, prediction.line_id, prediction.predicted_date,
                           prediction.amount_expected,
                           CASE WHEN aml.reconciled THEN (
                               SELECT MAX(partial.max_date)
                                 FROM account_partial_reconcile partial
                                WHERE partial.debit_move_id = prediction.line_id)
                           END AS paid_on
                      FROM prediction
                      JOIN account_move_line aml ON aml.id = prediction.line_id
                ),
                received AS (
                    SELECT prediction.as_of, SUM(partial.amount) AS amount
                      FROM prediction
                      JOIN account_partial_reconcile partial
                        ON partial.debit_move_id = prediction.line_id
                       AND partial.max_date > prediction.as_of
                       AND partial.max_date <= prediction.as_of + 7
                  GROUP BY prediction.as_of
                )
                SELECT outcome.as_of AS date,
                       COUNT(*) AS open_count,
                       COUNT(outcome.paid_on) AS paid_count,
                       COALESCE(SUM(ABS(outcome.predicted_date - outcome.paid_on)), 0)
                           AS error_days,
                       COALESCE(SUM(outcome.amount_expected) FILTER (
                           WHERE outcome.predicted_date <= outcome.as_of + 7), 0)
                           AS predicted_amount,
                       COALESCE(MAX(received.amount), 0) AS actual_amount
                  FROM outcome
             LEFT JOIN received ON received.as_of = outcome.as_of
              GROUP BY outcome.as_of
              ORDER BY outcome.as_of
                """,
                prediction=prediction,
            )
        )
        return rows

    @api.model
    def _summary(self, rows):
        """(items checked, mean absolute error in days, weekly error in %)"""
        paid = sum(row["paid_count"] for row in rows)
        received = sum(row["actual_amount"] for row in rows)
        mae = sum(row["error_days"] for row in rows) / paid if paid else 0.0
        error = (
            sum(abs(row["predicted_amount"] - row["actual_amount"]) for row in rows)
            / received
            * 100
            if received
            else 0.0
        )
        return paid, mae, error

    @api.model
    def _dates(self, weeks, today=None):
        today = today or fields.Date.context_today(self)
        return [today - relativedelta(weeks=week) for week in range(weeks, 0, -1)]

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(MANAGER)
    def action_run(self):
        self.ensure_one()
        rows = self._backtest(self.company_id, self._dates(self.weeks))
        paid, mae, error = self._summary(rows)
        self.line_ids.unlink()
        self.write(
            {
                "paid_count": paid,
                "mae_days": mae,
                "weekly_error": error,
                "is_done": True,
                "line_ids": [
                    fields.Command.create(
                        {
                            "date": row["date"],
                            "open_count": row["open_count"],
                            "paid_count": row["paid_count"],
                            "mae_days": row["error_days"] / row["paid_count"]
                            if row["paid_count"]
                            else 0.0,
                            "predicted_amount": row["predicted_amount"],
                            "actual_amount": row["actual_amount"],
                            "error_percent": abs(row["predicted_amount"] - row["actual_amount"])
                            / row["actual_amount"]
                            * 100
                            if row["actual_amount"]
                            else 0.0,
                        }
                    )
                    for row in rows
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }
