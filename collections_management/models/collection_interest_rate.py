from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

# The reference rates the late-payment laws build on. Each row holds the rate in force
# for a half-year (from 1 January or 1 July to the end of that half-year), as the laws
# read it: the ECB's main refinancing rate on the first day of the half-year (EU,
# France), the Bundesbank's Basiszinssatz (Germany), the Bank of England's rate on the
# 31 December or 30 June before (United Kingdom).
REFERENCES = [
    ("ecb", "ECB Main Refinancing Rate"),
    ("de_base", "German Base Rate (Basiszinssatz)"),
    ("uk_base", "Bank of England Reference Rate"),
]


class LatePaymentLaw(NamedTuple):
    """How a late-payment law computes its interest and its fixed compensation.

    `margins`: points over the reference rate by debtor type (a type the law leaves out
    gets no interest); `floating`: the rate of each half-year applies to the days in it
    (else the rate of the half-year the interest starts in, for the life of the debt);
    `compensation`: (currency code, [(debt from, sum)...]) by debtor type."""

    label: str
    reference: str
    margins: dict
    floating: bool
    compensation: dict


EUR_40 = ("EUR", [(0.0, 40.0)])
LAWS = {
    # Directive 2011/7/EU, Art 2(6), 3(2)/4(2), 6: undertakings only.
    "eu": LatePaymentLaw(
        "EU Directive 2011/7", "ecb", {"business": 8.0}, True, {"business": EUR_40}
    ),
    # Late Payment of Commercial Debts (Interest) Act 1998, SI 2002/1675, s.5A.
    "uk": LatePaymentLaw(
        "UK Late Payment Act 1998",
        "uk_base",
        {"business": 8.0},
        False,
        {"business": ("GBP", [(0.0, 40.0), (1000.0, 70.0), (10000.0, 100.0)])},
    ),
    # BGB 288(1), (2), (5): +9 points between businesses, +5 with a consumer.
    "de": LatePaymentLaw(
        "Germany BGB 288", "de_base", {"business": 9.0, "consumer": 5.0}, True, {"business": EUR_40}
    ),
    # Code de commerce L441-10, D441-5: between professionals.
    "fr": LatePaymentLaw(
        "France L441-10 / D441-5", "ecb", {"business": 10.0}, True, {"business": EUR_40}
    ),
}
LAW_SELECTION = [(code, law.label) for code, law in LAWS.items()]
# BGB 288(2) before 29 July 2014 (EGBGB Art 229 § 34): +8 points between businesses.
DE_OLD_MARGIN = (date(2014, 7, 29), 8.0)


def half_year(day):
    """(first day, last day) of the half-year of `day`."""
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


