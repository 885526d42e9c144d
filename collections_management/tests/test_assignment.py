from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestAssignment(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob = (
            new_test_user(
                cls.env,
                login=name.lower(),
                name=name,
                groups="collections_management.group_collections_collector",
            )
            for name in ("Alice", "Bob")
        )
        cls.belgium = cls.env.ref("base.be")

    def test_rules_assign_the_collector_when_a_case_opens(self):
        Rule = self.env["collection.assignment.rule"]
        Rule.create(
            {"name": "Big debts", "sequence": 1, "collector_id": self.bob.id, "amount_min": 5000}
        )
        Rule.create(
            {
                "name": "Belgium",
                "sequence": 2,
                "collector_id": self.alice.id,
                "country_ids": [Command.link(self.belgium.id)],
            }
        )
        self.debtor.country_id = self.belgium
        big = self._create_debtor("Big", "big@example.com", country_id=self.belgium.id)
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 100, "2026-01-05")
            self.create_invoice(big, 9000, "2026-01-05")
            self.create_invoice(self.debtor_two, 100, "2026-01-05")
        self.run_followup("2026-01-20")
        cases = self.case_of(self.debtor) | self.case_of(big) | self.case_of(self.debtor_two)
        self.assertRecordValues(
            cases,
            [
                {"user_id": self.alice.id},
                {"user_id": self.bob.id},  # the first matching rule wins
                {"user_id": False},
            ],
        )

    def test_bulk_reassignment_logs_the_reason(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 100, "2026-01-05")
            self.create_invoice(self.debtor_two, 100, "2026-01-05")
        self.run_followup("2026-01-20")
        cases = self.case_of(self.debtor) | self.case_of(self.debtor_two)
        wizard = (
            self.env["collection.case.reassign"]
            .with_context(active_model="collection.case", active_ids=cases.ids)
            .create({"user_id": self.alice.id, "reason": "Holiday cover"})
        )
        self.assertEqual(wizard.case_ids, cases)
        wizard.action_reassign()
        self.assertEqual(cases.user_id, self.alice)
        for case in cases:
            self.assertIn("Holiday cover", case.message_ids[0].body)

    def test_amount_band_must_make_sense(self):
        with self.assertRaises(ValidationError):
            self.env["collection.assignment.rule"].create(
                {"name": "Bad", "collector_id": self.alice.id, "amount_min": 500, "amount_max": 100}
            )
