from odoo import api, fields, models
from odoo.tools import SQL

from ..models.collection_promise import DUE_STATES

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
    _inherit = ["collection.report.mixin"]
    _description = "Collector Performance"
    _auto = False
    _order = "date desc, user_id"
    _depends = {
        "account.move.line": ["move_id"],
        "collection.invoice.state": ["move_id", "case_id"],
        "account.move": [
            "move_type",
            "origin_payment_id",
            "statement_line_id",
        ],
        "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
        "collection.case": ["partner_id", "company_id", "user_id", "stage_type", "date_closed"],
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
        "res.company": ["currency_id"],
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
    @api.model
    def _select(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY rows.date, rows.user_id, rows.case_id) AS id,
                   rows.*, company.currency_id, c.partner_id
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM (%s) rows
              JOIN res_company company ON company.id = rows.company_id
         LEFT JOIN collection_case c ON c.id = rows.case_id
            """,
            SQL(" UNION ALL ").join(self._performance_rows()),
        )

    @api.model
    def _performance_rows(self):
        """One SQL per source: its rows with every measure, zero (or NULL for the
        averaged ones) where the source does not fill it."""
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
        return branches

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
    def _collector_events(self, table, date_column, condition, *columns, case=None):
        """SQL of the rows of `table` (alias `event`) that have a collector and meet
        `condition`: the month of `date_column`, the collector, the company, the case
        (`case`, an SQL expression; by default the row's case_id) and `columns`."""
        return SQL(
            """
            SELECT %(month)s AS date, event.user_id, event.company_id, %(case)s AS case_id
                   %(columns)s
              FROM %(table)s event
             WHERE event.user_id IS NOT NULL AND %(condition)s
            """,
            month=self._month_sql(SQL("event.%s", SQL.identifier(date_column))),
            case=case or SQL("event.case_id"),
            columns=SQL("").join(SQL(", %s", column) for column in columns),
            table=SQL.identifier(table),
            condition=condition,
        )

    @api.model
    def _source_cases_worked(self):
        return SQL(
            """
            SELECT worked.date, c.user_id, c.company_id, c.id AS case_id
              FROM (
                    SELECT res_id AS case_id, %(message_month)s AS date
                      FROM mail_message
                     WHERE model = 'collection.case'
                       AND (message_type IN ('comment', 'email')
                            OR mail_activity_type_id IS NOT NULL)
                     UNION
                    SELECT case_id, %(communication_month)s
                      FROM collection_communication
                     WHERE case_id IS NOT NULL AND state IN ('sent', 'manual')
                   ) worked
              JOIN collection_case c ON c.id = worked.case_id
             WHERE c.user_id IS NOT NULL
            """,
            message_month=self._month_sql(SQL("mail_message.date")),
            communication_month=self._month_sql(SQL("collection_communication.date")),
        )

    @api.model
    def _source_cash_collected(self):
        return SQL(
            """
            SELECT %(month)s AS date, c.user_id, c.company_id, c.id AS case_id, p.amount
              FROM account_partial_reconcile p
              JOIN account_move_line inv_line ON inv_line.id = p.debit_move_id
              JOIN collection_invoice_state inv_state ON inv_state.move_id = inv_line.move_id
              JOIN collection_case c ON c.id = inv_state.case_id
              JOIN account_move_line pay_line ON pay_line.id = p.credit_move_id
              JOIN account_move pay ON pay.id = pay_line.move_id
             WHERE c.user_id IS NOT NULL
               AND %(received)s
            """,
            month=self._month_sql(SQL("p.max_date")),
            received=self.env["account.move"]._collection_money_received_sql("pay"),
        )

    @api.model
    def _source_cases_resolved(self):
        return self._collector_events(
            "collection_case",
            "date_closed",
            SQL("event.stage_type = 'resolved' AND event.date_closed IS NOT NULL"),
            case=SQL("event.id"),
        )

    @api.model
    def _source_targets(self):
        return self._collector_events(
            "collection_target",
            "date",
            SQL("event.active IS TRUE"),
            SQL("event.amount"),
            case=SQL("NULL::integer"),
        )

    @api.model
    def _source_promises_made(self):
        return self._collector_events(
            "collection_promise", "date", SQL("event.state != 'cancelled'")
        )

    @api.model
    def _source_promises_due(self):
        return self._collector_events(
            "collection_promise",
            "date_evaluated",
            SQL("event.state IN %s", DUE_STATES),
            SQL("CASE WHEN event.state = 'kept' THEN 1 ELSE 0 END AS kept"),
        )

    @api.model
    def _source_contacts_made(self):
        return self._collector_events(
            "collection_contact", "date", SQL("event.direction = 'outbound'")
        )
