from odoo import api, fields, models

from ..tools import GRACE_DAYS, INSTALMENTS, PLAN_YEARS, check_range, clamp, shift, years_around

# The last instalment: the first at most PLAN_YEARS ahead, then monthly at most.
LATEST_YEARS = PLAN_YEARS + INSTALMENTS[1] // 12


class CollectionPaymentPlanLine(models.Model):
    _name = "collection.payment.plan.line"
    _description = "Payment Plan Instalment"
    _inherit = ["collection.access.mixin"]
    _order = "plan_id, date_due, sequence, id"
    _check_company_auto = True
    # what the monitoring of the plan's payments allocates and judges
    _system_fields = ("amount_paid", "state")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    plan_id = fields.Many2one(
        "collection.payment.plan",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    is_down_payment = fields.Boolean(string="Down Payment")
    date_due = fields.Date(
        string="Due Date",
        required=True,
        help="At most 10 years ago and 15 years ahead (the first instalment up to 5 "
        "years ahead, then up to 120 instalments).",
    )
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(
        readonly=True,
        copy=False,
        help="Share of the payments received allocated to this instalment, oldest "
        "instalment first.",
    )
    state = fields.Selection(
        [
            ("pending", "To Pay"),
            ("partial", "Partially Paid"),
            ("paid", "Paid"),
            ("late", "Late"),
            ("missed", "Missed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        help="Late: past its due date but within the plan's grace days. Missed: unpaid "
        "after the grace days, which breaches the plan.",
    )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date_due")
    def _check_date_due(self):
        check_range(
            self, "date_due", *years_around(fields.Date.context_today(self), ahead=LATEST_YEARS)
        )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.plan_id._check_draft()
        return lines

    def write(self, vals):
        if {"amount", "date_due", "plan_id"} & set(vals):
            self.plan_id._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        self.plan_id._check_draft()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _state_for(self, allocated, today, grace_days):
        """The state of this instalment with `allocated` paid on it, as of `today`."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(allocated, self.amount) >= 0:
            return "paid"
        if today > shift(self.date_due, days=clamp(grace_days, GRACE_DAYS)):
            return "missed"
        if today > self.date_due:
            return "late"
        return "partial" if not currency.is_zero(allocated) else "pending"
