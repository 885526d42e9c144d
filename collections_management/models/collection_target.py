from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import check_range, years_around


class CollectionTarget(models.Model):
    _name = "collection.target"
    _description = "Collector Monthly Target"
    _inherit = ["collection.access.mixin", "mail.thread"]
    _order = "date desc, user_id"
    _check_company_auto = True

    _one_target_per_month = models.UniqueIndex(
        "(user_id, company_id, date) WHERE (active IS TRUE)",
        "A collector already has a target for this month in this company.",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain=lambda self: self.env["res.users"]._collector_domain(),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="Month",
        required=True,
        tracking=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
        help="The month of the target; any day of it may be entered, the first is kept. "
        "At most 10 years ago and 5 years ahead.",
    )
    amount = fields.Monetary(
        string="Target",
        required=True,
        tracking=True,
        help="Cash to collect in the month on the collector's cases.",
    )
    amount_collected = fields.Monetary(
        string="Collected",
        compute="_compute_achievement",
        help="Payments reconciled in the month on invoices of cases assigned to the "
        "collector (see Collector Performance).",
    )
    achievement = fields.Float(
        string="Achievement (%)",
        compute="_compute_achievement",
        help="Collected / Target x 100.",
    )
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("user_id", "company_id", "date", "amount")
    def _compute_achievement(self):
        collected = {}
        if self.ids:
            dates = [d for d in self.mapped("date") if d]
            rows = (
                self.env["collection.collector.performance"]
                .sudo()
                ._read_group(
                    [
                        ("user_id", "in", self.user_id.ids),
                        ("company_id", "in", self.company_id.ids),
                        ("date", ">=", min(dates)),
                        ("date", "<=", max(dates)),
                    ],
                    ["user_id", "company_id", "date:month"],
                    ["cash_collected:sum"],
                )
                if dates
                else []
            )
            collected = {
                (user.id, company.id, month.date() if hasattr(month, "date") else month): amount
                for user, company, month, amount in rows
            }
        for target in self:
            amount = collected.get((target.user_id.id, target.company_id.id, target.date), 0.0)
            target.amount_collected = amount
            target.achievement = amount / target.amount * 100 if target.amount else 0.0

    @api.depends("user_id", "date")
    def _compute_display_name(self):
        for target in self:
            month = target.date.strftime("%Y-%m") if target.date else ""
            target.display_name = f"{target.user_id.name or ''} {month}".strip()

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date")
    def _check_date(self):
        check_range(self, "date", *years_around(fields.Date.context_today(self)))

    @api.constrains("amount")
    def _check_amount(self):
        for target in self:
            if target.amount <= 0:
                raise ValidationError(
                    self.env._("A target must be a positive amount (got %s).", target.amount)
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._first_of_month(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._first_of_month(vals)
        return super().write(vals)

    @api.model
    def _first_of_month(self, vals):
        self._collection_check_input([vals])
        if vals.get("date"):
            vals["date"] = fields.Date.to_date(vals["date"]) + relativedelta(day=1)
