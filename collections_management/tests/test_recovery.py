import base64
import csv
import io
import zipfile

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CollectionsCommon

TODAY = "2026-04-15"


class RecoveryCommon(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expense = cls.company_data["default_account_expense"]
        cls.company.write(
            {
                "collection_bad_debt_account_id": cls.expense.id,
                "collection_commission_account_id": cls.expense.id,
                "collection_write_off_threshold": 1000.0,
            }
        )
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Keystone Recovery",
                "is_company": True,
                "is_collection_agency": True,
                "collection_commission_rate": 25.0,
                "collection_agency_min_days": 90,
                "collection_agency_min_amount": 100.0,
            }
        )
        cls.collector = new_test_user(
            cls.env,
            login="wo_collector",
            groups="collections_management.group_collections_collector",
            company_id=cls.company.id,
        )
        cls.manager = new_test_user(
            cls.env,
            login="wo_manager",
            groups="collections_management.group_collections_manager",
            company_id=cls.company.id,
        )

    def open_case(self, partner):
        with freeze_time(TODAY):
            self.env["collection.case"]._sync_cases(self.company, partner)
        return self.case_of(partner)

    def place(self, case, invoices, **values):
        return self.env["collection.agency.placement"].create(
            {
                "case_id": case.id,
                "company_id": self.company.id,
                "agency_id": self.agency.id,
                "move_ids": [Command.set(invoices.ids)],
                **values,
            }
        )


