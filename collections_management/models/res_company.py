from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_policy_id = fields.Many2one(
        "collection.policy",
        string="Default Collection Policy",
        domain="[('company_id', '=', id)]",
        help="The follow-up policy of debtors that have none of their own.",
    )
    collection_batch_size = fields.Integer(
        string="Follow-up Batch Size",
        default=500,
        help="How many debtors the follow-up run processes per batch before it "
        "commits its progress. Smaller batches resume sooner after an interruption.",
    )
    collection_min_overdue_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="currency_id",
        default=0.0,
        help="A debtor whose overdue balance is below this amount gets no collection "
        "case and no follow-up.",
    )
