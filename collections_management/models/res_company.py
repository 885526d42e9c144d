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

    # ------------------------------------------------------------------
    # Agencies, legal action and write-off (issue 7)
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