@tagged("post_install", "-at_install")
class TestAgencyPlacement(RecoveryCommon):
    def test_placement_stops_followup_and_recall_resumes_it(self):
        placed = self.create_invoice(self.debtor, 800.0, "2026-01-01")
        other = self.create_invoice(self.debtor, 300.0, "2026-01-05")
        case = self.open_case(self.debtor)
        with freeze_time(TODAY):
            placement = self.place(case, placed)
        self.assertEqual(case.stage_type, "agency")
        self.assertEqual(placement.amount_placed, 800.0)

        run = self.run_followup(TODAY)
        sent = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(sent.line_ids.move_id, other, "the placed invoice is left alone")
        self.assertFalse(placed.collection_level_id)
        self.assertEqual(case.stage_type, "agency", "follow-up does not move a placed case")

        with freeze_time("2026-04-16"):
            placement.action_recall()
        self.assertEqual(placement.state, "recalled")
        self.assertEqual(case.stage_type, "open")
        run = self.run_followup("2026-04-16")
        sent = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertIn(placed, sent.line_ids.move_id, "follow-up resumes after recall")
        self.assertTrue(placed.collection_level_id)

    def test_placement_closes_when_the_case_is_paid(self):
        placed = self.create_invoice(self.debtor, 800.0, "2026-01-01")
        case = self.open_case(self.debtor)
        with freeze_time(TODAY):
            placement = self.place(case, placed)
        self.pay(placed, 800.0, TODAY)
        self.assertFalse(case.is_open)
        self.assertEqual(placement.state, "closed")
        self.assertEqual(str(placement.date_end), TODAY, "closed the day the debt is paid")

    def test_agency_conditions(self):
        recent = self.create_invoice(self.debtor, 800.0, "2026-03-01")
        small = self.create_invoice(self.debtor, 50.0, "2026-01-01")
        case = self.open_case(self.debtor)
        with freeze_time(TODAY):
            with self.assertRaises(UserError) as error:
                self.place(case, recent)
            self.assertIn("at least 90 days overdue", str(error.exception))
            with self.assertRaises(UserError) as error:
                self.place(case, small)
            self.assertIn("placements of at least", str(error.exception))
            self.agency.collection_agency_min_amount = 0
            self.place(case, small)
            with self.assertRaises(ValidationError) as error:
                self.place(case, small)
            self.assertIn("already placed", str(error.exception))

    @freeze_time(TODAY)
    def test_place_from_case_form(self):
        """The case's button proposes its open invoices; the form creates the placement."""
        first = self.create_invoice(self.debtor, 800.0, "2026-01-01")
        second = self.create_invoice(self.debtor, 300.0, "2026-01-05")
        case = self.open_case(self.debtor)
        action = case.action_place_with_agency()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        form.agency_id = self.agency
        self.assertEqual(form.commission_rate, 25.0, "the agency's rate by default")
        placement = form.save()
        self.assertEqual(placement.move_ids, first | second)
        self.assertEqual(placement.amount_placed, 1100.0)
        self.assertEqual(case.placement_count, 1)
        remittance_action = placement.action_add_remittance()
        remittance_form = Form(
            self.env[remittance_action["res_model"]].with_context(**remittance_action["context"])
        )
        remittance_form.amount = 100.0
        remittance_form.basis = "net"
        remittance = remittance_form.save()
        self.assertEqual(remittance.placement_id, placement)
        self.assertEqual(remittance.amount_gross, 133.33)

    @freeze_time(TODAY)
    def test_payment_and_remittance_counted_once(self):
        invoice = self.create_invoice(self.debtor, 1000.0, "2026-01-01")
        case = self.open_case(self.debtor)
        self.pay(invoice, 100.0, "2026-04-01")  # before placement: not a recovery
        placement = self.place(case, invoice, date_placed="2026-04-10")
        self.assertEqual(placement.amount_placed, 900.0)

        self.pay(invoice, 200.0, "2026-04-12")  # the debtor pays the company
        remittance = self.env["collection.agency.remittance"].create(
            {"placement_id": placement.id, "amount": 400.0, "basis": "gross"}
        )
        # the accountant records the agency's money on the invoice
        remittance.action_register_payment()
        self.assertTrue(remittance.payment_move_id)
        self.assertEqual(invoice.amount_residual, 300.0)

        placement.invalidate_recordset()
        self.assertRecordValues(
            placement,
            [
                {
                    "amount_paid_direct": 200.0,
                    "amount_remitted": 400.0,
                    "amount_recovered": 600.0,  # each payment counted once
                    "amount_commission": 150.0,
                }
            ],
        )

    @freeze_time(TODAY)
    def test_commission_and_vendor_bill_net_and_gross(self):
        invoice = self.create_invoice(self.debtor, 2000.0, "2026-01-01")
        case = self.open_case(self.debtor)
        placement = self.place(case, invoice, date_placed="2026-04-01")
        self.pay(invoice, 200.0, "2026-04-05")
        Remittance = self.env["collection.agency.remittance"]
        net = Remittance.create({"placement_id": placement.id, "amount": 300.0, "basis": "net"})
        gross = Remittance.create({"placement_id": placement.id, "amount": 200.0, "basis": "gross"})
        self.assertRecordValues(
            net | gross,
            [
                {"amount_gross": 400.0, "amount_commission": 100.0},
                {"amount_gross": 200.0, "amount_commission": 50.0},
            ],
        )

        placement.invalidate_recordset()
        self.assertRecordValues(
            placement,
            [
                {
                    "amount_recovered": 800.0,
                    "amount_commission": 200.0,  # 50 + 100 + 50
                    "amount_commission_retained": 100.0,
                }
            ],
        )

        placement.action_create_commission_bill()
        bill = placement.bill_ids
        self.assertRecordValues(
            bill,
            [
                {
                    "move_type": "in_invoice",
                    "state": "draft",
                    "partner_id": self.agency.id,
                    "amount_untaxed": 200.0,
                    "amount_total": 200.0,
                }
            ],
        )
        self.assertEqual(bill.invoice_line_ids.account_id, self.expense)
        self.assertIn("already kept", str(bill.narration))
        with self.assertRaisesRegex(UserError, "billed already"):
            placement.action_create_commission_bill()

        Remittance.create({"placement_id": placement.id, "amount": 400.0, "basis": "gross"})
        placement.invalidate_recordset()
        placement.action_create_commission_bill()
        self.assertEqual(placement.bill_ids.mapped("amount_untaxed"), [200.0, 100.0])

    @freeze_time(TODAY)
    def test_placement_file_holds_only_listed_fields(self):
        self.debtor.write(
            {
                "street": "9 Canal Street",
                "city": "Manchester",
                "phone": "+44 161 496 0720",
                "vat": "GB123456782",
                "comment": "Secret internal remark",
            }
        )
        placed = self.create_invoice(self.debtor, 800.0, "2026-01-01")
        other = self.create_invoice(self.debtor, 300.0, "2026-01-02")
        case = self.open_case(self.debtor)
        case.note = "<p>Internal: owner is ill</p>"
        placement = self.place(case, placed, note="Do not tell the agency")

        attachment = placement._export_file("csv")
        rows = list(csv.reader(io.StringIO(base64.b64decode(attachment.datas).decode("utf-8-sig"))))
        self.assertEqual(
            rows[0],
            [
                "Placement",
                "Placement Date",
                "Debtor",
                "Tax ID",
                "Street",
                "Street 2",
                "ZIP",
                "City",
                "State",
                "Country",
                "Email",
                "Phone",
                "Invoice Number",
                "Invoice Date",
                "Due Date",
                "Invoice Amount",
                "Balance",
                "Currency",
            ],
        )
        self.assertEqual(len(rows), 2, "one row per placed invoice, no other invoice")
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(row["Invoice Number"], placed.name)
        self.assertEqual(row["Debtor"], "Debtor One")
        self.assertEqual(row["Email"], "one@example.com")
        self.assertEqual(row["Due Date"], "2026-01-01")
        self.assertEqual(float(row["Balance"]), 800.0)
        content = base64.b64decode(attachment.datas).decode("utf-8-sig")
        for secret in ("Secret internal remark", "owner is ill", "Do not tell", other.name):
            self.assertNotIn(secret, content)

        xlsx = base64.b64decode(placement._export_file("xlsx").datas)
        with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
            strings = archive.read("xl/sharedStrings.xml").decode()
        self.assertIn("Invoice Number", strings)
        self.assertIn(placed.name, strings)
        for secret in ("Secret internal remark", "owner is ill", "Do not tell", other.name):
            self.assertNotIn(secret, strings)


