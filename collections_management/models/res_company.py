from odoo import api, fields, models

from ..tools import PERIOD_DAYS, check_range

BATCH_SIZE = (1, 10000)
# Months of payment history the payment behaviour reads: from one month to ten years.
HISTORY_MONTHS = (1, 120)
# Priority points per unit: a weight beyond this would drown every other factor.
WEIGHT = (-1000.0, 1000.0)


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
        "commits its progress. Smaller batches resume sooner after an interruption. "
        "From 1 to 10,000.",
    )
    collection_min_overdue_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="currency_id",
        default=0.0,
        help="A debtor whose overdue balance is below this amount gets no collection "
        "case and no follow-up.",
    )

    # ------------------------------------------------------------------
    # Disputes, contacts and the worklist score (settings)
    # ------------------------------------------------------------------
    collection_dispute_days = fields.Integer(
        string="Dispute Deadline (days)",
        default=14,
        help="Days a dispute owner has to resolve a dispute; after that it shows as overdue. "
        "From 0 to 365.",
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
    collection_weight_unlikely = fields.Float(
        string="Weight per Day Predicted Late",
        default=0.0,
        help="Priority points per day an open invoice of the case is predicted to be paid "
        "after its due date from the debtor's history (its latest; promises, plans and "
        "disputes aside): debtors unlikely to pay on their own first. Zero: not counted.",
    )
    collection_history_months = fields.Integer(
        string="Payment History (months)",
        default=24,
        help="Months of paid invoices the payment behaviour and the predictions read. "
        "From 1 to 120.",
    )

    # ------------------------------------------------------------------
    # Agencies, legal action and write-off
    # ------------------------------------------------------------------
    collection_bad_debt_account_id = fields.Many2one(
        "account.account",
        string="Bad Debt Expense Account",
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Write-offs debit this account and credit the debtor's receivable.",
    )
    collection_write_off_journal_id = fields.Many2one(
        "account.journal",
        string="Write-off Journal",
        domain="[('type', '=', 'general'), ('company_id', '=', id)]",
        help="Journal of the write-off entries. Empty: the first miscellaneous journal.",
    )
    collection_write_off_threshold = fields.Monetary(
        string="Write-off Approval Threshold",
        currency_field="currency_id",
        default=500.0,
        help="A write-off above this amount waits for a Collections Manager's approval; "
        "up to it, the collector of the case writes off directly.",
    )
    collection_commission_account_id = fields.Many2one(
        "account.account",
        string="Agency Commission Account",
        domain="[('account_type', 'in', ('expense', 'expense_other'))]",
        help="Expense account of the vendor bills for collection agencies' commission.",
    )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains(
        "collection_batch_size",
        "collection_dispute_days",
        "collection_min_overdue_amount",
        "collection_write_off_threshold",
        "collection_weight_amount",
        "collection_weight_age",
        "collection_weight_promise",
        "collection_weight_dispute",
        "collection_weight_risk",
        "collection_weight_unlikely",
        "collection_history_months",
    )
    def _check_collection_settings(self):
        check_range(self, "collection_batch_size", *BATCH_SIZE)
        check_range(self, "collection_dispute_days", *PERIOD_DAYS)
        check_range(self, "collection_min_overdue_amount", 0.0)
        check_range(self, "collection_write_off_threshold", 0.0)
        check_range(self, "collection_history_months", *HISTORY_MONTHS)
        for name in (
            "collection_weight_amount",
            "collection_weight_age",
            "collection_weight_promise",
            "collection_weight_dispute",
            "collection_weight_risk",
            "collection_weight_unlikely",
        ):
            check_range(self, name, *WEIGHT)
