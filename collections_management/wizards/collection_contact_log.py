from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.collection_contact import CHANNELS, OUTCOMES
from ..tools import COLLECTOR, requires_group


class CollectionContactLog(models.TransientModel):
    _name = "collection.contact.log"
    _description = "Log a Collection Contact"

    case_id = fields.Many2one("collection.case", required=True)
    partner_id = fields.Many2one(related="case_id.partner_id", string="Debtor")
    lawyer_id = fields.Many2one(related="case_id.partner_id.collection_lawyer_id")
    company_id = fields.Many2one(related="case_id.company_id")
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound")], required=True, default="outbound"
    )
    outcome = fields.Selection(
        OUTCOMES,
        required=True,
        default="reached",
        help="Promise Made opens a promise to pay right after, Dispute Raised a dispute; "
        "Asked to Stop marks the debtor as having ceased communication.",
    )
    contact_partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        compute="_compute_contact_partner_id",
        store=True,
        readonly=False,
        help="Who was contacted: by default the debtor, or its lawyer when it has one.",
    )
    contact_name = fields.Char(string="Spoke To")
    note = fields.Text()
    next_action_date = fields.Date()
    is_manager = fields.Boolean(compute="_compute_is_manager")
    override_reason = fields.Char(
        help="Managers only: log a call the frequency guard blocks, with the reason."
    )

    @api.depends("case_id")
    def _compute_contact_partner_id(self):
        for wizard in self:
            debtor = wizard.case_id.partner_id
            wizard.contact_partner_id = debtor.collection_lawyer_id or debtor

    def _compute_is_manager(self):
        is_manager = self.env.user.has_group("collections_management.group_collections_manager")
        for wizard in self:
            wizard.is_manager = is_manager

    @requires_group(COLLECTOR)
    def action_log(self):
        self.ensure_one()
        if self.override_reason and not self.is_manager:
            raise UserError(self.env._("Only a Collections Manager can override a contact guard."))
        contact = (
            self.env["collection.contact"]
            .with_context(collection_guard_override=self.override_reason or None)
            .create(
                {
                    "case_id": self.case_id.id,
                    "company_id": self.case_id.company_id.id,
                    "channel": self.channel,
                    "direction": self.direction,
                    "outcome": self.outcome,
                    "contact_partner_id": self.contact_partner_id.id,
                    "contact_name": self.contact_name,
                    "note": self.note,
                    "next_action_date": self.next_action_date,
                }
            )
        )
        if self.outcome == "promise":
            action = self.env["collection.promise"]._action_new(
                self.case_id.partner_id, case=self.case_id
            )
            action["context"].update(
                {
                    "default_channel": self.channel,
                    "default_note": self.note,
                }
            )
            return action
        if self.outcome == "dispute":
            invoices = self.case_id.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.amount_residual > 0
            )
            return self.env["collection.dispute"]._action_new_on_invoice(
                invoices[:1],
                {"default_description": self.note, "collection_contact_id": contact.id},
            )
        return {"type": "ir.actions.act_window_close"}
