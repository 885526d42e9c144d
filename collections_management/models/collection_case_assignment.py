from odoo import api, fields, models


class CollectionCaseAssignment(models.Model):
    """Who was the collector of a case from when: one row each time the case's
    collector is set (an empty collector: the case was unassigned). Written by the
    system only; the aging at a past date reads the collector of that date from it."""

    _name = "collection.case.assignment"
    _description = "Collection Case Assignment"
    _inherit = ["collection.access.mixin"]
    _order = "date_from desc, id desc"
    _rec_name = "case_id"
    _system_fields = ("case_id", "user_id", "date_from")

    case_id = fields.Many2one(
        "collection.case", string="Case", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Collector", index=True, ondelete="set null")
    date_from = fields.Date(
        string="From",
        required=True,
        default=fields.Date.context_today,
        help="The day the collector took over the case.",
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True, index=True)

    @api.model
    def _record(self, cases):
        """Record the current collector of `cases` as of today: one create for all."""
        if not cases:
            return self.browse()
        today = fields.Date.context_today(self)
        return self.sudo().create(
            [{"case_id": case.id, "user_id": case.user_id.id, "date_from": today} for case in cases]
        )
