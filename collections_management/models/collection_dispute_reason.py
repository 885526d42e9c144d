from odoo import fields, models


class CollectionDisputeReason(models.Model):
    _name = "collection.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short technical code, e.g. for reports and imports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True, help="What the collector should check for this kind of dispute."
    )

    _code_unique = models.UniqueIndex(
        "(code) WHERE code IS NOT NULL", "Two dispute reasons cannot share a code."
    )
