from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_credit_warning = fields.Text(
        string="Credit Control",
        compute="_compute_collection_credit_warning",
        help="Why the customer's new orders are warned about or refused: a credit hold "
        "in force, or an exposure that this order would take above the credit limit.",
    )
    collection_credit_blocked = fields.Boolean(compute="_compute_collection_credit_warning")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("partner_id", "partner_invoice_id", "company_id", "state", "amount_total")
    def _compute_collection_credit_warning(self):
        self.collection_credit_warning = False
        self.collection_credit_blocked = False
        for order, (mode, reasons) in self._collection_credit_check().items():
            order.collection_credit_warning = "\n".join(reasons)
            order.collection_credit_blocked = mode == "block"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _collection_credit_debtor(self):
        return (
            self.partner_invoice_id.commercial_partner_id or self.partner_id.commercial_partner_id
        )

    def _collection_credit_check(self):
        """{quotation: (mode, [reasons])} for those of these quotations whose customer is
        on credit hold or would pass its credit limit with the order. A few queries
        per company, whatever the number of orders."""
        result = {}
        quotations = self.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id)
        for company, orders in quotations.grouped("company_id").items():
            debtors = orders.partner_invoice_id.commercial_partner_id.sudo()
            debtors |= orders.partner_id.commercial_partner_id.sudo()
            state = debtors._collection_credit_state(company)
            modes = debtors._collection_credit_modes(company)
            for order in orders:
                debtor = order._collection_credit_debtor().sudo()
                amount = order.amount_total / (order.currency_rate or 1.0)
                reasons = debtor._collection_credit_messages(state, company, amount)
                if reasons:
                    result[order] = (modes[debtor], reasons)
        return result

    def _collection_credit_refusals(self):
        return {
            order: reasons
            for order, (mode, reasons) in self._collection_credit_check().items()
            if mode == "block"
        }

    def _collection_credit_override(self, reason):
        """Confirm with an override: the reason is logged on the order and its customer."""
        return self.with_context(collection_credit_override_reason=reason).action_confirm()

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_confirm(self):
        refusals = self._collection_credit_refusals()
        if refusals:
            Override = self.env["collection.credit.override"]
            reason = self.env.context.get("collection_credit_override_reason")
            if reason is not None:
                Override._log_override(refusals, reason)
            elif Override._may_override():
                return Override._action_open(refusals)
            else:
                order = next(iter(refusals))
                raise UserError(
                    self.env._(
                        "%(order)s cannot be confirmed:\n%(reasons)s\n%(who)s",
                        order=order.name,
                        reasons="\n".join(refusals[order]),
                        who=order._collection_credit_debtor()
                        .sudo()
                        ._collection_credit_release_message(order.company_id),
                    )
                )
        return super().action_confirm()
