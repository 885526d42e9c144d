from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import COLLECTOR, MANAGER, requires_group


class CollectionWriteOff(models.Model):
    """A write-off of invoices of a case: the request, its approval and its trace.

    Up to the company's threshold, the collector of the case writes off directly; above
    it the request waits for a Collections Manager (a manager's own request is approved
    by making it). Done: a posted journal entry debits the bad-debt expense account and
    credits the receivable, reconciled with each invoice, which becomes paid."""

    _name = "collection.write.off"
    _description = "Write-off"
    _inherit = ["collection.case.document"]
    _order = "id desc"
    _check_company_auto = True
    # the decision and its trace: set by the write-off itself (within the threshold)
    # or by a manager's Approve / Refuse
    _system_fields = (
        "name",
        "state",
        "amount",
        "requested_by_id",
        "approved_by_id",
        "date_done",
        "write_off_move_id",
        "refusal_reason",
        "dispute_id",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    move_ids = fields.Many2many(
        "account.move",
        "collection_write_off_move_rel",
        "write_off_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
    )
    amount = fields.Monetary(
        readonly=True, help="The open balance of the invoices when the write-off was asked."
    )
    reason = fields.Text(required=True, tracking=True, help="Why the debt cannot be collected.")
    state = fields.Selection(
        [("to_approve", "To Approve"), ("done", "Written Off"), ("refused", "Refused")],
        default="to_approve",
        required=True,
        tracking=True,
        index=True,
        readonly=True,
    )
    requested_by_id = fields.Many2one(
        "res.users", string="Requested By", readonly=True, default=lambda self: self.env.user
    )
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    date_done = fields.Date(string="Written Off On", readonly=True, copy=False)
    write_off_move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False, check_company=True
    )
    refusal_reason = fields.Char(readonly=True, tracking=True)
    dispute_id = fields.Many2one(
        "collection.dispute",
        string="Dispute",
        readonly=True,
        index="btree_not_null",
        check_company=True,
        copy=False,
        help="The dispute this write-off resolves: only the disputed amount is written off, "
        "and the dispute is resolved once it is.",
    )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("move_ids", "case_id")
    def _check_moves(self):
        for write_off in self:
            if not write_off.move_ids:
                raise ValidationError(self.env._("Choose the invoices to write off."))
            foreign = write_off.move_ids.filtered(
                lambda m, w=write_off: m.commercial_partner_id != w.partner_id
                or m.move_type not in ("out_invoice", "out_receipt")
                or m.state != "posted"
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Only posted customer invoices of %(debtor)s can be written off, not "
                        "%(invoices)s.",
                        debtor=write_off.partner_id.name,
                        invoices=", ".join(foreign.mapped("name")),
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        write_offs = super().create(vals_list)
        for write_off in write_offs:
            amount = sum(
                write_off.move_ids.filtered(lambda m: m.amount_residual > 0).mapped(
                    "amount_residual_signed"
                )
            )
            if write_off.dispute_id:
                amount = min(amount, write_off.dispute_id.amount)
            write_off.sudo().amount = amount
        return write_offs

    def write(self, vals):
        if {"move_ids", "case_id"} & set(vals) and not self.env.su:
            raise AccessError(
                self.env._(
                    "The invoices of a write-off are those it was asked for: ask for another "
                    "write-off instead."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _is_manager(self):
        return self.env.user.has_group(MANAGER)

    def _needs_approval(self):
        self.ensure_one()
        threshold = self.company_id.collection_write_off_threshold
        return self.currency_id.compare_amounts(self.amount, threshold) > 0

    def _submit(self):
        """Write off now when the user may, else wait for a manager's approval."""
        waiting = self.filtered(lambda w: not w._is_manager() and w._needs_approval())
        (self - waiting)._execute()
        notes = []
        for write_off in waiting:
            amount = write_off.currency_id.format(write_off.amount)
            notes += [
                (
                    write_off,
                    self.env._(
                        "Write-off of %(amount)s asked by %(user)s: above the threshold of "
                        "%(threshold)s, it waits for a Collections Manager's approval.",
                        amount=amount,
                        user=self.env.user.name,
                        threshold=write_off.currency_id.format(
                            write_off.company_id.collection_write_off_threshold
                        ),
                    ),
                ),
                (
                    write_off.case_id,
                    self.env._(
                        "Write-off %(name)s of %(amount)s waits for approval.",
                        name=write_off.name,
                        amount=amount,
                    ),
                ),
            ]
        self.env["collection.case"]._log_messages(notes)
        return True

    def _write_off_journal(self):
        self.ensure_one()
        company = self.company_id
        journal = company.collection_write_off_journal_id or self.env[
            "account.journal"
        ].sudo().search([("company_id", "=", company.id), ("type", "=", "general")], limit=1)
        if not journal:
            raise UserError(
                self.env._("No miscellaneous journal in %s for the write-off entry.", company.name)
            )
        return journal

    def _execute(self):
        """Post the write-off entry, reconcile it with the invoices and close the case
        as written off. The accounting runs as superuser once the checks are passed: a
        collector needs no accounting rights to write off within the threshold."""
        for write_off in self:
            if write_off.state != "to_approve":
                raise UserError(self.env._("Write-off %s is already decided.", write_off.name))
            company = write_off.company_id
            account = company.collection_bad_debt_account_id
            if not account:
                raise UserError(
                    self.env._(
                        "Set the bad-debt expense account in Collections > Configuration > "
                        "Settings before writing off."
                    )
                )
            journal = write_off._write_off_journal()
            invoices = write_off.move_ids.sudo()
            receivables = invoices.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
            if not receivables:
                raise UserError(
                    self.env._(
                        "The invoices of %s are paid already: nothing to write off.", write_off.name
                    )
                )
            label = self.env._("Write-off %s", write_off.name)
            line_vals = []
            # a dispute's write-off gives up the disputed amount only
            left = write_off.amount if write_off.dispute_id else None
            for line in receivables:
                common = {
                    "partner_id": line.partner_id.id,
                    "currency_id": line.currency_id.id,
                }
                balance, amount_currency = line.amount_residual, line.amount_residual_currency
                if left is not None:
                    if not write_off.currency_id.compare_amounts(left, 0) > 0:
                        break
                    part = min(balance, left)
                    amount_currency = line.currency_id.round(
                        amount_currency * part / balance if balance else 0.0
                    )
                    balance, left = part, left - part
                line_vals += [
                    Command.create(
                        {
                            **common,
                            "name": f"{label}: {line.move_id.name}",
                            "account_id": line.account_id.id,
                            "balance": -balance,
                            "amount_currency": -amount_currency,
                        }
                    ),
                    Command.create(
                        {
                            **common,
                            "name": f"{label}: {line.move_id.name} - {write_off.reason}",
                            "account_id": account.id,
                            "balance": balance,
                            "amount_currency": amount_currency,
                        }
                    ),
                ]
            move = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "move_type": "entry",
                        "journal_id": journal.id,
                        "company_id": company.id,
                        "date": fields.Date.context_today(self),
                        "ref": f"{label} - {write_off.partner_id.name}",
                        "line_ids": line_vals,
                    }
                )
            )
            move.action_post()
            counterparts = move.line_ids.filtered(lambda line, a=account: line.account_id != a)
            for invoice in invoices:
                name = f"{label}: {invoice.name}"
                to_reconcile = receivables.filtered(lambda line, i=invoice: line.move_id == i)
                to_reconcile |= counterparts.filtered(lambda line, n=name: line.name == n)
                to_reconcile.reconcile()
            write_off.sudo().write(
                {
                    "state": "done",
                    "write_off_move_id": move.id,
                    "approved_by_id": self.env.user.id,
                    "date_done": fields.Date.context_today(self),
                }
            )
            write_off._close_case()
            write_off.dispute_id._resolved_by(write_off)
        return True

    def _close_case(self):
        """The case moves to Written Off once nothing overdue is left. Reconciling may
        already have closed it as Resolved (the debt reached zero): written off is what
        happened, so it is written over."""
        self.ensure_one()
        case = self.case_id.sudo()
        case.action_refresh()
        stage = self.env["collection.stage"]._get_stage_by_type("written_off", self.company_id)
        remaining = case.is_open and case.currency_id.compare_amounts(case.amount_overdue, 0) > 0
        if not remaining and stage:
            case.stage_id = stage
        case.message_post(
            body=self.env._(
                "Written off: %(amount)s on %(invoices)s (%(name)s), reason: %(reason)s.%(rest)s",
                amount=self.currency_id.format(self.amount),
                invoices=", ".join(self.move_ids.mapped("name")),
                name=self.name,
                reason=self.reason,
                rest=""
                if not remaining
                else " " + self.env._("Other overdue invoices remain: the case stays open."),
            )
        )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(MANAGER)
    def action_approve(self):
        self._execute()
        return True

    @requires_group(MANAGER)
    def action_refuse(self):
        for write_off in self:
            if write_off.state != "to_approve":
                raise UserError(self.env._("Write-off %s is already decided.", write_off.name))
        self.sudo().write(
            {
                "state": "refused",
                "approved_by_id": self.env.user.id,
                "refusal_reason": self.env.context.get("refusal_reason") or False,
            }
        )
        self.env["collection.case"]._log_messages(
            [
                (write_off.case_id, self.env._("Write-off %s refused.", write_off.name))
                for write_off in self
            ]
        )
        return True

    @requires_group(COLLECTOR, "read")
    def action_view_entry(self):
        self.ensure_one()
        return self.write_off_move_id._get_records_action(context={})
