from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command
from odoo.tools import float_compare, format_date

from ..tools import (
    COLLECTOR,
    GRACE_DAYS,
    check_range,
    clamp,
    requires_group,
    shift,
    write_each,
    years_around,
)
from .collection_contact import CHANNELS

PROMISE_STATES = [
    ("requested", "Requested"),
    ("open", "Open"),
    ("kept", "Kept"),
    ("partial", "Partially Kept"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
    ("declined", "Declined"),
]
# States of a promise whose outcome is known: these count in the kept rate.
DUE_STATES = ("kept", "partial", "broken")


class CollectionPromise(models.Model):
    _name = "collection.promise"
    _description = "Promise to Pay"
    _inherit = ["collection.arrangement.mixin"]
    _order = "date_promised desc, id desc"
    _check_company_auto = True
    _grace_days_policy_field = "promise_grace_days"
    _sequence_date_field = "date"
    _new_form_target = "new"
    _default_overdue_invoices_only = True
    # judged by the nightly evaluation (or Check Payments), cancelled by its action
    _system_fields = ("name", "state", "amount_received", "date_evaluated", "date_deadline")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_ids = fields.Many2many(
        relation="collection_promise_account_move_rel",
        column1="promise_id",
        column2="move_id",
        help="The invoices the promise covers: follow-up pauses for them while it is open. "
        "By default all the debtor's overdue invoices.",
    )
    amount_invoices = fields.Monetary(
        string="Open on Invoices",
        compute="_compute_amount_invoices",
        help="What is still open on the promised invoices today.",
    )
    amount = fields.Monetary(
        string="Promised Amount",
        required=True,
        tracking=True,
        compute="_compute_amount",
        store=True,
        readonly=False,
        precompute=True,
        help="What the debtor promised to pay. By default everything open on the invoices.",
    )
    date = fields.Date(
        string="Made On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The day the debtor made the promise (today or earlier, at most 10 years ago): "
        "payments from that day on count.",
    )
    date_promised = fields.Date(
        string="Promised Date",
        required=True,
        tracking=True,
        index=True,
        help="The day the debtor promised to have paid by: from the day the promise was "
        "made to 5 years after today.",
    )
    grace_days = fields.Integer(
        tracking=True,
        help="Payments received this many days after the promised date still count. "
        "Proposed from the debtor's policy. From 0 to 365.",
    )
    date_deadline = fields.Date(
        string="Evaluated After",
        compute="_compute_date_deadline",
        store=True,
        index=True,
        help="The promised date plus the grace days: the promise is judged the day after.",
    )
    channel = fields.Selection(
        CHANNELS, required=True, default="phone", help="How the debtor made the promise."
    )
    note = fields.Text()
    state = fields.Selection(
        PROMISE_STATES,
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    amount_received = fields.Monetary(
        readonly=True,
        copy=False,
        help="Money received on the promised invoices between the day the promise was "
        "made and the end of its grace days, as of its evaluation: payments and bank "
        "transactions only, not credit notes or write-offs.",
    )
    date_evaluated = fields.Date(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("move_ids")
    def _compute_amount_invoices(self):
        for promise in self:
            promise.amount_invoices = sum(promise.move_ids.mapped("amount_residual"))

    @api.depends("move_ids")
    def _compute_amount(self):
        for promise in self:
            if promise.state == "open":
                promise.amount = sum(promise.move_ids.mapped("amount_residual"))
            else:
                promise.amount = promise.amount

    @api.depends("date_promised", "grace_days")
    def _compute_date_deadline(self):
        for promise in self:
            promise.date_deadline = promise.date_promised and shift(
                promise.date_promised, days=clamp(promise.grace_days, GRACE_DAYS)
            )

    @api.depends("partner_id", "amount", "date_promised")
    def _compute_display_name(self):
        for promise in self:
            if promise.date_promised:
                promise.display_name = self.env._(
                    "%(ref)s: %(amount)s by %(date)s",
                    ref=promise.name if promise.name != "/" else promise.partner_id.name or "",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.date_promised),
                )
            else:
                promise.display_name = promise.name

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("amount", "move_ids")
    def _check_amount(self):
        for promise in self.filtered(lambda p: p.state in ("requested", "open")):
            if promise.currency_id.compare_amounts(promise.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The promised amount must be more than zero: enter what the debtor "
                        "will pay."
                    )
                )

    @api.constrains("date", "date_promised")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        earliest, latest = years_around(today)
        check_range(self, "date", earliest)
        check_range(self, "date_promised", high=latest)
        for promise in self:
            if promise.date > today:
                raise ValidationError(
                    self.env._(
                        "A promise cannot be made in the future (%s): enter the day the "
                        "debtor made it.",
                        format_date(self.env, promise.date),
                    )
                )
            if promise.date_promised < promise.date:
                raise ValidationError(
                    self.env._(
                        "The promised date (%(promised)s) is before the day the promise was "
                        "made (%(made)s): a promise to pay is for today or later.",
                        promised=format_date(self.env, promise.date_promised),
                        made=format_date(self.env, promise.date),
                    )
                )

    @api.constrains("move_ids")
    def _check_invoices(self):
        # which invoices it may cover: collection.arrangement.mixin._check_covered_invoices
        for promise in self.filtered(lambda p: p.state in ("requested", "open")):
            if not promise.move_ids:
                raise ValidationError(
                    self.env._(
                        "Choose the invoices the promise of %s covers.", promise.partner_id.name
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        promises = super().create(vals_list)
        promises._check_open_invoices()
        promises._enter_promise_stage()
        return promises

    def write(self, vals):
        result = super().write(vals)
        if "move_ids" in vals or "amount" in vals:
            self.filtered(lambda p: p.state in ("requested", "open"))._check_open_invoices()
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_open_invoices(self):
        """A promise is for money still owed: no paid invoice, no more than is open."""
        for promise in self:
            paid = promise.move_ids.filtered(
                lambda m: m.currency_id.is_zero(m.amount_residual)
                or m.payment_state in ("paid", "in_payment", "reversed")
            )
            if paid:
                raise ValidationError(
                    self.env._(
                        "Invoice %s is already paid: a promise can only cover open invoices.",
                        ", ".join(paid.mapped("name")),
                    )
                )
            open_amount = sum(promise.move_ids.mapped("amount_residual"))
            if (
                float_compare(
                    promise.amount, open_amount, precision_rounding=promise.currency_id.rounding
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The promised amount (%(amount)s) is more than is open on the "
                        "invoices (%(open)s): promise at most what is owed.",
                        amount=promise.currency_id.format(promise.amount),
                        open=promise.currency_id.format(open_amount),
                    )
                )

    def _enter_promise_stage(self):
        cases = self.filtered(lambda p: p.state == "open").case_id
        stage_by_case = {}
        for company, company_cases in cases.grouped("company_id").items():
            stage = self.env["collection.stage"]._get_stage_by_type("promise", company)
            stage_by_case.update(dict.fromkeys(company_cases, stage))
        body_by_case = {
            promise.case_id: self.env._("Promise to pay recorded: %s.", promise.display_name)
            for promise in self
            if promise.case_id
        }
        self.env["collection.case"]._move_to_stages(stage_by_case, body_by_case)

    def _evaluate(self, today):
        """Judge open promises by the money received on their invoices: kept as soon as
        it is all paid, partially kept or broken the day after the grace days end.
        Set-based: the same few queries for one promise or ten thousand."""
        promises = self.filtered(lambda p: p.state == "open")
        if not promises:
            return self.browse()
        windows = [
            (promise.id, move.id, promise.date, promise.date_deadline)
            for promise in promises
            for move in promise.move_ids
        ]
        received = self.env["account.move"]._collection_cash_received(windows)
        outcome = {}
        for promise in promises:
            amount = received.get(promise.id, 0.0)
            currency = promise.currency_id
            if currency.compare_amounts(amount, promise.amount) >= 0:
                outcome[promise] = ("kept", amount)
            elif promise.date_deadline < today:
                state = "broken" if currency.is_zero(amount) else "partial"
                outcome[promise] = (state, amount)
        if not outcome:
            return self.browse()
        write_each(
            self,
            ["state", "amount_received", "date_evaluated", "write_date", "write_uid"],
            [
                (promise.id, state, amount, today, self.env.cr.now(), self.env.uid)
                for promise, (state, amount) in outcome.items()
            ],
        )
        evaluated = self.browse([promise.id for promise in outcome])
        evaluated._after_evaluation(today)
        return evaluated

    def _after_evaluation(self, today):
        """Tell the promise and the case how it went; a failed promise escalates the
        case and gives its collector something to do, a kept one lets the case resume."""
        labels = dict(self._fields["state"].selection)
        self.env["collection.case"]._log_messages(
            {
                promise: self.env._(
                    "Promise %(state)s: %(received)s received of %(amount)s.",
                    state=labels[promise.state].lower(),
                    received=promise.currency_id.format(promise.amount_received),
                    amount=promise.currency_id.format(promise.amount),
                )
                for promise in self
            }
        )
        failed = self.filtered(lambda p: p.state in ("partial", "broken") and p.case_id)
        kept = self.filtered(lambda p: p.state == "kept" and p.case_id)
        failures = {
            promise: (
                self.env._(
                    "Promise %(promise)s %(state)s: follow-up resumes.",
                    promise=promise.display_name,
                    state=labels[promise.state].lower(),
                ),
                self.env._(
                    "Promise %(state)s: %(received)s received of %(amount)s",
                    state=labels[promise.state].lower(),
                    received=promise.currency_id.format(promise.amount_received),
                    amount=promise.currency_id.format(promise.amount),
                ),
            )
            for promise in failed
        }
        # a case resumes once none of its promises is open or failed
        still_promised = self.search(
            [("case_id", "in", kept.case_id.ids), ("state", "=", "open")]
        ).case_id
        resumed = {
            case: (
                stage if case.stage_type == "promise" else case.stage_id,
                self.env._("Promise kept."),
            )
            for case, stage in (kept.case_id - still_promised - failed.case_id)
            ._resume_stage()
            .items()
        }
        self._settle_cases(failures, resumed, today)
        # a broken promise raises the case in its collector's worklist
        failed.case_id._update_priority()

    # ------------------------------------------------------------------
    # The customer portal
    # ------------------------------------------------------------------
    @api.model
    def _portal_propose(self, case, invoice_ids, amount, date_promised, note=None):
        """A promise the debtor of `case` makes on the portal (called in sudo once the
        caller was checked): within its policy's self-service limits it is recorded at
        once (follow-up pauses as for any open promise), beyond them as a request the
        collector accepts or declines. Bad input raises a UserError, nothing recorded.
        Either way the contact log gets an inbound portal contact."""
        env = self.env
        invoices = self._portal_invoices(case, invoice_ids)
        currency = case.currency_id
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            raise UserError(env._("Enter the amount you will pay, e.g. 150.00.")) from None
        open_amount = sum(invoices.mapped("amount_residual"))
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(env._("The amount must be more than zero."))
        if currency.compare_amounts(amount, open_amount) > 0:
            raise UserError(
                env._(
                    "The amount (%(amount)s) is more than you owe on these invoices (%(open)s).",
                    amount=currency.format(amount),
                    open=currency.format(open_amount),
                )
            )
        try:
            date_promised = fields.Date.to_date(date_promised)
        except ValueError:
            date_promised = None
        if not date_promised:
            raise UserError(env._("Enter the date you will pay by."))
        today = fields.Date.context_today(self)
        if date_promised < today:
            raise UserError(
                env._(
                    "The date (%s) is in the past: choose today or a later day.",
                    format_date(env, date_promised),
                )
            )
        policy = env["collection.policy"]._get_partner_policies(case.partner_id, case.company_id)[
            case.partner_id.id
        ]
        within = policy._portal_promise_within_limits(amount, open_amount, date_promised, today)
        promise = self.create(
            {
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "move_ids": [Command.set(invoices.ids)],
                "amount": amount,
                "date": today,
                "date_promised": date_promised,
                "channel": "portal",
                "note": note or False,
                "state": "open" if within else "requested",
            }
        )
        env["collection.contact"].create(
            {
                "case_id": promise.case_id.id,
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "user_id": promise.user_id.id,
                "channel": "portal",
                "direction": "inbound",
                "outcome": "promise",
                "note": (
                    env._("Promise made on the portal: %s.", promise.display_name)
                    if within
                    else env._(
                        "Promise proposed on the portal, beyond the self-service limits: %s.",
                        promise.display_name,
                    )
                ),
            }
        )
        if not within:
            env["collection.case"]._schedule_activities(
                {
                    promise: {
                        "summary": env._("Accept or decline the promise %s", promise.display_name),
                        "date_deadline": today,
                    }
                }
            )
        return promise

    @api.model
    def _portal_invoices(self, case, invoice_ids):
        """The debtor's open invoices among `invoice_ids` (default: all its overdue ones);
        an id that is not one of them is refused."""
        env = self.env
        domain = [
            ("commercial_partner_id", "=", case.partner_id.id),
            ("company_id", "=", case.company_id.id),
            ("move_type", "in", ("out_invoice", "out_receipt")),
            ("state", "=", "posted"),
            ("payment_state", "not in", ("paid", "in_payment", "reversed")),
            ("amount_residual", ">", 0),
        ]
        try:
            ids = {int(invoice_id) for invoice_id in invoice_ids or []}
        except (TypeError, ValueError):
            raise UserError(env._("Choose among your open invoices.")) from None
        if not ids:
            today = fields.Date.context_today(self)
            invoices = env["account.move"].search([*domain, ("invoice_date_due", "<", today)])
            if not invoices:
                raise UserError(env._("You have no overdue invoice: choose the invoices."))
            return invoices
        invoices = env["account.move"].search([*domain, ("id", "in", list(ids))])
        if len(invoices) != len(ids):
            raise UserError(
                env._(
                    "Choose among your open invoices: some of those sent are not yours or not open."
                )
            )
        return invoices

    def _portal_tell_outcome(self, accepted):
        """Tell the debtor by email whether its proposal was accepted."""
        for promise in self:
            case = promise.case_id
            link = case and f"{case.get_base_url()}{case.sudo().get_portal_url()}"
            body = (
                self.env._(
                    "We accept your proposal to pay %(amount)s by %(date)s. Thank you.",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.date_promised),
                )
                if accepted
                else self.env._(
                    "We cannot accept your proposal to pay %(amount)s by %(date)s. Please "
                    "contact us or propose another arrangement.",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.date_promised),
                )
            )
            if link:
                body = Markup("<p>%s</p><p><a href='%s'>%s</a></p>") % (
                    body,
                    link,
                    self.env._("Your account"),
                )
            promise.message_post(
                body=body,
                subject=self.env._("Your payment proposal"),
                partner_ids=promise.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR)
    def action_evaluate(self):
        """Check the payments now instead of waiting for the nightly evaluation."""
        self._evaluate(fields.Date.context_today(self))
        return True

    @requires_group(COLLECTOR)
    def action_accept_request(self):
        """Accept a promise the debtor proposed on the portal: it opens, follow-up pauses."""
        self._check_requested()
        self.sudo().write({"state": "open"})
        self._enter_promise_stage()
        self.activity_ids.sudo().action_feedback(feedback=self.env._("Accepted"))
        self._portal_tell_outcome(accepted=True)
        return True

    @requires_group(COLLECTOR)
    def action_decline_request(self):
        self._check_requested()
        self.sudo().write({"state": "declined"})
        self.activity_ids.sudo().action_feedback(feedback=self.env._("Declined"))
        self._portal_tell_outcome(accepted=False)
        return True

    def _check_requested(self):
        for promise in self:
            if promise.state != "requested":
                raise UserError(
                    self.env._(
                        "Promise %s is not a request waiting for an answer.",
                        promise.display_name,
                    )
                )

    @requires_group(COLLECTOR)
    def action_cancel(self):
        for promise in self:
            if promise.state != "open":
                raise UserError(
                    self.env._(
                        "Promise %s is no longer open: only an open promise can be cancelled.",
                        promise.display_name,
                    )
                )
        self.sudo().write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------
    # Cron methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_evaluate(self):
        """Nightly: judge the open promises, then monitor the payment plans."""
        today = fields.Date.context_today(self)
        promises = self.search([("state", "=", "open")])
        for company, company_promises in promises.grouped("company_id").items():
            company_promises.with_company(company)._evaluate(today)
            self.env["ir.cron"]._commit_progress(1)
        self.env["collection.payment.plan"]._cron_monitor()

    @api.model
    def _due_this_week_domain(self, today):
        return [
            ("state", "=", "open"),
            ("date_promised", ">=", today),
            ("date_promised", "<=", fields.Date.add(today, days=7)),
        ]

    @api.model
    def _recently_broken_domain(self, today):
        return [
            ("state", "in", ("broken", "partial")),
            ("date_evaluated", ">=", fields.Date.subtract(today, days=30)),
        ]

    @api.model
    def _kept_rates(self, groupby, domain=None):
        """{record: (kept, due)} of promises whose outcome is known, grouped by a field."""
        counts = defaultdict(lambda: [0, 0])
        for record, state, count in self._read_group(
            [("state", "in", DUE_STATES), *(domain or [])], [groupby, "state"], ["__count"]
        ):
            counts[record][1] += count
            if state == "kept":
                counts[record][0] += count
        return counts
