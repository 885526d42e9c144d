from odoo import api, fields, models


class ResPartner(models.Model):
    """What a debtor told us about how (not) to contact them."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_cease = fields.Boolean(
        string="Ceased Communication",
        tracking=True,
        help="The debtor asked us in writing to stop communicating: only the three "
        "allowed notices may still be sent.",
    )
    collection_cease_date = fields.Date(string="Cease Requested On", tracking=True)
    collection_optout_email = fields.Boolean(
        string="No Collection Emails", tracking=True, help="Opted out of collection emails."
    )
    collection_optout_sms = fields.Boolean(
        string="No Collection SMS", tracking=True, help="Opted out of collection texts."
    )
    collection_optout_phone = fields.Boolean(
        string="No Collection Calls", tracking=True, help="Opted out of collection calls."
    )
    collection_lawyer_id = fields.Many2one(
        "res.partner",
        string="Represented by",
        tracking=True,
        help="The debtor's lawyer: once set, only the lawyer may be contacted about the debt.",
    )
    collection_inconvenient_time_ids = fields.One2many(
        "collection.inconvenient.time",
        "partner_id",
        string="Inconvenient Times",
        help="Times the debtor said are inconvenient for contact.",
    )
    collection_contact_ids = fields.One2many(
        "collection.contact", "partner_id", string="Collection Contacts"
    )
    collection_contact_count = fields.Integer(compute="_compute_collection_contact_count")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_collection_contact_count(self):
        counts = dict(
            self.env["collection.contact"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.collection_contact_count = counts.get(partner.commercial_partner_id, 0)

    @api.onchange("collection_cease")
    def _onchange_collection_cease(self):
        if self.collection_cease and not self.collection_cease_date:
            self.collection_cease_date = fields.Date.context_today(self)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_view_collection_contacts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_contact_action"
        )
        action.update(
            domain=[("partner_id", "=", self.commercial_partner_id.id)],
            context={"default_partner_id": self.commercial_partner_id.id},
        )
        return action
