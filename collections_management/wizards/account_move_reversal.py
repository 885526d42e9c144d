from odoo import fields, models

from ..tools import COLLECTOR, check_group


class AccountMoveReversal(models.TransientModel):
    """Odoo's reversal, used to settle a dispute with a credit note of its amount."""

    _inherit = "account.move.reversal"

    collection_dispute_id = fields.Many2one(
        "collection.dispute",
        string="Dispute",
        readonly=True,
        help="The credit note is reduced to this dispute's amount and settles it.",
    )
    collection_dispute_amount = fields.Monetary(
        related="collection_dispute_id.amount", string="Disputed Amount"
    )

    def reverse_moves(self, is_modify=False):
        dispute = self.collection_dispute_id
        if dispute:
            # the credit note resolves the dispute: the user must be able to resolve it
            check_group(self.env, COLLECTOR)
            dispute.check_access("write")
            dispute._check_resolvable()
        action = super().reverse_moves(is_modify=is_modify)
        if dispute:
            credit_note = self.new_move_ids.filtered(
                lambda m: m.reversed_entry_id == dispute.move_id
            )
            dispute._apply_credit_note(credit_note[:1])
        return action
