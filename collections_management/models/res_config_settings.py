from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collection_policy_id = fields.Many2one(
        related="company_id.collection_policy_id", readonly=False
    )
    collection_batch_size = fields.Integer(
        related="company_id.collection_batch_size", readonly=False
    )
    collection_min_overdue_amount = fields.Monetary(
        related="company_id.collection_min_overdue_amount", readonly=False
    )
