from odoo import api, fields, models
from odoo.tools import SQL

from ..models.collection_contact import CHANNELS
from ..models.collection_promise import DUE_STATES, PROMISE_STATES


class CollectionPromiseReport(models.Model):
    """One row per promise, for the promises analysis: its kept rate averages over the
    promises whose outcome is known (kept = 100, partially kept or broken = 0; open and
    cancelled promises are left out of the average)."""

    _name = "collection.promise.report"
    _inherit = ["collection.report.mixin"]
    _description = "Promises Analysis"
    _auto = False
    _order = "date_promised desc"
    # What the query reads: the ORM flushes these fields before it queries the view.
    _depends = {
        "collection.promise": [
            "company_id",
            "partner_id",
            "case_id",
            "user_id",
            "date",
            "date_promised",
            "channel",
            "state",
            "amount",
            "amount_received",
        ],
        "res.company": ["currency_id"],
    }

    promise_id = fields.Many2one("collection.promise", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    case_id = fields.Many2one("collection.case", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    date = fields.Date(string="Made On", readonly=True)
    date_promised = fields.Date(string="Promised Date", readonly=True)
    channel = fields.Selection(CHANNELS, readonly=True)
    state = fields.Selection(PROMISE_STATES, readonly=True)
    amount = fields.Monetary(string="Promised", readonly=True)
    amount_received = fields.Monetary(string="Received", readonly=True)
    due_count = fields.Integer(
        string="Promises Due", readonly=True, help="Promises whose outcome is known."
    )
    kept_count = fields.Integer(string="Promises Kept", readonly=True)
    kept_rate = fields.Float(
        string="Kept Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept / promises due, in %. Open and cancelled promises do not count.",
    )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT promise.id, promise.id AS promise_id, promise.company_id,
                   company.currency_id, promise.partner_id, promise.case_id, promise.user_id,
                   promise.date, promise.date_promised, promise.channel, promise.state,
                   promise.amount, promise.amount_received,
                   CASE WHEN promise.state IN %(due)s THEN 1 ELSE 0 END AS due_count,
                   CASE WHEN promise.state = 'kept' THEN 1 ELSE 0 END AS kept_count,
                   CASE WHEN promise.state = 'kept' THEN 100.0
                        WHEN promise.state IN %(due)s THEN 0.0
                   END AS kept_rate
            """,
            due=DUE_STATES,
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM collection_promise promise
              JOIN res_company company ON company.id = promise.company_id
            """
        )
