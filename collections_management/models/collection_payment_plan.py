from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..tools import (
    COLLECTOR,
    INSTALMENTS,
    check_range,
    clamp,
    requires_group,
    write_each,
    years_around,
)

FREQUENCIES = [("weekly", "Weekly"), ("biweekly", "Every Two Weeks"), ("monthly", "Monthly")]
FREQUENCY_STEP = {
    "weekly": relativedelta(weeks=1),
    "biweekly": relativedelta(weeks=2),
    "monthly": relativedelta(months=1),
}


class CollectionPaymentPlan(models.Model):
    _name = "collection.payment.plan"
    _description = "Payment Plan"
    _inherit = ["collection.arrangement.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _grace_days_policy_field = "plan_grace_days"
    _sequence_date_field = "date"
    # set by its actions (Validate, Cancel...) and by the monitoring of the payments
    _system_fields = ("name", "state", "amount_paid", "amount_total", "is_proposed")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_ids = fields.Many2many(
        relation="collection_payment_plan_account_move_rel",
        column1="plan_id",
        column2="move_id",
        help="The debt the plan covers: follow-up pauses for these invoices while the "
        "plan is active. By default all the debtor's open invoices.",
    )
    amount_total = fields.Monetary(
        string="Debt Covered",
        compute="_compute_amount_total",
        store=True,
        help="What was open on the invoices when the plan was drawn up; the instalments "
        "(with the down payment) must add up to it.",
    )
    date = fields.Date(
        string="Agreed On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Payments on the invoices from this day on are allocated to the instalments. "
        "At most 10 years ago and a year ahead.",
    )
    down_payment = fields.Monetary(tracking=True, help="Paid first, on the down payment date.")
    down_payment_date = fields.Date(default=fields.Date.context_today)
    instalment_count = fields.Integer(
        string="Number of Instalments",
        default=3,
        tracking=True,
        help="Not counting the down payment. From 1 to 120.",
    )
    frequency = fields.Selection(FREQUENCIES, required=True, default="monthly", tracking=True)
    date_first = fields.Date(
        string="First Instalment",
        required=True,
        default=lambda self: fields.Date.add(fields.Date.context_today(self), months=1),
        tracking=True,
    )
    grace_days = fields.Integer(
        help="An instalment unpaid this many days after its due date is missed and "
        "breaches the plan; before that it is late. Proposed from the debtor's policy. "
        "From 0 to 365.",
    )
    line_ids = fields.One2many(
        "collection.payment.plan.line", "plan_id", string="Instalments", copy=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("breached", "Breached"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    amount_paid = fields.Monetary(
        readonly=True,
        copy=False,
        help="Payments received on the invoices since the plan was agreed, as of the last "
        "check: payments and bank transactions only, not credit notes or write-offs.",
    )
    amount_remaining = fields.Monetary(compute="_compute_progress")
    progress = fields.Float(compute="_compute_progress", help="Share of the plan paid, in %.")
    next_due_date = fields.Date(compute="_compute_progress")
    next_due_amount = fields.Monetary(compute="_compute_progress")
    late_count = fields.Integer(string="Late Instalments", compute="_compute_progress")
    note = fields.Text(help="Terms agreed with the debtor, printed on the agreement.")
    is_proposed = fields.Boolean(
        string="Proposed on the Portal",
        readonly=True,
        copy=False,
        help="The debtor sees this draft plan on the customer portal and may accept it "
        "there, which validates it.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("move_ids")
    def _compute_amount_total(self):
        for plan in self:
            # once agreed, the debt covered is fixed: payments do not change it
            if plan.state == "draft":
                plan.amount_total = sum(plan.move_ids.mapped("amount_residual"))
            else:
                plan.amount_total = plan.amount_total

    @api.depends("amount_total", "amount_paid", "line_ids.state", "line_ids.date_due")
    def _compute_progress(self):
        for plan in self:
            plan.amount_remaining = max(plan.amount_total - plan.amount_paid, 0.0)
            plan.progress = (
                100.0 * min(plan.amount_paid, plan.amount_total) / plan.amount_total
                if plan.amount_total
                else 0.0
            )
            unpaid = plan.line_ids.filtered(lambda line: line.state != "paid").sorted("date_due")
            plan.next_due_date = unpaid[:1].date_due
            plan.next_due_amount = unpaid[:1].amount - unpaid[:1].amount_paid
            plan.late_count = len(plan.line_ids.filtered(lambda line: line.state == "late"))

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("down_payment", "instalment_count")
    def _check_terms(self):
        for plan in self:
            if plan.currency_id.compare_amounts(plan.down_payment, 0.0) < 0:
                raise ValidationError(
                    self.env._("The down payment cannot be negative: enter 0 for none.")
                )
            if plan.instalment_count < INSTALMENTS[0]:
                raise ValidationError(self.env._("A payment plan needs at least one instalment."))
        check_range(self, "instalment_count", *INSTALMENTS)

    @api.constrains("date", "date_first", "down_payment_date")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        earliest, latest = years_around(today)
        check_range(self, "date", earliest, years_around(today, ahead=1)[1])
        check_range(self, "date_first", high=latest)
        check_range(self, "down_payment_date", high=latest)
        for plan in self.filtered(lambda p: p.state == "draft"):
            if plan.date_first < plan.date or (
                plan.down_payment and plan.down_payment_date and plan.down_payment_date < plan.date
            ):
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: payments cannot fall before the day the plan is agreed "
                        "(%(date)s). Choose dates from that day on.",
                        plan=plan.display_name,
                        date=format_date(self.env, plan.date),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans.filtered(lambda p: not p.line_ids and p.amount_total)._generate_lines()
        return plans

    def write(self, vals):
        locked = {"move_ids", "down_payment", "instalment_count", "frequency", "date_first"}
        if locked & set(vals) and self.filtered(lambda p: p.state != "draft"):
            raise UserError(
                self.env._(
                    "The terms of a plan that has started cannot change: cancel it and draw "
                    "up a new one."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        if self.filtered(lambda p: p.state not in ("draft", "cancelled")):
            raise UserError(
                self.env._("A plan that has started keeps its record: cancel it instead.")
            )

    # ------------------------------------------------------------------
    # Business methods: the schedule
    # ------------------------------------------------------------------
    def _schedule(self):
        """[(due date, amount, is down payment)] for the plan's terms: equal instalments
        rounded to the currency, the rounding remainder on the last one."""
        self.ensure_one()
        currency = self.currency_id
        down = currency.round(self.down_payment)
        rest = currency.round(self.amount_total - down)
        count = clamp(self.instalment_count, INSTALMENTS)
        schedule = []
        if down:
            schedule.append((self.down_payment_date or self.date, down, True))
        share = currency.round(rest / count) if count else 0.0
        step = FREQUENCY_STEP[self.frequency]
        for index in range(count):
            amount = share if index < count - 1 else currency.round(rest - share * (count - 1))
            schedule.append((self.date_first + step * index, amount, False))
        return schedule

    def _generate_lines(self):
        self._check_draft()
        for plan in self:
            if plan.currency_id.compare_amounts(plan.down_payment, plan.amount_total) >= 0:
                raise ValidationError(
                    self.env._(
                        "The down payment (%(down)s) covers the whole debt (%(total)s): no "
                        "plan is needed, or lower the down payment.",
                        down=plan.currency_id.format(plan.down_payment),
                        total=plan.currency_id.format(plan.amount_total),
                    )
                )
            commands = [Command.clear()]
            for sequence, (date_due, amount, is_down) in enumerate(plan._schedule(), start=1):
                commands.append(
                    Command.create(
                        {
                            "sequence": sequence,
                            "date_due": date_due,
                            "amount": amount,
                            "is_down_payment": is_down,
                        }
                    )
                )
            plan.line_ids = commands

    def _check_draft(self):
        started = self.filtered(lambda p: p.state != "draft")
        if started:
            raise UserError(
                self.env._(
                    "The instalments of %s are fixed once the plan has started: cancel it and "
                    "reset it to draft to change them.",
                    ", ".join(started.mapped("name")),
                )
            )

    def _check_can_activate(self):
        """Everything that must hold before a plan binds the debtor and pauses follow-up."""
        active = self.search(
            [
                ("state", "=", "active"),
                ("move_ids", "in", self.move_ids.ids),
                ("id", "not in", self.ids),
            ]
        )
        for plan in self:
            currency = plan.currency_id
            if not plan.move_ids:
                raise ValidationError(
                    self.env._("Choose the invoices plan %s covers.", plan.display_name)
                )
            foreign = plan.move_ids - plan.move_ids.filtered_domain(
                [("company_id", "=", plan.company_id.id)]
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Invoice %s belongs to another company than the plan.",
                        ", ".join(foreign.mapped("name")),
                    )
                )
            paid = plan.move_ids.filtered(lambda m: m.currency_id.is_zero(m.amount_residual))
            if paid:
                raise ValidationError(
                    self.env._(
                        "Invoice %s is already paid: a plan only covers open debt.",
                        ", ".join(paid.mapped("name")),
                    )
                )
            overlap = active.filtered(lambda p, plan=plan: p.move_ids & plan.move_ids)
            if overlap:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoices)s is already in active payment plan %(plan)s: "
                        "cancel that plan first or leave the invoice out.",
                        invoices=", ".join((overlap[0].move_ids & plan.move_ids).mapped("name")),
                        plan=overlap[0].name,
                    )
                )
            if not plan.line_ids:
                raise ValidationError(
                    self.env._("Plan %s has no instalments: compute the schedule.", plan.name)
                )
            if any(
                currency.compare_amounts(amount, 0.0) <= 0
                for amount in plan.line_ids.mapped("amount")
            ):
                raise ValidationError(
                    self.env._(
                        "Every instalment must be more than zero: correct plan %s.", plan.name
                    )
                )
            total = sum(plan.line_ids.mapped("amount"))
            if currency.compare_amounts(total, plan.amount_total) != 0:
                raise ValidationError(
                    self.env._(
                        "The instalments of %(plan)s add up to %(total)s but the debt is "
                        "%(debt)s: correct them by %(diff)s, or recompute the schedule.",
                        plan=plan.name,
                        total=currency.format(total),
                        debt=currency.format(plan.amount_total),
                        diff=currency.format(plan.amount_total - total),
                    )
                )
            past = plan.line_ids.filtered_domain([("date_due", "<", plan.date)])
            if past:
                raise ValidationError(
                    self.env._(
                        "An instalment of %(plan)s is due on %(date)s, before the plan is "
                        "agreed: choose later dates.",
                        plan=plan.name,
                        date=format_date(self.env, past[0].date_due),
                    )
                )

    # ------------------------------------------------------------------
    # Business methods: monitoring
    # ------------------------------------------------------------------
    def _monitor(self, today):
        """Allocate the money received on each active plan's invoices to its instalments,
        oldest first, and judge each instalment and plan. Set-based: one query for the
        money, one statement for the instalments and one for the plans."""
        plans = self.filtered(lambda p: p.state == "active")
        if not plans:
            return
        windows = [(plan.id, move.id, plan.date, today) for plan in plans for move in plan.move_ids]
        received = self.env["account.move"]._collection_cash_received(windows)
        line_rows, plan_rows, outcome = [], [], {}
        for plan in plans:
            currency = plan.currency_id
            paid = currency.round(received.get(plan.id, 0.0))
            available = paid
            missed = False
            for line in plan.line_ids.sorted(lambda line: (line.date_due, line.sequence, line.id)):
                # rounded at each step: what is left after an instalment is money, not
                # a float remainder (500 - 333.33 is 166.67, not 166.67000000000002)
                allocated = currency.round(min(available, line.amount)) if available > 0 else 0.0
                available = currency.round(available - allocated)
                state = line._state_for(allocated, today, plan.grace_days)
                missed = missed or state == "missed"
                line_rows.append((line.id, allocated, state))
            if currency.compare_amounts(paid, plan.amount_total) >= 0:
                outcome[plan] = "completed"
            elif missed:
                outcome[plan] = "breached"
            plan_rows.append((plan.id, paid, outcome.get(plan, "active")))
        write_each(self.env["collection.payment.plan.line"], ["amount_paid", "state"], line_rows)
        write_each(self, ["amount_paid", "state"], plan_rows)
        self._after_monitoring(outcome, today)

    def _after_monitoring(self, outcome, today):
        labels = dict(self._fields["state"].selection)
        Case = self.env["collection.case"]
        Case._log_messages(
            {
                plan: self.env._(
                    "Payment plan %(state)s: %(paid)s paid of %(total)s.",
                    state=labels[state].lower(),
                    paid=plan.currency_id.format(plan.amount_paid),
                    total=plan.currency_id.format(plan.amount_total),
                )
                for plan, state in outcome.items()
            }
        )
        failures = {
            plan: (
                self.env._(
                    "Payment plan %s breached: an instalment was missed; follow-up resumes "
                    "for what remains.",
                    plan.name,
                ),
                self.env._("Payment plan %s breached", plan.name),
            )
            for plan, state in outcome.items()
            if state == "breached" and plan.case_id
        }
        done_cases = (
            self.browse()
            .concat(*(plan for plan, state in outcome.items() if state == "completed"))
            .case_id
        )
        resumed = {
            case: (stage, self.env._("Payment plan completed."))
            for case, stage in done_cases._resume_stage().items()
        }
        self._settle_cases(failures, resumed, today)
        # A completed plan usually leaves nothing overdue: close what is paid.
        for company, cases in done_cases.grouped("company_id").items():
            Case._sync_cases(company, cases.partner_id)

    # ------------------------------------------------------------------
    # Business methods: activation, from the form or the customer portal
    # ------------------------------------------------------------------
    def _portal_accept(self):
        """The debtor accepts the proposed plan on the portal (called in sudo once the
        caller was checked): it is validated as by the collector, and the contact log
        gets an inbound portal contact."""
        for plan in self:
            if plan.state != "draft" or not plan.is_proposed:
                raise UserError(self.env._("This plan is not proposed to you any more."))
        self._activate()
        self.env["collection.contact"].create(
            [
                {
                    "case_id": plan.case_id.id,
                    "partner_id": plan.partner_id.id,
                    "company_id": plan.company_id.id,
                    "user_id": plan.user_id.id,
                    "channel": "portal",
                    "direction": "inbound",
                    "outcome": "promise",
                    "note": self.env._("Payment plan %s accepted on the portal.", plan.name),
                }
                for plan in self
            ]
        )
        self.env["collection.case"]._schedule_activities(
            {
                plan: {
                    "summary": self.env._("Plan %s accepted on the portal", plan.name),
                    "date_deadline": fields.Date.context_today(self),
                }
                for plan in self
            }
        )

    def _activate(self):
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Plan %s is not a draft.", plan.name))
        self._check_can_activate()
        self.sudo().write({"state": "active"})
        stage_by_case = {}
        for plan in self.filtered("case_id"):
            stage_by_case[plan.case_id] = self.env["collection.stage"]._get_stage_by_type(
                "plan", plan.company_id
            )
        self.env["collection.case"]._move_to_stages(
            stage_by_case,
            {
                plan.case_id: self.env._(
                    "Payment plan %(plan)s agreed: %(count)s instalment(s) for %(total)s.",
                    plan=plan.name,
                    count=len(plan.line_ids),
                    total=plan.currency_id.format(plan.amount_total),
                )
                for plan in self.filtered("case_id")
            },
        )
        self._monitor(fields.Date.context_today(self))

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR)
    def action_compute_schedule(self):
        self._generate_lines()
        return True

    @requires_group(COLLECTOR)
    def action_activate(self):
        self._activate()
        return True

    @requires_group(COLLECTOR)
    def action_propose_on_portal(self):
        """Show this draft plan to the debtor on the portal, who may accept it there."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Plan %s is not a draft.", plan.name))
        self._check_can_activate()
        self.sudo().write({"is_proposed": True})
        self.env["collection.case"]._log_messages(
            {plan: self.env._("Proposed to the debtor on the portal.") for plan in self}
        )
        return True

    @requires_group(COLLECTOR)
    def action_check_payments(self):
        self._monitor(fields.Date.context_today(self))
        return True

    @requires_group(COLLECTOR)
    def action_cancel(self):
        if self.filtered(lambda p: p.state not in ("draft", "active")):
            raise UserError(self.env._("Only a draft or active plan can be cancelled."))
        self.sudo().write({"state": "cancelled"})
        return True

    @requires_group(COLLECTOR)
    def action_reset_to_draft(self):
        if self.filtered(lambda p: p.state != "cancelled"):
            raise UserError(self.env._("Only a cancelled plan can go back to draft."))
        self.sudo().write({"state": "draft"})
        self.line_ids.sudo().write({"amount_paid": 0.0, "state": "pending"})
        return True

    @requires_group(COLLECTOR, "read")
    def action_print_agreement(self):
        return self.env.ref("collections_management.action_report_payment_plan").report_action(self)

    @requires_group(COLLECTOR, "read")
    def action_send_agreement(self):
        self.ensure_one()
        template = self.env.ref("collections_management.mail_template_payment_plan")
        return self.env["mail.compose.message"]._get_records_action(
            name=self.env._("Send the Agreement"),
            target="new",
            context={
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        )

    # ------------------------------------------------------------------
    # Cron methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_monitor(self):
        today = fields.Date.context_today(self)
        plans = self.search([("state", "=", "active")])
        for company, company_plans in plans.grouped("company_id").items():
            company_plans.with_company(company)._monitor(today)
            self.env["ir.cron"]._commit_progress(1)
