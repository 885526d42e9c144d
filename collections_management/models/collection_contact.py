from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import COLLECTOR, requires_group

# How we reach a debtor or it reaches us: the channel of a contact, and of a promise to
# pay made during one. The only list of channels; the contact guards name them too.
CHANNELS = [
    ("phone", "Call"),
    ("email", "Email"),
    ("letter", "Letter"),
    ("sms", "SMS"),
    ("visit", "Visit"),
    ("portal", "Portal Message"),
]
OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No Answer"),
    ("left_message", "Left Message"),
    ("wrong_number", "Wrong Number"),
    ("promise", "Promise Made"),
    ("dispute", "Dispute Raised"),
    ("refused", "Refused to Pay"),
    ("paid", "Paid"),
    ("stop", "Asked to Stop"),
    ("sent", "Sent"),
]
# Contact records are kept at least this long after the debtor's last contact.
RETENTION_YEARS = 3


class CollectionContact(models.Model):
    _name = "collection.contact"
    _description = "Collection Contact"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    date = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True, help="When the contact happened."
    )
    case_id = fields.Many2one(
        "collection.case", index="btree_not_null", check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        check_company=True,
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Logged By", default=lambda self: self.env.user, index=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound")],
        required=True,
        default="outbound",
        help="Outbound: we contacted the debtor (the contact guards apply). Inbound: the "
        "debtor contacted us.",
    )
    outcome = fields.Selection(OUTCOMES, required=True, default="reached")
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        help="The person reached or written to: the debtor, one of its contacts, or its lawyer.",
    )
    contact_name = fields.Char(
        string="Spoke To", help="Name of the person spoken to, if not in the address book."
    )
    note = fields.Text()
    next_action_date = fields.Date(
        help="When to act next; also set on the case, which puts it on the worklist that day."
    )
    communication_id = fields.Many2one(
        "collection.communication",
        string="Follow-up",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        ondelete="set null",
        help="The follow-up run communication that produced this entry.",
    )
    dispute_id = fields.Many2one(
        "collection.dispute", string="Dispute", index="btree_not_null", check_company=True
    )
    guard_override_reason = fields.Char(
        string="Override Reason",
        readonly=True,
        help="Why a manager allowed this call although the frequency guard blocked it.",
    )
    guard_override_user_id = fields.Many2one("res.users", string="Overridden By", readonly=True)
    active = fields.Boolean(
        default=True, help="Only administrators archive contact entries; nobody deletes them."
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("case_id")
    def _compute_partner_id(self):
        for contact in self:
            if contact.case_id:
                contact.partner_id = contact.case_id.partner_id

    @api.depends("case_id")
    def _compute_company_id(self):
        for contact in self:
            case = contact.case_id
            contact.company_id = case.company_id or contact.company_id or self.env.company

    @api.depends("partner_id", "channel", "outcome", "date")
    def _compute_display_name(self):
        channels = dict(CHANNELS)
        outcomes = dict(OUTCOMES)
        for contact in self:
            contact.display_name = (
                f"{contact.partner_id.name or ''}: {channels.get(contact.channel, '')} "
                f"- {outcomes.get(contact.outcome, '')}"
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._fill_open_case(vals_list)
        if not self.env.context.get("collection_guard_checked"):
            self._enforce_guards(vals_list, self.env.context.get("collection_guard_override"))
        contacts = super().create(vals_list)
        overridden = contacts.filtered("guard_override_user_id")
        if overridden:
            self.env["collection.case"]._log_messages(
                {
                    contact.case_id or contact.partner_id: self.env._(
                        "Call-frequency guard overridden by %(user)s: %(reason)s",
                        user=contact.guard_override_user_id.name,
                        reason=contact.guard_override_reason,
                    )
                    for contact in overridden
                }
            )
        contacts._apply_outcomes()
        return contacts

    def write(self, vals):
        if "active" in vals and not self.env.user.has_group(
            "collections_management.group_collections_admin"
        ):
            raise UserError(
                self.env._("Only a Collections Administrator can archive contact entries.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_within_retention(self):
        """Contact records are evidence: collectors and managers cannot delete them
        (access rights), and even an administrator cannot before the retention period
        after the debtor's last contact has passed: archive them instead."""
        if not self.env.user.has_group("collections_management.group_collections_admin"):
            raise UserError(
                self.env._(
                    "Contact entries cannot be deleted: they are the record of what was "
                    "said to the debtor. An administrator can archive them."
                )
            )
        last = dict(
            self.with_context(active_test=False)._read_group(
                [("partner_id", "in", self.partner_id.ids)], ["partner_id"], ["date:max"]
            )
        )
        limit = fields.Datetime.now() - relativedelta(years=RETENTION_YEARS)
        kept = self.filtered(lambda c: last.get(c.partner_id, c.date) > limit)
        if kept:
            raise UserError(
                self.env._(
                    "Contact records are kept at least %(years)s years after the debtor's "
                    "last contact (%(debtors)s): archive them instead of deleting them.",
                    years=RETENTION_YEARS,
                    debtors=", ".join(kept.partner_id.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _fill_open_case(self, vals_list):
        """A contact logged for a debtor goes on its open case (one search for all)."""
        todo = [vals for vals in vals_list if vals.get("partner_id") and not vals.get("case_id")]
        if not todo:
            return
        partners = self.env["res.partner"].browse({vals["partner_id"] for vals in todo})
        cases = self.env["collection.case"].search(
            [("partner_id", "in", partners.commercial_partner_id.ids), ("is_open", "=", True)]
        )
        by_key = {(case.partner_id.id, case.company_id.id): case.id for case in cases}
        for vals in todo:
            partner = partners.browse(vals["partner_id"]).commercial_partner_id
            vals["partner_id"] = partner.id
            company_id = vals.get("company_id") or self.env.company.id
            if (partner.id, company_id) in by_key:
                vals["case_id"] = by_key[partner.id, company_id]

    @api.model
    def _guard_requests(self, vals_list):
        """Guard requests of the outbound contacts about to be created (from vals)."""
        cases = self.env["collection.case"].browse(
            {vals["case_id"] for vals in vals_list if vals.get("case_id")}
        )
        case_partner = {case.id: case.partner_id for case in cases}
        Partner = self.env["res.partner"]
        requests = []
        for vals in vals_list:
            debtor = case_partner.get(vals.get("case_id")) or Partner.browse(vals.get("partner_id"))
            requests.append(
                {
                    "partner": debtor.commercial_partner_id,
                    "channel": vals.get("channel") or "phone",
                    "company": self.env["res.company"].browse(
                        vals.get("company_id") or self.env.company.id
                    ),
                    "contact_partner": Partner.browse(vals.get("contact_partner_id")),
                    "at": fields.Datetime.to_datetime(vals.get("date")) or fields.Datetime.now(),
                }
            )
        return requests

    @api.model
    def _enforce_guards(self, vals_list, override_reason=None):
        """Refuse outbound contacts the guards block, explaining why, before anything
        is written. A manager may override the call-frequency guard (a presumption in
        law) with a reason, which is stored on the contact. Returns the overridden vals."""
        outbound = [vals for vals in vals_list if vals.get("direction", "outbound") == "outbound"]
        if not outbound:
            return []
        results = self.env["collection.contact.guard"]._check(self._guard_requests(outbound))
        is_manager = self.env.user.has_group("collections_management.group_collections_manager")
        overridden = []
        for vals, blocks in zip(outbound, results, strict=True):
            if not blocks:
                continue
            hard = [text for code, text in blocks if code != "frequency"]
            soft = [text for code, text in blocks if code == "frequency"]
            if hard or not (override_reason and is_manager):
                hint = ""
                if not hard and not is_manager:
                    hint = self.env._(" A Collections Manager may override with a reason.")
                elif not hard:
                    hint = self.env._(" Give an override reason to log it anyway.")
                raise UserError(
                    self.env._("This contact is not allowed now:")
                    + "\n- "
                    + "\n- ".join(hard + soft)
                    + hint
                )
            vals["guard_override_reason"] = override_reason
            vals["guard_override_user_id"] = self.env.user.id
            overridden.append(vals)
        return overridden

    def _apply_outcomes(self):
        """Carry the outcome over: the next action date to the case, a request to stop
        to the debtor's cease flag, and a note in the case's chatter."""
        for date, contacts in self.filtered("next_action_date").grouped("next_action_date").items():
            contacts.case_id.write({"next_action_date": date})
        stop = self.filtered(lambda c: c.outcome == "stop").partner_id.commercial_partner_id
        # the debtor's request binds everyone, whoever logged it
        stop.filtered(lambda p: not p.collection_cease).sudo().write(
            {"collection_cease": True, "collection_cease_date": fields.Date.context_today(self)}
        )
        if self.env.context.get("collection_guard_checked"):
            return  # entries of a follow-up run: the run writes its own notes
        channels = dict(CHANNELS)
        outcomes = dict(OUTCOMES)
        self.env["collection.case"]._log_messages(
            {
                contact.case_id or contact.partner_id: self.env._(
                    "%(direction)s %(channel)s: %(outcome)s%(who)s. %(note)s",
                    direction=dict(self._fields["direction"].selection)[contact.direction],
                    channel=channels[contact.channel].lower(),
                    outcome=outcomes[contact.outcome],
                    who=f" ({contact.contact_partner_id.name or contact.contact_name})"
                    if contact.contact_partner_id or contact.contact_name
                    else "",
                    note=contact.note or "",
                )
                for contact in self
            }
        )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR, "read")
    def action_view_case(self):
        self.ensure_one()
        return self.case_id._get_records_action(context={})
