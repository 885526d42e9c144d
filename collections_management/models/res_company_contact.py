from odoo import fields, models


class ResCompany(models.Model):
    """Settings of disputes, contacts and the worklist score."""

    _inherit = "res.company"

    collection_dispute_days = fields.Integer(
        string="Dispute Deadline (days)",
        default=14,
        help="Days a dispute owner has to resolve a dispute; after that it shows as overdue.",
    )
    collection_optout_text = fields.Char(
        string="Opt-out Line",
        translate=True,
        help="Added at the end of every collection email. Empty: a standard line "
        "inviting the debtor to reply STOP.",
    )
    collection_weight_amount = fields.Float(
        string="Weight per 1,000 Overdue",
        default=10.0,
        help="Priority points per 1,000 (company currency) of overdue debt.",
    )
    collection_weight_age = fields.Float(
        string="Weight per Day Overdue",
        default=1.0,
        help="Priority points per day since the oldest overdue due date.",
    )
    collection_weight_promise = fields.Float(
        string="Weight per Broken Promise",
        default=20.0,
        help="Priority points per broken promise to pay.",
    )
    collection_weight_dispute = fields.Float(
        string="Weight per Open Dispute",
        default=10.0,
        help="Priority points per open dispute (negative to work disputed cases later).",
    )
    collection_weight_risk = fields.Float(
        string="Weight of Credit Risk",
        default=30.0,
        help="Priority points when the debtor's debt exceeds its credit limit.",
    )
