from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..models.collection_dispute import ACTIVE_STATES
from ..models.collection_payment_behaviour import (
    DEFAULT_KEPT_RATE,
    MIN_HISTORY,
    SEGMENT_SQL,
    SEGMENTS,
    debtor_joins,
)

# An invoice already past its usual payment date is expected after as many days again
# as it is late beyond it, at least LATE_WAIT days from the date of the prediction; late
# beyond it by more than UNLIKELY_AFTER days (or twice the debtor's spread, if more), it
# is not expected without action: no date, a bucket of its own.
LATE_WAIT = 7
UNLIKELY_AFTER = 30
# The forecast is by week over this many days from the current week's Monday, then by month.
WEEKLY_DAYS = 13 * 7
BASES = [
    ("history", "Own History"),
    ("segment", "Segment"),
    ("none", "Due Date"),
    ("promise", "Promise"),
    ("plan", "Payment Plan"),
    ("unlikely", "Unlikely without Action"),
    ("disputed", "Disputed"),
    ("recovery", "Agency or Legal Action"),
]
BUCKETS = [
    ("week", "Week"),
    ("month", "Month"),
    ("unlikely", "Unlikely without Action"),
    ("disputed", "Disputed"),
    ("recovery", "Agency or Legal Action"),
]


class CollectionPaymentPrediction(models.Model):
    """When each open receivable is expected to be paid, and why: one row per open
    receivable journal item today. The cash-in forecast is this model grouped by
    `period_date`.

    The prediction (`_prediction_query`) starts from the due date plus the debtor's
    typical delay (`collection.payment.behaviour`; its segment's when it has fewer than
    MIN_HISTORY paid invoices), then applies what is known today: an active payment
    plan (the date of the instalment that covers the item, instalments allocated to the
    plan's invoices oldest due date first), an open promise (its date, moved towards the
    usual date by the share of promises the debtor broke), an active dispute (no date)
    and a placement with an agency or a legal action (no date, a bucket of its own).
    An item later than its usual date is expected after as many days again (at least
    LATE_WAIT); later than UNLIKELY_AFTER days (or twice the debtor's spread) beyond it,
    it is not expected without action (no date, bucket Unlikely). The backtest runs the
    same query as of past dates without today's adjustments."""

    _name = "collection.payment.prediction"
    _description = "Payment Prediction"
    _auto = False
    _order = "predicted_date, id"
    _rec_name = "move_name"
    _depends = {
        "account.move.line": [
            "move_id",
            "partner_id",
            "company_id",
            "company_currency_id",
            "currency_id",
            "account_id",
            "date",
            "date_maturity",
            "amount_residual",
            "reconciled",
        ],
        "account.move": ["name", "state"],
        "account.account": ["account_type"],
        "res.partner": ["commercial_partner_id", "collection_policy_id"],
        "res.company": ["collection_policy_id", "currency_id"],
        "collection.policy": ["debtor_type"],
        "collection.case": ["partner_id", "company_id", "user_id", "is_open"],
        "collection.payment.behaviour": [
            "delay_spread",
            "partner_id",
            "company_id",
            "segment",
            "invoice_count",
            "typical_delay",
            "promise_due_count",
            "promise_kept_count",
            "collected_rate",
        ],
        "collection.promise": ["move_ids", "state", "date_promised"],
        "collection.payment.plan": ["move_ids", "state"],
        "collection.payment.plan.line": ["plan_id", "date_due", "amount", "amount_paid", "state"],
        "collection.dispute": ["move_id", "state"],
        "collection.agency.placement": ["move_ids", "state"],
        "collection.legal.action": ["partner_id", "company_id", "state"],
    }

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True)
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    move_name = fields.Char(string="Number", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency", string="Company Currency", readonly=True, help="Amounts are in it."
    )
    invoice_currency_id = fields.Many2one("res.currency", string="Currency", readonly=True)
    case_id = fields.Many2one("collection.case", string="Case", readonly=True)
    user_id = fields.Many2one("res.users", string="Collector", readonly=True)
    segment = fields.Selection(SEGMENTS, readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    amount_residual = fields.Monetary(
        string="Open", readonly=True, help="What is open today, in the company currency."
    )
    amount_expected = fields.Monetary(
        string="Expected",
        readonly=True,
        help="What the forecast expects on the predicted date: the open amount x the share "
        "of its invoices the debtor (or its segment) paid within 60 days of their due date "
        "(promises and plans: the open amount; without a date: nothing).",
    )
    predicted_date = fields.Date(
        string="Predicted Payment",
        readonly=True,
        help="Empty for disputed invoices, invoices with an agency or in legal action, and "
        "invoices so late beyond the debtor's usual delay that they are not expected "
        "without action.",
    )
    predicted_delay = fields.Integer(
        string="Predicted Days Late",
        readonly=True,
        aggregator="max",
        help="Predicted payment date minus due date (without a date: days late today).",
    )
    basis = fields.Selection(BASES, readonly=True, help="What the prediction rests on.")
    bucket = fields.Selection(
        BUCKETS,
        readonly=True,
        help="Week: in the next 13 weeks; Month: later; apart: disputed invoices, those with "
        "an agency or in legal action, and those not expected without action.",
    )
    period_date = fields.Date(
        string="Period",
        readonly=True,
        help="Monday of the predicted week over the next 13 weeks, then the first day "
        "of the predicted month.",
    )
    history_count = fields.Integer(string="Paid Invoices", readonly=True)
    typical_delay = fields.Float(string="Typical Delay (days)", readonly=True, aggregator=False)
    segment_count = fields.Integer(string="Segment Paid Invoices", readonly=True, aggregator=False)
    segment_delay = fields.Float(
        string="Segment Typical Delay (days)", readonly=True, aggregator=False
    )
    promise_date = fields.Date(string="Promised Date", readonly=True)
    promise_due_count = fields.Integer(string="Promises Due", readonly=True, aggregator=False)
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True, aggregator=False)
    plan_date = fields.Date(string="Instalment Date", readonly=True)
    reason = fields.Char(compute="_compute_reason", help="Why this date, in one sentence.")

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------
    @property
    def _table_query(self):
        return self._report_query()

    @api.model
    def _open_items_query(self, today):
        """The receivable items open today: as_of, line_id, move_id, company_id,
        partner_id, segment, due, residual."""
        return SQL(
            """
            SELECT %(today)s::date AS as_of, aml.id AS line_id, aml.move_id, aml.company_id,
                   debtor.id AS partner_id, %(segment)s AS segment,
                   COALESCE(aml.date_maturity, aml.date) AS due,
                   aml.amount_residual AS residual
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
              %(joins)s
             WHERE account.account_type = 'asset_receivable'
               AND move.state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual > 0
            """,
            today=today,
            segment=SEGMENT_SQL,
            joins=debtor_joins(),
        )

    @api.model
    def _stored_behaviour_query(self, today):
        return SQL(
            """
            SELECT %s::date AS as_of, company_id, partner_id, segment, invoice_count,
                   typical_delay, delay_spread, promise_due_count, promise_kept_count,
                   collected_rate
              FROM collection_payment_behaviour
            """,
            today,
        )

    @api.model
    def _prediction_query(self, items, behaviour, adjust):
        """Predict the payment date of each item of `items` (as of its `as_of`) from
        `behaviour` (as_of, company_id, partner_id, segment, invoice_count,
        typical_delay, delay_spread, promise_due_count, promise_kept_count,
        collected_rate); with
        `adjust`, the plans, promises, disputes and recovery of today apply."""
        adjustments = SQL(
            """
            disputed AS (
                SELECT DISTINCT move_id FROM collection_dispute WHERE state IN %(active)s
            ),
            recovery AS (
                SELECT rel.move_id
                  FROM collection_agency_placement_move_rel rel
                  JOIN collection_agency_placement placement
                    ON placement.id = rel.placement_id AND placement.state = 'placed'
                 UNION
                SELECT items.move_id
                  FROM items
                  JOIN collection_legal_action action
                    ON action.partner_id = items.partner_id
                   AND action.company_id = items.company_id
                   AND action.state != 'closed'
            ),
            promised AS (
                SELECT DISTINCT ON (rel.move_id) rel.move_id, promise.date_promised
                  FROM collection_promise_account_move_rel rel
                  JOIN collection_promise promise
                    ON promise.id = rel.promise_id AND promise.state = 'open'
              ORDER BY rel.move_id, promise.date_promised
            ),
            planned_items AS (
                SELECT plan.id AS plan_id, items.line_id,
                       SUM(items.residual) OVER (PARTITION BY plan.id
                                                     ORDER BY items.due, items.line_id)
                           AS cumulated
                  FROM items
                  JOIN collection_payment_plan_account_move_rel rel
                    ON rel.move_id = items.move_id
                  JOIN collection_payment_plan plan
                    ON plan.id = rel.plan_id AND plan.state = 'active'
            ),
            instalments AS (
                SELECT plan_id, date_due,
                       SUM(amount - COALESCE(amount_paid, 0))
                           OVER (PARTITION BY plan_id ORDER BY date_due, id) AS cumulated
                  FROM collection_payment_plan_line
                 WHERE state != 'paid'
                   AND plan_id IN (SELECT plan_id FROM planned_items)
            ),
            planned AS (
                SELECT DISTINCT ON (planned_items.line_id)
                       planned_items.line_id, instalments.date_due
                  FROM planned_items
                  JOIN instalments ON instalments.plan_id = planned_items.plan_id
              ORDER BY planned_items.line_id,
                       instalments.cumulated >= planned_items.cumulated - 0.005 DESC,
                       CASE WHEN instalments.cumulated >= planned_items.cumulated - 0.005
                            THEN instalments.date_due END,
                       instalments.date_due DESC
            ),
            """,
            active=ACTIVE_STATES,
        )
        none = SQL(
            """
            disputed AS (SELECT NULL::int AS move_id WHERE FALSE),
            recovery AS (SELECT NULL::int AS move_id WHERE FALSE),
            promised AS (SELECT NULL::int AS move_id, NULL::date AS date_promised WHERE FALSE),
            planned AS (SELECT NULL::int AS line_id, NULL::date AS date_due WHERE FALSE),
            """
        )
        return SQL(
            """
            WITH items AS (%(items)s),
            behaviour AS (%(behaviour)s),
            %(adjustments)s
            base AS (
                SELECT items.*,
                       CASE WHEN own.invoice_count >= %(min_history)s THEN 'history'
                            WHEN seg.invoice_count > 0 THEN 'segment'
                            ELSE 'none' END AS source,
                       COALESCE(own.invoice_count, 0) AS history_count,
                       COALESCE(own.typical_delay, 0) AS typical_delay,
                       COALESCE(seg.invoice_count, 0) AS segment_count,
                       COALESCE(seg.typical_delay, 0) AS segment_delay,
                       CASE WHEN own.invoice_count >= %(min_history)s THEN own.delay_spread
                            ELSE COALESCE(seg.delay_spread, 0) END AS spread,
                       COALESCE(CASE WHEN own.invoice_count >= %(min_history)s
                                     THEN own.collected_rate END,
                                seg.collected_rate, 100) / 100 AS collected_share,
                       COALESCE(own.promise_due_count, 0) AS promise_due_count,
                       COALESCE(own.promise_kept_count, 0) AS promise_kept_count,
                       items.due + ROUND(
                           CASE WHEN own.invoice_count >= %(min_history)s
                                THEN own.typical_delay
                                ELSE COALESCE(seg.typical_delay, 0) END)::int AS usual
                  FROM items
             LEFT JOIN behaviour own
                    ON own.as_of = items.as_of
                   AND own.company_id = items.company_id
                   AND own.partner_id = items.partner_id
             LEFT JOIN behaviour seg
                    ON seg.as_of = items.as_of
                   AND seg.company_id = items.company_id
                   AND seg.partner_id IS NULL
                   AND seg.segment = items.segment
            ),
            expected AS (
                SELECT base.*,
                       CASE WHEN base.usual > base.as_of THEN base.usual
                            WHEN base.as_of - base.usual
                                 <= GREATEST(%(unlikely)s, 2 * base.spread)
                            THEN base.as_of + GREATEST(base.as_of - base.usual, %(wait)s)
                       END AS usual_date
                  FROM base
            ),
            predicted AS (
                SELECT expected.*,
                       GREATEST(promised.date_promised, expected.as_of) AS promise_date,
                       GREATEST(planned.date_due, expected.as_of) AS plan_date,
                       CASE WHEN disputed.move_id IS NOT NULL THEN 'disputed'
                            WHEN recovery.move_id IS NOT NULL THEN 'recovery'
                            WHEN planned.line_id IS NOT NULL THEN 'plan'
                            WHEN promised.move_id IS NOT NULL THEN 'promise'
                            WHEN expected.usual_date IS NULL THEN 'unlikely'
                            ELSE expected.source END AS basis
                  FROM expected
             LEFT JOIN disputed ON disputed.move_id = expected.move_id
             LEFT JOIN recovery ON recovery.move_id = expected.move_id
             LEFT JOIN promised ON promised.move_id = expected.move_id
             LEFT JOIN planned ON planned.line_id = expected.line_id
            ),
            dated AS (
                SELECT predicted.*,
                       CASE basis
                            WHEN 'disputed' THEN NULL
                            WHEN 'recovery' THEN NULL
                            WHEN 'unlikely' THEN NULL
                            WHEN 'plan' THEN plan_date
                            WHEN 'promise' THEN promise_date + ROUND(
                                (1 - CASE WHEN promise_due_count > 0
                                          THEN promise_kept_count::float / promise_due_count
                                          ELSE %(kept_rate)s END)
                                * GREATEST(COALESCE(usual_date, promise_date + %(unlikely)s)
                                           - promise_date, 0))::int
                            ELSE usual_date END AS predicted_date
                  FROM predicted
            )
            SELECT dated.*,
                   CASE WHEN predicted_date IS NULL THEN 0
                        WHEN basis IN ('promise', 'plan') THEN residual
                        ELSE ROUND((residual * collected_share)::numeric, 2) END
                       AS amount_expected,
                   COALESCE(predicted_date, as_of) - due AS predicted_delay,
                   CASE WHEN basis IN ('disputed', 'recovery', 'unlikely') THEN basis
                        WHEN predicted_date < date_trunc('week', as_of)::date + %(weekly)s
                        THEN 'week' ELSE 'month' END AS bucket,
                   CASE WHEN predicted_date < date_trunc('week', as_of)::date + %(weekly)s
                        THEN date_trunc('week', predicted_date)::date
                        ELSE date_trunc('month', predicted_date)::date END AS period_date
              FROM dated
            """,
            items=items,
            behaviour=behaviour,
            adjustments=adjustments if adjust else none,
            min_history=MIN_HISTORY,
            wait=LATE_WAIT,
            unlikely=UNLIKELY_AFTER,
            kept_rate=DEFAULT_KEPT_RATE,
            weekly=WEEKLY_DAYS,
        )

    @api.model
    def _report_query(self):
        """The rows of the model from the prediction query of today."""
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT prediction.line_id AS id,
                   prediction.line_id AS move_line_id,
                   prediction.move_id,
                   move.name AS move_name,
                   prediction.partner_id,
                   prediction.company_id,
                   aml.company_currency_id AS currency_id,
                   aml.currency_id AS invoice_currency_id,
                   cases.id AS case_id,
                   cases.user_id,
                   prediction.segment,
                   prediction.due AS date_maturity,
                   prediction.residual AS amount_residual,
                   prediction.amount_expected,
                   prediction.predicted_date,
                   prediction.predicted_delay,
                   prediction.basis,
                   prediction.bucket,
                   prediction.period_date,
                   prediction.history_count,
                   prediction.typical_delay,
                   prediction.segment_count,
                   prediction.segment_delay,
                   prediction.promise_date,
                   prediction.promise_due_count,
                   prediction.promise_kept_count,
                   prediction.plan_date
              FROM (%(prediction)s) prediction
              JOIN account_move_line aml ON aml.id = prediction.line_id
              JOIN account_move move ON move.id = prediction.move_id
         LEFT JOIN (%(cases)s) cases
                ON cases.partner_id = prediction.partner_id
               AND cases.company_id = prediction.company_id
            """,
            prediction=self._prediction_query(
                self._open_items_query(today), self._stored_behaviour_query(today), adjust=True
            ),
            cases=self.env["collection.receivable.ledger"]._debtor_case_query(),
        )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _usual_sentence(self, row, segments):
        _ = self.env._
        if row.history_count >= MIN_HISTORY:
            days = round(row.typical_delay)
            if days >= 0:
                return _(
                    "Typically pays %(days)s days late over its last %(count)s paid invoices",
                    days=days,
                    count=row.history_count,
                )
            return _(
                "Typically pays %(days)s days early over its last %(count)s paid invoices",
                days=-days,
                count=row.history_count,
            )
        if not row.segment_count:
            return _("No payment history in the company: expected on its due date")
        return _(
            "Too little history of its own (%(count)s paid invoices): %(segment)s debtors "
            "of the company typically pay %(days)s days after the due date over "
            "%(total)s invoices",
            count=row.history_count,
            segment=segments.get(row.segment, ""),
            days=round(row.segment_delay),
            total=row.segment_count,
        )

    @api.depends_context("lang")
    def _compute_reason(self):
        _ = self.env._
        segments = dict(self._fields["segment"]._description_selection(self.env))
        dates = {}

        def date(value):
            if value not in dates:
                dates[value] = format_date(self.env, value)
            return dates[value]

        for row in self:
            if row.basis == "disputed":
                row.reason = _("Disputed: left out of the forecast until the dispute is resolved")
                continue
            if row.basis == "recovery":
                row.reason = _(
                    "With a collection agency or in legal action: forecast in a bucket of its own"
                )
                continue
            if row.basis == "unlikely":
                row.reason = _(
                    "%(usual)s; now %(days)s days past due: not expected without action",
                    usual=self._usual_sentence(row, segments),
                    days=row.predicted_delay,
                )
                continue
            if row.basis == "plan":
                row.reason = _(
                    "Payment plan: paid by the instalment of %(date)s",
                    date=date(row.plan_date),
                )
                continue
            sentence = self._usual_sentence(row, segments)
            if row.basis == "promise":
                if row.promise_due_count:
                    sentence = _(
                        "%(usual)s; promise for %(date)s, kept %(kept)s of %(due)s",
                        usual=sentence,
                        date=date(row.promise_date),
                        kept=row.promise_kept_count,
                        due=row.promise_due_count,
                    )
                else:
                    sentence = _(
                        "%(usual)s; promise for %(date)s, its first: counted as kept one "
                        "time in two",
                        usual=sentence,
                        date=date(row.promise_date),
                    )
            row.reason = sentence
