from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import GRACE_DAYS, PERIOD_DAYS, check_range, clamp
from .collection_interest_rate import LAW_SELECTION
from .collection_limitation_period import DEBT_BASES

# At most this many calls per rolling period: a guard, not a target.
CALL_ATTEMPTS = (0, 100)


class CollectionPolicy(models.Model):
    _name = "collection.policy"
    _description = "Collection Policy"
    _inherit = ["collection.access.mixin", "mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    level_ids = fields.One2many("collection.level", "policy_id", string="Levels", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    allow_level_skip = fields.Boolean(
        string="Allow Skipping Levels",
        tracking=True,
        help="When set, an invoice found late goes straight to the highest level due. "
        "Otherwise every invoice goes through each level in order, one per run.",
    )
    debtor_type = fields.Selection(
        [("business", "Business"), ("consumer", "Consumer")],
        default="business",
        required=True,
        tracking=True,
        help="Consumer debts fall under consumer-protection rules (contact hours, "
        "call frequency, validation period); business debts under late-payment law.",
    )
    debt_basis = fields.Selection(
        DEBT_BASES,
        default="written",
        required=True,
        tracking=True,
        help="Whether the debts rest on a written contract or on an open account: some "
        "jurisdictions give them different limitation periods (Configuration > "
        "Limitation Periods).",
    )
    allow_legal_cost_recovery = fields.Boolean(
        string="Contract Allows Adding Legal Costs",
        tracking=True,
        help="The debtors' contracts allow the company to add its legal costs to the "
        "debt: only then can a legal action's costs be invoiced to the debtor.",
    )
    description = fields.Text(translate=True)
    promise_grace_days = fields.Integer(
        default=3,
        tracking=True,
        help="Days after a promised date during which a payment still keeps the promise. "
        "Proposed on each new promise, which may change it. From 0 to 365.",
    )
    plan_grace_days = fields.Integer(
        default=5,
        tracking=True,
        help="Days after an instalment's due date before an unpaid instalment counts as "
        "missed and breaches the payment plan. Until then it is only late. From 0 to 365.",
    )
    pause_placed_debtors = fields.Boolean(
        string="Pause Debtors Placed with an Agency",
        default=True,
        tracking=True,
        help="While a debtor is placed with an agency, the invoices that fall due on or "
        "after the placement date are not followed up either, so that the debtor hears "
        "from one collector only. The placed invoices are never followed up.",
    )
    escalation_stage_id = fields.Many2one(
        "collection.stage",
        tracking=True,
        check_company=True,
        domain="[('company_id', 'in', [company_id, False]), ('is_closed', '=', False)]",
        help="Where a case goes when a promise is broken or partially kept, or a payment "
        "plan is breached. Empty: the first stage of type Contact.",
    )

    collection_party = fields.Selection(
        [("first_party", "First-party (our own debt)"), ("third_party", "Third-party (agency)")],
        string="Collected By",
        default="first_party",
        required=True,
        tracking=True,
        help="Third-party collectors fall under debt-collection law (e.g. FDCPA, "
        "Regulation F); first-party creditors mostly under consumer-protection law.",
    )
    jurisdiction = fields.Char(
        tracking=True,
        help="Where the debtors of this policy live, e.g. US-MA or DE: a reminder of "
        "which local rules the guards below implement (Massachusetts: 2 calls per 7 days).",
    )
    guard_contact_hours = fields.Boolean(
        string="Contact Hours",
        compute="_compute_guards",
        store=True,
        readonly=False,
        help="No call, text, visit or email outside the hours below in the debtor's "
        "time zone, nor in the debtor's stated inconvenient times (Reg F 1006.6).",
    )
    contact_hour_start = fields.Float(string="Contact From", default=8.0)
    contact_hour_end = fields.Float(string="Contact Until", default=21.0)
    guard_call_frequency = fields.Boolean(
        string="Call Frequency",
        compute="_compute_guards",
        store=True,
        readonly=False,
        help="At most so many call attempts within so many consecutive days, and no call "
        "in the days that start with a conversation (Reg F 1006.14), counted in calendar "
        "days in the debtor's time zone. A manager may override with a reason.",
    )
    call_max_attempts = fields.Integer(string="Max Call Attempts", default=7)
    call_window_days = fields.Integer(
        string="Within Consecutive Days",
        default=7,
        help="Calendar days in the debtor's time zone, today included.",
    )
    call_quiet_days = fields.Integer(
        string="No Call After a Conversation (days)",
        default=7,
        help="Calendar days in the debtor's time zone, the day of the conversation being "
        "the first, during which no call is made.",
    )
    guard_cease = fields.Boolean(
        string="Cease Communication",
        default=True,
        help="Once a debtor asks to stop, only mail templates marked as one of the "
        "three allowed notices can be sent; no calls, texts or visits.",
    )
    guard_opt_out = fields.Boolean(
        string="Channel Opt-out",
        default=True,
        help="Respect the debtor's opt-out per channel (email, SMS, phone).",
    )
    guard_lawyer = fields.Boolean(
        string="Represented by a Lawyer",
        default=True,
        help="When the debtor has a lawyer, contact only the lawyer.",
    )
    guard_validation = fields.Boolean(
        string="Validation Period",
        compute="_compute_guards",
        store=True,
        readonly=False,
        help="A dispute within the validation period after the first notice stops "
        "collection of that invoice until a verification is recorded as sent.",
    )
    validation_days = fields.Integer(string="Validation Period (days)", default=30)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    @api.depends("debtor_type", "collection_party")
    def _compute_guards(self):
        """Consumer debts get the consumer-protection guards; business debts do not,
        except validation when a third party collects. Each can be changed by hand."""
        for policy in self:
            consumer = policy.debtor_type == "consumer"
            policy.guard_contact_hours = consumer
            policy.guard_call_frequency = consumer
            policy.guard_validation = consumer or policy.collection_party == "third_party"

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("promise_grace_days", "plan_grace_days")
    def _check_grace_days(self):
        check_range(self, "promise_grace_days", *GRACE_DAYS)
        check_range(self, "plan_grace_days", *GRACE_DAYS)

    @api.constrains("level_ids")
    def _check_level_delays_unique(self):
        for policy in self:
            delays = policy.level_ids.mapped("delay")
            if len(delays) != len(set(delays)):
                raise ValidationError(
                    self.env._(
                        "Two levels of policy %(policy)s have the same delay: give each "
                        "level its own number of days.",
                        policy=policy.name,
                    )
                )

    @api.constrains("contact_hour_start", "contact_hour_end")
    def _check_contact_hours(self):
        for policy in self:
            if not 0 <= policy.contact_hour_start < policy.contact_hour_end <= 24:
                raise ValidationError(
                    self.env._(
                        "Contact hours of policy %s: the start must come before the end, "
                        "both between 00:00 and 24:00.",
                        policy.name,
                    )
                )

    @api.constrains("call_max_attempts", "call_window_days", "call_quiet_days", "validation_days")
    def _check_guard_numbers(self):
        check_range(self, "call_max_attempts", *CALL_ATTEMPTS)
        for name in ("call_window_days", "call_quiet_days", "validation_days"):
            check_range(self, name, *PERIOD_DAYS)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _get_sorted_levels(self):
        """Levels in the order a debt goes through them (by delay)."""
        self.ensure_one()
        return self.level_ids.sorted(lambda lvl: (lvl.delay, lvl.id))

    def _get_escalation_stage(self, company):
        """The stage a failed arrangement sends a case to under this policy."""
        if self.escalation_stage_id:
            return self.escalation_stage_id
        return self.env["collection.stage"]._get_stage_by_type("contact", company)

    @api.model
    def _get_partner_policies(self, partners, company):
        """{commercial partner id: policy} for a company: the partner's, else the company's."""
        partners = partners.with_company(company)
        partners.fetch(["collection_policy_id"])  # one query, however many partners
        default = company.collection_policy_id
        return {partner.id: partner.collection_policy_id or default for partner in partners}

    # ------------------------------------------------------------------
    # Credit control: when a debtor goes on credit hold, and what a hold does
    # ------------------------------------------------------------------
    credit_hold_mode = fields.Selection(
        [("warn", "Warn"), ("block", "Block")],
        string="Credit Hold",
        default="warn",
        required=True,
        tracking=True,
        help="Warn: a banner on the customer invoice and the sales order of a debtor on "
        "hold or over its limit. Block: posting the invoice and confirming the order are "
        "refused unless a user with the Credit Hold Override right gives a reason. "
        "Credit notes, payments and refunds are never blocked.",
    )
    credit_hold_overdue_days = fields.Integer(
        string="Hold When Overdue Beyond (days)",
        tracking=True,
        help="Put the debtor on credit hold when an invoice is overdue for more than "
        "this many days; lifted once it is paid. Zero: no such rule.",
    )
    credit_hold_over_limit = fields.Boolean(
        string="Hold When Over the Limit",
        tracking=True,
        help="Put the debtor on credit hold when its exposure passes its credit limit by "
        "more than the margin below; lifted once back under it.",
    )
    credit_hold_over_limit_pct = fields.Float(
        string="Margin Over the Limit (%)",
        tracking=True,
        help="E.g. 10: the hold starts when the exposure is above 110% of the limit.",
    )
    credit_hold_on_broken = fields.Boolean(
        string="Hold on a Broken Promise or Plan",
        tracking=True,
        help="Put the debtor on credit hold when a promise to pay is broken or a payment "
        "plan is breached on its open case; lifted when the case closes or a new plan "
        "is in good standing.",
    )
    credit_hold_stage_id = fields.Many2one(
        "collection.stage",
        string="Hold at Stage",
        tracking=True,
        domain="[('company_id', 'in', [company_id, False])]",
        help="Put the debtor on credit hold while its open case is in this stage.",
    )

    @api.constrains("credit_hold_overdue_days", "credit_hold_over_limit_pct")
    def _check_credit_hold_rules(self):
        for policy in self:
            if policy.credit_hold_overdue_days < 0 or policy.credit_hold_over_limit_pct < 0:
                raise ValidationError(
                    self.env._(
                        "Policy %s: the credit hold days and margin cannot be negative.",
                        policy.name,
                    )
                )

    # ------------------------------------------------------------------
    # Customer portal: what a debtor may promise by itself
    # ------------------------------------------------------------------
    portal_promise_max_days = fields.Integer(
        string="Self-service Promise Within (days)",
        default=14,
        tracking=True,
        help="A promise the debtor makes on the portal for at most this many days from "
        "today is recorded at once; a later date is a request the collector accepts or "
        "declines. From 0 to 365.",
    )
    portal_promise_min_share = fields.Float(
        string="Self-service Promise Covers at Least (%)",
        default=50.0,
        tracking=True,
        help="A promise the debtor makes on the portal for at least this share of what is "
        "open on its invoices is recorded at once; less is a request the collector "
        "accepts or declines. From 0 to 100.",
    )

    @api.constrains("portal_promise_max_days", "portal_promise_min_share")
    def _check_portal_limits(self):
        check_range(self, "portal_promise_max_days", *PERIOD_DAYS)
        check_range(self, "portal_promise_min_share", 0.0, 100.0)

    def _portal_promise_within_limits(self, amount, open_amount, date_promised, today):
        """Whether a promise made on the portal may be recorded without a collector: by
        the latest date and for the smallest share of the debt the policy allows. No
        policy: every promise is a request."""
        if not self:
            return False
        self.ensure_one()
        latest = fields.Date.add(today, days=clamp(self.portal_promise_max_days, PERIOD_DAYS))
        smallest = open_amount * min(max(self.portal_promise_min_share, 0.0), 100.0) / 100.0
        currency = self.company_id.currency_id
        return date_promised <= latest and currency.compare_amounts(amount, smallest) >= 0

    # ------------------------------------------------------------------
    # Late-payment law: statutory interest, fixed compensation, what levels bill
    # ------------------------------------------------------------------
    late_payment_law = fields.Selection(
        LAW_SELECTION,
        string="Late-Payment Law",
        compute="_compute_late_payment_law",
        store=True,
        readonly=False,
        tracking=True,
        help="The law whose statutory interest and fixed compensation the debtors of "
        "this policy owe on late invoices, with the debtor type above: EU and France "
        "between businesses only; Germany +9 points between businesses, +5 with a "
        "consumer, EUR 40 from businesses; UK between businesses, rate fixed when the "
        "debt falls due. Empty: no interest. Proposed from the company's country.",
    )
    interest_leap_years = fields.Boolean(
        string="366-Day Years",
        tracking=True,
        help="Count a day in a leap year as 1/366 of the yearly rate instead of 1/365.",
    )
    charge_post = fields.Boolean(
        string="Post Fee and Interest Invoices",
        default=True,
        tracking=True,
        help="Post the customer invoices of dunning fees and interest claims at once. "
        "Off: they are left in draft for review.",
    )
    interest_product_id = fields.Many2one(
        "product.product",
        string="Interest Product",
        check_company=True,
        tracking=True,
        help="The product (and so the income account) of the lines of interest claims. "
        "Empty: the sales journal's default account. No tax is applied.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        string="Dunning Fee Product",
        check_company=True,
        tracking=True,
        help="The product (and so the income account) of the dunning fees the levels "
        "charge. Empty: the sales journal's default account. No tax is applied.",
    )
    fee_basis = fields.Selection(
        [("communication", "Per Communication"), ("invoice", "Per Invoice")],
        string="Charge Fees",
        default="communication",
        required=True,
        tracking=True,
        help="Per communication: a level's fee once per debtor's case when the level is "
        "reached. Per invoice: once for each invoice that reaches the level.",
    )

    @api.depends("company_id")
    def _compute_late_payment_law(self):
        eu = self.env.ref("base.europe", raise_if_not_found=False)
        laws = {"DE": "de", "FR": "fr", "GB": "uk"}
        for policy in self:
            country = policy.company_id.country_id
            law = laws.get(country.code)
            if not law and eu and country in eu.country_ids:
                law = "eu"
            policy.late_payment_law = policy.late_payment_law or law or False
