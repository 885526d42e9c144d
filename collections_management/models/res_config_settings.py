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

    # Agencies, legal action and write-off
    collection_bad_debt_account_id = fields.Many2one(
        related="company_id.collection_bad_debt_account_id", readonly=False
    )
    collection_write_off_journal_id = fields.Many2one(
        related="company_id.collection_write_off_journal_id", readonly=False
    )
    collection_write_off_threshold = fields.Monetary(
        related="company_id.collection_write_off_threshold", readonly=False
    )
    collection_commission_account_id = fields.Many2one(
        related="company_id.collection_commission_account_id", readonly=False
    )

    # ------------------------------------------------------------------
    # Disputes, contacts and the worklist score
    # ------------------------------------------------------------------
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
    collection_weight_unlikely = fields.Float(
        related="company_id.collection_weight_unlikely", readonly=False
    )
    collection_history_months = fields.Integer(
        related="company_id.collection_history_months", readonly=False
    )
