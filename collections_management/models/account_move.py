from odoo import api, fields, models
from odoo.fields import Domain


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_case_id = fields.Many2one(
        "collection.case",
        string="Collection Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The collection case that covers this invoice since it became overdue.",
    )
    collection_stage_id = fields.Many2one(
        related="collection_case_id.stage_id", string="Collection Stage"
    )
    collection_level_id = fields.Many2one(
        "collection.level",
        string="Follow-up Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The last follow-up level this invoice reached; no level is ever sent twice.",
    )
    collection_level_date = fields.Date(string="Follow-up Date", readonly=True, copy=False)
    collection_hold_ids = fields.One2many("collection.hold", "move_id", string="Holds")
    collection_on_hold = fields.Boolean(
        string="On Hold",
        compute="_compute_collection_on_hold",
        search="_search_collection_on_hold",
        help="Excluded from follow-up by a hold in force on this invoice or its debtor.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.model
    def _held_domain(self):
        """Invoices held themselves, or whose debtor is held, as of today."""
        in_force = [("is_active", "=", True)]
        return Domain("collection_hold_ids", "any", in_force) | Domain(
            "commercial_partner_id.collection_hold_ids",
            "any",
            [*in_force, ("scope", "=", "debtor")],
        )

    def _compute_collection_on_hold(self):
        held = self.filtered_domain(self._held_domain()) if self.ids else self.browse()
        for move in self:
            move.collection_on_hold = move in held

    def _search_collection_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        domain = self._held_domain()
        return domain if True in value else ~domain

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_collection_hold(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put on Hold"),
            "res_model": "collection.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_scope": "invoice",
                "default_move_id": self.id,
                "default_company_id": self.company_id.id,
            },
        }
