from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import LEVEL_DELAY_DAYS, PERIOD_DAYS, check_range


class CollectionLevel(models.Model):
    _name = "collection.level"
    _description = "Follow-up Level"
    _inherit = ["collection.access.mixin"]
    _order = "policy_id, delay, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one(
        "collection.policy", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    delay = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="The level is due this many days after an invoice's due date. A negative "
        "number sends a courtesy reminder before the due date. From -365 to 3650.",
    )
    mode = fields.Selection(
        [("automatic", "Automatic"), ("manual", "Manual")],
        default="automatic",
        required=True,
        help="Automatic: the run sends the email and the letter itself. Manual: the run "
        "sends nothing and gives the collector an activity to act on.",
    )
    send_email = fields.Boolean(string="Email", default=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain=[("model", "=", "collection.communication")],
        help="Rendered on the communication, which lists every overdue invoice covered.",
    )
    send_letter = fields.Boolean(string="Letter")
    send_sms = fields.Boolean(
        string="SMS",
        help="Text the debtor's phone (else its billing contact's) through Odoo's SMS "
        "queue. The contact guards apply as to a call; consumers get the opt-out "
        "instructions at the end of the text.",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain=[("model", "=", "collection.communication")],
    )
    letter_title = fields.Char(translate=True, help="Heading of the printed letter.")
    letter_body = fields.Html(
        translate=True,
        help="Opening text of the letter, above the list of overdue invoices. Let the "
        "tone harden from one level to the next.",
    )
    threatens_legal_action = fields.Boolean(
        string="Threatens Legal Action",
        help="The letter or email of this level threatens to sue. It is never sent for a "
        "time-barred debt: the communication fails once with the reason, noted on the "
        "case, and the next runs skip this level for that debtor and go on with the "
        "policy's other levels.",
    )
    create_activity = fields.Boolean(
        string="Activity for the Collector",
        help="Schedule an activity for the case's collector when the level is reached.",
    )
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_summary = fields.Char(translate=True)
    activity_deadline_days = fields.Integer(
        string="Activity Deadline (days)",
        default=3,
        help="Days from the run to the deadline, from 0 to 365.",
    )
    fee_ids = fields.One2many(
        "collection.level.fee",
        "level_id",
        string="Dunning Fee",
        copy=True,
        help="The fee charged when a debtor reaches this level, per currency (the "
        "currency of the debtor's overdue invoices). The policy says whether it is "
        "charged per communication or per invoice.",
    )
    claim_interest = fields.Boolean(
        string="Claim Interest and Compensation",
        help="Bill the statutory late-payment interest and fixed compensation accrued on "
        "the debtor's late invoices to the day of the run, under the policy's "
        "late-payment law: one customer invoice, periods already claimed left out.",
    )
    stage_id = fields.Many2one(
        "collection.stage",
        string="Move Case to Stage",
        check_company=True,
        help="The stage a case moves to when it reaches this level.",
    )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("send_email", "mail_template_id", "mode")
    def _check_email_template(self):
        for level in self:
            if level.mode == "automatic" and level.send_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s sends an email: choose its email template.",
                        level=level.name,
                    )
                )

    @api.constrains("send_sms", "sms_template_id", "mode")
    def _check_sms_template(self):
        for level in self:
            if level.mode == "automatic" and level.send_sms and not level.sms_template_id:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s sends an SMS: choose its SMS template.",
                        level=level.name,
                    )
                )

    @api.constrains("delay", "activity_deadline_days")
    def _check_days(self):
        check_range(self, "delay", *LEVEL_DELAY_DAYS)
        check_range(self, "activity_deadline_days", *PERIOD_DAYS)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _get_action_labels(self):
        """Human-readable list of what reaching this level does."""
        self.ensure_one()
        if self.mode == "manual":
            labels = [self.env._("Activity for the collector (manual level)")]
        else:
            labels = []
            if self.send_email:
                labels.append(self.env._("Email"))
            if self.send_letter:
                labels.append(self.env._("Letter"))
            if self.send_sms:
                labels.append(self.env._("SMS"))
            if self.create_activity:
                labels.append(self.env._("Activity"))
            if self.fee_ids:
                labels.append(self.env._("Fee"))
            if self.claim_interest:
                labels.append(self.env._("Interest claim"))
        if self.stage_id:
            labels.append(self.env._("Stage: %s", self.stage_id.name))
        return labels
