from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestWorklist(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="cm_worklist_collector",
            name="Worklist Collector",
            groups="base.group_user,collections_management.group_collections_collector",
            company_id=cls.company.id,
        )
        cls.debtor_three = cls._create_debtor("Debtor Three", "three@example.com")
        cls.company.write(
            {
                "collection_weight_amount": 10.0,
                "collection_weight_age": 1.0,
                "collection_weight_promise": 20.0,
                "collection_weight_dispute": 5.0,
                "collection_weight_risk": 30.0,
            }
        )

    def _worklist(self):
        action = self.env.ref("collections_management.collection_case_action_worklist")
        self.assertIn("search_default_filter_to_work", action.context)
        domain = [
            ("user_id", "=", self.collector.id),
            ("is_open", "=", True),
            "|",
            ("next_action_date", "<=", "2026-03-01"),
            ("activity_date_deadline", "<=", "2026-03-01"),
        ]
        return (
            self.env["collection.case"]
            .with_user(self.collector)
            .search(domain, order="priority_score desc, id")
        )

    def test_score_parts_and_order(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 5000, "2026-02-20")  # 9 days late
            self.create_invoice(self.debtor_two, 1000, "2026-01-10")  # 50 days late
            small = self.create_invoice(self.debtor_three, 500, "2026-02-25")  # 4 days late
        self.debtor_three.with_company(self.company).credit_limit = 100.0
        with freeze_time("2026-03-01"):
            self.env["collection.case"]._sync_cases(self.company)
            self.env["collection.dispute"].create(
                {
                    "move_id": small.id,
                    "amount": 100,
                    "reason_id": self.env.ref("collections_management.dispute_reason_price").id,
                }
            )
        one, two, three = (
            self.case_of(p) for p in (self.debtor, self.debtor_two, self.debtor_three)
        )
        (one | two | three).write({"user_id": self.collector.id, "next_action_date": "2026-03-01"})
        self.assertRecordValues(
            one | two | three,
            [
                {"score_amount": 50.0, "score_age": 9.0, "priority_score": 59.0},
                {"score_amount": 10.0, "score_age": 50.0, "priority_score": 60.0},
                {"score_amount": 5.0, "score_age": 4.0, "priority_score": 44.0},
            ],
        )
        self.assertRecordValues(
            three,
            [
                {
                    "open_dispute_count": 1,
                    "amount_disputed": 100,
                    "credit_limit_exceeded": True,
                    "score_disputes": 5.0,
                    "score_risk": 30.0,
                    "score_promises": 0.0,
                }
            ],
        )
        self.assertEqual(self._worklist(), two | one | three)
        # weights come from the settings
        settings = self.env["res.config.settings"].create({"collection_weight_age": 0.0})
        settings.execute()
        self.assertEqual(self.company.collection_weight_age, 0.0)
        with freeze_time("2026-03-01"):
            (one | two | three).action_refresh()
        self.assertEqual(self._worklist(), one | three | two)
        # a case with nothing due today is not on the worklist
        one.next_action_date = "2026-03-05"
        self.assertNotIn(one, self._worklist())

    def test_log_a_call_sets_next_action_and_opens_dispute(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 800, "2026-01-10")
        with freeze_time("2026-02-01 15:00:00"):
            self.env["collection.case"]._sync_cases(self.company)
            case = self.case_of(self.debtor)
            case.user_id = self.collector
            wizard = (
                self.env["collection.contact.log"]
                .with_user(self.collector)
                .create(
                    {
                        "case_id": case.id,
                        "outcome": "dispute",
                        "contact_name": "Ann from AP",
                        "note": "Says the goods were damaged",
                        "next_action_date": "2026-02-08",
                    }
                )
            )
            action = wizard.action_log()
        self.assertEqual(action["res_model"], "collection.dispute")
        self.assertEqual(action["context"]["default_move_id"], invoice.id)
        contact = case.contact_ids
        self.assertEqual((contact.outcome, contact.contact_name), ("dispute", "Ann from AP"))
        self.assertEqual(str(case.next_action_date), "2026-02-08")
        with freeze_time("2026-02-01 15:00:00"):
            dispute = (
                self.env["collection.dispute"]
                .with_user(self.collector)
                .with_context(**action["context"])
                .create(
                    {"reason_id": self.env.ref("collections_management.dispute_reason_quality").id}
                )
            )
        self.assertEqual(dispute.amount, 800)
        self.assertEqual(contact.dispute_id, dispute)
        self.assertEqual(case.dispute_count, 1)
        self.assertTrue(
            case.message_ids.filtered(lambda m: "Says the goods were damaged" in m.body)
        )

    def test_collector_sees_contacts_of_own_cases_only(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 800, "2026-01-10")
            self.create_invoice(self.debtor_two, 800, "2026-01-10")
        with freeze_time("2026-02-01 15:00:00"):
            self.env["collection.case"]._sync_cases(self.company)
            mine, other = self.case_of(self.debtor), self.case_of(self.debtor_two)
            mine.user_id = self.collector
            other.user_id = self.env.user
            contacts = self.env["collection.contact"].create(
                [
                    {"case_id": case.id, "outcome": "no_answer", "company_id": self.company.id}
                    for case in mine | other
                ]
            )
        visible = self.env["collection.contact"].with_user(self.collector).search([])
        self.assertEqual(visible & contacts, contacts.filtered(lambda c: c.case_id == mine))
