from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..tools import (
    COLLECTOR,
    MANAGER,
    PERIOD_DAYS,
    check_range,
    clamp,
    requires_group,
    shift,
    years_around,
)
from .collection_communication import FOLLOWUP_STAGE_TYPES

# Disputes whose amount is still out of follow-up; a credit note takes it out for good
# once posted (and applied to the invoice), so until then its dispute keeps it out.
ACTIVE_STATES = ("open", "investigating")


class CollectionDispute(models.Model):
    _name = "collection.dispute"
    _description = "Invoice Dispute"
    _inherit = ["collection.case.document", "portal.mixin"]
    _order = "state_sequence, deadline, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "move_id", "partner_id"]
    _sequence_date_field = "date"
    # set by its actions (Investigate, Reject, Resolve...) and when it is opened
    _system_fields = (
        "name",
        "case_id",
        "state",
        "state_sequence",
        "is_active",
        "date_resolved",
        "credit_note_id",
        "first_notice_date",
        "validation_required",
        "access_token",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=[("move_type", "in", ("out_invoice", "out_receipt")), ("state", "=", "posted")],
        help="The customer invoice the debtor contests.",
    )
    # A dispute is opened on an invoice: the debtor and the company are the invoice's,
    # and the case is the debtor's open one, if any.
    partner_id = fields.Many2one(related="move_id.commercial_partner_id")
    company_id = fields.Many2one(related="move_id.company_id")
    case_id = fields.Many2one(
        compute="_compute_case_id",
        store=True,
        required=False,
        index="btree_not_null",
        ondelete="set null",
        help="The collection case of the debtor when the dispute was opened.",
    )
    invoice_residual = fields.Monetary(
        string="Invoice Amount Due",
        related="move_id.amount_residual_signed",
        help="What is still due on the invoice, in the company's currency.",
    )
    amount = fields.Monetary(
        string="Disputed Amount",
        required=True,
        tracking=True,
        help="The part of the invoice the debtor contests (at most what is still due). "
        "Follow-up only chases the undisputed part while the dispute is open.",
    )
    reason_id = fields.Many2one(
        "collection.dispute.reason",
        string="Reason",
        required=True,
        tracking=True,
        help="Why the debtor contests the invoice; the list is configurable.",
    )
    description = fields.Text(help="What the debtor says, in their own words.")
    owner_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        check_company=True,
        default=lambda self: self.env.user,
        help="Who investigates: often someone in sales or logistics. Gets an activity "
        "due on the deadline.",
    )
    date = fields.Date(
        string="Opened On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="When the debtor raised the dispute: today or earlier, at most 10 years ago.",
    )
    deadline = fields.Date(
        compute="_compute_deadline",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="When the dispute should be resolved: the opening date plus the number "
        "of days set in the Collections settings. Not before the opening date, at most "
        "5 years ahead.",
    )
    state = fields.Selection(
        [
            ("open", "Open"),
            ("investigating", "Investigating"),
            ("credit_note", "Resolved by Credit Note"),
            ("write_off", "Resolved by Write-off"),
            ("rejected", "Rejected"),
        ],
        default="open",
        required=True,
        tracking=True,
        index=True,
        copy=False,
    )
    state_sequence = fields.Integer(compute="_compute_state_sequence", store=True)
    is_active = fields.Boolean(
        string="Active Dispute",
        compute="_compute_state_sequence",
        store=True,
        help="Open or being investigated: the disputed amount is out of follow-up.",
    )
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still open after its deadline.",
    )
    resolution_note = fields.Text(
        tracking=True, help="How the dispute was settled, or why it was rejected."
    )
    date_resolved = fields.Date(string="Resolved On", readonly=True, copy=False)
    credit_note_id = fields.Many2one(
        "account.move",
        string="Credit Note",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The credit note issued to settle the dispute.",
    )
    first_notice_date = fields.Date(
        readonly=True,
        copy=False,
        help="When the first follow-up reminder was sent for this invoice, if any.",
    )
    validation_required = fields.Boolean(
        string="Verification Required",
        readonly=True,
        copy=False,
        help="The dispute came within the validation period after the first notice "
        "(debtor's policy): collection of this invoice stops until a verification "
        "of the debt is recorded as sent.",
    )
    verification_sent_date = fields.Date(
        string="Verification Sent On",
        tracking=True,
        copy=False,
        help="When the verification of the debt was sent to the debtor.",
    )

    previous_stage_id = fields.Many2one(
        "collection.stage",
        readonly=True,
        copy=False,
        help="The case's stage when this dispute moved it to the Disputed stage: where it "
        "goes back when no dispute is left open, unless something else moved it.",
    )

    _amount_positive = models.Constraint(
        "CHECK(amount > 0)", "The disputed amount must be greater than zero."
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        # its page on the customer portal, where the debtor exchanges messages on it
        for dispute in self:
            dispute.access_url = (
                f"/my/collections/{dispute.case_id.id}/dispute/{dispute.id}"
                if dispute.case_id
                else "#"
            )

    @api.depends("move_id")
    def _compute_case_id(self):
        # the debtor's open case, whoever works it: the record rules then decide whether
        # the user may open a dispute on it
        cases = (
            self.env["collection.case"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids), ("is_open", "=", True)])
        )
        by_key = {(case.partner_id.id, case.company_id.id): case for case in cases}
        for dispute in self:
            dispute.case_id = dispute.move_id.sudo().collection_case_id.filtered(
                "is_open"
            ) or by_key.get((dispute.partner_id.id, dispute.company_id.id))

    @api.depends("date", "company_id")
    def _compute_deadline(self):
        for dispute in self:
            days = (dispute.company_id or self.env.company).collection_dispute_days
            dispute.deadline = dispute.date and shift(dispute.date, days=clamp(days, PERIOD_DAYS))

    @api.depends("state")
    def _compute_state_sequence(self):
        order = {"open": 1, "investigating": 2, "credit_note": 3, "write_off": 4, "rejected": 5}
        for dispute in self:
            dispute.state_sequence = order.get(dispute.state, 9)
            dispute.is_active = dispute.state in ACTIVE_STATES

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = (
                dispute.is_active and bool(dispute.deadline) and dispute.deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        overdue = Domain("state", "in", ACTIVE_STATES) & Domain("deadline", "<", today)
        return overdue if True in value else ~overdue

    @api.depends("name", "move_id", "reason_id")
    def _compute_display_name(self):
        for dispute in self:
            dispute.display_name = (
                f"{dispute.name or ''} - {dispute.move_id.name or ''} "
                f"({dispute.reason_id.name or ''})"
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date", "deadline", "verification_sent_date")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        earliest, latest = years_around(today)
        check_range(self, "date", earliest, today)
        check_range(self, "verification_sent_date", earliest, today)
        for dispute in self:
            check_range(dispute, "deadline", dispute.date, latest)

    @api.constrains("amount", "move_id", "state")
    def _check_amount(self):
        """Open disputes of an invoice cannot add up to more than what is due on it."""
        totals = dict(
            self._read_group(
                [("move_id", "in", self.move_id.ids), ("state", "in", ACTIVE_STATES)],
                ["move_id"],
                ["amount:sum"],
            )
        )
        for dispute in self.filtered(lambda d: d.state in ACTIVE_STATES):
            move = dispute.move_id
            if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
                raise ValidationError(self.env._("Only a posted customer invoice can be disputed."))
            residual = move.amount_residual_signed
            if dispute.currency_id.compare_amounts(totals.get(move, 0.0), residual) > 0:
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(invoice)s (%(disputed)s in all open "
                        "disputes) exceeds what is still due on it (%(residual)s): enter "
                        "at most the amount due.",
                        invoice=move.name,
                        disputed=dispute.currency_id.format(totals.get(move, 0.0)),
                        residual=dispute.currency_id.format(residual),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        disputes = super().create(vals_list)
        contact_id = self.env.context.get("collection_contact_id")
        if contact_id:
            self.env["collection.contact"].browse(contact_id).dispute_id = disputes[:1]
        disputes._set_validation_period()
        self.env["collection.case"]._schedule_activities(
            {
                dispute: {
                    "summary": self.env._("Resolve dispute %s", dispute.name),
                    "user_id": dispute.owner_id.id,
                    "date_deadline": dispute.deadline or dispute.date,
                }
                for dispute in disputes
                if dispute.owner_id
            }
        )
        disputes.case_id._update_priority()
        disputes._enter_dispute_stage(
            {
                dispute.case_id or dispute.partner_id: self.env._(
                    "Dispute %(name)s opened on %(invoice)s for %(amount)s: %(reason)s. "
                    "This amount is out of follow-up until the dispute is resolved.",
                    name=dispute.name,
                    invoice=dispute.move_id.name,
                    amount=dispute.currency_id.format(dispute.amount),
                    reason=dispute.reason_id.name,
                )
                for dispute in disputes
            }
        )
        return disputes

    def write(self, vals):
        was_active = self.filtered("is_active") if "state" in vals else self.browse()
        result = super().write(vals)
        if {"amount", "state"} & set(vals):
            self.case_id._update_priority()
        if "state" in vals:
            active = self.filtered("is_active")
            (was_active - active)._leave_dispute_stage()
            (active - was_active)._enter_dispute_stage()
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _set_validation_period(self):
        """Record the first notice of each invoice (one query) and whether the dispute
        came within the validation period of the debtor's policy."""
        if not self:
            return
        self.env["collection.communication.line"].flush_model(["move_id", "communication_id"])
        self.env["collection.communication"].flush_model(["date", "state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.move_id, MIN(comm.date)
                  FROM collection_communication_line line
                  JOIN collection_communication comm ON comm.id = line.communication_id
                 WHERE line.move_id IN %s AND comm.state = 'sent'
              GROUP BY line.move_id
                """,
                tuple(self.move_id.ids),
            )
        )
        first_notice = dict(rows)
        groups = {}
        for company, disputes in self.grouped("company_id").items():
            policies = self.env["collection.policy"]._get_partner_policies(
                disputes.partner_id, company
            )
            for dispute in disputes:
                policy = policies.get(dispute.partner_id.id)
                notice = first_notice.get(dispute.move_id.id)
                required = bool(
                    policy
                    and policy.guard_validation
                    and (
                        not notice
                        or dispute.date
                        <= shift(notice, days=clamp(policy.validation_days, PERIOD_DAYS))
                    )
                )
                groups.setdefault((notice, required), []).append(dispute.id)
        for (notice, required), ids in groups.items():
            self.browse(ids).sudo().write(
                {"first_notice_date": notice, "validation_required": required}
            )

    @api.model
    def _disputed_amounts_query(self, company):
        """SQL of (move_id, amount): what is out of follow-up per invoice because of a
        dispute: open or investigated disputes and credit notes not yet posted (a posted
        credit note is applied to the invoice, which lowers its due; so is a write-off,
        posted when the dispute is resolved by it)."""
        return SQL(
            """
            SELECT d.move_id, SUM(d.amount) AS amount
              FROM collection_dispute d
         LEFT JOIN account_move cn ON cn.id = d.credit_note_id
             WHERE d.company_id = %(company)s
               AND (d.state IN ('open', 'investigating')
                    OR (d.state = 'credit_note' AND cn.state IS DISTINCT FROM 'posted'))
          GROUP BY d.move_id
            """,
            company=company.id,
        )

    @api.model
    def _validation_paused_move_ids(self, company):
        """Invoices whose collection stops until a verification is sent (one query)."""
        rows = self.search_read(
            [
                ("company_id", "=", company.id),
                ("validation_required", "=", True),
                ("verification_sent_date", "=", False),
                ("state", "in", ("open", "investigating", "rejected")),
            ],
            ["move_id"],
            load=None,
        )
        return {row["move_id"] for row in rows}

    def _enter_dispute_stage(self, notes=None):
        """Move the open cases of these active disputes from a follow-up stage to the
        Disputed stage, the stage they leave kept on the dispute; cases at another
        stage (promise, plan, agency, legal) stay there. `notes` ({case or debtor:
        text}) are logged with the move; by default, that the dispute is open."""
        Case = self.env["collection.case"]
        if notes is None:
            notes = {
                dispute.case_id: self.env._("Dispute %s is open again.", dispute.name)
                for dispute in self.filtered("case_id")
            }
        stages, stage_by_case, left = {}, {}, {}
        for dispute in self.filtered("is_active"):
            case = dispute.case_id
            if case in stage_by_case or not case.is_open:
                continue
            if case.stage_type not in FOLLOWUP_STAGE_TYPES:
                continue
            if case.company_id not in stages:
                stages[case.company_id] = self.env["collection.stage"]._get_stage_by_type(
                    "dispute", case.company_id
                )
            if stages[case.company_id]:
                stage_by_case[case] = stages[case.company_id]
                left.setdefault(case.stage_id, []).append(dispute.id)
        for stage, dispute_ids in left.items():
            self.browse(dispute_ids).previous_stage_id = stage
        Case._move_to_stages(
            stage_by_case,
            {record: note for record, note in notes.items() if record._name == Case._name},
        )
        Case._log_messages(
            {record: note for record, note in notes.items() if record._name != Case._name}
        )

    def _leave_dispute_stage(self):
        """Once no dispute of a case is open any more, move it back from the Disputed
        stage to the stage it had before (else the stage of its follow-up level); a case
        that something else moved meanwhile stays where it is."""
        Case = self.env["collection.case"]
        cases = self.case_id.filtered(lambda c: c.is_open and c.stage_type == "dispute")
        if not cases:
            return
        still_disputed = Case.browse(
            case.id
            for (case,) in self._read_group(
                [("case_id", "in", cases.ids), ("is_active", "=", True)], ["case_id"]
            )
        )
        cases -= still_disputed
        if not cases:
            return
        previous = {}
        for dispute in self.search(
            [("case_id", "in", cases.ids), ("previous_stage_id", "!=", False)], order="id desc"
        ):
            previous.setdefault(dispute.case_id, dispute.previous_stage_id)
        resume = cases._resume_stage()
        stage_by_case = {}
        for case in cases:
            stage = previous.get(case)
            if not stage or stage.is_closed or stage.stage_type == "dispute":
                stage = resume[case]
            stage_by_case[case] = stage
        Case._move_to_stages(
            stage_by_case,
            dict.fromkeys(
                cases, self.env._("No dispute is open any more: the case leaves Disputed.")
            ),
        )

    def _close_activities(self, feedback):
        self.activity_ids.action_feedback(feedback=feedback)

    # ------------------------------------------------------------------
    # The customer portal
    # ------------------------------------------------------------------
    @api.model
    def _portal_open(self, case, invoice_id, amount, reason_id, description, files=()):
        """A dispute the debtor of `case` opens on the portal (called in sudo once the
        caller was checked): the same create as inside, so the disputed amount leaves
        follow-up, the owner gets an activity and the validation period applies. The
        files are attached to the dispute's first message. Bad input: a UserError,
        nothing recorded."""
        env = self.env
        invoices = env["collection.promise"]._portal_invoices(
            case, [invoice_id] if invoice_id else []
        )
        if not invoice_id or len(invoices) != 1:
            raise UserError(env._("Choose the invoice you dispute."))
        currency = case.currency_id
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            raise UserError(env._("Enter the amount you dispute, e.g. 150.00.")) from None
        if currency.compare_amounts(amount, 0.0) <= 0:
            raise UserError(env._("The disputed amount must be more than zero."))
        if currency.compare_amounts(amount, invoices.amount_residual) > 0:
            raise UserError(
                env._(
                    "The disputed amount (%(amount)s) is more than is due on %(invoice)s "
                    "(%(residual)s).",
                    amount=currency.format(amount),
                    invoice=invoices.name,
                    residual=currency.format(invoices.amount_residual),
                )
            )
        try:
            reason = env["collection.dispute.reason"].browse(int(reason_id or 0)).exists()
        except (TypeError, ValueError):
            reason = env["collection.dispute.reason"]
        if not reason or not reason.active:
            raise UserError(env._("Choose the reason of your dispute."))
        owner = case.user_id or invoices.invoice_user_id or env.ref("base.user_admin")
        dispute = self.create(
            {
                "move_id": invoices.id,
                "amount": amount,
                "reason_id": reason.id,
                "description": description or False,
                "owner_id": owner.id,
            }
        )
        attachments = env["ir.attachment"].create(
            [
                {
                    "name": name,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": dispute.id,
                }
                for name, content in files
            ]
        )
        # the debtor follows its dispute: the owner's replies reach it, with the link
        dispute.message_subscribe(partner_ids=case.partner_id.ids)
        dispute.message_post(
            body=description or env._("Dispute opened on the portal."),
            author_id=case.partner_id.id,
            attachment_ids=attachments.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        env["collection.contact"].create(
            {
                "case_id": dispute.case_id.id,
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "user_id": owner.id,
                "channel": "portal",
                "direction": "inbound",
                "outcome": "dispute",
                "dispute_id": dispute.id,
                "note": env._("Dispute opened on the portal: %s.", dispute.display_name),
            }
        )
        return dispute

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR)
    def action_investigate(self):
        if self.filtered(lambda d: d.state != "open"):
            raise UserError(self.env._("Only an open dispute can be put under investigation."))
        self.sudo().state = "investigating"
        return True

    @requires_group(COLLECTOR)
    def action_record_verification(self):
        """The verification of the debt was sent to the debtor: collection may resume."""
        self.filtered(
            lambda d: not d.verification_sent_date
        ).verification_sent_date = fields.Date.context_today(self)
        self.env["collection.case"]._log_messages(
            {
                dispute: self.env._(
                    "Verification of the debt sent on %s.",
                    format_date(self.env, dispute.verification_sent_date),
                )
                for dispute in self
            }
        )
        return True

    def _check_resolvable(self):
        closed = self.filtered(lambda d: d.state not in ACTIVE_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "Dispute %s is already resolved: it cannot be resolved again.",
                    ", ".join(closed.mapped("name")),
                )
            )

    @api.model
    def _action_new_on_invoice(self, invoice, context=None):
        """The form of a new dispute of `invoice`, its amount due proposed."""
        return self._action_new_form(
            {
                "default_move_id": invoice.id,
                "default_amount": invoice.amount_residual_signed,
                **(context or {}),
            },
            name=self.env._("Open a Dispute"),
            target="new",
        )

    @requires_group(COLLECTOR)
    def action_resolve_credit_note(self):
        """Open Odoo's reversal wizard on the invoice, set for a credit note of the
        disputed amount (the wizard's credit note is then reduced to that amount)."""
        self.ensure_one()
        self._check_resolvable()
        return self.env["account.move.reversal"]._get_records_action(
            name=self.env._("Credit Note for Dispute %s", self.name),
            target="new",
            context={
                "active_model": "account.move",
                "active_ids": self.move_id.ids,
                "default_collection_dispute_id": self.id,
                "default_reason": self.env._(
                    "Dispute %(name)s: %(reason)s", name=self.name, reason=self.reason_id.name
                ),
            },
        )

    def _apply_credit_note(self, credit_note):
        """Reduce the draft credit note to the disputed amount and mark it as the
        dispute's resolution. Each product line is scaled by the same factor, so taxes
        and accounts stay those of the invoice."""
        self.ensure_one()
        invoice_total = self.move_id.amount_total_signed
        if credit_note.state != "draft" or not invoice_total:
            raise UserError(self.env._("The credit note must be a draft to be adjusted."))
        factor = self.amount / invoice_total
        lines = credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        credit_note.write(
            {
                "invoice_line_ids": [
                    fields.Command.update(line.id, {"price_unit": line.price_unit * factor})
                    for line in lines
                ]
            }
        )
        # rounding of taxes may leave a cent: put it on the last line
        gap = self.amount - abs(credit_note.amount_total_signed)
        if lines and not self.currency_id.is_zero(gap):
            last = lines[-1]
            taxes = last.tax_ids.compute_all(1.0, credit_note.currency_id)["total_included"] or 1.0
            last.price_unit += gap / (taxes * (last.quantity or 1.0))
        self.sudo().write(
            {
                "state": "credit_note",
                "credit_note_id": credit_note.id,
                "date_resolved": fields.Date.context_today(self),
            }
        )
        self._close_activities(self.env._("Resolved by credit note %s", credit_note.name or ""))
        self.message_post(
            body=self.env._(
                "Resolved by a credit note of %(amount)s; follow-up excludes it until "
                "the credit note is posted and applied to the invoice.",
                amount=self.currency_id.format(self.amount),
            )
        )

    @requires_group(MANAGER)
    def action_resolve_write_off(self):
        """Settle the dispute by giving up the disputed amount: a write-off of that
        amount (`collection.write.off`, its approval threshold included) posts the
        entry, and resolves the dispute once done."""
        self._check_resolvable()
        for dispute in self:
            if not (dispute.resolution_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write down in Resolution why dispute %s is written off.", dispute.name
                    )
                )
        # a write-off is a document of the debtor's case: open it if the run has not yet
        for company, disputes in (
            self.filtered(lambda d: not d.case_id).grouped("company_id").items()
        ):
            self.env["collection.case"].sudo()._sync_cases(company, disputes.partner_id)
            disputes.sudo()._compute_case_id()
        for dispute in self:
            if not dispute.case_id:
                raise UserError(
                    self.env._(
                        "Dispute %s has no open case: nothing is due on its invoice to write off.",
                        dispute.name,
                    )
                )
        pending = self.env["collection.write.off"].search(
            [("dispute_id", "in", self.ids), ("state", "=", "to_approve")]
        )
        if pending:
            raise UserError(
                self.env._(
                    "Write-off %s of this dispute already waits for approval.",
                    ", ".join(pending.mapped("name")),
                )
            )
        # the dispute is a system field of the write-off: set here, once checked
        write_offs = (
            self.env["collection.write.off"]
            .sudo()
            .create(
                [
                    {
                        "case_id": dispute.case_id.id,
                        "move_ids": [fields.Command.set(dispute.move_id.ids)],
                        "dispute_id": dispute.id,
                        "reason": self.env._(
                            "Dispute %(name)s: %(note)s",
                            name=dispute.name,
                            note=dispute.resolution_note,
                        ),
                    }
                    for dispute in self
                ]
            )
        )
        write_offs.with_env(self.env)._submit()
        return True

    def _resolved_by(self, write_off):
        """The write-off of this dispute's amount is posted: the dispute is resolved."""
        if not self:
            return
        self.sudo().write({"state": "write_off", "date_resolved": fields.Date.context_today(self)})
        self._close_activities(self.env._("Resolved by write-off %s", write_off.name))

    @requires_group(COLLECTOR)
    def action_reject(self):
        """The dispute is unfounded: follow-up of the disputed amount resumes."""
        self._check_resolvable()
        for dispute in self:
            if not (dispute.resolution_note or "").strip():
                raise UserError(
                    self.env._(
                        "Write down in Resolution why dispute %s is rejected: the debtor "
                        "will be told.",
                        dispute.name,
                    )
                )
            if dispute.validation_required and not dispute.verification_sent_date:
                raise UserError(
                    self.env._(
                        "Dispute %s came within the validation period: record the "
                        "verification as sent before rejecting it.",
                        dispute.name,
                    )
                )
        self.sudo().write({"state": "rejected", "date_resolved": fields.Date.context_today(self)})
        self.filtered(lambda d: not d.case_id).sudo()._compute_case_id()
        self._close_activities(self.env._("Dispute rejected"))
        self.env["collection.case"]._log_messages(
            {
                dispute.case_id or dispute.partner_id: self.env._(
                    "Dispute %(name)s rejected: %(why)s. Follow-up of %(amount)s on "
                    "%(invoice)s resumes.",
                    name=dispute.name,
                    why=dispute.resolution_note,
                    amount=dispute.currency_id.format(dispute.amount),
                    invoice=dispute.move_id.name,
                )
                for dispute in self
            }
        )
        return True

    @requires_group(COLLECTOR)
    def action_reopen(self):
        self.filtered(lambda d: d.state == "rejected").sudo().write(
            {"state": "open", "date_resolved": False}
        )
        return True

    @requires_group(COLLECTOR, "read")
    def action_view_credit_note(self):
        self.ensure_one()
        return self.credit_note_id._get_records_action(context={})
