from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import COLLECTOR, requires_group


class CollectionStatementWizard(models.TransientModel):
    """Choose the period of a customer statement, then print it or send it."""

    _name = "collection.statement.wizard"
    _description = "Customer Statement"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    date_from = fields.Date(
        string="Payments From",
        required=True,
        default=lambda self: fields.Date.subtract(fields.Date.context_today(self), days=30),
        help="The statement lists the payments received from this day.",
    )
    date_to = fields.Date(
        string="Statement Date",
        required=True,
        default=fields.Date.context_today,
        help="Open items and their aging as of this day; payments received up to it.",
    )

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(
                    self.env._(
                        "The period of the statement starts after it ends: choose a start "
                        "date on or before the statement date."
                    )
                )

    def _period_context(self):
        self.ensure_one()
        return {
            "statement_date_from": fields.Date.to_string(self.date_from),
            "statement_date_to": fields.Date.to_string(self.date_to),
        }

    @requires_group(COLLECTOR, "read")
    def action_print(self):
        return self.partner_ids.with_context(
            **self._period_context()
        ).action_collection_statement_print()

    @requires_group(COLLECTOR, "read")
    def action_send(self):
        action = self.partner_ids.action_collection_statement_send()
        action["context"].update(self._period_context())
        return action
