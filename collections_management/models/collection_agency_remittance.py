from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import check_range, requires_group, years_around


class CollectionAgencyRemittance(models.Model):
    """Money an agency reports it collected from the debtor of a placement.

    Counting rule: the gross amount of a remittance is what was recovered through the
    agency. When the accountant records that money as a payment on the placed invoices
    (button "Register Payment" here, or by linking the entry in "Recorded As"), the
    payment is NOT counted again among the debtor's direct payments to the company."""

    _name = "collection.agency.remittance"
    _description = "Agency Remittance"
    _inherit = ["collection.access.mixin", "mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # worked out from the amount, its basis and the placement's commission rate
    _system_fields = ("amount_gross", "amount_commission", "amount_to_receive")

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    placement_id = fields.Many2one(
        "collection.agency.placement",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="placement_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="placement_id.currency_id")
    agency_id = fields.Many2one(related="placement_id.agency_id", store=True)
    partner_id = fields.Many2one(related="placement_id.partner_id", string="Debtor", store=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="At most 10 years ago and a year ahead.",
    )
    amount = fields.Monetary(
        required=True, tracking=True, help="The amount the agency reports, as it reports it."
    )
    basis = fields.Selection(
        [("gross", "Gross (commission not deducted)"), ("net", "Net of commission")],
        required=True,
        default="gross",
        tracking=True,
        help="Net: the agency kept its commission and paid over the rest; the amount "
        "collected from the debtor is worked out from the commission rate.",
    )
    amount_gross = fields.Monetary(
        string="Collected from Debtor",
        compute="_compute_amount_gross",
        store=True,
        help="What the agency collected from the debtor, before its commission.",
    )
    amount_commission = fields.Monetary(
        string="Commission", compute="_compute_amount_gross", store=True
    )
    amount_to_receive = fields.Monetary(
        string="Paid Over to Us",
        compute="_compute_amount_gross",
        store=True,
        help="What reaches the company's bank: the net amount, or the gross amount when "
        "the commission is billed separately.",
    )
    payment_move_id = fields.Many2one(
        "account.move",
        string="Recorded As",
        check_company=True,
        copy=False,
        index="btree_not_null",
        domain="[('state', '=', 'posted'), ('origin_payment_id', '!=', False)]",
        help="The payment entry that records this money on the placed invoices: it is "
        "counted once, as this remittance, not as a payment of the debtor.",
    )
    reference = fields.Char(help="The agency's reference of this remittance.")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("amount", "basis", "placement_id.commission_rate")
    def _compute_amount_gross(self):
        for remittance in self:
            rate = remittance.placement_id.commission_rate / 100.0
            currency = remittance.currency_id
            if remittance.basis == "net":
                gross = currency.round(remittance.amount / (1.0 - rate)) if rate < 1 else 0.0
                commission = gross - remittance.amount
            else:
                gross = remittance.amount
                commission = currency.round(gross * rate)
            remittance.amount_gross = gross
            remittance.amount_commission = commission
            remittance.amount_to_receive = remittance.amount

    @api.depends("placement_id", "date", "amount")
    def _compute_display_name(self):
        for remittance in self:
            remittance.display_name = (
                f"{remittance.placement_id.name or ''} "
                f"{fields.Date.to_string(remittance.date) or ''}"
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date")
    def _check_date(self):
        check_range(self, "date", *years_around(fields.Date.context_today(self), ahead=1))

    @api.constrains("amount")
    def _check_amount(self):
        for remittance in self:
            if remittance.currency_id.compare_amounts(remittance.amount, 0) <= 0:
                raise ValidationError(self.env._("A remittance amount must be positive."))

    @api.constrains("payment_move_id")
    def _check_payment_move(self):
        for remittance in self.filtered("payment_move_id"):
            others = self.search_count(
                [
                    ("payment_move_id", "=", remittance.payment_move_id.id),
                    ("id", "!=", remittance.id),
                ]
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Payment %s already records another remittance.",
                        remittance.payment_move_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        remittances = super().create(vals_list)
        recalled = remittances.placement_id.filtered(lambda p: p.state == "recalled")
        if recalled:
            raise UserError(
                self.env._(
                    "Placement %s is recalled: the agency no longer collects on it.",
                    recalled[0].name,
                )
            )
        bases = dict(self._fields["basis"].selection)
        self.env["collection.case"]._log_messages(
            [
                (
                    remittance.placement_id,
                    self.env._(
                        "Remittance from %(agency)s: %(amount)s (%(basis)s), %(gross)s "
                        "collected from the debtor, commission %(commission)s.",
                        agency=remittance.agency_id.name,
                        amount=remittance.currency_id.format(remittance.amount),
                        basis=bases[remittance.basis],
                        gross=remittance.currency_id.format(remittance.amount_gross),
                        commission=remittance.currency_id.format(remittance.amount_commission),
                    ),
                )
                for remittance in remittances
            ]
        )
        return remittances

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group("account.group_account_invoice")
    def action_register_payment(self):
        """Record the money collected on the placed invoices (gross: the debtor's debt
        goes down by all it paid the agency) and link the payment to this remittance,
        so that it is counted once."""
        self.ensure_one()
        if self.payment_move_id:
            raise UserError(self.env._("This remittance is already recorded as a payment."))
        invoices = self.placement_id.move_ids.filtered(lambda m: m.amount_residual > 0)
        if not invoices:
            raise UserError(self.env._("The placed invoices have nothing left to pay."))
        amount = min(self.amount_gross, sum(invoices.mapped("amount_residual")))
        payments = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "amount": amount,
                    "payment_date": self.date,
                    "group_payment": True,
                    "communication": self.env._(
                        "Agency remittance %(placement)s %(reference)s",
                        placement=self.placement_id.name,
                        reference=self.reference or "",
                    ),
                }
            )
            ._create_payments()
        )
        self.payment_move_id = payments[:1].move_id
        return True
