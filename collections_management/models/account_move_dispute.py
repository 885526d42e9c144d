from odoo import api, fields, models


class AccountMove(models.Model):
    """Disputes of an invoice; posting a dispute's credit note applies it to the invoice."""

    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_dispute_ids = fields.One2many(
        "collection.dispute", "move_id", string="Disputes", readonly=True
    )
    collection_amount_disputed = fields.Monetary(
        string="Disputed",
        compute="_compute_collection_amount_disputed",
        currency_field="company_currency_id",
        help="Amount contested in open disputes: follow-up leaves it alone.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("collection_dispute_ids.amount", "collection_dispute_ids.state")
    def _compute_collection_amount_disputed(self):
        totals = dict(
            self.env["collection.dispute"]._read_group(
                [("move_id", "in", self.ids), ("is_active", "=", True)],
                ["move_id"],
                ["amount:sum"],
            )
        )
        for move in self:
            move.collection_amount_disputed = totals.get(move, 0.0)

    # ------------------------------------------------------------------
    # CRUD / posting
    # ------------------------------------------------------------------
    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        disputes = self.env["collection.dispute"].search([("credit_note_id", "in", posted.ids)])
        for dispute in disputes:
            lines = (dispute.move_id | dispute.credit_note_id).line_ids.filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
            if len(lines.mapped("balance")) > 1 and lines.filtered(lambda x: x.balance < 0):
                lines.reconcile()
        return posted

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_collection_dispute(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a Dispute"),
            "res_model": "collection.dispute",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_id": self.id,
                "default_amount": self.amount_residual_signed,
            },
        }

    def action_view_collection_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_dispute_action"
        )
        action.update(domain=[("move_id", "=", self.id)], context={"default_move_id": self.id})
        return action
