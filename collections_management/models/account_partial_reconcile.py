from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._collection_sync_debtors()
        partials._collection_evaluate_credit_holds()
        return partials

    def _collection_sync_debtors(self):
        """A payment may settle a debtor's overdue debt: close its case right away.

        One sync per company for all debtors touched by these reconciliations."""
        receivable = self.debit_move_id.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        if not receivable:
            return
        cases = self.env["collection.case"].sudo()
        open_debtors = cases.search(
            [
                ("partner_id", "in", receivable.move_id.commercial_partner_id.ids),
                ("is_open", "=", True),
            ]
        )
        for company, debtor_cases in open_debtors.grouped("company_id").items():
            cases.with_company(company)._sync_cases(company, debtor_cases.partner_id)

    def _collection_evaluate_credit_holds(self):
        """A payment may remove a credit hold's cause (or a reconciliation add one):
        evaluate the holds of the debtors it touches, once per company."""
        receivable = (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        Hold = self.env["collection.credit.hold"].sudo()
        for company, lines in receivable.grouped("company_id").items():
            Hold.with_company(company)._evaluate(company, lines.partner_id.commercial_partner_id)
