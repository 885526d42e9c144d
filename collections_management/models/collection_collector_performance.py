from odoo import api, fields, models
from odoo.tools import SQL

# Every measure of the report; a source fills some of them, the others are zero.
PERFORMANCE_MEASURES = (
    "cases_worked",
    "cash_collected",
    "cases_resolved",
    "target_amount",
    "promises_made",
    "promises_due",
    "promises_kept",
    "promise_kept_rate",
    "contacts_made",
)
# Averaged measures: NULL where a source does not fill them, so that the average only
# runs over the rows that have a value.
AVERAGED_MEASURES = {"promise_kept_rate"}


class CollectionCollectorPerformance(models.Model):
    """Collector performance by month: a UNION ALL of event sources, one measure each.

    Each source (`_source_*` method) returns rows of (month, collector, company, case)
    and the measures it fills; the others are zero. Adding a measure (contacts made,
    promises made and kept...) is one field, one name in PERFORMANCE_MEASURES and one
    `_source_*` method listed in `_performance_sources`."""

    _name = "collection.collector.performance"
    _description = "Collector Performance"
    _auto = False
    _order = "date desc, user_id"
    _depends = {
        "account.move.line": [
            "move_id",
            "partner_id",
            "company_id",
            "account_id",
            "balance",
            "date",
            "date_maturity",
            "reconciled",
            "currency_id",
            "company_currency_id",
        ],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "res.partner": ["commercial_partner_id"],
        "collection.case": [
            "partner_id",
            "company_id",
            "user_id",
            "stage_id",
            "level_id",
            "is_open",
            "stage_type",
            "date_closed",
        ],
        "account.move": ["collection_case_id", "origin_payment_id", "statement_line_id"],
        "mail.message": ["model", "res_id", "message_type", "mail_activity_type_id", "date"],
        "collection.communication": ["case_id", "state", "date"],
        "collection.target": ["user_id", "company_id", "date", "amount", "active"],
        "collection.contact": ["user_id", "company_id", "case_id", "date", "direction"],
        "collection.promise": [
            "user_id",
            "company_id",
            "case_id",
            "date",
            "date_evaluated",
            "state",
        ],
    }

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Date(string="Month", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    case_id = fields.Many2one("collection.case", string="Case", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    cases_worked = fields.Integer(
        readonly=True,
        help="Cases assigned to the collector with a message, email, completed activity or "
        "follow-up communication in the month; a case counts once per month.",
    )
    cash_collected = fields.Monetary(
        readonly=True,
        help="Payments reconciled in the month (company currency) on invoices of the cases "
        "assigned to the collector.",
    )
    cases_resolved = fields.Integer(
        readonly=True, help="Cases of the collector closed as resolved in the month."
    )
    target_amount = fields.Monetary(
        string="Target", readonly=True, help="The collector's cash target for the month."
    )
    contacts_made = fields.Integer(
        readonly=True,
        help="Outbound contacts (calls, emails, letters, visits...) the collector logged in "
        "the month.",
    )
    promises_made = fields.Integer(
        readonly=True, help="Promises to pay the collector took in the month."
    )
    promises_due = fields.Integer(
        readonly=True,
        help="The collector's promises judged in the month (kept, partially kept or broken).",
    )
    promises_kept = fields.Integer(readonly=True, help="Of the promises due, those kept.")
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        readonly=True,
        aggregator="avg",
        help="Promises kept / promises due, in %, over the promises judged in the period.",
    )

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        branches = []
        for source, measures in self._performance_sources():
            unknown = set(measures) - set(PERFORMANCE_MEASURES)
            assert not unknown, f"unknown performance measures {unknown}"
            columns = SQL(", ").join(
                SQL(
                    "%s AS %s",
                    measures.get(
                        name, SQL("NULL::numeric") if name in AVERAGED_MEASURES else SQL("0")
                    ),
                    SQL.identifier(name),
                )
                for name in PERFORMANCE_MEASURES
            )
            branches.append(
                SQL(
                    "SELECT src.date, src.user_id, src.company_id, src.case_id, %s FROM (%s) src",
                    columns,
                    source,
                )
            )
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rows.date, rows.user_id, rows.case_id) AS id,
                   rows.*, company.currency_id, c.partner_id
              FROM (%s) rows
              JOIN res_company company ON company.id = rows.company_id
         LEFT JOIN collection_case c ON c.id = rows.case_id
            """,
            SQL(" UNION ALL ").join(branches),
        )

    @api.model
    def _performance_sources(self):
        """[(SQL with date, user_id, company_id, case_id and measure columns,
        {measure: SQL expression over `src`})]"""
        return [
            (self._source_cases_worked(), {"cases_worked": SQL("1")}),
            (self._source_cash_collected(), {"cash_collected": SQL("src.amount")}),
            (self._source_cases_resolved(), {"cases_resolved": SQL("1")}),
            (self._source_targets(), {"target_amount": SQL("src.amount")}),
            (self._source_contacts_made(), {"contacts_made": SQL("1")}),
            (self._source_promises_made(), {"promises_made": SQL("1")}),
            (
                self._source_promises_due(),
                {
                    "promises_due": SQL("1"),
                    "promises_kept": SQL("src.kept"),
                    "promise_kept_rate": SQL("100.0 * src.kept"),
                },
            ),
        ]

    @api.model
    def _source_cases_worked(self):
        return SQL(
            """
            SELECT worked.date, c.user_id, c.company_id, c.id AS case_id
              FROM (
                    SELECT res_id AS case_id, date_trunc('month', date)::date AS date
                      FROM mail_message
                     WHERE model = 'collection.case'
                       AND (message_type IN ('comment', 'email')
                            OR mail_activity_type_id IS NOT NULL)
                     UNION
                    SELECT case_id, date_trunc('month', date)::date
                      FROM collection_communication
                     WHERE case_id IS NOT NULL AND state IN ('sent', 'manual')
                   ) worked
              JOIN collection_case c ON c.id = worked.case_id
             WHERE c.user_id IS NOT NULL
            """
        )

    @api.model
    def _source_cash_collected(self):
        return SQL(
            """
            SELECT date_trunc('month', p.max_date)::date AS date, c.user_id, c.company_id,
                   c.id AS case_id, p.amount
              FROM account_partial_reconcile p
              JOIN account_move_line inv_line ON inv_line.id = p.debit_move_id
              JOIN account_move inv ON inv.id = inv_line.move_id
              JOIN collection_case c ON c.id = inv.collection_case_id
              JOIN account_move_line pay_line ON pay_line.id = p.credit_move_id
              JOIN account_move pay ON pay.id = pay_line.move_id
             WHERE c.user_id IS NOT NULL
               AND %s
            """,
            self.env["account.move"]._collection_money_received_sql("pay"),
        )

    @api.model
    def _source_cases_resolved(self):
        return SQL(
            """
            SELECT date_trunc('month', c.date_closed)::date AS date, c.user_id, c.company_id,
                   c.id AS case_id
              FROM collection_case c
             WHERE c.stage_type = 'resolved' AND c.date_closed IS NOT NULL
               AND c.user_id IS NOT NULL
            """
        )

    @api.model
    def _source_targets(self):
        return SQL(
            """
            SELECT t.date, t.user_id, t.company_id, NULL::integer AS case_id, t.amount
              FROM collection_target t
             WHERE t.active IS TRUE
            """
        )

    @api.model
    def _source_promises_made(self):
        return SQL(
            """
            SELECT date_trunc('month', p.date)::date AS date, p.user_id, p.company_id,
                   p.case_id
              FROM collection_promise p
             WHERE p.user_id IS NOT NULL AND p.state != 'cancelled'
            """
        )

    @api.model
    def _source_promises_due(self):
        return SQL(
            """
            SELECT date_trunc('month', p.date_evaluated)::date AS date, p.user_id,
                   p.company_id, p.case_id,
                   CASE WHEN p.state = 'kept' THEN 1 ELSE 0 END AS kept
              FROM collection_promise p
             WHERE p.user_id IS NOT NULL AND p.state IN ('kept', 'partial', 'broken')
            """
        )

    @api.model
    def _source_contacts_made(self):
        return SQL(
            """
            SELECT date_trunc('month', ct.date)::date AS date, ct.user_id, ct.company_id,
                   ct.case_id
              FROM collection_contact ct
             WHERE ct.user_id IS NOT NULL AND ct.direction = 'outbound'
            """
        )
