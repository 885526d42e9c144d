from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools.misc import formatLang

from ..tools import COLLECTOR, MANAGER, check_range, requires_group, years_around

# An agency's minimum age of the invoices it takes, in days: ten years at most.
AGENCY_MIN_DAYS = (0, 3650)


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
    collection_behaviour_ids = fields.One2many(
        "collection.payment.behaviour",
        "partner_id",
        string="Payment Behaviour",
        groups="collections_management.group_collections_collector",
        help="How the debtor has paid in each company (computed nightly).",
    )
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
    collection_cease_date = fields.Date(
        string="Cease Requested On",
        tracking=True,
        help="Today or earlier, at most 10 years ago.",
    )
    collection_optout_email = fields.Boolean(
        string="No Collection Emails", tracking=True, help="Opted out of collection emails."
    )
    collection_optout_sms = fields.Boolean(
        string="No Collection SMS", tracking=True, help="Opted out of collection texts."
    )
    collection_optout_phone = fields.Boolean(
        string="No Collection Calls", tracking=True, help="Opted out of collection calls."
    )
    collection_optout_visit = fields.Boolean(
        string="No Collection Visits", tracking=True, help="Opted out of collection visits."
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
    # Business methods
    # ------------------------------------------------------------------
    def _check_collection_print_access(self):
        """A debtor's statement is for the collector of its open case: a collector may
        not print one for a debtor whose open case another collector works (managers
        see every debtor of their companies)."""
        if self.env.su or self.env.user.has_group(
            "collections_management.group_collections_manager"
        ):
            return
        # sudo: the point is to see the cases of other collectors, which the collector
        # cannot read; only their existence is used, to refuse.
        taken = (
            self.env["collection.case"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("is_open", "=", True),
                    ("user_id", "not in", [self.env.uid, False]),
                ],
                limit=1,
            )
        )
        if taken:
            raise AccessError(
                self.env._("Another collector works this debtor's case: ask a manager.")
            )

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

    @api.constrains("collection_cease_date")
    def _check_collection_cease_date(self):
        today = fields.Date.context_today(self)
        check_range(self, "collection_cease_date", years_around(today)[0], today)

    @api.constrains(
        "collection_commission_rate", "collection_agency_min_days", "collection_agency_min_amount"
    )
    def _check_collection_agency(self):
        check_range(self, "collection_agency_min_days", *AGENCY_MIN_DAYS)
        check_range(self, "collection_agency_min_amount", 0.0)
        for partner in self:
            if not 0 <= partner.collection_commission_rate < 100:
                raise ValidationError(
                    self.env._(
                        "The commission rate of %s must be between 0 and 100 (exclusive).",
                        partner.name,
                    )
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

    # ------------------------------------------------------------------
    # Credit control: limit history, exposure, holds, reviews
    # ------------------------------------------------------------------
    collection_credit_limit_change_ids = fields.One2many(
        "collection.credit.limit.change", "partner_id", string="Credit Limit History"
    )
    collection_credit_hold_ids = fields.One2many(
        "collection.credit.hold", "partner_id", string="Credit Holds"
    )
    collection_credit_on_hold = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_collection_credit_on_hold",
        search="_search_collection_credit_on_hold",
        help="A credit hold is in force for this debtor in the current company: new "
        "invoices and sales orders are warned about or refused, as its policy says.",
    )
    collection_credit_currency_id = fields.Many2one(
        "res.currency", compute="_compute_collection_credit_currency_id"
    )
    collection_credit_receivable = fields.Monetary(
        string="Open Receivables",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
        help="What the debtor owes on posted entries, due or not, less unapplied credits.",
    )
    collection_credit_overdue = fields.Monetary(
        string="Of Which Overdue",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
    )
    collection_credit_draft = fields.Monetary(
        string="Draft Invoices",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
        help="Customer invoices not posted yet.",
    )
    collection_credit_orders = fields.Monetary(
        string="Sales Orders to Invoice",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
        help="Confirmed sales orders not invoiced yet (with Sales installed).",
    )
    collection_credit_exposure = fields.Monetary(
        string="Credit Exposure",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
        help="Open receivables + draft invoices + sales orders to invoice.",
    )
    collection_credit_available = fields.Monetary(
        string="Available Credit",
        currency_field="collection_credit_currency_id",
        compute="_compute_collection_credit_exposure",
        help="Credit limit - exposure. Zero limit: no limit.",
    )
    collection_credit_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        help="When the debtor's credit limit is to be reviewed: the collector gets an "
        "activity on that day; adjusting the limit from the case closes it.",
    )

    @api.depends_context("company")
    def _compute_collection_credit_currency_id(self):
        self.collection_credit_currency_id = self.env.company.currency_id

    @api.depends_context("company")
    def _compute_collection_credit_on_hold(self):
        held = self.env["collection.credit.hold"]._held_partner_ids(
            self.env.company, self.commercial_partner_id
        )
        for partner in self:
            partner.collection_credit_on_hold = partner.commercial_partner_id.id in held

    def _search_collection_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        held = list(self.env["collection.credit.hold"]._held_partner_ids(self.env.company))
        domain = Domain("commercial_partner_id", "in", held)
        return domain if True in value else ~domain

    @api.depends_context("company")
    def _compute_collection_credit_exposure(self):
        exposure = self.commercial_partner_id._collection_credit_exposure(self.env.company)
        for partner in self:
            figures = exposure.get(partner.commercial_partner_id.id, {})
            partner.collection_credit_receivable = figures.get("receivable", 0.0)
            partner.collection_credit_overdue = figures.get("overdue", 0.0)
            partner.collection_credit_draft = figures.get("draft", 0.0)
            partner.collection_credit_orders = figures.get("orders", 0.0)
            partner.collection_credit_exposure = figures.get("exposure", 0.0)
            partner.collection_credit_available = figures.get("available", 0.0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_collection_credit_limit_value(vals)
        partners = super().create(vals_list)
        changed = [
            (partner, vals["credit_limit"])
            for partner, vals in zip(partners, vals_list, strict=True)
            if vals.get("credit_limit")
        ]
        if changed:
            self.env["collection.credit.limit.change"]._record(
                {partner: 0.0 for partner, _limit in changed},
                self.env.company,
                dict(changed),
            )
        return partners

    def write(self, vals):
        if "credit_limit" not in vals:
            return super().write(vals)
        self._check_collection_credit_limit_value(vals)
        company = self.env.company
        before = {partner: partner.credit_limit for partner in self.sudo().with_company(company)}
        result = super().write(vals)
        after = {partner: partner.credit_limit for partner in self.sudo().with_company(company)}
        self.env["collection.credit.limit.change"]._record(before, company, after)
        return result

    def _check_collection_credit_limit_value(self, vals):
        """Refuse a negative limit before anything is written (and recorded)."""
        if (vals.get("credit_limit") or 0.0) < 0:
            raise ValidationError(
                self.env._("A credit limit cannot be negative: enter 0 (no limit) or more.")
            )

    def _collection_credit_exposure(self, company, balances=None):
        """{commercial partner id: {limit, receivable, overdue, draft, orders, exposure,
        available}} for these commercial partners in a company, in the company
        currency. A few queries whatever the number of partners: the receivable
        balances (`collection.case._get_debtor_balances`, or `balances` when the caller
        has them), one grouped read of the draft invoices, one of the sales orders
        (`_collection_credit_orders`) and one read of the limits."""
        partners = self.commercial_partner_id.sudo().with_company(company)
        if not partners:
            return {}
        if balances is None:
            balances = self.env["collection.case"].sudo()._get_debtor_balances(company, partners)
        drafts = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", company.id),
                    ("commercial_partner_id", "in", partners.ids),
                    ("move_type", "in", ("out_invoice", "out_receipt")),
                    ("state", "=", "draft"),
                ],
                ["commercial_partner_id"],
                ["amount_total_signed:sum"],
            )
        )
        orders = partners._collection_credit_orders(company)
        partners.fetch(["credit_limit"])
        result = {}
        for partner in partners:
            balance = balances.get(partner.id) or {}
            receivable = balance.get("due") or 0.0
            draft = drafts.get(partner, 0.0)
            ordered = orders.get(partner.id, 0.0)
            exposure = receivable + draft + ordered
            limit = partner.credit_limit
            result[partner.id] = {
                "limit": limit,
                "receivable": receivable,
                "overdue": balance.get("overdue") or 0.0,
                "draft": draft,
                "orders": ordered,
                "exposure": exposure,
                "available": limit - exposure if limit else 0.0,
            }
        return result

    def _collection_credit_orders(self, company):
        """{commercial partner id: confirmed sales orders not invoiced yet}, in the
        company currency. Nothing without Sales: the Sales bridge fills it."""
        return {}

    def _collection_credit_state(self, company):
        """(holds in force, exposure figures) of these debtors in a company, for
        `_collection_credit_messages`: a few queries for all of them."""
        partners = self.commercial_partner_id
        holds = self.env["collection.credit.hold"].sudo()._in_force(company, partners)
        return holds.grouped("partner_id"), partners._collection_credit_exposure(company)

    def _collection_credit_messages(self, state, company, amount=0.0):
        """Why this debtor's new sales are warned about or refused, from
        `_collection_credit_state`: its credit holds in force, and an exposure (plus
        `amount`, what the document adds that the exposure does not count yet) above
        its limit. No query."""
        self.ensure_one()
        holds, exposure = state
        currency = company.currency_id
        messages = [
            self.env._(
                "%(debtor)s is on credit hold since %(date)s: %(reason)s.",
                debtor=self.name,
                date=hold.date_start,
                reason=hold.reason,
            )
            for hold in holds.get(self, [])
        ]
        figures = exposure.get(self.id) or {}
        total = figures.get("exposure", 0.0) + amount
        limit = figures.get("limit", 0.0)
        if limit and currency.compare_amounts(total, limit) > 0:
            messages.append(
                self.env._(
                    "%(debtor)s's exposure would be %(total)s, above its credit limit of "
                    "%(limit)s.",
                    debtor=self.name,
                    total=formatLang(self.env, total, currency_obj=currency),
                    limit=formatLang(self.env, limit, currency_obj=currency),
                )
            )
        return messages

    def _collection_credit_reasons(self, company, amount=0.0):
        """{commercial partner: [why new sales are warned about or refused]} for those of
        these debtors on credit hold or over their limit in a company."""
        state = self._collection_credit_state(company)
        reasons = {}
        for partner in self.commercial_partner_id:
            messages = partner._collection_credit_messages(state, company, amount)
            if messages:
                reasons[partner] = messages
        return reasons

    def _collection_credit_modes(self, company):
        """{commercial partner: 'warn' or 'block'}: what a credit hold does under the
        debtor's policy in a company (warn when it has no policy)."""
        partners = self.commercial_partner_id.sudo()
        policies = (
            self.env["collection.policy"].sudo()._get_partner_policies(partners, company.sudo())
        )
        return {
            partner.with_env(self.env): policies[partner.id].credit_hold_mode
            if policies.get(partner.id)
            else "warn"
            for partner in partners
        }

    def _collection_credit_release_message(self, company):
        """Who can release a refused document: the users with the override right."""
        group = self.env.ref("collections_management.group_collections_credit_override")
        users = (
            group.sudo()
            .all_user_ids.filtered(lambda user: not user.share and company in user.company_ids)
            .sorted("name")
        )
        names = ", ".join(users[:5].mapped("name")) or self.env._("nobody yet")
        return self.env._(
            "A user with the Credit Hold Override right (%(names)s) can confirm it with a "
            "reason, and a Collections Manager can lift the hold.",
            names=names,
        )

    @requires_group(MANAGER, "read")
    def action_collection_credit_limit(self):
        """Adjust Credit Limit: the wizard asks for the new limit and a reason."""
        self.ensure_one()
        return self.env["collection.credit.limit.wizard"]._get_records_action(
            name=self.env._("Adjust Credit Limit"),
            target="new",
            context={
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.env.company.id,
            },
        )

    @requires_group(COLLECTOR, "read")
    def action_view_collection_credit_limit_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_credit_limit_change_action"
        )
        action.update(domain=[("partner_id", "=", self.commercial_partner_id.id)], context={})
        return action

    @requires_group(MANAGER, "read")
    def action_collection_credit_hold(self):
        self.ensure_one()
        return self.env["collection.credit.hold"]._get_records_action(
            name=self.env._("Put on Credit Hold"),
            target="new",
            context={
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.env.company.id,
            },
        )
