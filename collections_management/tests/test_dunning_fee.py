from datetime import timedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestDunningFee(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.allow_level_skip = True
        cls.currency = cls.company.currency_id
        cls.l_first.fee_ids = [Command.create({"currency_id": cls.currency.id, "amount": 5.0})]
        cls.l_second.fee_ids = [Command.create({"currency_id": cls.currency.id, "amount": 10.0})]
        cls.Fee = cls.env["collection.dunning.fee"]

    def fees_of(self, partner):
        return self.Fee.search([("partner_id", "=", partner.id)], order="id")

    def test_fee_billed_once_per_level(self):
        invoice = self.create_invoice(self.debtor, 1000, "2026-06-01")
        run = self.run_followup("2026-06-10")
        communication = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        fee = self.fees_of(self.debtor)
        self.assertEqual(fee.communication_id, communication)
        self.assertEqual(fee.amount, 5.0)
        self.assertEqual(fee.move_ids, invoice)
        self.assertEqual(fee.bill_id.state, "posted")
        self.assertEqual(fee.bill_id.amount_total, 5.0)
        self.assertIn(invoice.name, fee.bill_id.invoice_line_ids.name)
        self.assertEqual(communication.dunning_fee_amount, 5.0)
        # the email names it
        self.assertIn("dunning fee of", communication.sudo().mail_id.body_html)
        self.assertIn("Fee", communication.action_summary)
        letter = self.env.ref("collections_management.action_report_collection_letter")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(letter.report_name, communication.ids)[0]
            .decode()
        )
        self.assertIn("dunning fee of", html)
        # a second invoice reaching the same level on the same case: no second fee
        self.create_invoice(self.debtor, 200, "2026-06-05")
        self.run_followup("2026-06-13")
        self.assertEqual(len(self.fees_of(self.debtor)), 1)
        # the next level charges its own fee, once
        self.run_followup("2026-06-17")
        self.assertEqual(self.fees_of(self.debtor).mapped("amount"), [5.0, 10.0])
        self.run_followup("2026-06-20")
        self.assertEqual(len(self.fees_of(self.debtor)), 2)

    def test_fee_per_invoice(self):
        self.policy.fee_basis = "invoice"
        self.policy.charge_post = False
        first = self.create_invoice(self.debtor, 1000, "2026-06-01")
        second = self.create_invoice(self.debtor, 500, "2026-06-02")
        self.run_followup("2026-06-10")
        fee = self.fees_of(self.debtor)
        self.assertEqual(fee.amount, 10.0)
        self.assertEqual(fee.move_ids, first | second)
        self.assertEqual(fee.bill_id.state, "draft")
        self.assertEqual(len(fee.bill_id.invoice_line_ids), 2)
        third = self.create_invoice(self.debtor, 300, "2026-06-05")
        self.run_followup("2026-06-13")
        fees = self.fees_of(self.debtor)
        self.assertEqual(len(fees), 2)
        self.assertEqual(fees[1].move_ids, third)
        self.assertEqual(fees[1].amount, 5.0)

    def test_no_fee_when_not_sent(self):
        """A communication that fails (no email address, no letter) charges nothing."""
        self.debtor.email = False
        self.create_invoice(self.debtor, 1000, "2026-06-01")
        run = self.run_followup("2026-06-10")
        communication = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(communication.state, "failed")
        self.assertFalse(self.fees_of(self.debtor))

    def test_fee_bills_bear_no_interest(self):
        self.policy.late_payment_law = "de"
        self.create_invoice(self.debtor, 1000, "2026-06-01")
        self.run_followup("2026-06-10")
        fee = self.fees_of(self.debtor)
        invoices = self.env["collection.interest.claim"]._candidate_invoices(
            self.env["collection.case"].search([("partner_id", "=", self.debtor.id)]),
            fee.bill_id.invoice_date_due + timedelta(days=30),
        )
        self.assertNotIn(fee.bill_id, invoices)

    def test_negative_fee_refused(self):
        with self.refused(ValidationError, "cannot be negative"):
            self.l_final.fee_ids = [Command.create({"currency_id": self.currency.id, "amount": -1})]
