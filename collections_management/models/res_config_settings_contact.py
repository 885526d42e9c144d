from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_dispute_days = fields.Integer(
        related="company_id.collection_dispute_days", readonly=False
    )
    collection_optout_text = fields.Char(
        related="company_id.collection_optout_text", readonly=False
    )
    collection_weight_amount = fields.Float(
        related="company_id.collection_weight_amount", readonly=False
    )
    collection_weight_age = fields.Float(related="company_id.collection_weight_age", readonly=False)
    collection_weight_promise = fields.Float(
        related="company_id.collection_weight_promise", readonly=False
    )
    collection_weight_dispute = fields.Float(
        related="company_id.collection_weight_dispute", readonly=False
    )
    collection_weight_risk = fields.Float(
        related="company_id.collection_weight_risk", readonly=False
    )
