from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import MANAGER, requires_group


class CollectionCaseReassign(models.TransientModel):
    _name = "collection.case.reassign"
    _description = "Reassign Collection Cases"

    case_ids = fields.Many2many("collection.case", string="Cases", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="New Collector",
        domain=lambda self: self.env["res.users"]._collector_domain(),
        help="Leave empty to unassign the cases.",
    )
    reason = fields.Char(help="Logged in the chatter of each case.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "collection.case":
            values["case_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    @requires_group(MANAGER)
    def action_reassign(self):
        self.ensure_one()
        if not self.case_ids:
            raise UserError(self.env._("Select the cases to reassign."))
        self.case_ids.user_id = self.user_id
        if self.reason:
            self.env["collection.case"]._log_messages(
                {case: self.env._("Reassigned: %s", self.reason) for case in self.case_ids}
            )
        return {"type": "ir.actions.act_window_close"}
