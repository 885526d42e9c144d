from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .collection_aged_receivable import AGING_BUCKETS


class CollectionStatementReport(models.AbstractModel):
    """Values of the customer statement: open items, aging summary and the payments
    received in the period, for every debtor printed, in a few queries in all."""

    _name = "report.collections_management.report_collection_statement"
    _description = "Customer Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        company = self.env.company
        date_to, date_from = self._statement_period(data)
        statements = self._statement_data(partners, company, date_from, date_to)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "currency": company.currency_id,
            "date_from": date_from,
            "date_to": date_to,
            "statements": statements,
            "buckets": [(key, label) for key, label, _low, _high in AGING_BUCKETS],
        }

    @api.model
    def _statement_period(self, data):
        context = {**self.env.context, **((data or {}).get("context") or {})}
        date_to = fields.Date.to_date(
            context.get("statement_date_to")
        ) or fields.Date.context_today(self)
        date_from = fields.Date.to_date(context.get("statement_date_from")) or (
            date_to - relativedelta(days=30)
        )
        return date_to, date_from

    @api.model
    def _statement_data(self, partners, company, date_from, date_to):
        """{partner id: {items, aging, total, payments, payments_total}}"""
        debtor_of = {partner.id: partner.commercial_partner_id.id for partner in partners}
        debtors = partners.commercial_partner_id
        # sudo: ir.actions.report checked that the caller may print these debtors'
        # statements (the report's group, the partners, the debtor's case); the open
        # items and payments are then the debtor's whole account, whoever follows
        # which invoice, and the aging's per-collector rule must not cut them.
        Aging = self.env["collection.aged.receivable"].sudo().with_context(aging_date=date_to)
        domain = [("partner_id", "in", debtors.ids), ("company_id", "=", company.id)]
        items = defaultdict(lambda: Aging.browse())
        for item in Aging.search(domain, order="date_maturity, id"):
            items[item.partner_id.id] |= item
        aging = defaultdict(dict)
        for debtor, bucket, amount in Aging._read_group(
            domain, ["partner_id", "bucket"], ["amount_residual:sum"]
        ):
            aging[debtor.id][bucket] = amount
        # sudo: as above, the debtor's payments on a statement it is entitled to.
        payment_lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                Domain("partner_id", "child_of", debtors.ids)
                & Domain("company_id", "=", company.id)
                & Domain("account_type", "=", "asset_receivable")
                & Domain("parent_state", "=", "posted")
                & Domain("date", ">=", date_from)
                & Domain("date", "<=", date_to)
                & Domain("balance", "<", 0)
                & (
                    Domain("move_id.origin_payment_id", "!=", False)
                    | Domain("move_id.statement_line_id", "!=", False)
                ),
                order="date, id",
            )
        )
        payments = defaultdict(lambda: payment_lines.browse())
        for line in payment_lines:
            payments[line.partner_id.commercial_partner_id.id] |= line
        interest = self._statement_interest(debtors, company, date_to)
        result = {}
        for partner_id, debtor_id in debtor_of.items():
            result[partner_id] = {
                "items": items[debtor_id],
                "aging": aging[debtor_id],
                "total": sum(aging[debtor_id].values()),
                "payments": payments[debtor_id],
                "payments_total": -sum(payments[debtor_id].mapped("balance")),
                **interest[debtor_id],
            }
        return result

    @api.model
    def _statement_interest(self, debtors, company, date_to):
        """{debtor id: {claims, interest_accrued}}: the late-payment interest claims
        billed up to the statement date, and what accrued since and is not claimed yet
        (in the company's currency), for all the debtors at once."""
        # sudo: as above, the debtor's own claims on a statement it is entitled to.
        Claim = self.env["collection.interest.claim"].sudo()
        claims = Claim.search(
            [
                ("partner_id", "in", debtors.ids),
                ("company_id", "=", company.id),
                ("state", "=", "billed"),
                ("date", "<=", date_to),
            ],
            order="date, id",
        )
        cases = (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", debtors.ids),
                    ("company_id", "=", company.id),
                    ("is_open", "=", True),
                ]
            )
        )
        lines, _errors = Claim._accrued_lines(cases, date_to) if cases else ({}, {})
        moves = (
            self.env["account.move"]
            .sudo()
            .browse({vals["move_id"] for values in lines.values() for vals in values})
        )
        result = defaultdict(lambda: {"claims": claims.browse(), "interest_accrued": 0.0})
        for claim in claims:
            result[claim.partner_id.id]["claims"] |= claim
        for case, values in lines.items():
            result[case.partner_id.id]["interest_accrued"] += sum(
                moves.browse(vals["move_id"]).currency_id._convert(
                    vals["amount"], company.currency_id, company, date_to
                )
                for vals in values
            )
        return result