@tagged("post_install", "-at_install")
class TestLegalAction(RecoveryCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtor_de = cls._create_debtor(
            "Rheinland GmbH", "rh@example.com", country_id=cls.env.ref("base.de").id
        )
        cls.env["collection.limitation.period"].search([]).unlink()
        cls.env["collection.limitation.period"].create(
            {"country_id": cls.env.ref("base.de").id, "years": 3}
        )

    @freeze_time(TODAY)
    def test_time_barred_case_refused_for_legal_action(self):
        self.create_invoice(self.debtor_de, 900.0, "2022-03-01")
        self.create_invoice(self.debtor_de, 400.0, "2025-12-01")
        case = self.open_case(self.debtor_de)
        self.assertEqual(str(case.limitation_date), "2025-03-01", "from the oldest due date")
        self.assertTrue(case.is_time_barred)
        self.assertIn(case, case.search([("is_time_barred", "=", True)]))
        with self.assertRaisesRegex(UserError, "time-barred"):
            self.env["collection.legal.action"].create(
                {"case_id": case.id, "company_id": self.company.id, "court": "AG Koeln"}
            )
        legal = self.env["collection.stage"]._get_stage_by_type("legal", self.company)
        with self.assertRaisesRegex(ValidationError, "time-barred"):
            case.stage_id = legal
        with self.assertRaisesRegex(UserError, "time-barred"):
            case.action_start_legal_action()

    @freeze_time(TODAY)
    def test_legal_action_lifecycle(self):
        self.create_invoice(self.debtor_de, 900.0, "2025-06-01")
        case = self.open_case(self.debtor_de)
        self.assertFalse(case.is_time_barred)
        action = self.env["collection.legal.action"].create(
            {"case_id": case.id, "company_id": self.company.id, "amount_costs": 250.0}
        )
        self.assertEqual(case.stage_type, "legal")
        self.assertEqual(action.amount_claimed, 900.0)
        with self.assertRaisesRegex(UserError, "Court"):
            action.action_file()
        action.write({"court": "LG Koeln", "court_case_number": "2 O 77/26", "date_filed": TODAY})
        action.action_file()
        self.assertEqual(action.state, "filed")
        # costs go on the debt only where the policy says the contract allows it
        with self.assertRaisesRegex(ValidationError, "does not allow"):
            action.add_costs_to_debt = True
        case.policy_id.allow_legal_cost_recovery = True
        action.add_costs_to_debt = True
        action.action_invoice_costs()
        self.assertRecordValues(
            action.cost_invoice_id,
            [{"move_type": "out_invoice", "state": "draft", "amount_total": 250.0}],
        )

    def test_threatening_letter_blocked_for_time_barred_debt(self):
        self.l_first.threatens_legal_action = True
        invoice = self.create_invoice(self.debtor_de, 900.0, "2022-03-01")
        ok_invoice = self.create_invoice(self.debtor, 900.0, "2026-03-01")
        run = self.run_followup(TODAY)
        barred = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor_de)
        self.assertEqual(barred.state, "failed")
        self.assertIn("time-barred", barred.error)
        self.assertFalse(barred.mail_id, "nothing was sent")
        self.assertFalse(invoice.collection_level_id, "the invoice keeps its level")
        self.assertIn("time-barred", self.case_of(self.debtor_de).message_ids[:1].body)
        sent = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(sent.state, "sent", "a debt not time-barred still gets the letter")
        self.assertTrue(ok_invoice.collection_level_id)


