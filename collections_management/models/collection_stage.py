from odoo import api, fields, models

STAGE_TYPES = [
    ("open", "Open"),
    ("reminder", "Reminder"),
    ("contact", "Contact"),
    ("promise", "Promise"),
    ("plan", "Payment Plan"),
    ("dispute", "Dispute"),
    ("agency", "Agency"),
    ("legal", "Legal"),
    ("resolved", "Resolved"),
    ("written_off", "Written Off"),
]
# A case in a stage of these types is over: the debt is gone one way or another.
CLOSED_STAGE_TYPES = ("resolved", "written_off")


class CollectionStage(models.Model):
    _name = "collection.stage"
    _description = "Collection Stage"
    _inherit = ["collection.access.mixin"]
    _order = "sequence, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(
        string="Folded in Kanban",
        help="Folded stages are collapsed in the cases' kanban view.",
    )
    stage_type = fields.Selection(
        STAGE_TYPES,
        string="Type",
        required=True,
        default="open",
        help="What a case in this stage is about. The product moves cases by type: "
        "a paid debt goes to the first 'Resolved' stage, a new case to the first "
        "'Open' stage, a write-off to 'Written Off'.",
    )
    is_closed = fields.Boolean(
        compute="_compute_is_closed",
        store=True,
        help="Cases in a resolved or written-off stage are closed.",
    )
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to share the stage between all companies.",
    )
    active = fields.Boolean(default=True)

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("stage_type")
    def _compute_is_closed(self):
        for stage in self:
            stage.is_closed = stage.stage_type in CLOSED_STAGE_TYPES

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _get_stage_by_type(self, stage_type, company):
        """The first stage of a type visible to a company (its own before shared ones)."""
        stages = self.search(
            [("stage_type", "=", stage_type), ("company_id", "in", [company.id, False])]
        )
        return stages.sorted(lambda s: (not s.company_id, s.sequence, s.id))[:1]
