from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


class InterestCommon(CollectionsCommon):
    """Debtors in euro and pound invoices, the policy under German law by default."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("1900-01-01", 1.0)])
        cls.gbp = cls.setup_other_currency("GBP", rates=[("1900-01-01", 1.0)])
        cls.policy.late_payment_law = "de"
        cls.Rate = cls.env["collection.interest.rate"]
        cls.Claim = cls.env["collection.interest.claim"]

    def invoice(self, amount, due, currency=None, partner=None):
        invoice = self.create_invoice(partner or self.debtor, amount, due, post=False)
        invoice.currency_id = currency or self.eur
        invoice.action_post()
        self.assertEqual(invoice.currency_id, currency or self.eur)
        return invoice

    def accrue(self, invoices, until, policy=None, **kwargs):
        """{invoice: [(kind, from, to, days, base, rate, amount)...]}, {invoice id: error}."""
        policy = policy or self.policy
        lines, errors = self.Rate._accrue(
            invoices,
            fields.Date.to_date(until),
            {invoice.commercial_partner_id.id: policy for invoice in invoices},
            **kwargs,
        )
        return {
            invoices.browse(move_id): [
                (
                    v["kind"],
                    str(v["date_from"]),
                    str(v["date_to"]),
                    v["days"],
                    v["base_amount"],
                    round(v["rate"], 2),
                    v["amount"],
                )
                for v in values
            ]
            for move_id, values in lines.items()
        }, errors

    def case_of(self, partner):
        self.env["collection.case"]._sync_cases(self.company)
        return self.env["collection.case"].search(
            [("partner_id", "=", partner.id), ("is_open", "=", True)]
        )


@tagged("post_install", "-at_install")
class TestInterestComputation(InterestCommon):
    def test_germany_business_split_at_1_july(self):
        invoice = self.invoice(1000, "2026-06-15")
        lines, errors = self.accrue(invoice, "2026-07-20")
        self.assertFalse(errors)
        self.assertEqual(
            lines[invoice],
            [
                ("interest", "2026-06-16", "2026-06-30", 15, 1000.0, 10.27, 4.22),
                ("interest", "2026-07-01", "2026-07-20", 20, 1000.0, 10.52, 5.76),
                ("compensation", "2026-06-16", "2026-07-20", 35, 1000.0, 0.0, 40.0),
            ],
        )

    def test_france_split_at_1_july(self):
        self.policy.late_payment_law = "fr"
        invoice = self.invoice(1000, "2026-06-15")
        lines, _errors = self.accrue(invoice, "2026-07-20")
        self.assertEqual(
            [line[5:] for line in lines[invoice]], [(12.15, 4.99), (12.4, 6.79), (0.0, 40.0)]
        )

    def test_uk_rate_fixed_from_the_start_of_the_debt(self):
        """Interest starting in 2025-H2 keeps 8 + 4.25 in 2026 (when the reference is
        3.75); the sum is that of the 1,000 to 10,000 band."""
        self.policy.late_payment_law = "uk"
        invoice = self.invoice(1500, "2025-12-20", currency=self.gbp)
        lines, _errors = self.accrue(invoice, "2026-02-28")
        self.assertEqual(
            lines[invoice],
            [
                ("interest", "2025-12-21", "2025-12-31", 11, 1500.0, 12.25, 5.54),
                ("interest", "2026-01-01", "2026-02-28", 59, 1500.0, 12.25, 29.7),
                ("compensation", "2025-12-21", "2026-02-28", 70, 1500.0, 0.0, 70.0),
            ],
        )

    def test_uk_fixed_sum_bands(self):
        self.policy.late_payment_law = "uk"
        expected = {999.99: 40.0, 1000: 70.0, 9999.99: 70.0, 10000: 100.0}
        invoices = {amount: self.invoice(amount, "2026-01-10", self.gbp) for amount in expected}
        lines, _errors = self.accrue(
            self.env["account.move"].union(*invoices.values()), "2026-01-20"
        )
        for amount, fixed in expected.items():
            self.assertEqual(lines[invoices[amount]][-1][-1], fixed, amount)

    def test_business_against_consumer(self):
        invoice = self.invoice(1000, "2026-01-31")
        self.policy.debtor_type = "consumer"
        lines, _errors = self.accrue(invoice, "2026-02-10")
        # Germany: base rate + 5 points with a consumer, no fixed sum
        self.assertEqual(
            lines[invoice], [("interest", "2026-02-01", "2026-02-10", 10, 1000.0, 6.27, 1.72)]
        )
        for law in ("eu", "fr", "uk"):
            self.policy.late_payment_law = law
            lines, _errors = self.accrue(invoice, "2026-02-10")
            self.assertFalse(lines, f"{law}: consumers owe no statutory interest")

    def test_partial_payment_part_way(self):
        invoice = self.invoice(1000, "2026-01-31")
        self.pay(invoice, 400, "2026-02-10")
        lines, _errors = self.accrue(invoice, "2026-02-20")
        self.assertEqual(
            lines[invoice][:2],
            [
                ("interest", "2026-02-01", "2026-02-10", 10, 1000.0, 10.27, 2.81),
                ("interest", "2026-02-11", "2026-02-20", 10, 600.0, 10.27, 1.69),
            ],
        )

    def test_invoice_paid_late_and_closed(self):
        invoice = self.invoice(1000, "2026-01-31")
        self.pay(invoice, 1000, "2026-02-10")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        lines, _errors = self.accrue(invoice, "2026-03-31")
        self.assertEqual(
            lines[invoice],
            [
                ("interest", "2026-02-01", "2026-02-10", 10, 1000.0, 10.27, 2.81),
                ("compensation", "2026-02-01", "2026-02-10", 10, 1000.0, 0.0, 40.0),
            ],
        )
        paid_on_time = self.invoice(500, "2026-02-28")
        self.pay(paid_on_time, 500, "2026-02-28")
        lines, _errors = self.accrue(paid_on_time, "2026-03-31")
        self.assertFalse(lines)

    def test_leap_year_setting(self):
        self.policy.late_payment_law = "fr"
        invoice = self.invoice(1000, "2024-02-28")
        lines, _errors = self.accrue(invoice, "2024-03-09")
        self.assertEqual(lines[invoice][0][3:], (10, 1000.0, 14.5, 3.97))
        self.policy.interest_leap_years = True
        lines, _errors = self.accrue(invoice, "2024-03-09")
        self.assertEqual(lines[invoice][0][3:], (10, 1000.0, 14.5, 3.96))

    def test_missing_rate_names_the_period(self):
        invoice = self.invoice(1000, "2026-12-15")
        lines, errors = self.accrue(invoice, "2027-01-10")
        self.assertFalse(lines)
        self.assertIn("German Base Rate", errors[invoice.id])
        self.assertIn("01/01/2027", errors[invoice.id])
        self.assertIn("06/30/2027", errors[invoice.id])

    def test_set_based(self):
        """The queries do not grow with the number of invoices."""
        invoices = self.env["account.move"].union(
            *(self.invoice(100 + n, "2026-05-01") for n in range(30))
        )
        self.pay(invoices[0], 50, "2026-06-01")
        counts = []
        for batch in (invoices[:10], invoices):
            with self.count_queries() as queries:
                lines, _errors = self.accrue(batch, "2026-07-20")
            self.assertEqual(len(lines), len(batch))
            counts.append(queries.count)
        self.assertLessEqual(counts[1], counts[0])
        self.assertLessEqual(counts[0], 16)

    def test_overlapping_rate_refused(self):
        with self.refused(ValidationError, "overlaps"):
            self.Rate.create(
                {
                    "reference": "ecb",
                    "date_from": "2026-07-01",
                    "date_to": "2026-09-30",
                    "rate": 2.4,
                }
            )
        with self.refused(ValidationError, "end before"):
            self.Rate.create(
                {
                    "reference": "ecb",
                    "date_from": "2027-07-01",
                    "date_to": "2027-01-01",
                    "rate": 2.4,
                }
            )
        self.Rate.create(
            {"reference": "ecb", "date_from": "2027-01-01", "date_to": "2027-06-30", "rate": 2.4}
        )


@tagged("post_install", "-at_install")
class TestInterestClaim(InterestCommon):
    @freeze_time("2026-07-20")
    def test_claim_bills_once(self):
        invoice = self.invoice(1000, "2026-06-15")
        case = self.case_of(self.debtor)
        self.assertAlmostEqual(case.interest_accrued, 49.98)
        case.action_claim_interest()
        claim = case.interest_claim_ids
        self.assertEqual(claim.state, "billed")
        self.assertEqual(claim.amount_interest, 9.98)
        self.assertEqual(claim.amount_compensation, 40.0)
        self.assertEqual(claim.currency_id, self.eur)
        bill = claim.bill_id
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.currency_id, self.eur)
        self.assertEqual(bill.amount_total, 49.98)
        self.assertEqual(len(bill.invoice_line_ids), 3)
        self.assertIn(invoice.name, bill.ref)
        self.assertIn(invoice.name, bill.invoice_line_ids[0].name)
        self.assertIn(claim.name, case.message_ids[:1].body)
        case.invalidate_recordset()
        self.assertEqual(case.interest_accrued, 0.0)
        self.assertAlmostEqual(case.interest_claimed, 49.98)
        with self.refused(UserError, "Nothing to claim"):
            case.action_claim_interest()
        # three weeks on: only the new days, no second fixed sum
        with freeze_time("2026-08-10"):
            case.action_claim_interest()
        second = case.interest_claim_ids - claim
        self.assertEqual(
            [(str(ln.date_from), str(ln.date_to), ln.kind) for ln in second.line_ids],
            [("2026-07-21", "2026-08-10", "interest")],
        )

    def test_statement_and_letter_show_the_claims(self):
        self.invoice(1000, "2026-06-15")
        with freeze_time("2026-07-20"):
            self.case_of(self.debtor).action_claim_interest()
        report = self.env.ref("collections_management.action_report_collection_statement")
        with freeze_time("2026-07-31"):
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(report.report_name, self.debtor.ids)[0]
                .decode()
            )
        self.assertIn("Late-Payment Interest and Compensation", html)
        self.assertIn(self.Claim.search([("partner_id", "=", self.debtor.id)]).name, html)
        self.assertIn("49.98", html)
        # 11 days of July since the claim, at 10.52%: 3.17 accrued, not claimed
        self.assertIn("Accrued and not claimed yet", html)
        self.assertIn("3.17", html)

    @freeze_time("2026-07-20")
    def test_draft_bill_by_policy(self):
        self.invoice(1000, "2026-06-15")
        self.policy.charge_post = False
        case = self.case_of(self.debtor)
        case.action_claim_interest()
        self.assertEqual(case.interest_claim_ids.bill_id.state, "draft")

    @freeze_time("2027-01-10")
    def test_missing_rate_bills_nothing(self):
        self.invoice(1000, "2026-12-15")
        case = self.case_of(self.debtor)
        self.assertIn("01/01/2027", case.interest_error)
        with self.refused(UserError, "01/01/2027 to 06/30/2027"):
            case.action_claim_interest()
        self.assertFalse(self.Claim.search([("case_id", "=", case.id)]))
        self.assertFalse(
            self.env["account.move"].search([("ref", "like", "Late-payment interest")])
        )

    @freeze_time("2026-07-20")
    def test_waive_with_reason(self):
        self.invoice(1000, "2026-06-15")
        case = self.case_of(self.debtor)
        case.action_claim_interest()
        claim = case.interest_claim_ids
        with self.refused(UserError, "reason"):
            claim.action_waive()
        claim.waive_reason = "Good customer, first delay"
        claim.action_waive()
        self.assertEqual(claim.state, "waived")
        self.assertEqual(claim.bill_id.payment_state, "reversed")
        self.assertIn("Good customer", case.message_ids[:1].body)
        case.invalidate_recordset()
        self.assertAlmostEqual(case.interest_waived, 49.98)
        self.assertEqual(case.interest_claimed, 0.0)
        with self.refused(UserError, "Nothing to claim"):
            case.action_claim_interest()

    def test_level_claims_interest(self):
        self.policy.allow_level_skip = True
        self.l_first.claim_interest = True
        self.invoice(1000, "2026-06-15")
        run = self.run_followup("2026-06-25")
        communication = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(communication.level_id, self.l_first)
        claim = self.Claim.search([("communication_id", "=", communication.id)])
        self.assertEqual(claim.date, date(2026, 6, 25))
        self.assertEqual(claim.amount_compensation, 40.0)
        self.assertEqual(claim.line_ids[0].days, 10)

    def test_level_missing_rate_goes_on(self):
        self.policy.allow_level_skip = True
        (self.l_first | self.l_second).claim_interest = True
        self.invoice(1000, "2026-12-20")
        run = self.run_followup("2027-01-05")
        communication = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(communication.state, "sent")
        self.assertIn("Interest not claimed", communication.error)
        self.assertFalse(self.Claim.search([("partner_id", "=", self.debtor.id)]))
