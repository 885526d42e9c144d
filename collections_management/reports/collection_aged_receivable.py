from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import COLLECTOR, requires_group
from .collection_receivable_ledger import RECEIVABLE_LEDGER_DEPENDS

# (selection key, label, lowest and highest days past due; None: open-ended). The keys
# sort in aging order, so that grouped views list the buckets from Not Due to Over 120.
AGING_BUCKETS = [
    ("0_not_due", "Not Due", None, 0),
    ("1_1_30", "1-30", 1, 30),
    ("2_31_60", "31-60", 31, 60),
    ("3_61_90", "61-90", 61, 90),
    ("4_91_120", "91-120", 91, 120),
    ("5_over_120", "Over 120", 121, None),
]


class CollectionAgedReceivable(models.Model):
    """Aged receivables: one row per open receivable journal item at the aging date.

    A read-only SQL model. The aging date comes from the context key `aging_date`
    (default: today); at an earlier date the residual is rebuilt from the ledger: items
    posted after that date are left out and reconciliations dated after it are added back.
    Amounts are in the company currency, like Odoo's own receivable balance."""

    _name = "collection.aged.receivable"
    _inherit = ["collection.receivable.ledger"]
    _description = "Aged Receivables"
    _auto = False
    _order = "date_maturity, id"
    _rec_name = "move_name"
    # the ledger's (collection.receivable.ledger) and, at a past date, the collector history
    _depends = {
        **RECEIVABLE_LEDGER_DEPENDS,
        "collection.case.assignment": ["case_id", "user_id", "date_from"],
    }

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Entry", readonly=True)
    move_name = fields.Char(string="Number", readonly=True)
    move_type = fields.Selection(
        selection=lambda self: self.env["account.move"]._fields["move_type"].selection,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", readonly=True, help="The commercial partner who owes."
    )
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", string="Company Currency", readonly=True, help="Amounts are in it."
    )
    invoice_currency_id = fields.Many2one(
        "res.currency", string="Invoice Currency", readonly=True, help="The currency invoiced."
    )
    account_id = fields.Many2one("account.account", readonly=True)
    invoice_user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    case_id = fields.Many2one(
        "collection.case",
        string="Case",
        readonly=True,
        help="The debtor's collection case in this company: the open one, else the latest.",
    )
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    stage_id = fields.Many2one("collection.stage", string="Stage", readonly=True)
    level_id = fields.Many2one("collection.level", string="Follow-up Level", readonly=True)
    date = fields.Date(string="Entry Date", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(
        string="Days Past Due",
        readonly=True,
        aggregator="max",
        help="Aging date minus due date; zero or less is not yet due.",
    )
    bucket = fields.Selection(
        [(key, label) for key, label, _low, _high in AGING_BUCKETS],
        string="Aging",
        readonly=True,
        help="Not Due: due on or after the aging date; then by days past due.",
    )
    amount_residual = fields.Monetary(
        string="Balance",
        readonly=True,
        help="What is still open at the aging date, in the company currency.",
    )
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", readonly=True)
    amount_over_120 = fields.Monetary(string="Over 120", readonly=True)

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------
    @api.model
    def _aging_date(self):
        value = self.env.context.get("aging_date")
        if not value:
            return fields.Date.context_today(self)
        try:
            return fields.Date.to_date(value)
        except ValueError as error:
            raise UserError(
                self.env._("The aging date %s is not a date (expected YYYY-MM-DD).", value)
            ) from error

    @api.model
    def _collector_sql(self):
        """The debtor's collector: today, the case's; at a given aging date, the one of
        the case's latest assignment from that date or before (the case's own when the
        case has no such history)."""
        if not self.env.context.get("aging_date"):
            return SQL("cases.user_id")
        return SQL(
            "CASE WHEN assignment.id IS NOT NULL THEN assignment.user_id ELSE cases.user_id END"
        )

    @api.model
    def _collector_from(self):
        if not self.env.context.get("aging_date"):
            return SQL()
        return SQL(
            """
         LEFT JOIN LATERAL (
                SELECT id, user_id
                  FROM collection_case_assignment
                 WHERE case_id = cases.id AND date_from <= %s
              ORDER BY date_from DESC, id DESC
                 LIMIT 1
               ) assignment ON TRUE
            """,
            self._aging_date(),
        )

    @api.model
    def _days_overdue_sql(self):
        return SQL("(%s::date - COALESCE(aml.date_maturity, aml.date))", self._aging_date())

    @api.model
    def _bucket_conditions(self):
        """[(bucket key, SQL condition on the days past due)] in aging order"""
        days = self._days_overdue_sql()
        return [
            (
                key,
                SQL("%s <= %s", days, high)
                if low is None
                else SQL("%s >= %s", days, low)
                if high is None
                else SQL("%s BETWEEN %s AND %s", days, low, high),
            )
            for key, _label, low, high in AGING_BUCKETS
        ]

    @api.model
    def _select(self):
        conditions = self._bucket_conditions()
        return SQL(
            """
            SELECT aml.id,
                   aml.id AS move_line_id,
                   aml.move_id,
                   move.name AS move_name,
                   move.move_type,
                   COALESCE(partner.commercial_partner_id, aml.partner_id) AS partner_id,
                   aml.company_id,
                   aml.company_currency_id AS currency_id,
                   aml.currency_id AS invoice_currency_id,
                   aml.account_id,
                   move.invoice_user_id,
                   cases.id AS case_id,
                   %(collector)s AS user_id,
                   cases.stage_id,
                   cases.level_id,
                   aml.date,
                   COALESCE(aml.date_maturity, aml.date) AS date_maturity,
                   %(days)s AS days_overdue,
                   CASE %(buckets)s END AS bucket,
                   residual.amount AS amount_residual,
                   %(amounts)s
            """,
            collector=self._collector_sql(),
            days=self._days_overdue_sql(),
            buckets=SQL(" ").join(
                SQL("WHEN %s THEN %s", condition, key) for key, condition in conditions
            ),
            amounts=SQL(", ").join(
                SQL(
                    "CASE WHEN %s THEN residual.amount ELSE 0 END AS %s",
                    condition,
                    SQL.identifier(f"amount_{key[2:]}"),
                )
                for key, condition in conditions
            ),
        )

    @api.model
    def _from(self):
        # Reconciliations dated after the aging date, added back to the residual of
        # both lines they match: none at today's date, so the open lines are read as is.
        return SQL(
            """
            %(ledger)s
         LEFT JOIN (
                SELECT line_id, SUM(amount) AS amount
                  FROM (SELECT debit_move_id AS line_id, amount
                          FROM account_partial_reconcile WHERE max_date > %(date)s
                         UNION ALL
                        SELECT credit_move_id, -amount
                          FROM account_partial_reconcile WHERE max_date > %(date)s) partials
              GROUP BY line_id
               ) later ON later.line_id = aml.id
        CROSS JOIN LATERAL (
                SELECT aml.amount_residual + COALESCE(later.amount, 0) AS amount
               ) residual
            %(collector)s
            """,
            ledger=self._ledger_from(),
            collector=self._collector_from(),
            date=self._aging_date(),
        )

    @api.model
    def _where(self):
        return SQL(
            """
            %s
               AND (aml.reconciled IS NOT TRUE OR later.line_id IS NOT NULL)
               AND residual.amount <> 0
            """,
            self._ledger_where(self._aging_date()),
        )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR, "read")
    def action_open_entry(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def _action_at_date(self, date, domain=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_aged_receivable_action"
        )
        action["name"] = self.env._("Aged Receivables at %s", fields.Date.to_string(date))
        action["context"] = {"aging_date": fields.Date.to_string(date)}
        if domain:
            action["domain"] = domain
        return action