class CollectionInterestRate(models.Model):
    _name = "collection.interest.rate"
    _description = "Late-Payment Reference Rate"
    _inherit = ["collection.access.mixin"]
    _order = "reference, date_from desc"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    reference = fields.Selection(REFERENCES, required=True, index=True)
    date_from = fields.Date(
        string="From",
        required=True,
        help="The first day the rate applies: 1 January or 1 July for a half-year.",
    )
    date_to = fields.Date(string="To", required=True, help="The last day the rate applies.")
    rate = fields.Float(
        string="Rate (%)",
        digits=(5, 2),
        required=True,
        help="Per year, in percent; may be negative (the German base rate was).",
    )
    note = fields.Char(string="Source", help="Where the figure comes from.")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("reference", "date_from", "date_to", "rate")
    def _compute_display_name(self):
        labels = dict(self._fields["reference"]._description_selection(self.env))
        for row in self:
            row.display_name = (
                f"{labels.get(row.reference, '')} {row.date_from} - {row.date_to}: {row.rate}%"
            )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("reference", "date_from", "date_to", "rate")
    def _check_period(self):
        for row in self:
            if row.date_to < row.date_from:
                raise ValidationError(self.env._("A reference rate cannot end before it starts."))
            if not -100 < row.rate < 100:
                raise ValidationError(
                    self.env._("A reference rate is a percentage between -100 and 100.")
                )
        self.flush_model()
        overlaps = self.env.execute_query(
            SQL(
                """
                SELECT row.id, other.id
                  FROM collection_interest_rate row
                  JOIN collection_interest_rate other
                    ON other.reference = row.reference AND other.id != row.id
                   AND other.date_from <= row.date_to AND other.date_to >= row.date_from
                 WHERE row.id IN %s
                 LIMIT 1
                """,
                tuple(self.ids),
            )
        )
        if overlaps:
            row, other = self.browse(overlaps[0])
            raise ValidationError(
                self.env._(
                    "The reference rate %(row)s overlaps %(other)s: each day has one rate. "
                    "Shorten or delete one of them.",
                    row=row.display_name,
                    other=other.display_name,
                )
            )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _rate_table(self, references, date_from, date_to):
        """{reference: [(date_from, date_to, rate)...]} of the rows that touch the
        dates, in one search."""
        rows = self.sudo().search(
            [
                ("reference", "in", list(references)),
                ("date_from", "<=", date_to),
                ("date_to", ">=", date_from),
            ],
            order="date_from",
        )
        table = {reference: [] for reference in references}
        for row in rows:
            table[row.reference].append((row.date_from, row.date_to, row.rate))
        return table

    @api.model
    def _reference_label(self, reference):
        return dict(self._fields["reference"]._description_selection(self.env))[reference]

    @api.model
    def _payments_by_invoice(self, invoices):
        """{invoice id: [(date, amount in the invoice's currency)...]}: what reconciled
        each invoice's receivable (payments, credit notes), by the day it was settled.
        One query."""
        if not invoices:
            return {}
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "display_type"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.move_id, partial.max_date, SUM(partial.debit_amount_currency)
                  FROM account_move_line line
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = line.id
                 WHERE line.move_id IN %s AND line.display_type = 'payment_term'
              GROUP BY line.move_id, partial.max_date
              ORDER BY partial.max_date
                """,
                tuple(invoices.ids),
            )
        )
        payments = defaultdict(list)
        for move_id, day, amount in rows:
            payments[move_id].append((day, amount))
        return payments

    @api.model
    def _accrue(self, invoices, until, policies, claimed_until=None, compensated=()):
        """Late-payment interest and fixed compensation of customer `invoices` up to
        `until` (payments made by then), under each debtor's policy (`policies`:
        {commercial partner id: policy}).

        Interest is simple, on the amount still unpaid each day, from the day after the
        due date (or after `claimed_until[invoice id]`, the last day already claimed)
        to the payment date or `until`; a period is cut at each half-year and at each
        payment. Compensation is due once per late invoice not in `compensated`.

        Returns ({invoice id: [line values]}, {invoice id: error}): an invoice whose
        rates are missing gets an error naming the half-year, and no line. Set-based:
        one query for the payments, one for the rates, whatever the invoices."""
        claimed_until = claimed_until or {}
        payments = self._payments_by_invoice(invoices)
        todo = []
        for invoice in invoices:
            policy = policies.get(invoice.commercial_partner_id.id)
            law = LAWS.get(policy.late_payment_law) if policy else None
            due = invoice.invoice_date_due
            if not law or not due or due >= until:
                continue
            todo.append((invoice, policy, law))
        if not todo:
            return {}, {}
        first_due = min(invoice.invoice_date_due for invoice, _p, _l in todo)
        table = self._rate_table({law.reference for _i, _p, law in todo}, first_due, until)
        lines, errors = {}, {}
        for invoice, policy, law in todo:
            try:
                lines[invoice.id] = self._invoice_lines(
                    invoice,
                    policy,
                    law,
                    table[law.reference],
                    payments.get(invoice.id, []),
                    until,
                    claimed_until.get(invoice.id),
                    invoice.id not in compensated,
                )
            except ValidationError as error:
                errors[invoice.id] = error.args[0]
        return {key: value for key, value in lines.items() if value}, errors

    def _invoice_lines(self, invoice, policy, law, rows, payments, until, claimed, compensate):
        """The interest periods and the compensation of one invoice (no query: the
        rates and payments are given; currency conversion only for a compensation in
        another currency)."""
        currency = invoice.currency_id
        total = invoice.amount_total
        due = invoice.invoice_date_due
        paid_on = None
        paid = 0.0
        for day, amount in payments:
            paid += amount
            if currency.compare_amounts(paid, total) >= 0:
                paid_on = day
                break
        last_day = min(paid_on, until) if paid_on else until
        if last_day <= due:
            return []  # paid on time
        margin = law.margins.get(policy.debtor_type)
        if margin is not None and law.reference == "de_base" and policy.debtor_type == "business":
            if (invoice.invoice_date or due) < DE_OLD_MARGIN[0]:
                margin = DE_OLD_MARGIN[1]
        result = []
        start = max(due, claimed or due) + timedelta(days=1)
        if margin is not None and start <= last_day:
            fixed = None if law.floating else self._rate_on(rows, due + timedelta(days=1), law)
            cuts = {day + timedelta(days=1) for day, _amount in payments if start <= day < last_day}
            day = half_year(start)[1] + timedelta(days=1)
            while day <= last_day:
                cuts.add(day)
                day = half_year(day)[1] + timedelta(days=1)
            bounds = sorted({start, *cuts})
            ends = [next_start - timedelta(days=1) for next_start in bounds[1:]] + [last_day]
            for seg_start, seg_end in zip(bounds, ends, strict=True):
                base = total - sum(amount for day, amount in payments if day < seg_start)
                if currency.compare_amounts(base, 0) <= 0:
                    continue
                rate = (
                    fixed if fixed is not None else self._rate_on(rows, seg_start, law)
                ) + margin
                days = (seg_end - seg_start).days + 1
                year_days = 366 if policy.interest_leap_years and _is_leap(seg_start.year) else 365
                amount = currency.round(max(base * rate / 100 * days / year_days, 0.0))
                result.append(
                    {
                        "move_id": invoice.id,
                        "kind": "interest",
                        "date_from": seg_start,
                        "date_to": seg_end,
                        "days": days,
                        "base_amount": base,
                        "rate": rate,
                        "amount": amount,
                    }
                )
        rule = law.compensation.get(policy.debtor_type)
        if rule and compensate:
            result.append(
                {
                    "move_id": invoice.id,
                    "kind": "compensation",
                    "date_from": due + timedelta(days=1),
                    "date_to": last_day,
                    "days": (last_day - due).days,
                    "base_amount": total,
                    "rate": 0.0,
                    "amount": self._compensation(invoice, rule),
                }
            )
        return result

    def _rate_on(self, rows, day, law):
        for date_from, date_to, rate in rows:
            if date_from <= day <= date_to:
                return rate
        first, last = half_year(day)
        raise ValidationError(
            self.env._(
                "No %(reference)s for %(first)s to %(last)s (%(law)s): add it under "
                "Collections > Configuration > Reference Rates. Nothing was billed.",
                reference=self._reference_label(law.reference),
                first=format_date(self.env, first),
                last=format_date(self.env, last),
                law=law.label,
            )
        )

    def _compensation(self, invoice, rule):
        """The fixed sum of the band of the invoice's amount, in its currency."""
        code, bands = rule
        currency = invoice.currency_id
        other = (
            currency
            if currency.name == code
            else self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", code)], limit=1)
        )
        day = invoice.invoice_date_due
        debt = currency._convert(invoice.amount_total, other, invoice.company_id, day)
        fixed = 0.0
        for threshold, amount in bands:
            if other.compare_amounts(debt, threshold) >= 0:
                fixed = amount
        return other._convert(fixed, currency, invoice.company_id, day)


def _is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
