from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionPolicy(models.Model):
    _name = "collection.policy"
    _description = "Collection Policy"
    _inherit = ["mail.thread"]
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
        "Proposed on each new promise, which may change it.",
    )
    plan_grace_days = fields.Integer(
        default=5,
        tracking=True,
        help="Days after an instalment's due date before an unpaid instalment counts as "
        "missed and breaches the payment plan. Until then it is only late.",
    )
    escalation_stage_id = fields.Many2one(
        "collection.stage",
        tracking=True,
        domain="[('company_id', 'in', [company_id, False]), ('is_closed', '=', False)]",
        help="Where a case goes when a promise is broken or partially kept, or a payment "
        "plan is breached. Empty: the first stage of type Contact.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("promise_grace_days", "plan_grace_days")
    def _check_grace_days(self):
        for policy in self:
            if policy.promise_grace_days < 0 or policy.plan_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "Grace days of policy %s cannot be negative: enter 0 or more.",
                        policy.name,
                    )
                )

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
        default = company.collection_policy_id
        return {partner.id: partner.collection_policy_id or default for partner in partners}
