from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionLevelFee(models.Model):
    """The dunning fee a follow-up level charges, in one currency."""

    _name = "collection.level.fee"
    _description = "Follow-up Level Fee"
    _inherit = ["collection.access.mixin"]
    _order = "level_id, currency_id"

    level_id = fields.Many2one("collection.level", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="level_id.company_id", store=True)
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="The fee applies to debtors whose overdue invoices are in this currency.",
    )
    amount = fields.Monetary(required=True, help="Zero or more, in the currency.")

    _one_fee_per_currency = models.Constraint(
        "UNIQUE(level_id, currency_id)", "A level has one fee per currency."
    )

    @api.constrains("amount")
    def _check_amount(self):
        for fee in self:
            if fee.currency_id.compare_amounts(fee.amount, 0) < 0:
                raise ValidationError(
                    self.env._(
                        "The fee of level %(level)s in %(currency)s cannot be negative.",
                        level=fee.level_id.name,
                        currency=fee.currency_id.name,
                    )
                )
