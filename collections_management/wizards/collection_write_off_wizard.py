from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..tools import COLLECTOR, MANAGER, requires_group


class CollectionWriteOffWizard(models.TransientModel):
    _name = "collection.write.off.wizard"
    _description = "Write Off Invoices"

    case_id = fields.Many2one("collection.case", required=True, readonly=True)
    company_id = fields.Many2one(related="case_id.company_id")
    currency_id = fields.Many2one(related="case_id.currency_id")
    available_move_ids = fields.Many2many(
        "account.move", compute="_compute_available_move_ids", string="Open Invoices"
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('id', 'in', available_move_ids)]",
        help="The invoices whose whole remaining balance is written off.",
    )
    amount = fields.Monetary(compute="_compute_amount", string="Amount to Write Off")
    threshold = fields.Monetary(related="case_id.company_id.collection_write_off_threshold")
    needs_approval = fields.Boolean(compute="_compute_amount")
    reason = fields.Text(required=True, help="Why this debt cannot be collected.")

    @api.depends("case_id")
    def _compute_available_move_ids(self):
        for wizard in self:
            partner = wizard.case_id.partner_id
            wizard.available_move_ids = (
                self.env["account.move"].search(
                    [
                        ("commercial_partner_id", "=", partner.id),
                        ("company_id", "=", wizard.case_id.company_id.id),
                        ("move_type", "in", ("out_invoice", "out_receipt")),
                        ("state", "=", "posted"),
                        ("amount_residual", ">", 0),
                    ]
                )
                if partner
                else False
            )

    @api.depends("move_ids", "case_id")
    def _compute_amount(self):
        is_manager = self.env.user.has_group(MANAGER)
        for wizard in self:
            wizard.amount = sum(wizard.move_ids.mapped("amount_residual_signed"))
            wizard.needs_approval = (
                not is_manager
                and wizard.currency_id.compare_amounts(wizard.amount, wizard.threshold) > 0
            )

    @requires_group(COLLECTOR)
    def action_confirm(self):
        self.ensure_one()
        if not self.move_ids:
            raise UserError(self.env._("Choose the invoices to write off."))
        if not self.reason or not self.reason.strip():
            raise UserError(self.env._("Give the reason of the write-off."))
        write_off = self.env["collection.write.off"].create(
            {
                "case_id": self.case_id.id,
                "move_ids": [Command.set(self.move_ids.ids)],
                "reason": self.reason,
            }
        )
        write_off._submit()
        return write_off._get_records_action(context={})
