from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestCaseDocuments(CollectionsCommon):
    """What cases and their documents share: references drawn from their sequence."""

    def yearly(self, code, year, company=None):
        """The sequence of `code` (the company's own, else the shared one), numbered
        per year, with a range for `year` that starts at 1."""
        sequence = self.env["ir.sequence"].search(
            [("code", "=", code), ("company_id", "in", [company.id if company else False])],
            limit=1,
        )
        sequence.use_date_range = True
        self.env["ir.sequence.date_range"].create(
            {
                "sequence_id": sequence.id,
                "date_from": f"{year}-01-01",
                "date_to": f"{year}-12-31",
                "number_next_actual": 1,
            }
        )
        return sequence

    def test_case_reference_restarts_with_the_year(self):
        self.yearly("collection.case", 2030)
        self.yearly("collection.case", 2031)
        with freeze_time("2030-12-20"):
            self.create_invoice(self.debtor, 100.0, "2030-12-01")
            self.env["collection.case"]._sync_cases(self.company)
        self.assertEqual(self.case_of(self.debtor).name, "COL/2030/00001")
        debtors = self.env["res.partner"].create(
            [{"name": f"New Year {i}", "is_company": True} for i in range(2)]
        )
        with freeze_time("2031-01-05"):
            for debtor in debtors:
                self.create_invoice(debtor, 100.0, "2030-12-15")
            self.env["collection.case"]._sync_cases(self.company, debtors)
        names = sorted(self.case_of(debtor).name for debtor in debtors)
        self.assertEqual(names, ["COL/2031/00001", "COL/2031/00002"])

    def test_document_reference_follows_its_date_and_company(self):
        self.yearly("collection.promise", 2030)
        self.yearly("collection.promise", 2031)
        with freeze_time("2030-12-20"):
            invoice = self.create_invoice(self.debtor, 100.0, "2030-12-01")
            self.env["collection.case"]._sync_cases(self.company)
        with freeze_time("2031-01-02"):
            promise = self.env["collection.promise"].create(
                {
                    "partner_id": self.debtor.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "date": "2030-12-31",
                    "date_promised": "2031-01-15",
                }
            )
        self.assertEqual(promise.name, "PTP/2030/00001", "numbered in the year it was made")

        other = self.setup_other_company(name="Numbering Other Co")["company"]
        self.env["ir.sequence"].create(
            {
                "name": "Disputes of the other company",
                "code": "collection.dispute",
                "prefix": "OTHER/",
                "padding": 3,
                "company_id": other.id,
            }
        )
        with freeze_time("2031-01-02"):
            theirs = self.create_invoice(self.debtor, 100.0, "2030-12-01", company=other)
            dispute = self.env["collection.dispute"].create(
                {
                    "move_id": theirs.id,
                    "amount": 50.0,
                    "reason_id": self.env.ref("collections_management.dispute_reason_price").id,
                }
            )
        self.assertEqual(dispute.company_id, other)
        self.assertEqual(dispute.name, "OTHER/001", "the sequence of the dispute's company")

    def test_documents_take_their_company_from_the_case(self):
        other = self.setup_other_company(name="Documents Other Co")["company"]
        other.collection_policy_id = self._create_policy(other, "Other")
        with freeze_time("2026-02-01"):
            self.create_invoice(self.debtor, 100.0, "2026-01-10", company=other)
            self.env["collection.case"]._sync_cases(other)
        case = self.case_of(self.debtor, company=other)
        self.assertNotEqual(self.env.company, other)
        with freeze_time("2026-02-01"):
            action = case.action_new_promise()
            self.assertNotIn("default_company_id", action["context"])
            promise = (
                self.env["collection.promise"]
                .with_context(**action["context"])
                .create({"date_promised": "2026-02-10"})
            )
            hold = (
                self.env["collection.hold"]
                .with_context(**case.invoice_ids.action_collection_hold()["context"])
                .create({"reason": "Checking", "date_end": "2026-02-10"})
            )
            contact = (
                self.env["collection.contact"]
                .with_context(**case.action_view_contacts()["context"])
                .create({"direction": "inbound", "outcome": "reached"})
            )
        self.assertEqual(promise.case_id, case)
        self.assertEqual(promise.company_id, other)
        self.assertEqual(promise.move_ids, case.invoice_ids)
        self.assertEqual(hold.company_id, other)
        self.assertEqual((contact.case_id, contact.company_id), (case, other))

    @freeze_time("2026-04-15")
    def test_time_barred_search_is_a_domain_per_jurisdiction(self):
        Period = self.env["collection.limitation.period"]
        Period.search([]).unlink()
        us = self.env.ref("base.us")
        california = self.env.ref("base.state_us_5")
        Period.create(
            [
                {"country_id": us.id, "years": 6},
                {"country_id": us.id, "state_id": california.id, "years": 2},
            ]
        )
        cases = {}
        for state in ("base.state_us_5", "base.state_us_44"):
            debtor = self._create_debtor(
                state, f"{state}@example.com", country_id=us.id, state_id=self.env.ref(state).id
            )
            self.create_invoice(debtor, 500.0, "2023-03-01")
            self.env["collection.case"]._sync_cases(self.company, debtor)
            cases[state] = self.case_of(debtor)
        california_case, texas_case = cases["base.state_us_5"], cases["base.state_us_44"]
        self.assertTrue(california_case.is_time_barred, "two years in California")
        self.assertFalse(texas_case.is_time_barred, "six years elsewhere in the United States")

        Case = self.env["collection.case"]
        domain = Case._search_is_time_barred("in", [True])
        self.assertNotIn("'id'", str(domain), "a condition on the cases, not a list of ids")
        both = california_case | texas_case
        self.assertEqual(
            Case.search([("id", "in", both.ids), ("is_time_barred", "=", True)]), california_case
        )
        self.assertEqual(
            Case.search([("id", "in", both.ids), ("is_time_barred", "=", False)]), texas_case
        )

    def test_contacts_and_promises_share_their_channels(self):
        Contact, Promise = self.env["collection.contact"], self.env["collection.promise"]
        channels = Contact._fields["channel"].selection
        self.assertEqual(Promise._fields["channel"].selection, channels)
        self.assertEqual(self.env["collection.contact.log"]._fields["channel"].selection, channels)
        self.assertIn(("phone", "Call"), channels)
        with freeze_time("2026-02-01 15:00:00"):
            self.create_invoice(self.debtor, 100.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
            wizard = self.env["collection.contact.log"].create(
                {"case_id": self.case_of(self.debtor).id, "channel": "sms", "outcome": "promise"}
            )
            action = wizard.action_log()
        self.assertEqual(action["context"]["default_channel"], "sms")

    def test_notes_are_logged_in_batches_in_their_order(self):
        case = self.env["collection.case"].create({"partner_id": self.debtor.id})
        messages = self.env["collection.case"]._log_messages(
            [(case, "first"), (self.debtor_two, "other"), (case, "second")]
        )
        self.assertEqual(
            [(m.model, m.res_id) for m in messages],
            [
                ("collection.case", case.id),
                ("res.partner", self.debtor_two.id),
                ("collection.case", case.id),
            ],
        )
        self.assertEqual(
            [m.body for m in messages], ["<p>first</p>", "<p>other</p>", "<p>second</p>"]
        )
        self.assertEqual(set(messages.subtype_id), {self.env.ref("mail.mt_note")})
