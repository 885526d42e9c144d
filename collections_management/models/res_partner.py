from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Collection Policy",
        company_dependent=True,
        help="Follow-up policy for this debtor in the current company. Empty: the "
        "company's default policy.",
    )
    collection_case_ids = fields.One2many(
        "collection.case", "partner_id", string="Collection Cases"
    )
    collection_case_count = fields.Integer(compute="_compute_collection_case")
    collection_case_id = fields.Many2one(
        "collection.case",
        string="Open Collection Case",
        compute="_compute_collection_case",
        help="The debtor's open case in the current company.",
    )
    collection_stage_id = fields.Many2one(
        "collection.stage", string="Collection Stage", compute="_compute_collection_case"
    )
    collection_level_id = fields.Many2one(
        "collection.level", string="Follow-up Level", compute="_compute_collection_case"
    )
    collection_user_id = fields.Many2one(
        "res.users", string="Collector", compute="_compute_collection_case"
    )
    collection_hold_ids = fields.One2many("collection.hold", "partner_id", string="Follow-up Holds")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_collection_case(self):
        commercial = self.commercial_partner_id
        cases = self.env["collection.case"].search(
            [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)]
        )
        counts = {}
        open_case = {}
        for case in cases:
            counts[case.partner_id.id] = counts.get(case.partner_id.id, 0) + 1
            if case.is_open:
                open_case[case.partner_id.id] = case
        for partner in self:
            key = partner.commercial_partner_id.id
            partner.collection_case_count = counts.get(key, 0)
            case = open_case.get(key, self.env["collection.case"])
            partner.collection_case_id = case
            partner.collection_stage_id = case.stage_id
            partner.collection_level_id = case.level_id
            partner.collection_user_id = case.user_id

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_view_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_case_action"
        )
        action.update(
            {
                "domain": [("partner_id", "=", self.commercial_partner_id.id)],
                "context": {"search_default_filter_all": 1, "create": False},
                "view_mode": "list,form,kanban",
                "views": [(False, "list"), (False, "form"), (False, "kanban")],
            }
        )
        return action

    def action_collection_hold(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put Debtor on Hold"),
            "res_model": "collection.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_scope": "debtor",
                "default_partner_id": self.commercial_partner_id.id,
            },
        }

    def action_collection_statement_print(self):
        return self.env.ref(
            "collections_management.action_report_collection_statement"
        ).report_action(self.commercial_partner_id)

    def action_collection_statement_send(self):
        """The email composer with the statement template, its PDF attached."""
        debtors = self.commercial_partner_id
        template = self.env.ref("collections_management.mail_template_statement")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statement"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": debtors.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment" if len(debtors) == 1 else "mass_mail",
            },
        }
