from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import COLLECTOR, requires_group


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Collection Policy",
        company_dependent=True,
        check_company=True,
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
    collection_promise_count = fields.Integer(
        string="Promises", compute="_compute_collection_promise_stats"
    )
    collection_promise_kept_rate = fields.Float(
        string="Promises Kept (%)",
        compute="_compute_collection_promise_stats",
        help="Promises to pay kept / promises due in the current company. Open and "
        "cancelled promises do not count.",
    )

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

    @api.depends_context("company")
    def _compute_collection_promise_stats(self):
        Promise = self.env["collection.promise"]
        commercial = self.commercial_partner_id
        domain = [("partner_id", "in", commercial.ids), ("company_id", "=", self.env.company.id)]
        counts = dict(Promise._read_group(domain, ["partner_id"], ["__count"]))
        rates = Promise._kept_rates("partner_id", domain)
        for partner in self:
            key = partner.commercial_partner_id
            partner.collection_promise_count = counts.get(key, 0)
            kept, due = rates.get(key, (0, 0))
            partner.collection_promise_kept_rate = 100.0 * kept / due if due else 0.0

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
    @requires_group(COLLECTOR, "read")
    def action_view_collection_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_case_action"
        )
        action.update(
            {
                "domain": [("partner_id", "=", self.commercial_partner_id.id)],
                "context": {"create": False},
                "view_mode": "list,form,kanban",
                "views": [(False, "list"), (False, "form"), (False, "kanban")],
            }
        )
        return action

    @requires_group(COLLECTOR, "read")
    def action_collection_promise(self):
        self.ensure_one()
        return self.env["collection.promise"]._action_new(self)

    @requires_group(COLLECTOR, "read")
    def action_collection_plan(self):
        self.ensure_one()
        return self.env["collection.payment.plan"]._action_new(self)

    @requires_group(COLLECTOR, "read")
    def action_view_collection_promises(self):
        self.ensure_one()
        debtor = self.commercial_partner_id
        return self.env["collection.promise"]._action_list(
            [("partner_id", "=", debtor.id)], {"default_partner_id": debtor.id}
        )

    @requires_group(COLLECTOR, "read")
    def action_collection_hold(self):
        self.ensure_one()
        return self.env["collection.hold"]._get_records_action(
            name=self.env._("Put Debtor on Hold"),
            target="new",
            context={
                "default_scope": "debtor",
                "default_partner_id": self.commercial_partner_id.id,
            },
        )

    @requires_group(COLLECTOR, "read")
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

    # ------------------------------------------------------------------
    # Collection agencies: fields, computes, checks, actions
    # ------------------------------------------------------------------
    is_collection_agency = fields.Boolean(
        string="Collection Agency",
        help="This partner collects debts for the company: cases can be placed with it.",
    )
    collection_commission_rate = fields.Float(
        string="Commission Rate (%)",
        digits=(5, 2),
        help="Contingency fee: percentage of what the agency recovers. The default of "
        "new placements.",
    )
    collection_agency_contact_id = fields.Many2one(
        "res.partner",
        string="Agency Contact",
        domain="[('parent_id', '=', id)]",
        help="The person at the agency who receives the placements.",
    )
    collection_agency_min_amount = fields.Monetary(
        string="Minimum Placement Amount",
        currency_field="collection_agency_currency_id",
        help="The agency takes no placement below this amount. Zero: no minimum.",
    )
    collection_agency_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_agency_currency_id"
    )
    collection_agency_min_days = fields.Integer(
        string="Minimum Days Overdue",
        help="The agency takes only invoices at least this many days overdue, e.g. 90. "
        "Zero: no minimum.",
    )
    collection_placement_ids = fields.One2many(
        "collection.agency.placement", "agency_id", string="Placements"
    )
    collection_placement_count = fields.Integer(compute="_compute_collection_placement_count")

    @api.depends_context("company")
    def _compute_collection_agency_currency_id(self):
        for partner in self:
            partner.collection_agency_currency_id = self.env.company.currency_id

    def _compute_collection_placement_count(self):
        counts = dict(
            self.env["collection.agency.placement"]._read_group(
                [("agency_id", "in", self.ids)], ["agency_id"], ["__count"]
            )
        )
        for partner in self:
            partner.collection_placement_count = counts.get(partner, 0)

    @api.constrains("collection_commission_rate", "collection_agency_min_days")
    def _check_collection_agency(self):
        for partner in self:
            if not 0 <= partner.collection_commission_rate < 100:
                raise ValidationError(
                    self.env._(
                        "The commission rate of %s must be between 0 and 100 (exclusive).",
                        partner.name,
                    )
                )
            if partner.collection_agency_min_days < 0:
                raise ValidationError(
                    self.env._("The minimum days overdue of %s cannot be negative.", partner.name)
                )

    @requires_group(COLLECTOR, "read")
    def action_view_collection_placements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_agency_placement_action"
        )
        action.update(domain=[("agency_id", "=", self.id)], context={})
        return action

    @requires_group(COLLECTOR, "read")
    def action_collection_statement(self):
        """Choose the statement's period, then print or send it."""
        return self.env["collection.statement.wizard"]._get_records_action(
            name=self.env._("Customer Statement"),
            target="new",
            context={"default_partner_ids": self.commercial_partner_id.ids},
        )

    @requires_group(COLLECTOR, "read")
    def action_collection_statement_print(self):
        return self.env.ref(
            "collections_management.action_report_collection_statement"
        ).report_action(self.commercial_partner_id)

    @requires_group(COLLECTOR, "read")
    def action_collection_statement_send(self):
        """The email composer with the statement template, its PDF attached."""
        debtors = self.commercial_partner_id
        template = self.env.ref("collections_management.mail_template_statement")
        return self.env["mail.compose.message"]._get_records_action(
            name=self.env._("Send Statement"),
            target="new",
            context={
                "default_model": "res.partner",
                "default_res_ids": debtors.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment" if len(debtors) == 1 else "mass_mail",
            },
        )
