from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import MANAGER, requires_group
from .collection_promise import DUE_STATES

# A paid invoice weighs half as much for each HALF_LIFE_DAYS between its payment and
# the date of the figures: recent behaviour counts most.
HALF_LIFE_DAYS = 180
# Days paid after the due date, as counted: an invoice paid earlier or later counts
# as paid at the bound (a year-long dispute does not make a debtor "a year late").
DELAY_BOUNDS = (-60, 365)
# The forecast expects of an open invoice the share of the invoices the debtor (or its
# segment) paid within this many days of their due date.
COLLECTED_DAYS = 60
# A debtor with fewer paid invoices than this is predicted from its segment.
MIN_HISTORY = 3
# The kept rate of a debtor with no promise judged yet.
DEFAULT_KEPT_RATE = 0.5
SEGMENTS = [("business", "Business"), ("consumer", "Consumer")]


def debtor_joins(aml="aml"):
    """The joins that give the journal item's debtor (`debtor`) and the segment of its
    collection policy in the item's company (`SEGMENT_SQL`)."""
    return SQL(
        """
          JOIN res_partner partner ON partner.id = %(aml)s.partner_id
          JOIN res_partner debtor
            ON debtor.id = COALESCE(partner.commercial_partner_id, partner.id)
          JOIN res_company company ON company.id = %(aml)s.company_id
     LEFT JOIN collection_policy policy
            ON policy.id = COALESCE(
                   (debtor.collection_policy_id ->> company.id::text)::int,
                   company.collection_policy_id)
        """,
        aml=SQL.identifier(aml),
    )


SEGMENT_SQL = SQL("COALESCE(policy.debtor_type, 'business')")


