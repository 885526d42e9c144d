from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestDisputes(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_quantity = cls.env.ref("collections_management.dispute_reason_quantity")
        # a write-off resolving a dispute posts its entry to this account
        cls.company.collection_bad_debt_account_id = cls.company_data["default_account_expense"]

    def _dispute(self, invoice, amount, date="2026-01-08", **values):
        with freeze_time(date):
            return self.env["collection.dispute"].create(
                {
                    "move_id": invoice.id,
                    "amount": amount,
                    "reason_id": self.reason_quantity.id,
                    **values,
                }
            )

    def test_disputed_amount_leaves_followup(self):
        with freeze_time("2026-01-01"):
            partly = self.create_invoice(self.debtor, 1000, "2026-01-05")
            whole = self.create_invoice(self.debtor, 300, "2026-01-05")
        self._dispute(partly, 400)
        self._dispute(whole, 300)
        run = self.run_followup("2026-01-12")
        communication = run.communication_ids
        self.assertRecordValues(communication, [{"level_id": self.l_first.id, "amount_total": 600}])
        self.assertEqual(communication.line_ids.move_id, partly, "a fully disputed invoice is out")
        self.assertEqual(communication.line_ids.amount_residual, 600)
        # no level is computed for a fully disputed invoice
        self.assertRecordValues(
            partly | whole,
            [
                {"collection_level_id": self.l_first.id, "collection_amount_disputed": 400},
                {"collection_level_id": False, "collection_amount_disputed": 300},
            ],
        )

    def test_dispute_cannot_exceed_what_is_due(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 500, "2026-01-05")
        self._dispute(invoice, 300)
        with self.assertRaisesRegex(ValidationError, "exceeds what is still due"):
            self._dispute(invoice, 201)

    def test_deadline_and_owner_activity(self):
        self.company.collection_dispute_days = 10
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 500, "2026-01-05")
        dispute = self._dispute(invoice, 100, date="2026-01-08")
        self.assertEqual(str(dispute.deadline), "2026-01-18")
        self.assertEqual(dispute.activity_ids.user_id, dispute.owner_id)
        self.assertEqual(str(dispute.activity_ids.date_deadline), "2026-01-18")
        with freeze_time("2026-01-18"):
            self.assertFalse(dispute.is_overdue)
            self.assertFalse(self.env["collection.dispute"].search([("is_overdue", "=", True)]))
        with freeze_time("2026-01-19"):
            dispute.invalidate_recordset(["is_overdue"])
            self.assertTrue(dispute.is_overdue)
            self.assertEqual(
                self.env["collection.dispute"].search([("is_overdue", "=", True)]), dispute
            )

    def test_resolution_by_credit_note(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        dispute = self._dispute(invoice, 400)
        with freeze_time("2026-01-10"):
            action = dispute.action_resolve_credit_note()
            self.assertEqual(action["res_model"], "account.move.reversal")
            wizard = (
                self.env["account.move.reversal"]
                .with_context(**action["context"])
                .create({"journal_id": invoice.journal_id.id})
            )
            self.assertEqual(wizard.move_ids, invoice)
            self.assertEqual(wizard.collection_dispute_id, dispute)
            wizard.refund_moves()
        credit_note = dispute.credit_note_id
        self.assertEqual(dispute.state, "credit_note")
        self.assertRecordValues(
            credit_note,
            [{"move_type": "out_refund", "state": "draft", "reversed_entry_id": invoice.id}],
        )
        self.assertAlmostEqual(credit_note.amount_total, 400)
        # while the credit note is a draft, the disputed amount stays out of follow-up
        run = self.run_followup("2026-01-12")
        self.assertEqual(run.communication_ids.amount_total, 600)
        with freeze_time("2026-01-13"):
            credit_note.action_post()
        self.assertEqual(invoice.amount_residual, 600, "the credit note is applied to the invoice")
        run = self.run_followup("2026-01-20")
        self.assertEqual(run.communication_ids.amount_total, 600)
        with self.assertRaisesRegex(UserError, "already resolved"):
            dispute.action_reject()

    def test_rejection_resumes_followup_and_logs_why(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        dispute = self._dispute(invoice, 1000)
        self.assertFalse(self.run_followup("2026-01-12").communication_ids)
        with self.assertRaisesRegex(UserError, "why dispute"):
            dispute.action_reject()
        dispute.resolution_note = "Proof of delivery signed by the customer"
        dispute.action_reject()
        self.assertEqual(dispute.state, "rejected")
        run = self.run_followup("2026-01-13")
        self.assertEqual(run.communication_ids.amount_total, 1000)
        self.assertEqual(invoice.collection_level_id, self.l_first)
        case = self.case_of(self.debtor)
        self.assertTrue(
            case.message_ids.filtered(
                lambda m: "Proof of delivery signed" in m.body and "rejected" in m.body
            )
        )

    def test_write_off_keeps_amount_out(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        dispute = self._dispute(invoice, 250)
        with self.assertRaisesRegex(UserError, "written off"):
            dispute.action_resolve_write_off()
        dispute.resolution_note = "Goodwill"
        dispute.action_resolve_write_off()
        self.assertEqual(dispute.state, "write_off")
        self.assertEqual(self.run_followup("2026-01-12").communication_ids.amount_total, 750)

    def test_dispute_in_validation_period_stops_collection_until_verification(self):
        self.policy.guard_validation = True
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        self.run_followup("2026-01-12")  # first notice
        dispute = self._dispute(invoice, 100, date="2026-02-05")  # 24 days after
        self.assertTrue(dispute.validation_required)
        self.assertEqual(str(dispute.first_notice_date), "2026-01-12")
        self.assertFalse(self.run_followup("2026-02-10").communication_ids)
        dispute.resolution_note = "Unfounded"
        with self.assertRaisesRegex(UserError, "verification"):
            dispute.action_reject()
        with freeze_time("2026-02-11"):
            dispute.action_record_verification()
        run = self.run_followup("2026-02-12")
        self.assertEqual(run.communication_ids.amount_total, 900)
        # outside the period, nothing stops
        late = self._dispute(invoice, 100, date="2026-02-20")
        self.assertFalse(late.validation_required)

    def test_credit_note_with_taxes_matches_disputed_amount(self):
        tax = self.company_data["default_tax_sale"]
        with freeze_time("2026-01-01"):
            invoice = self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.debtor.id,
                    "invoice_date": "2026-01-01",
                    "invoice_date_due": "2026-01-05",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Widget",
                                "quantity": 3,
                                "price_unit": 99.99,
                                "tax_ids": tax.ids,
                            }
                        ),
                        Command.create({"name": "Freight", "price_unit": 40.0, "tax_ids": tax.ids}),
                    ],
                }
            )
            invoice.action_post()
        dispute = self._dispute(invoice, 77.77)
        with freeze_time("2026-01-10"):
            action = dispute.action_resolve_credit_note()
            self.env["account.move.reversal"].with_context(**action["context"]).create(
                {"journal_id": invoice.journal_id.id}
            ).refund_moves()
        self.assertAlmostEqual(dispute.credit_note_id.amount_total, 77.77, places=2)
        with freeze_time("2026-01-10"):
            dispute.credit_note_id.action_post()
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - 77.77, places=2)
