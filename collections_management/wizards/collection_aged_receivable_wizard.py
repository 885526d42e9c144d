from odoo import fields, models

from ..tools import COLLECTOR, requires_group


class CollectionAgedReceivableWizard(models.TransientModel):
    _name = "collection.aged.receivable.wizard"
    _description = "Aged Receivables at a Date"

    date = fields.Date(
        string="Aging Date",
        required=True,
        default=fields.Date.context_today,
        help="Buckets are counted from this date; an earlier date rebuilds what was open "
        "then (later entries left out, later payments added back).",
    )

    @requires_group(COLLECTOR, "read")
    def action_open(self):
        self.ensure_one()
        return self.env["collection.aged.receivable"]._action_at_date(self.date)