class CollectionPaymentBehaviour(models.Model):
    """How a debtor has paid in a company, computed from the ledger by
    `_compute_for_company` (nightly and on demand): one row per debtor, and one row per
    segment (no debtor) with the figures of all the segment's paid invoices, which
    debtors without enough history of their own are predicted from.

    The same query (`_behaviour_query`) gives the figures as of past dates for the
    backtest (`collection.prediction.backtest`)."""

    _name = "collection.payment.behaviour"
    _description = "Payment Behaviour"
    _order = "company_id, partner_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        readonly=True,
        index=True,
        ondelete="cascade",
        help="Empty: the figures of all the segment's debtors.",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    segment = fields.Selection(
        SEGMENTS,
        readonly=True,
        help="The debt type of the debtor's collection policy (Business when it has none).",
    )
    invoice_count = fields.Integer(
        string="Paid Invoices",
        readonly=True,
        help="Invoices fully paid within the history window (Settings).",
    )
    typical_delay = fields.Float(
        string="Typical Delay (days)",
        readonly=True,
        digits=(16, 1),
        help="Weighted median of the days between due date and payment of the paid "
        "invoices (negative: paid early). An invoice weighs half as much for every "
        "180 days since its payment; delays count between -60 and 365 days.",
    )
    delay_spread = fields.Float(
        string="Spread (days)",
        readonly=True,
        digits=(16, 1),
        help="Weighted mean distance of the delays from the typical delay.",
    )
    trend = fields.Float(
        string="Trend (days/month)",
        readonly=True,
        digits=(16, 1),
        help="Change of the delay per month of payment date (least-squares slope, "
        "three paid invoices at least): positive means paying later and later.",
    )
    after_contact_rate = fields.Float(
        string="Paid after Contact (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the paid invoices with an outbound contact (reminder, letter, "
        "call...) between their due date and their payment.",
    )
    collected_rate = fields.Float(
        string="Paid within 60 Days (%)",
        readonly=True,
        digits=(16, 1),
        help="Share of the invoices due in the window, 60 days ago or more, paid within 60 "
        "days of their due date: the share of an open invoice the forecast expects. Empty: "
        "none due long enough.",
    )
    promise_due_count = fields.Integer(
        string="Promises Due", readonly=True, help="Promises to pay judged in the window."
    )
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        readonly=True,
        digits=(16, 1),
        help="Promises kept / promises judged in the window.",
    )
    date_computed = fields.Date(string="Computed On", readonly=True)

    # ------------------------------------------------------------------
    # Business methods: the figures
    # ------------------------------------------------------------------
    @api.model
    def _behaviour_query(self, company, dates):
        """SQL of the figures as of each date of `dates` over the company's history:
        columns as_of, partner_id (NULL on segment rows), segment, invoice_count,
        typical_delay, delay_spread, trend, after_contact_rate, promise_due_count,
        promise_kept_count, collected_rate. An invoice counts as paid on the latest date of its
        reconciliations (`account.partial.reconcile.max_date`) once fully reconciled:
        the payment date of its last payment."""
        window = company.collection_history_months or 24
        earliest = min(dates) - relativedelta(months=window)
        return SQL(
            """
            WITH asof AS (SELECT unnest(%(dates)s::date[]) AS as_of),
            lines AS (
                SELECT aml.id,
                       debtor.id AS partner_id,
                       %(segment)s AS segment,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       CASE WHEN aml.reconciled THEN MAX(partial.max_date) END AS paid_on
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
             LEFT JOIN account_partial_reconcile partial ON partial.debit_move_id = aml.id
                  %(joins)s
                 WHERE aml.company_id = %(company)s
                   AND account.account_type = 'asset_receivable'
                   AND move.state = 'posted'
                   AND aml.balance > 0
                   AND (aml.reconciled IS TRUE
                        OR COALESCE(aml.date_maturity, aml.date) > %(earliest)s)
              GROUP BY aml.id, debtor.id, policy.debtor_type
                HAVING MAX(partial.max_date) > %(earliest)s
                    OR COALESCE(aml.date_maturity, aml.date) > %(earliest)s
            ),
            paid AS (SELECT * FROM lines WHERE paid_on IS NOT NULL),
            collected AS (
                SELECT asof.as_of, lines.partner_id, lines.segment,
                       COUNT(*) AS due_count,
                       COUNT(*) FILTER (WHERE lines.paid_on <= lines.due + %(horizon)s)
                           AS collected_count
                  FROM lines
                  JOIN asof
                    ON lines.due <= asof.as_of - %(horizon)s
                   AND lines.due > asof.as_of - %(window)s * interval '1 month'
              GROUP BY GROUPING SETS ((asof.as_of, lines.partner_id, lines.segment),
                                      (asof.as_of, lines.segment))
            ),
            obs AS (
                SELECT asof.as_of, paid.id, paid.partner_id, paid.segment, paid.paid_on,
                       LEAST(GREATEST(paid.paid_on - paid.due, %(low)s), %(high)s)::float
                           AS delay,
                       power(0.5, (asof.as_of - paid.paid_on) / %(half_life)s::float)
                           AS weight,
                       EXISTS (
                           SELECT 1
                             FROM collection_contact contact
                            WHERE contact.partner_id = paid.partner_id
                              AND contact.company_id = %(company)s
                              AND contact.direction = 'outbound'
                              AND contact.date >= paid.due
                              AND contact.date < paid.paid_on + 1
                       ) AS after_contact
                  FROM paid
                  JOIN asof
                    ON paid.paid_on <= asof.as_of
                   AND paid.paid_on > asof.as_of - %(window)s * interval '1 month'
            ),
            keyed AS (
                SELECT as_of, id, partner_id, segment, paid_on, delay, weight, after_contact
                  FROM obs
                 UNION ALL
                SELECT as_of, id, NULL, segment, paid_on, delay, weight, after_contact
                  FROM obs
            ),
            ranked AS (
                SELECT keyed.*,
                       SUM(weight) OVER (PARTITION BY as_of, partner_id, segment
                                             ORDER BY delay, id) AS cumulated,
                       SUM(weight) OVER (PARTITION BY as_of, partner_id, segment) AS total
                  FROM keyed
            ),
            median AS (
                SELECT DISTINCT ON (as_of, partner_id, segment)
                       as_of, partner_id, segment, delay AS typical
                  FROM ranked
                 WHERE cumulated >= total / 2
              ORDER BY as_of, partner_id, segment, delay, id
            ),
            stats AS (
                SELECT keyed.as_of, keyed.partner_id, keyed.segment,
                       COUNT(*) AS invoice_count,
                       median.typical AS typical_delay,
                       SUM(keyed.weight * ABS(keyed.delay - median.typical))
                           / NULLIF(SUM(keyed.weight), 0) AS delay_spread,
                       CASE WHEN COUNT(*) >= 3
                            THEN COALESCE(regr_slope(keyed.delay,
                                                     (keyed.paid_on - keyed.as_of)::float), 0)
                                 * 30
                            ELSE 0 END AS trend,
                       100.0 * COUNT(*) FILTER (WHERE keyed.after_contact) / COUNT(*)
                           AS after_contact_rate
                  FROM keyed
                  JOIN median
                    ON median.as_of = keyed.as_of
                   AND median.partner_id IS NOT DISTINCT FROM keyed.partner_id
                   AND median.segment = keyed.segment
              GROUP BY keyed.as_of, keyed.partner_id, keyed.segment, median.typical
            ),
            promises AS (
                SELECT asof.as_of, promise.partner_id,
                       COUNT(*) AS due_count,
                       COUNT(*) FILTER (WHERE promise.state = 'kept') AS kept_count
                  FROM collection_promise promise
                  JOIN asof
                    ON promise.date_evaluated <= asof.as_of
                   AND promise.date_evaluated > asof.as_of - %(window)s * interval '1 month'
                 WHERE promise.company_id = %(company)s
                   AND promise.state IN %(due_states)s
              GROUP BY asof.as_of, promise.partner_id
            )
            SELECT COALESCE(stats.as_of, promises.as_of) AS as_of,
                   COALESCE(stats.partner_id, promises.partner_id) AS partner_id,
                   stats.segment,
                   COALESCE(stats.invoice_count, 0) AS invoice_count,
                   COALESCE(stats.typical_delay, 0) AS typical_delay,
                   COALESCE(stats.delay_spread, 0) AS delay_spread,
                   COALESCE(stats.trend, 0) AS trend,
                   COALESCE(stats.after_contact_rate, 0) AS after_contact_rate,
                   COALESCE(promises.due_count, 0) AS promise_due_count,
                   COALESCE(promises.kept_count, 0) AS promise_kept_count,
                   100.0 * collected.collected_count / NULLIF(collected.due_count, 0)
                       AS collected_rate
              FROM stats
         FULL JOIN promises
                ON promises.as_of = stats.as_of AND promises.partner_id = stats.partner_id
         LEFT JOIN collected
                ON collected.as_of = stats.as_of
               AND collected.partner_id IS NOT DISTINCT FROM stats.partner_id
               AND collected.segment = stats.segment
            """,
            dates=list(dates),
            company=company.id,
            segment=SEGMENT_SQL,
            joins=debtor_joins(),
            earliest=earliest,
            low=DELAY_BOUNDS[0],
            high=DELAY_BOUNDS[1],
            half_life=HALF_LIFE_DAYS,
            window=window,
            due_states=DUE_STATES,
            horizon=COLLECTED_DAYS,
        )

    @api.model
    def _compute_for_company(self, company, date=None):
        """Replace the company's figures by those of `date` (today): three statements
        whatever the number of debtors and invoices."""
        date = date or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL("DELETE FROM collection_payment_behaviour WHERE company_id = %s", company.id)
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO collection_payment_behaviour (
                       partner_id, company_id, segment, invoice_count, typical_delay,
                       delay_spread, trend, after_contact_rate, promise_due_count,
                       promise_kept_count, promise_kept_rate, collected_rate, date_computed,
                       create_uid, create_date, write_uid, write_date)
                SELECT figures.partner_id, %(company)s, figures.segment,
                       figures.invoice_count, ROUND(figures.typical_delay::numeric, 1),
                       ROUND(figures.delay_spread::numeric, 1),
                       ROUND(figures.trend::numeric, 1),
                       ROUND(figures.after_contact_rate::numeric, 1),
                       figures.promise_due_count, figures.promise_kept_count,
                       CASE WHEN figures.promise_due_count > 0
                            THEN ROUND(100.0 * figures.promise_kept_count
                                       / figures.promise_due_count, 1)
                            ELSE 0 END,
                       ROUND(figures.collected_rate::numeric, 1),
                       %(date)s, %(uid)s, now() AT TIME ZONE 'UTC',
                       %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM (%(query)s) figures
                """,
                company=company.id,
                date=date,
                uid=self.env.uid,
                query=self._behaviour_query(company, [date]),
            )
        )
        self.invalidate_model()

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(MANAGER, "read")
    def action_recompute(self):
        """Recompute the figures of the user's companies now."""
        for company in self.env.companies:
            self.sudo()._compute_for_company(company)
        return {"type": "ir.actions.client", "tag": "reload"}

    # ------------------------------------------------------------------
    # Cron methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_compute(self):
        for company in self.env["res.company"].search([]):
            self._compute_for_company(company)
            self.env["ir.cron"]._commit_progress(1)
