from odoo import api, fields, models
from odoo.tools import SQL

# How many months back the report (and the DSO countback) looks
KPI_MONTHS = 24
DSO_HELP = (
    "Days Sales Outstanding, countback method: start from the receivables at the end of "
    "the month and walk back month by month, taking away each month's credit sales; every "
    "month fully covered adds its number of days, the month where the receivables run out "
    "adds days x (receivables left / sales of that month). Example: receivables 1,500, "
    "sales 1,000 this month (30 days) and 1,000 the month before (31 days): "
    "DSO = 30 + 31 x 500 / 1,000 = 45.5. The countback looks at most 24 months back."
)
CEI_HELP = (
    "Collection Effectiveness Index = (beginning receivables + credit sales of the month - "
    "ending total receivables) / (beginning receivables + credit sales of the month - "
    "ending current receivables) x 100. Current receivables are those not yet due at the "
    "end of the month. 100 % means everything collectible was collected."
)


class CollectionReceivableKpi(models.Model):
    """DSO and CEI by month, for each company and for each collector's debtors.

    Computed from the ledger at query time: receivables at a month end are the sum of the
    receivable journal items dated up to it; current receivables are the residual at that
    date (reconciliations dated later added back) of invoices not yet due; credit sales
    are the receivable side of customer invoices and credit notes dated in the month.
    The collector of a debtor is the one of its case (the open one, else the latest)."""

    _name = "collection.receivable.kpi"
    _inherit = ["collection.receivable.ledger"]
    _description = "DSO and Collection Effectiveness"
    _auto = False
    _order = "date desc, scope, user_id"
    # and the ledger's columns (`collection.receivable.ledger`)
    _depends = {"res.company": ["currency_id"]}

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Date(string="Month", readonly=True)
    scope = fields.Selection(
        [("company", "Company"), ("collector", "Collector")],
        readonly=True,
        help="Company: the whole ledger. Collector: the debtors of one collector (empty "
        "collector: debtors nobody is assigned to).",
    )
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    ar_begin = fields.Monetary(
        string="Beginning Receivables", readonly=True, help="Receivables at the month start."
    )
    sales = fields.Monetary(
        string="Credit Sales",
        readonly=True,
        help="Customer invoices less credit notes dated in the month.",
    )
    ar_end = fields.Monetary(
        string="Ending Receivables", readonly=True, help="Receivables at the month end."
    )
    ar_current = fields.Monetary(
        string="Ending Current Receivables",
        readonly=True,
        help="Part of the ending receivables not yet due at the month end.",
    )
    amount_collected = fields.Monetary(
        string="Collected",
        readonly=True,
        help="Beginning receivables + credit sales - ending receivables.",
    )
    dso = fields.Float(string="DSO (days)", readonly=True, aggregator="avg", help=DSO_HELP)
    cei = fields.Float(string="CEI (%)", readonly=True, aggregator="avg", help=CEI_HELP)

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------
    @api.model
    def _with(self):
        today = fields.Date.context_today(self)
        invoice_types = ("out_invoice", "out_refund", "out_receipt")
        return SQL(
            """
            WITH months AS (
                SELECT m::date AS month,
                       LEAST((m + interval '1 month' - interval '1 day')::date, %(today)s::date)
                           AS month_end
                  FROM generate_series(date_trunc('month', %(today)s::date)
                                           - %(months)s * interval '1 month',
                                       date_trunc('month', %(today)s::date),
                                       interval '1 month') m
            ),
            bounds AS (SELECT MIN(month) AS first_month FROM months),
            base AS (
                SELECT aml.id, aml.company_id, cases.user_id, aml.date, aml.balance,
                       aml.amount_residual,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       move.move_type IN %(invoice_types)s AS is_sale
                %(ledger_from)s
                %(ledger_where)s
            ),
            -- per collector first; the company rows add them up
            collector_flows AS (
                SELECT l.company_id, l.user_id,
                       GREATEST(%(line_month)s, bounds.first_month) AS month,
                       SUM(l.balance) AS net,
                       SUM(l.balance) FILTER (WHERE l.date < bounds.first_month) AS opening,
                       SUM(l.balance) FILTER (WHERE l.is_sale
                                                AND l.date >= bounds.first_month) AS sales
                  FROM base l, bounds
              GROUP BY 1, 2, 3
            ),
            -- invoices not yet due at a month end, with their residual at that date:
            -- today's residual plus the reconciliations dated after the month end
            not_due AS (
                SELECT l.id, l.company_id, l.user_id, l.amount_residual, m.month, m.month_end
                  FROM base l
                  JOIN months m ON l.date <= m.month_end AND l.due >= m.month_end
                 WHERE l.balance > 0
            ),
            collector_current AS (
                SELECT company_id, user_id, month, SUM(amount) AS amount
                  FROM (SELECT company_id, user_id, month, amount_residual AS amount FROM not_due
                         UNION ALL
                        SELECT n.company_id, n.user_id, n.month, p.amount
                          FROM not_due n
                          JOIN account_partial_reconcile p
                            ON p.debit_move_id = n.id AND p.max_date > n.month_end) amounts
              GROUP BY 1, 2, 3
            ),
            flows AS (
                SELECT company_id, 'collector' AS scope, user_id, month, net, opening, sales
                  FROM collector_flows
                 UNION ALL
                SELECT company_id, 'company', NULL, month, SUM(net), SUM(opening), SUM(sales)
                  FROM collector_flows
              GROUP BY company_id, month
            ),
            current AS (
                SELECT company_id, 'collector' AS scope, user_id, month, amount
                  FROM collector_current
                 UNION ALL
                SELECT company_id, 'company', NULL, month, SUM(amount)
                  FROM collector_current
              GROUP BY company_id, month
            ),
            keys AS (SELECT DISTINCT company_id, scope, user_id FROM flows),
            grid AS (
                SELECT k.company_id, k.scope, k.user_id, m.month, m.month_end,
                       m.month_end - m.month + 1 AS days,
                       COALESCE(f.sales, 0) AS sales,
                       COALESCE(f.net, 0) - COALESCE(f.opening, 0) AS net_in_month,
                       SUM(COALESCE(f.net, 0)) OVER w AS ar_end,
                       SUM(COALESCE(f.sales, 0)) OVER w AS cum_sales,
                       COALESCE(c.amount, 0) AS ar_current
                  FROM keys k
            CROSS JOIN months m
             LEFT JOIN flows f
                    ON f.company_id = k.company_id AND f.scope = k.scope
                   AND f.user_id IS NOT DISTINCT FROM k.user_id AND f.month = m.month
             LEFT JOIN current c
                    ON c.company_id = k.company_id AND c.scope = k.scope
                   AND c.user_id IS NOT DISTINCT FROM k.user_id AND c.month = m.month
                WINDOW w AS (PARTITION BY k.company_id, k.scope, k.user_id ORDER BY m.month)
            ),
            kpi AS (SELECT g.*, g.ar_end - g.net_in_month AS ar_begin FROM grid g),
            dso AS (
                -- countback: the part of month k's sales still unpaid at month m's end
                SELECT m.company_id, m.scope, m.user_id, m.month,
                       SUM(k.days * CASE
                           WHEN m.ar_end - (m.cum_sales - k.cum_sales) <= 0 THEN 0
                           WHEN k.sales <= 0 THEN 1
                           ELSE LEAST(1, (m.ar_end - (m.cum_sales - k.cum_sales)) / k.sales)
                       END) AS dso
                  FROM grid m
                  JOIN grid k
                    ON k.company_id = m.company_id AND k.scope = m.scope
                   AND k.user_id IS NOT DISTINCT FROM m.user_id AND k.month <= m.month
              GROUP BY 1, 2, 3, 4
            )
            """,
            today=today,
            months=KPI_MONTHS - 1,
            invoice_types=invoice_types,
            line_month=self._month_sql(SQL("l.date")),
            ledger_from=self._ledger_from(),
            ledger_where=self._ledger_where(today),
        )

    @api.model
    def _select(self):
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY kpi.company_id, kpi.scope, kpi.user_id,
                                      kpi.month) AS id,
                   kpi.month AS date, kpi.scope, kpi.user_id, kpi.company_id,
                   company.currency_id,
                   kpi.ar_begin, kpi.sales, kpi.ar_end, kpi.ar_current,
                   kpi.ar_begin + kpi.sales - kpi.ar_end AS amount_collected,
                   CASE WHEN kpi.ar_end > 0 THEN dso.dso ELSE 0 END AS dso,
                   CASE WHEN kpi.ar_begin + kpi.sales - kpi.ar_current <> 0
                        THEN (kpi.ar_begin + kpi.sales - kpi.ar_end)
                             / (kpi.ar_begin + kpi.sales - kpi.ar_current) * 100
                   END AS cei
            """
        )

    @api.model
    def _from(self):
        return SQL(
            """
              FROM kpi
              JOIN res_company company ON company.id = kpi.company_id
              JOIN dso
                ON dso.company_id = kpi.company_id AND dso.scope = kpi.scope
               AND dso.user_id IS NOT DISTINCT FROM kpi.user_id AND dso.month = kpi.month
            """
        )
