from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionPolicy(models.Model):
    """The debtor profile of a policy and the contact guards that follow from it."""

    _inherit = "collection.policy"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
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
        help="At most so many call attempts per rolling period, and no call in the "
        "days after a conversation (Reg F 1006.14). A manager may override with a reason.",
    )
    call_max_attempts = fields.Integer(string="Max Call Attempts", default=7)
    call_window_days = fields.Integer(string="Per Rolling Days", default=7)
    call_quiet_days = fields.Integer(
        string="No Call After a Conversation (days)",
        default=7,
        help="Days after a telephone conversation during which no call is made.",
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
        for policy in self:
            if (
                min(
                    policy.call_max_attempts,
                    policy.call_window_days,
                    policy.call_quiet_days,
                    policy.validation_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Policy %s: call limits and periods cannot be negative.", policy.name
                    )
                )
