from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools import COLLECTOR, PLAN_YEARS, check_range, requires_group, shift


class CollectionHold(models.Model):
    _name = "collection.hold"
    _description = "Follow-up Hold"
    _inherit = ["collection.access.mixin", "mail.thread"]
    _order = "date_end, id"
    _check_company_auto = True
    _system_fields = ("user_id",)  # who set the hold

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    scope = fields.Selection(
        [("debtor", "Whole Debtor"), ("invoice", "One Invoice")],
        required=True,
        default="invoice",
        tracking=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        index=True,
        check_company=True,
        domain=[("move_type", "in", ("out_invoice", "out_receipt")), ("state", "=", "posted")],
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
    reason = fields.Char(required=True, tracking=True, help="Why follow-up is suspended.")
    date_end = fields.Date(
        string="Until",
        required=True,
        tracking=True,
        help="Follow-up resumes by itself the day after this date: today at the earliest, "
        "5 years ahead at the latest.",
    )
    user_id = fields.Many2one(
        "res.users", string="Set By", default=lambda self: self.env.user, copy=False
    )
    is_active = fields.Boolean(
        string="In Force",
        compute="_compute_is_active",
        search="_search_is_active",
        help="The hold applies today: its end date is not past.",
    )
    active = fields.Boolean(default=True, help="Archive a hold to lift it before its end date.")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("move_id")
    def _compute_partner_id(self):
        for hold in self:
            if hold.move_id:
                hold.partner_id = hold.move_id.commercial_partner_id

    @api.depends("move_id")
    def _compute_company_id(self):
        for hold in self:
            hold.company_id = hold.move_id.company_id or hold.company_id or self.env.company

    def _compute_is_active(self):
        today = fields.Date.context_today(self)
        for hold in self:
            hold.is_active = hold.active and hold.date_end >= today

    def _search_is_active(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        in_force = Domain("date_end", ">=", today)
        return in_force if True in value else ~in_force

    @api.depends("scope", "partner_id", "move_id", "reason")
    def _compute_display_name(self):
        for hold in self:
            target = hold.move_id.name if hold.scope == "invoice" else hold.partner_id.name
            hold.display_name = f"{target or ''}: {hold.reason or ''}"

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("scope", "move_id", "partner_id")
    def _check_scope(self):
        """A hold on an invoice pauses a posted customer invoice of the hold's debtor."""
        for hold in self:
            if hold.scope == "invoice" and not hold.move_id:
                raise ValidationError(self.env._("Choose the invoice to put on hold."))
            move = hold.move_id
            if not move:
                continue
            if move.move_type not in ("out_invoice", "out_receipt") or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is not a posted customer invoice of %(debtor)s: a hold "
                        "pauses follow-up of its debtor's invoices only.",
                        invoice=move.display_name,
                        debtor=hold.partner_id.commercial_partner_id.name,
                    )
                )
            if move.commercial_partner_id != hold.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s is not an invoice of %(debtor)s: a hold on an "
                        "invoice is for the invoice's debtor.",
                        invoice=move.name,
                        debtor=hold.partner_id.name,
                    )
                )

    @api.constrains("date_end")
    def _check_date_end(self):
        today = fields.Date.context_today(self)
        check_range(self, "date_end", high=shift(today, years=PLAN_YEARS))
        for hold in self:
            if hold.date_end < today:
                raise ValidationError(
                    self.env._(
                        "The end date of a hold (%(date)s) is in the past: choose today or later.",
                        date=hold.date_end,
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _held_ids(self, company):
        """(invoice ids, debtor ids) on hold today in a company, in one query."""
        rows = self.search_read(
            [("company_id", "=", company.id), ("is_active", "=", True)],
            ["scope", "move_id", "partner_id"],
            load=None,
        )
        moves = {row["move_id"] for row in rows if row["scope"] == "invoice"}
        partners = {row["partner_id"] for row in rows if row["scope"] == "debtor"}
        return moves, partners

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR)
    def action_lift(self):
        self.action_archive()
        self._message_log_batch(
            bodies=dict.fromkeys(self.ids, self.env._("Hold lifted: follow-up resumes."))
        )
        return True