@tagged("post_install", "-at_install")
class TestWriteOff(RecoveryCommon):
    def write_off(self, user, case, invoices, reason="Debtor insolvent"):
        wizard = (
            self.env["collection.write.off.wizard"]
            .with_user(user)
            .create(
                {
                    "case_id": case.id,
                    "move_ids": [Command.set(invoices.ids)],
                    "reason": reason,
                }
            )
        )
        action = wizard.action_confirm()
        return self.env["collection.write.off"].browse(action["res_id"])

    @freeze_time(TODAY)
    def test_write_off_entry_balanced_reconciled_case_written_off(self):
        invoice = self.create_invoice(self.debtor, 600.0, "2026-01-01")
        case = self.open_case(self.debtor)
        case.user_id = self.collector
        write_off = self.write_off(self.collector, case, invoice)

        self.assertEqual(write_off.state, "done", "below the threshold: done at once")
        entry = write_off.write_off_move_id
        self.assertRecordValues(entry, [{"state": "posted", "move_type": "entry"}])
        self.assertEqual(entry.journal_id.type, "general")
        self.assertTrue(entry.company_currency_id.is_zero(sum(entry.line_ids.mapped("balance"))))
        self.assertRecordValues(
            entry.line_ids.sorted("balance"),
            [
                {
                    "account_id": invoice.line_ids.filtered(
                        lambda line: line.account_type == "asset_receivable"
                    ).account_id.id,
                    "balance": -600.0,
                    "reconciled": True,
                },
                {"account_id": self.expense.id, "balance": 600.0, "reconciled": False},
            ],
        )
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(case.stage_type, "written_off", "not 'resolved': it was written off")
        self.assertFalse(case.is_open)
        self.assertIn(write_off.name, case.message_ids[:1].body)

    @freeze_time(TODAY)
    def test_wizard_form(self):
        invoice = self.create_invoice(self.debtor, 300.0, "2026-01-01")
        self.create_invoice(self.debtor_two, 300.0, "2026-01-01")
        case = self.open_case(self.debtor)
        action = case.action_write_off()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(form.available_move_ids[:], invoice, "only the debtor's open invoices")
        form.move_ids.add(invoice)
        form.reason = "Company dissolved"
        self.assertEqual(form.amount, 300.0)
        self.assertFalse(form.needs_approval)
        write_off = self.env["collection.write.off"].browse(form.save().action_confirm()["res_id"])
        self.assertEqual(write_off.state, "done")
        self.assertEqual(case.write_off_count, 1)

    @freeze_time(TODAY)
    def test_approval_required_above_threshold(self):
        invoice = self.create_invoice(self.debtor, 1500.0, "2026-01-01")
        case = self.open_case(self.debtor)
        case.user_id = self.collector
        write_off = self.write_off(self.collector, case, invoice)
        self.assertEqual(write_off.state, "to_approve")
        self.assertFalse(write_off.write_off_move_id)
        self.assertEqual(invoice.amount_residual, 1500.0)
        self.assertTrue(case.is_open)

        with self.assertRaises(AccessError):
            write_off.with_user(self.collector).action_approve()
        with self.assertRaises(AccessError):
            write_off.with_user(self.collector).write({"state": "done"})
        self.assertEqual(write_off.state, "to_approve")

        write_off.with_user(self.manager).action_approve()
        self.assertEqual(write_off.state, "done")
        self.assertEqual(write_off.approved_by_id, self.manager)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(case.stage_type, "written_off")

    @freeze_time(TODAY)
    def test_refusal_and_partial_write_off(self):
        first = self.create_invoice(self.debtor, 1500.0, "2026-01-01")
        second = self.create_invoice(self.debtor, 200.0, "2026-02-01")
        case = self.open_case(self.debtor)
        case.user_id = self.collector
        request = self.write_off(self.collector, case, first)
        request.with_user(self.manager).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertEqual(first.amount_residual, 1500.0)
        # a manager writes off one invoice directly; the other stays to collect
        done = self.write_off(self.manager, case, second)
        self.assertEqual(done.state, "done")
        self.assertTrue(case.is_open, "other overdue invoices remain")
        self.assertNotEqual(case.stage_type, "written_off")

    @freeze_time(TODAY)
    def test_collector_without_rights_refused(self):
        invoice = self.create_invoice(self.debtor, 300.0, "2026-01-01")
        case = self.open_case(self.debtor)
        other_collector = new_test_user(
            self.env,
            login="wo_other",
            groups="collections_management.group_collections_collector",
            company_id=self.company.id,
        )
        case.user_id = other_collector
        # a collector on someone else's case cannot see it, nor write it off
        with self.assertRaises(AccessError):
            self.write_off(self.collector, case, invoice)
        # a billing user without any Collections right neither
        billing = new_test_user(
            self.env,
            login="wo_billing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            self.write_off(billing, case, invoice)
        self.assertEqual(invoice.amount_residual, 300.0)
        self.assertFalse(case.write_off_ids)

    @freeze_time(TODAY)
    def test_missing_account_is_explained(self):
        self.company.collection_bad_debt_account_id = False
        invoice = self.create_invoice(self.debtor, 300.0, "2026-01-01")
        case = self.open_case(self.debtor)
        with self.assertRaisesRegex(UserError, "bad-debt expense account"):
            self.write_off(self.manager, case, invoice)
