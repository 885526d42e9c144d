import uuid
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, Query, format_date
from odoo.tools.mail import generate_tracking_message_id

from ..tools import (
    COLLECTOR,
    LIMITATION_YEARS,
    MANAGER,
    check_range,
    check_value,
    clamp,
    insert_messages,
    insert_rows,
    requires_group,
    with_defaults,
    write_each,
    years_around,
)
from .collection_limitation_period import DEBT_BASES, DEBTOR_TYPES, DEFAULT_KIND
from .collection_stage import CLOSED_STAGE_TYPES

# The worklist score, its parts and what they count, written by _update_priority.
PRIORITY_FIELDS = (
    "score_amount",
    "score_age",
    "score_promises",
    "score_disputes",
    "score_risk",
    "score_unlikely",
    "priority_score",
    "amount_disputed",
    "open_dispute_count",
    "broken_promise_count",
    "credit_limit_exceeded",
)


class CollectionCase(models.Model):
    _name = "collection.case"
    _description = "Collection Case"
    _inherit = [
        "collection.access.mixin",
        "collection.numbered.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
    ]
    _order = "is_open desc, amount_overdue desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id"]

    _sequence_date_field = "date_open"
    # what the ledger, the follow-up run and the scoring decide
    _system_fields = (
        "name",
        "date_open",
        "date_closed",
        "is_open",
        "stage_type",
        "level_id",
        "last_followup_date",
        "amount_due",
        "amount_overdue",
        "oldest_overdue_days",
        "overdue_invoice_count",
        "invoice_ids",
        "communication_ids",
        "acknowledgement_date",
        "access_token",
        *PRIORITY_FIELDS,
    )

    _one_open_case_per_debtor = models.UniqueIndex(
        "(partner_id, company_id) WHERE (is_open IS TRUE)",
        "A debtor already has an open collection case in this company.",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("is_company", "=", True)],
        help="The commercial partner who owes the debt.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        tracking=True,
        index=True,
        check_company=True,
        domain=lambda self: self.env["res.users"]._collector_domain(),
    )
    assignment_ids = fields.One2many(
        "collection.case.assignment",
        "case_id",
        string="Collector History",
        readonly=True,
        help="Who was the collector of the case from when.",
    )
    stage_id = fields.Many2one(
        "collection.stage",
        tracking=True,
        index=True,
        group_expand="_read_group_stage_ids",
        copy=False,
        check_company=True,
        domain="[('company_id', 'in', [company_id, False])]",
        default=lambda self: self._default_stage_id(),
    )
    stage_type = fields.Selection(related="stage_id.stage_type", store=True, precompute=True)
    is_open = fields.Boolean(
        compute="_compute_is_open",
        store=True,
        precompute=True,
        index=True,
        help="A case is open until its stage is resolved or written off.",
    )
    policy_id = fields.Many2one(
        "collection.policy",
        tracking=True,
        check_company=True,
        help="The follow-up policy: the debtor's own, else the company's default.",
    )
    level_id = fields.Many2one(
        "collection.level",
        string="Follow-up Level",
        tracking=True,
        readonly=True,
        copy=False,
        check_company=True,
        help="The highest follow-up level this case has reached.",
    )
    date_open = fields.Date(string="Opened On", default=fields.Date.context_today, readonly=True)
    date_closed = fields.Date(string="Closed On", readonly=True, copy=False)
    last_followup_date = fields.Date(string="Last Follow-up", readonly=True, copy=False)
    next_action_date = fields.Date(
        tracking=True,
        help="When the collector plans to act on this case next (at most 5 years ahead).",
    )
    amount_due = fields.Monetary(
        string="Total Due",
        readonly=True,
        help="Everything the debtor owes, due or not, less unapplied credits.",
    )
    amount_overdue = fields.Monetary(
        string="Overdue", readonly=True, help="The part of the debt past its due date."
    )
    oldest_overdue_days = fields.Integer(
        string="Days Overdue",
        readonly=True,
        help="Days since the due date of the oldest overdue invoice.",
    )
    overdue_invoice_count = fields.Integer(string="Overdue Invoices", readonly=True)
    invoice_ids = fields.One2many(
        "account.move",
        "collection_case_id",
        string="Invoices",
        readonly=True,
        search="_search_invoice_ids",
    )
    communication_ids = fields.One2many(
        "collection.communication", "case_id", string="Communications", readonly=True
    )
    communication_count = fields.Integer(compute="_compute_communication_count")
    promise_ids = fields.One2many("collection.promise", "case_id", string="Promises")
    promise_count = fields.Integer(compute="_compute_promise_stats")
    promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_promise_stats",
        help="The debtor's promises kept / promises due, over all its cases in this "
        "company. Open and cancelled promises do not count.",
    )
    plan_ids = fields.One2many("collection.payment.plan", "case_id", string="Payment Plans")
    plan_id = fields.Many2one(
        "collection.payment.plan",
        string="Active Plan",
        compute="_compute_plan",
        help="The payment plan in force on this case.",
    )
    plan_progress = fields.Float(
        string="Plan Progress", compute="_compute_plan", help="Share of the plan paid, in %."
    )
    plan_next_due_date = fields.Date(string="Next Instalment", compute="_compute_plan")
    color = fields.Integer()
    note = fields.Html(string="Internal Note")

    placement_ids = fields.One2many(
        "collection.agency.placement", "case_id", string="Agency Placements"
    )
    placement_count = fields.Integer(compute="_compute_recovery_counts")
    legal_action_ids = fields.One2many("collection.legal.action", "case_id", string="Legal Actions")
    legal_action_count = fields.Integer(compute="_compute_recovery_counts")
    write_off_ids = fields.One2many("collection.write.off", "case_id", string="Write-offs")
    write_off_count = fields.Integer(compute="_compute_recovery_counts")
    limitation_date = fields.Date(
        compute="_compute_limitation_date",
        help="The oldest open overdue due date plus the limitation period of the debtor's "
        "jurisdiction (Configuration > Limitation Periods), counted instead from the "
        "latest signed acknowledgement or payment where that period says they restart "
        "it. Past it, the debt is time-barred: no legal action and no letter threatening "
        "one.",
    )
    acknowledgement_date = fields.Date(
        string="Debt Acknowledged On",
        readonly=True,
        tracking=True,
        help="The date of the debtor's latest signed written acknowledgement of the debt "
        "(or promise to pay it), recorded with Record Acknowledgement. It restarts the "
        "limitation period where the jurisdiction allows it.",
    )
    is_time_barred = fields.Boolean(
        string="Time-barred",
        compute="_compute_limitation_date",
        search="_search_is_time_barred",
        help="The limitation date is past.",
    )

    contact_ids = fields.One2many("collection.contact", "case_id", string="Contacts")
    contact_count = fields.Integer(compute="_compute_contact_dispute_counts")
    dispute_ids = fields.One2many("collection.dispute", "case_id", string="Disputes")
    dispute_count = fields.Integer(compute="_compute_contact_dispute_counts")
    last_contact_date = fields.Datetime(compute="_compute_contact_dispute_counts")
    amount_disputed = fields.Monetary(
        string="Disputed",
        readonly=True,
        help="Overdue amount contested in open disputes: follow-up leaves it alone.",
    )
    open_dispute_count = fields.Integer(string="Open Disputes", readonly=True)
    broken_promise_count = fields.Integer(string="Broken Promises", readonly=True)
    credit_limit_exceeded = fields.Boolean(
        readonly=True, help="The debtor owes more than its credit limit."
    )
    score_amount = fields.Float(
        string="Score: Amount",
        readonly=True,
        help="Overdue amount / 1,000 x the weight per 1,000 (Settings).",
    )
    score_age = fields.Float(
        string="Score: Age", readonly=True, help="Days overdue x the weight per day (Settings)."
    )
    score_promises = fields.Float(
        string="Score: Broken Promises",
        readonly=True,
        help="Broken promises x the weight per broken promise (Settings).",
    )
    score_disputes = fields.Float(
        string="Score: Disputes",
        readonly=True,
        help="Open disputes x the weight per open dispute (Settings).",
    )
    score_risk = fields.Float(
        string="Score: Risk",
        readonly=True,
        help="The credit-risk weight (Settings) when the credit limit is exceeded.",
    )
    score_unlikely = fields.Float(
        string="Score: Unlikely to Pay",
        readonly=True,
        help="Days the case's latest open invoice is predicted to be paid after its due "
        "date (Payment Predictions, from the debtor's history) x the weight per day "
        "(Settings).",
    )
    payment_behaviour_ids = fields.Many2many(
        "collection.payment.behaviour",
        string="Payment Behaviour",
        compute="_compute_payment_forecast",
        help="How the debtor has paid in the case's company.",
    )
    payment_prediction_ids = fields.Many2many(
        "collection.payment.prediction",
        string="Payment Predictions",
        compute="_compute_payment_forecast",
        help="When each open invoice of the debtor is expected to be paid, and why.",
    )
    priority_score = fields.Float(
        readonly=True,
        index=True,
        help="Sum of the score parts: the worklist shows the highest first.",
    )

    def _compute_payment_forecast(self):
        behaviours = self.env["collection.payment.behaviour"].search(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        )
        predictions = self.env["collection.payment.prediction"].search(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        )
        for case in self:
            key = (case.partner_id, case.company_id)
            case.payment_behaviour_ids = behaviours.filtered(
                lambda row, key=key: (row.partner_id, row.company_id) == key
            )
            case.payment_prediction_ids = predictions.filtered(
                lambda row, key=key: (row.partner_id, row.company_id) == key
            )

    # ------------------------------------------------------------------
    # Defaults and group expansion
    # ------------------------------------------------------------------
    def _default_stage_id(self):
        return self.env["collection.stage"]._get_stage_by_type("open", self.env.company)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Every stage is a kanban column, even an empty one."""
        company_ids = [*self.env.companies.ids, False]
        return stages.search([("company_id", "in", company_ids)], order=stages._order)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        # the debtor's page on the customer portal (controllers/portal.py)
        for case in self:
            case.access_url = f"/my/collections/{case.id}"

    def _portal_link(self):
        """The debtor's secure link to its page on the customer portal, in full (the
        reminders, letters and statements print it); empty without a case."""
        if not self:
            return ""
        case = self[:1].sudo()
        return f"{case.get_base_url()}{case.get_portal_url()}"

    def _ensure_portal_tokens(self):
        """Give the cases that have none their portal access token, in one statement
        (the portal's `_portal_ensure_token` writes one case at a time, each write
        also preparing the tracking of every tracked field)."""
        cases = self.sudo()
        missing = cases.filtered(lambda case: not case.access_token)
        write_each(missing, ["access_token"], [(case.id, str(uuid.uuid4())) for case in missing])
        cases.fetch(["access_token"])  # read back at once, not case by case

    @api.model
    def _portal_link_of(self, partner, company):
        """The secure link of a debtor's page: of its open case, else its latest one."""
        case = self.sudo().search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", company.id),
            ],
            order="is_open desc, id desc",
            limit=1,
        )
        return case._portal_link()

    @api.depends("stage_id.stage_type")
    def _compute_is_open(self):
        for case in self:
            case.is_open = case.stage_id.stage_type not in CLOSED_STAGE_TYPES

    def _compute_communication_count(self):
        counts = dict(
            self.env["collection.communication"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.communication_count = counts.get(case, 0)

    def _compute_promise_stats(self):
        Promise = self.env["collection.promise"]
        counts = dict(Promise._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"]))
        rates = Promise._kept_rates(
            "partner_id",
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)],
        )
        for case in self:
            case.promise_count = counts.get(case, 0)
            kept, due = rates.get(case.partner_id, (0, 0))
            case.promise_kept_rate = 100.0 * kept / due if due else 0.0

    def _compute_plan(self):
        plans = self.env["collection.payment.plan"].search(
            [("case_id", "in", self.ids), ("state", "=", "active")]
        )
        by_case = {plan.case_id: plan for plan in plans}
        for case in self:
            plan = by_case.get(case, plans.browse())
            case.plan_id = plan
            case.plan_progress = plan.progress
            case.plan_next_due_date = plan.next_due_date

    def _compute_recovery_counts(self):
        counts = {}
        for model in (
            "collection.agency.placement",
            "collection.legal.action",
            "collection.write.off",
        ):
            counts[model] = dict(
                self.env[model]._read_group([("case_id", "in", self.ids)], ["case_id"], ["__count"])
            )
        for case in self:
            case.placement_count = counts["collection.agency.placement"].get(case, 0)
            case.legal_action_count = counts["collection.legal.action"].get(case, 0)
            case.write_off_count = counts["collection.write.off"].get(case, 0)

    @api.depends("acknowledgement_date")
    @api.depends_context("company")
    def _compute_limitation_date(self):
        today = fields.Date.context_today(self)
        oldest = self._oldest_overdue_dates(today)
        profiles = {case: case._limitation_profile() for case in self}
        Period = self.env["collection.limitation.period"]
        periods = Period._periods_by_profile(set(profiles.values()))
        paid = self._last_payment_dates(
            self.filtered(lambda c: periods.get(profiles[c], Period.browse()).restart_on_payment)
        )
        for case in self:
            period = periods.get(profiles[case])
            start = oldest.get(case.id)
            if start and period:
                # the latest event the jurisdiction lets restart the period
                restarts = [start, paid.get(case.id)]
                if period.restart_on_acknowledgement:
                    restarts.append(case.acknowledgement_date)
                start = max(date for date in restarts if date)
            case.limitation_date = (
                start and period and fields.Date.add(start, years=period._bounded_years())
            )
            case.is_time_barred = bool(case.limitation_date and case.limitation_date < today)

    @api.model
    def _last_payment_dates(self, cases):
        """{case id: date of the latest money received on its invoices} (payments and
        bank statement lines, not credit notes or write-offs), in one query."""
        if not cases.ids:
            return {}
        Move = self.env["account.move"]
        Move.flush_model(["move_type", "origin_payment_id"])
        self.env["collection.invoice.state"].flush_model(["move_id", "case_id"])
        self.env["account.move.line"].flush_model(["move_id", "account_id"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "credit_move_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT state.case_id, MAX(partial.max_date)
                  FROM collection_invoice_state state
                  JOIN account_move_line inv_line ON inv_line.move_id = state.move_id
                  JOIN account_account account ON account.id = inv_line.account_id
                                              AND account.account_type = 'asset_receivable'
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = inv_line.id
                  JOIN account_move_line pay_line ON pay_line.id = partial.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = pay_line.move_id
                 WHERE state.case_id IN %(cases)s
                   AND %(received)s
              GROUP BY state.case_id
                """,
                cases=tuple(cases.ids),
                received=Move._collection_money_received_sql("pay_move"),
            )
        )
        return dict(rows)

    def _oldest_overdue_dates(self, today):
        """{case id: oldest due date of its open overdue invoices}, in one query."""
        if not self.ids:
            return {}
        rows = self.env["account.move"]._read_group(
            [
                ("collection_case_id", "in", self.ids),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("invoice_date_due", "<", today),
            ],
            ["collection_case_id"],
            ["invoice_date_due:min"],
        )
        return {case.id: date for case, date in rows}

    def _search_invoice_ids(self, operator, value):
        """The cases with an invoice that matches `value` (its follow-up state row
        names the case), in SQL: the invoices' case is not a column of account_move.
        The negative operators are the negation of these."""
        if operator == "in":
            ids = [move_id for move_id in value if move_id]
            domain = Domain("invoice_ids", "any", Domain("id", "in", ids)) if ids else Domain.FALSE
            if False in value:
                domain |= Domain("invoice_ids", "not any", Domain.TRUE)
            return domain
        if operator not in ("any", "any!") or not isinstance(value, Domain | Query):
            return NotImplemented
        moves = value
        if isinstance(value, Domain):
            moves = self.env["account.move"]._search(value, bypass_access=operator == "any!")
        return Domain.custom(
            to_sql=lambda model, alias, query: SQL(
                "%s IN (SELECT state.case_id FROM collection_invoice_state state"
                " WHERE state.case_id IS NOT NULL AND state.move_id IN %s)",
                SQL.identifier(alias, "id"),
                moves.subselect(),
            )
        )

    def _limitation_profile(self):
        """(country id, state id or False, debtor type, debt basis) that choose the
        case's limitation period: the debtor's address and its policy's profile (the
        case's policy, else the company's)."""
        self.ensure_one()
        policy = self.policy_id or self.company_id.collection_policy_id
        default_type, default_basis = DEFAULT_KIND
        return (
            self.partner_id.country_id.id,
            self.partner_id.state_id.id or False,
            policy.debtor_type or default_type,
            policy.debt_basis or default_basis,
        )

    @api.model
    def _policy_kind_domain(self, fname, values, default):
        """Cases whose policy (the case's, else the company's) has `fname` in `values`;
        `default` stands for a case without any policy."""
        domain = Domain(f"policy_id.{fname}", "in", values) | (
            Domain("policy_id", "=", False)
            & Domain(f"company_id.collection_policy_id.{fname}", "in", values)
        )
        if default in values:
            domain |= Domain("policy_id", "=", False) & Domain(
                "company_id.collection_policy_id", "=", False
            )
        return domain

    def _search_is_time_barred(self, operator, value):
        """Open cases with an open invoice overdue for longer than the limitation period
        of the debtor's jurisdiction and kind of debt: the state's period where one fits,
        else the country's (as `collection.limitation.period._pick` decides)."""
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        kinds_by_rule = defaultdict(list)
        for *jurisdiction, debtor_type, basis, years in self.env[
            "collection.limitation.period"
        ]._rules():
            country, state, others = jurisdiction
            kinds_by_rule[country, state, tuple(others), years].append((debtor_type, basis))
        all_kinds = len(DEBTOR_TYPES) * len(DEBT_BASES)
        default_type, default_basis = DEFAULT_KIND
        jurisdictions = []
        for (country, state, others, years), kinds in kinds_by_rule.items():
            debtor = Domain("partner_id.country_id", "=", country)
            if state:
                debtor &= Domain("partner_id.state_id", "=", state)
            elif others:
                debtor &= Domain("partner_id.state_id", "not in", list(others))
            if len(kinds) < all_kinds:
                debtor &= Domain.OR(
                    self._policy_kind_domain("debtor_type", [debtor_type], default_type)
                    & self._policy_kind_domain("debt_basis", [basis], default_basis)
                    for debtor_type, basis in kinds
                )
            cutoff = fields.Date.subtract(today, years=clamp(years, LIMITATION_YEARS))
            overdue = Domain(
                "invoice_ids",
                "any",
                [
                    ("state", "=", "posted"),
                    ("amount_residual", ">", 0),
                    ("invoice_date_due", "<", cutoff),
                ],
            )
            jurisdictions.append(debtor & overdue)
        barred = Domain("is_open", "=", True) & Domain.OR(jurisdictions)
        # overdue for longer than the period, less the cases a signed acknowledgement
        # or a payment brought back within it (where their jurisdiction allows)
        overdue = self.sudo().search(barred)
        restarted = overdue - overdue.filtered("is_time_barred")
        if restarted:
            barred &= Domain("id", "not in", restarted.ids)
        return barred if True in value else ~barred

    def _compute_contact_dispute_counts(self):
        contacts = {
            case: (count, last)
            for case, count, last in self.env["collection.contact"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count", "date:max"]
            )
        }
        disputes = dict(
            self.env["collection.dispute"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.contact_count, case.last_contact_date = contacts.get(case, (0, False))
            case.dispute_count = disputes.get(case, 0)

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("next_action_date")
    def _check_next_action_date(self):
        check_range(self, "next_action_date", *years_around(fields.Date.context_today(self)))

    @api.constrains("stage_id")
    def _check_legal_stage(self):
        for case in self.filtered(lambda c: c.stage_type == "legal"):
            case._check_not_time_barred(ValidationError)

    def _check_not_time_barred(self, error=UserError):
        for case in self.filtered("is_time_barred"):
            raise error(
                self.env._(
                    "The debt of case %(case)s is time-barred since %(date)s (limitation "
                    "period of the debtor's jurisdiction): it cannot be sued for.",
                    case=case.name,
                    date=case.limitation_date,
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_stage_by_hand(vals)
        cases = super().create(vals_list)
        cases._set_closed_date()
        self.env["collection.case.assignment"]._record(cases.filtered("user_id"))
        return cases

    def write(self, vals):
        self._check_stage_by_hand(vals)
        self._check_debtor_unchanged(vals)
        changed = (
            self.filtered(lambda case: case.user_id.id != (vals["user_id"] or False))
            if "user_id" in vals
            else self.browse()
        )
        result = super().write(vals)
        if "stage_id" in vals:
            self._set_closed_date()
        self.env["collection.case.assignment"]._record(changed)
        return result

    def _check_debtor_unchanged(self, vals):
        """A case is the debt of one debtor in one company, for its whole life: its
        documents, contacts and history hang on that. Only the system may correct it."""
        if self.env.su:
            return
        for fname in ("partner_id", "company_id"):
            if fname in vals and any(case[fname].id != vals[fname] for case in self):
                raise AccessError(
                    self.env._(
                        "The %(field)s of a collection case cannot be changed: open the "
                        "right debtor's case instead.",
                        field=self._fields[fname].get_description(self.env)["string"],
                    )
                )

    @api.model
    def _check_stage_by_hand(self, vals):
        """A case is closed by the system only: resolved when its debt is paid, written
        off by a write-off. Any other stage may be chosen by hand."""
        if self.env.su or not vals.get("stage_id"):
            return
        stage = self.env["collection.stage"].browse(vals["stage_id"])
        if stage.sudo().stage_type in CLOSED_STAGE_TYPES:
            raise AccessError(
                self.env._(
                    "A case moves to %s by itself: resolved when its debt is paid, written "
                    "off by a write-off (Write Off button).",
                    stage.sudo().name,
                )
            )

    def _set_closed_date(self):
        closed = self.filtered(lambda c: not c.is_open and not c.date_closed)
        if closed:
            closed.sudo().date_closed = fields.Date.context_today(self)
        reopened = self.filtered(lambda c: c.is_open and c.date_closed)
        if reopened:
            reopened.sudo().date_closed = False

    # ------------------------------------------------------------------
    # Business methods: keeping cases in step with the ledger
    # ------------------------------------------------------------------
    @api.model
    def _receivable_lines_query(self, company, partners=None):
        """The open receivable lines of posted entries of a company, as a Query.

        Built on `_search` so that record rules apply; every aggregate reads from it."""
        domain = [
            ("company_id", "=", company.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "child_of", partners.ids))
        return self.env["account.move.line"]._search(domain)

    @api.model
    def _get_debtor_balances(self, company, partners=None, today=None):
        """{commercial partner id: {due, overdue, oldest, count}} in one query."""
        today = today or fields.Date.context_today(self)
        lines = self._receivable_lines_query(company, partners)
        self.env["account.move.line"].flush_model(["move_id", "amount_residual", "date_maturity"])
        self.env["account.move"].flush_model(["commercial_partner_id"])
        rows = self.env.execute_query_dict(
            SQL(
                """
                SELECT move.commercial_partner_id AS partner_id,
                       SUM(aml.amount_residual) AS due,
                       COALESCE(SUM(aml.amount_residual) FILTER (WHERE %(late)s), 0) AS overdue,
                       MIN(aml.date_maturity) FILTER (WHERE %(late)s) AS oldest,
                       COUNT(DISTINCT aml.move_id) FILTER (WHERE %(late)s) AS count
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE aml.id IN (%(lines)s) AND move.commercial_partner_id IS NOT NULL
              GROUP BY move.commercial_partner_id
                """,
                late=SQL("aml.date_maturity < %s AND aml.amount_residual > 0", today),
                lines=lines.subselect(),
            )
        )
        return {row.pop("partner_id"): row for row in rows}

    @api.model
    def _sync_cases(self, company, partners=None):
        """Open a case for each new delinquent debtor, refresh the amounts of open
        cases and close those whose overdue debt is paid. Set-based: a few queries
        whatever the number of debtors and invoices. Returns (cases opened, cases
        closed, {debtor id: balance} as `_get_debtor_balances` gives it)."""
        today = fields.Date.context_today(self)
        balances = self._get_debtor_balances(company, partners, today)
        domain = [("company_id", "=", company.id), ("is_open", "=", True)]
        if partners is not None:
            domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        open_cases = self.search(domain)
        case_by_partner = {case.partner_id.id: case for case in open_cases}
        threshold = max(company.collection_min_overdue_amount, 0.0)
        rounding = company.currency_id.rounding
        new_partner_ids = [
            partner_id
            for partner_id, balance in balances.items()
            if balance["overdue"] > threshold + rounding / 2 and partner_id not in case_by_partner
        ]
        new_cases = self._open_cases(
            company,
            self.env["res.partner"].browse(new_partner_ids),
            {pid: balance["overdue"] for pid, balance in balances.items()},
        )
        to_close = open_cases.filtered(
            lambda c: balances.get(c.partner_id.id, {}).get("overdue", 0.0) < rounding / 2
        )
        (open_cases | new_cases)._refresh_amounts(balances, today)
        to_close._close_as_paid()
        return new_cases, to_close, balances

    @api.model
    def _open_cases(self, company, partners, overdue_by_partner):
        """Open a case for each of `partners` in one insert (`insert_rows`): what the
        ORM's create would write with tracking off (defaults, the number from the
        sequence, the stored computed stage type and state, the portal token), the
        collector's history and the note "Case opened" in bulk too."""
        if not partners:
            return self
        stage = self.env["collection.stage"]._get_stage_by_type("open", company)
        policies = self.env["collection.policy"]._get_partner_policies(partners, company)
        collectors = self.env["collection.assignment.rule"]._assign_collectors(
            partners, company, overdue_by_partner
        )
        today = fields.Date.context_today(self)
        names = self._next_references(company, today, len(partners))
        vals_list = with_defaults(
            self,
            [
                {
                    "name": name,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "stage_id": stage.id or None,
                    "stage_type": stage.stage_type or None,
                    "is_open": stage.stage_type not in CLOSED_STAGE_TYPES,
                    "policy_id": policies[partner.id].id or None,
                    "user_id": collectors.get(partner.id, self.env["res.users"]).id or None,
                    "date_open": today,
                    "access_token": str(uuid.uuid4()),
                }
                for partner, name in zip(partners, names, strict=True)
            ],
        )
        fnames = [
            fname
            for fname in vals_list[0]
            if self._fields[fname].store and self._fields[fname].column_type
        ]
        cases = insert_rows(
            self,
            fnames,
            [
                tuple(
                    self._fields[fname].convert_to_column_insert(vals[fname], self, vals)
                    for fname in fnames
                )
                for vals in vals_list
            ],
        )
        # a stored computed field given no value above is computed as create would
        for field in self._fields.values():
            if field.store and field.compute and field.name not in fnames:
                self.env.add_to_compute(field, cases)
        cases.fetch(["user_id", "partner_id"])  # one query, however many cases
        self.env["collection.case.assignment"]._record(cases.filtered("user_id"))
        self._log_messages(
            {case: self.env._("Case opened: the debtor has overdue invoices.") for case in cases}
        )
        return cases

    def _refresh_amounts(self, balances, today):
        """Write amounts and link overdue invoices, in two statements for all cases."""
        if not self:
            return
        self.fetch(["partner_id"])  # one query, however many cases (no prefetch chunks)
        rows = []
        for case in self:
            balance = balances.get(case.partner_id.id) or {}
            oldest = balance.get("oldest")
            rows.append(
                (
                    case.id,
                    balance.get("due") or 0.0,
                    balance.get("overdue") or 0.0,
                    (today - oldest).days if oldest else 0,
                    balance.get("count") or 0,
                )
            )
        write_each(
            self,
            ["amount_due", "amount_overdue", "oldest_overdue_days", "overdue_invoice_count"],
            rows,
        )
        # Each overdue invoice belongs to the open case of its debtor: its follow-up
        # state row says so (the invoice itself is not written).
        self.flush_model(["partner_id", "company_id"])
        self.env["account.move"].flush_model(["commercial_partner_id", "company_id", "state"])
        self.env["account.move.line"].flush_model(
            ["move_id", "account_id", "reconciled", "amount_residual", "date_maturity"]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["collection.invoice.state"].flush_model(["move_id", "company_id", "case_id"])
        self.env.execute_query(
            SQL(
                """
                INSERT INTO collection_invoice_state AS state (move_id, company_id, case_id)
                SELECT DISTINCT ON (move.id) move.id, move.company_id, c.id
                  FROM collection_case c
                  JOIN account_move move ON move.commercial_partner_id = c.partner_id
                                        AND move.company_id = c.company_id
                                        AND move.state = 'posted'
                 WHERE c.id IN %s
                   AND EXISTS (
                        SELECT FROM account_move_line aml
                          JOIN account_account account ON account.id = aml.account_id
                         WHERE aml.move_id = move.id
                           AND account.account_type = 'asset_receivable'
                           AND aml.reconciled IS NOT TRUE
                           AND aml.amount_residual > 0
                           AND aml.date_maturity < %s)
              ORDER BY move.id, c.id DESC
                    ON CONFLICT (move_id) DO UPDATE SET case_id = EXCLUDED.case_id
                 WHERE state.case_id IS DISTINCT FROM EXCLUDED.case_id
                """,
                tuple(self.ids),
                today,
            )
        )
        self.env["collection.invoice.state"].invalidate_model(["case_id"], flush=False)
        self.env["account.move"].invalidate_model(["collection_case_id"], flush=False)
        self.invalidate_model(["invoice_ids"], flush=False)
        self._update_priority(balances)

    def _close_as_paid(self):
        if not self:
            return
        for company, cases in self.grouped("company_id").items():
            stage = self.env["collection.stage"]._get_stage_by_type("resolved", company)
            if not stage:
                raise UserError(
                    self.env._(
                        "No stage of type Resolved exists for %s: create one under "
                        "Collections > Configuration > Stages.",
                        company.name,
                    )
                )
            # the system closes them, whoever's action paid the debt
            cases.sudo().write(
                {"stage_id": stage.id, "amount_overdue": 0.0, "oldest_overdue_days": 0}
            )
        self._log_messages(
            {case: self.env._("Case closed: the overdue debt is paid.") for case in self}
        )
        # the agency's work on a paid case is over; its commission stays billable
        placements = (
            self.env["collection.agency.placement"]
            .sudo()
            .search([("case_id", "in", self.ids), ("state", "=", "placed")])
        )
        if placements:
            placements.action_close()

    def _move_to_stages(self, stage_by_case, body_by_case):
        """Move cases to new stages and say why in their chatter: one write per stage
        and one message insert, instead of a tracked write per case."""
        moved = self.browse(
            case.id
            for case, stage in stage_by_case.items()
            if stage and case.is_open and case.stage_id != stage
        )
        for stage, cases in moved.grouped(lambda case: stage_by_case[case]).items():
            cases.with_context(tracking_disable=True).write({"stage_id": stage.id})
        self._log_messages(
            {
                case: Markup("%s<br/>%s") % (body, self.env._("Stage: %s", case.stage_id.name))
                if case in moved
                else body
                for case, body in body_by_case.items()
            }
        )

    def _escalation_stages(self):
        """{case: stage} where a broken promise or a breached plan sends each case: the
        escalation stage of its policy (the case's, else the debtor's), else the first
        Contact stage. A few queries for all the cases."""
        result = {}
        for company, cases in self.grouped("company_id").items():
            policies = self.env["collection.policy"]._get_partner_policies(
                cases.partner_id, company
            )
            contact = self.env["collection.stage"]._get_stage_by_type("contact", company)
            for case in cases:
                policy = case.policy_id or policies.get(case.partner_id.id)
                result[case] = policy._get_escalation_stage(company) if policy else contact
        return result

    def _resume_stage(self):
        """{case: stage} to go back to once an arrangement ends well: the stage of the
        case's follow-up level, else the first open stage."""
        result = {}
        for company, cases in self.grouped("company_id").items():
            open_stage = self.env["collection.stage"]._get_stage_by_type("open", company)
            for case in cases:
                result[case] = case.level_id.stage_id or open_stage
        return result

    @api.model
    def _schedule_activities(self, values_by_record):
        """Schedule one activity per record (a case, or any document with activities),
        in one batch without a notification email per activity. `values_by_record`
        maps a record to mail.activity values (summary, date_deadline, optional type
        and user); the user is by default the record's collector, else the current
        user."""
        default_type = self.env.ref("mail.mail_activity_data_todo")
        vals_list = []
        for record, values in values_by_record.items():
            collector = record.user_id if "user_id" in record._fields else None
            vals_list.append(
                {
                    "res_model_id": self.env["ir.model"]._get_id(record._name),
                    "res_id": record.id,
                    "activity_type_id": default_type.id,
                    "user_id": (collector or self.env.user).id,
                    **values,
                }
            )
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )

    @api.model
    def _log_messages(self, notes):
        """Log internal notes on many records, of any models with a chatter, as
        `_message_log_batch` does, in one insert for all of them (`insert_messages`).
        `notes` maps a record to its note, or lists (record, note) pairs.
        Returns the messages in the order of the notes.

        A note is plain text, which mail escapes (what users typed shows as typed,
        never as HTML), or Markup formatted with `Markup(...) % values`, which escapes
        the values; never `Markup(text)` around anything a user typed."""
        pairs = list(notes.items() if isinstance(notes, dict) else notes)
        if not pairs:
            return self.env["mail.message"]
        # what mail.thread._message_log_batch writes, in one insert for all the models;
        # the author's addresses once per cursor
        key = ("collection_note_author", self.env.uid, self.env.company.id)
        if key not in self.env.cr.cache:
            author_id, email_from = self.env["mail.thread"]._message_compute_author()
            reply_to = self.env["mail.thread"]._notify_get_reply_to(
                default=email_from, author_id=author_id
            )[False]
            self.env.cr.cache[key] = (author_id, email_from, reply_to)
        author_id, email_from, reply_to = self.env.cr.cache[key]
        note = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        # the sanitizer's pass once per distinct note (a run repeats the same few)
        Message = self.env["mail.message"]
        sanitized = {}
        for _record, body in pairs:
            key = escape(body)
            if key not in sanitized:
                sanitized[key] = Message._fields["body"].convert_to_cache(key, Message)
        return insert_messages(
            self.env,
            [
                {
                    "model": record._name,
                    "res_id": record.id,
                    "message_type": "notification",
                    "subtype_id": note,
                    "is_internal": True,
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reply_to,
                    "body": sanitized[escape(body)],
                    "email_add_signature": False,
                    "message_id": generate_tracking_message_id("message-notify"),
                }
                for record, body in pairs
            ],
        )

    # ------------------------------------------------------------------
    # Business methods: the worklist priority score
    # ------------------------------------------------------------------
    def _priority_broken_promises(self):
        """{case id: promises broken or only partially kept on the case} in one query."""
        rows = self.env["collection.promise"]._read_group(
            [("case_id", "in", self.ids), ("state", "in", ("broken", "partial"))],
            ["case_id"],
            ["__count"],
        )
        return {case.id: count for case, count in rows}

    def _priority_disputes(self):
        """{case id: (open disputes, disputed amount)} in one query."""
        rows = self.env["collection.dispute"]._read_group(
            [("case_id", "in", self.ids), ("is_active", "=", True)],
            ["case_id"],
            ["__count", "amount:sum"],
        )
        return {case.id: (count, amount) for case, count, amount in rows}

    def _priority_risk(self, balances=None):
        """{case id: True} when the debtor's credit exposure (open receivables, draft
        invoices, sales orders to invoice) exceeds its credit limit. A few queries per
        company (`res.partner._collection_credit_exposure`); `balances`, the debtors'
        balances of the cases' one company when the caller has them."""
        result = {}
        groups = self.grouped("company_id")
        for company, cases in groups.items():
            exposure = cases.partner_id._collection_credit_exposure(
                company, balances if len(groups) == 1 else None
            )
            for case in cases:
                figures = exposure.get(case.partner_id.id) or {}
                limit = figures.get("limit", 0.0)
                result[case.id] = bool(limit) and figures.get("exposure", 0.0) > limit
        return result

    def _priority_predicted_delay(self):
        """{case id: the most days one of its open invoices is predicted to be paid after
        its due date from the debtor's history}; no query when no company weighs it."""
        if not any(self.company_id.mapped("collection_weight_unlikely")):
            return {}
        rows = (
            self.env["collection.payment.prediction"]
            .sudo()
            ._read_group(
                [
                    ("case_id", "in", self.ids),
                    ("basis", "in", ("history", "segment", "none", "unlikely")),
                ],
                ["case_id"],
                ["predicted_delay:max"],
            )
        )
        return {case.id: max(delay or 0, 0) for case, delay in rows}

    def _update_priority(self, balances=None):
        """Recompute the score parts and the score of these cases in one statement
        (`balances`: see `_priority_risk`)."""
        cases = self.filtered("id")
        if not cases:
            return
        cases.fetch(["company_id", "partner_id", "amount_overdue", "oldest_overdue_days"])
        promises = cases._priority_broken_promises()
        disputes = cases._priority_disputes()
        risk = cases._priority_risk(balances)
        unlikely = cases._priority_predicted_delay()
        rows = []
        for case in cases:
            company = case.company_id
            open_disputes, disputed = disputes.get(case.id, (0, 0.0))
            parts = (
                case.amount_overdue / 1000.0 * company.collection_weight_amount,
                case.oldest_overdue_days * company.collection_weight_age,
                promises.get(case.id, 0) * company.collection_weight_promise,
                open_disputes * company.collection_weight_dispute,
                company.collection_weight_risk if risk.get(case.id) else 0.0,
                unlikely.get(case.id, 0) * company.collection_weight_unlikely,
            )
            rows.append(
                (
                    case.id,
                    *[round(part, 2) for part in parts],
                    round(sum(parts), 2),
                    disputed,
                    open_disputes,
                    promises.get(case.id, 0),
                    bool(risk.get(case.id)),
                )
            )
        write_each(cases, list(PRIORITY_FIELDS), rows)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR)
    def action_record_acknowledgement(self):
        """Record the debtor's signed written acknowledgement of the debt, dated by the
        context key `acknowledgement_date` (today by default): it restarts the
        limitation period where the jurisdiction allows it."""
        today = fields.Date.context_today(self)
        date = fields.Date.to_date(self.env.context.get("acknowledgement_date")) or today
        check_value(self, "acknowledgement_date", date, years_around(today)[0], today)
        self.sudo().write({"acknowledgement_date": date})
        self._log_messages(
            {
                case: self.env._(
                    "Signed written acknowledgement of the debt dated %(date)s recorded by "
                    "%(user)s.",
                    date=format_date(self.env, date),
                    user=self.env.user.name,
                )
                for case in self
            }
        )
        return True

    @requires_group(COLLECTOR)
    def action_refresh(self):
        """Recompute this case's figures from the ledger now."""
        for company, cases in self.grouped("company_id").items():
            self._sync_cases(company, cases.partner_id)
        return True

    @requires_group(COLLECTOR, "read")
    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "domain": [("collection_case_id", "=", self.id)],
                "context": {"default_move_type": "out_invoice", "create": False},
            }
        )
        return action

    @requires_group(COLLECTOR, "read")
    def action_view_communications(self):
        self.ensure_one()
        return self.env["collection.communication"]._action_list([("case_id", "=", self.id)])

    @requires_group(COLLECTOR, "read")
    def action_new_promise(self):
        self.ensure_one()
        return self.env["collection.promise"]._action_new(self.partner_id, case=self)

    @requires_group(COLLECTOR, "read")
    def action_new_plan(self):
        self.ensure_one()
        return self.env["collection.payment.plan"]._action_new(self.partner_id, case=self)

    def _action_documents(self, model):
        """The list of the case's documents of `model` (promises, disputes...)."""
        self.ensure_one()
        Document = self.env[model]
        return Document._action_list([("case_id", "=", self.id)], Document._case_defaults(self))

    @requires_group(COLLECTOR, "read")
    def action_view_promises(self):
        return self._action_documents("collection.promise")

    @requires_group(COLLECTOR, "read")
    def action_view_plans(self):
        return self._action_documents("collection.payment.plan")

    @requires_group(COLLECTOR, "read")
    def action_hold(self):
        self.ensure_one()
        action = self.partner_id.action_collection_hold()
        action["context"]["default_company_id"] = self.company_id.id
        return action

    @requires_group(COLLECTOR, "read")
    def action_statement(self):
        return self.partner_id.action_collection_statement()

    @requires_group(COLLECTOR, "read")
    def action_print_statement(self):
        return self.partner_id.action_collection_statement_print()

    @requires_group(COLLECTOR, "read")
    def action_send_statement(self):
        return self.partner_id.action_collection_statement_send()

    @requires_group(MANAGER)
    def action_reassign(self):
        return self.env["collection.case.reassign"]._get_records_action(
            name=self.env._("Reassign Cases"),
            target="new",
            context={"active_ids": self.ids, "active_model": self._name},
        )

    @requires_group(MANAGER)
    def action_apply_assignment_rules(self):
        Rule = self.env["collection.assignment.rule"]
        for company, cases in self.grouped("company_id").items():
            collectors = Rule._assign_collectors(cases.partner_id, company)
            for case in cases:
                collector = collectors.get(case.partner_id.id)
                if collector and case.user_id != collector:
                    case.user_id = collector
        return True

    @requires_group(COLLECTOR, "read")
    def action_view_placements(self):
        return self._action_documents("collection.agency.placement")

    @requires_group(COLLECTOR, "read")
    def action_view_legal_actions(self):
        return self._action_documents("collection.legal.action")

    @requires_group(COLLECTOR, "read")
    def action_view_write_offs(self):
        return self._action_documents("collection.write.off")

    @requires_group(COLLECTOR)
    def action_place_with_agency(self):
        self.ensure_one()
        Placement = self.env["collection.agency.placement"]
        placed = self.placement_ids.filtered(lambda p: p.state == "placed").move_ids
        moves = self.invoice_ids.filtered(lambda m: m.amount_residual > 0) - placed
        return Placement._action_new_form(
            {**Placement._case_defaults(self), "default_move_ids": moves.ids},
            name=self.env._("Place with an Agency"),
        )

    @requires_group(COLLECTOR)
    def action_start_legal_action(self):
        self.ensure_one()
        self._check_not_time_barred()
        LegalAction = self.env["collection.legal.action"]
        return LegalAction._action_new_form(
            LegalAction._case_defaults(self), name=self.env._("Legal Action")
        )

    @requires_group(COLLECTOR)
    def action_write_off(self):
        self.ensure_one()
        return self.env["collection.write.off.wizard"]._get_records_action(
            name=self.env._("Write Off"),
            target="new",
            context={"default_case_id": self.id},
        )

    @requires_group(COLLECTOR)
    def action_log_contact(self):
        self.ensure_one()
        return self.env["collection.contact.log"]._get_records_action(
            name=self.env._("Log a Call"),
            target="new",
            context={"default_case_id": self.id},
        )

    @requires_group(COLLECTOR, "read")
    def action_view_contacts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_contact_action"
        )
        action.update(
            domain=[("case_id", "=", self.id)],
            context={"default_case_id": self.id},
        )
        return action

    @requires_group(COLLECTOR, "read")
    def action_view_disputes(self):
        return self._action_documents("collection.dispute")

    @requires_group(COLLECTOR)
    def action_update_priority(self):
        self._update_priority()
        return True

    # ------------------------------------------------------------------
    # Credit control: the debtor's limit, exposure and holds in the case's company
    # ------------------------------------------------------------------
    credit_limit = fields.Monetary(compute="_compute_credit", help="The debtor's credit limit.")
    credit_exposure = fields.Monetary(
        compute="_compute_credit",
        help="Open receivables + draft invoices + sales orders to invoice.",
    )
    credit_draft = fields.Monetary(string="Draft Invoices", compute="_compute_credit")
    credit_orders = fields.Monetary(string="Sales Orders to Invoice", compute="_compute_credit")
    credit_available = fields.Monetary(
        compute="_compute_credit", help="Credit limit - exposure (zero limit: no limit)."
    )
    credit_on_hold = fields.Boolean(
        string="On Credit Hold", compute="_compute_credit", search="_search_credit_on_hold"
    )
    credit_hold_ids = fields.One2many("collection.credit.hold", "case_id", string="Credit Holds")
    credit_limit_change_ids = fields.Many2many(
        "collection.credit.limit.change",
        string="Credit Limit History",
        compute="_compute_credit_limit_change_ids",
    )

    def _compute_credit(self):
        for company, cases in self.grouped("company_id").items():
            exposure = cases.partner_id._collection_credit_exposure(company)
            held = self.env["collection.credit.hold"]._held_partner_ids(company, cases.partner_id)
            for case in cases:
                figures = exposure.get(case.partner_id.id) or {}
                case.credit_limit = figures.get("limit", 0.0)
                case.credit_exposure = figures.get("exposure", 0.0)
                case.credit_draft = figures.get("draft", 0.0)
                case.credit_orders = figures.get("orders", 0.0)
                case.credit_available = figures.get("available", 0.0)
                case.credit_on_hold = case.partner_id.id in held

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        held = Domain.OR(
            [
                Domain("company_id", "=", company.id)
                & Domain(
                    "partner_id",
                    "in",
                    list(self.env["collection.credit.hold"]._held_partner_ids(company)),
                )
                for company in self.env.companies
            ]
        )
        return held if True in value else ~held

    def _compute_credit_limit_change_ids(self):
        changes = self.env["collection.credit.limit.change"].search(
            [("partner_id", "in", self.partner_id.ids), ("company_id", "in", self.company_id.ids)]
        )
        grouped = changes.grouped(lambda change: (change.partner_id, change.company_id))
        for case in self:
            case.credit_limit_change_ids = grouped.get(
                (case.partner_id, case.company_id), changes.browse()
            )

    @requires_group(MANAGER, "read")
    def action_adjust_credit_limit(self):
        self.ensure_one()
        action = self.partner_id.with_company(self.company_id).action_collection_credit_limit()
        action["context"].update(default_case_id=self.id, default_company_id=self.company_id.id)
        return action

    @requires_group(MANAGER, "read")
    def action_credit_hold(self):
        self.ensure_one()
        action = self.partner_id.with_company(self.company_id).action_collection_credit_hold()
        action["context"].update(default_case_id=self.id, default_company_id=self.company_id.id)
        return action

    # ------------------------------------------------------------------
    # Late-payment interest: accrued to date, claimed, waived
    # ------------------------------------------------------------------
    interest_claim_ids = fields.One2many(
        "collection.interest.claim", "case_id", string="Interest Claims", readonly=True
    )
    interest_claim_count = fields.Integer(compute="_compute_interest_figures")
    interest_accrued = fields.Monetary(
        string="Interest Accrued",
        compute="_compute_interest_figures",
        help="Statutory interest and fixed compensation owed on the debtor's late "
        "invoices to date and not claimed yet, under the policy's late-payment law.",
    )
    interest_claimed = fields.Monetary(
        string="Interest Claimed",
        compute="_compute_interest_figures",
        help="Billed by interest claims and not waived.",
    )
    interest_waived = fields.Monetary(string="Interest Waived", compute="_compute_interest_figures")
    interest_error = fields.Char(
        compute="_compute_interest_figures",
        help="Why the interest cannot be computed (a reference rate missing).",
    )

    def _compute_interest_figures(self):
        """The figures in the company's currency, for all the cases at once: the
        accrual in a few queries, the claims in one grouped read."""
        today = fields.Date.context_today(self)
        cases = self.filtered("id")
        Claim = self.env["collection.interest.claim"].sudo()
        lines, errors = Claim._accrued_lines(cases, today) if cases else ({}, {})
        totals = defaultdict(float)
        moves = (
            self.env["account.move"]
            .sudo()
            .browse({vals["move_id"] for values in lines.values() for vals in values})
        )
        for case, values in lines.items():
            for vals in values:
                move = moves.browse(vals["move_id"])
                totals[case, "accrued"] += move.currency_id._convert(
                    vals["amount"], case.currency_id, case.company_id, today
                )
        for case, state, currency, amount in Claim._read_group(
            [("case_id", "in", cases.ids)],
            ["case_id", "state", "currency_id"],
            ["amount_total:sum"],
        ):
            totals[case, state] += currency._convert(
                amount, case.currency_id, case.company_id, today
            )
        counts = dict(Claim._read_group([("case_id", "in", cases.ids)], ["case_id"], ["__count"]))
        for case in self:
            case.interest_accrued = totals[case, "accrued"]
            case.interest_claimed = totals[case, "billed"]
            case.interest_waived = totals[case, "waived"]
            case.interest_claim_count = counts.get(case, 0)
            case.interest_error = "\n".join(errors.get(case, [])) or False

    @requires_group(COLLECTOR)
    def action_claim_interest(self):
        """Bill the interest and compensation accrued to date: a claim and its customer
        invoice per case. A missing reference rate stops the whole action."""
        claims, errors = self.env["collection.interest.claim"]._claim(
            self, fields.Date.context_today(self)
        )
        if errors:
            raise UserError("\n".join(errors.values()))
        if not claims:
            raise UserError(
                self.env._(
                    "Nothing to claim: no late invoice owes interest or compensation under "
                    "the policy's late-payment law that is not claimed already."
                )
            )
        return self.env["collection.interest.claim"]._action_list([("id", "in", claims.ids)])

    @requires_group(COLLECTOR, "read")
    def action_view_interest_claims(self):
        return self._action_documents("collection.interest.claim")
