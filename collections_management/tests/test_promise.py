from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPromise(CollectionsCommon):
    """Promises to pay: judged by the money Odoo's reconciliation shows received."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.promise_grace_days = 3
        cls.collector = new_test_user(
            cls.env,
            login="colin_promise",
            name="Colin Collector",
            groups="collections_management.group_collections_collector",
        )

    def setUp(self):
        super().setUp()
        with freeze_time("2026-02-01"):
            self.invoice = self.create_invoice(self.debtor, 1000.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)
        self.case.user_id = self.collector

    def promise(self, date="2026-02-01", **values):
        with freeze_time(date):
            return self.env["collection.promise"].create(
                {
                    "partner_id": self.debtor.id,
                    "date_promised": "2026-02-15",
                    **values,
                }
            )

    def evaluate(self, date):
        """The nightly job that judges promises (and monitors payment plans)."""
        with freeze_time(date):
            self.run_cron("ir_cron_collection_arrangements")

    def credit_note(self, invoice, amount, date):
        with freeze_time(date):
            refund = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_date": date,
                    "invoice_line_ids": [
                        Command.create({"name": "Refund", "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
            refund.action_post()
            lines = (refund | invoice).line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            lines.reconcile()
        return refund

    # ------------------------------------------------------------------
    def test_defaults_from_the_case(self):
        promise = self.promise()
        self.assertRecordValues(
            promise,
            [
                {
                    "move_ids": self.invoice.ids,  # all overdue invoices by default
                    "amount": 1000.0,
                    "grace_days": 3,  # from the policy
                    "date_deadline": fields.Date.to_date("2026-02-18"),
                    "case_id": self.case.id,
                    "user_id": self.collector.id,
                }
            ],
        )
        self.assertEqual(self.case.stage_id.stage_type, "promise")

    def test_promise_from_a_call_outcome(self):
        with freeze_time("2026-02-01 15:00:00"):
            wizard = self.env["collection.contact.log"].create(
                {
                    "case_id": self.case.id,
                    "channel": "phone",
                    "outcome": "promise",
                    "note": "Will pay on the 15th",
                }
            )
            action = wizard.action_log()
            self.assertEqual(action["res_model"], "collection.promise")
            promise = (
                self.env["collection.promise"]
                .with_context(**action["context"])
                .create({"date_promised": "2026-02-15"})
            )
        self.assertRecordValues(
            promise,
            [
                {
                    "case_id": self.case.id,
                    "partner_id": self.debtor.id,
                    "channel": "phone",
                    "note": "Will pay on the 15th",
                    "move_ids": self.invoice.ids,
                }
            ],
        )
        contact = self.env["collection.contact"].search([("case_id", "=", self.case.id)])
        self.assertEqual(contact.outcome, "promise")

    def test_kept_as_soon_as_paid(self):
        promise = self.promise()
        self.pay(self.invoice, 1000.0, "2026-02-10")
        self.evaluate("2026-02-11")
        self.assertEqual(promise.state, "kept")
        self.assertEqual(promise.amount_received, 1000.0)

    def test_partially_kept_with_partial_reconciliation(self):
        promise = self.promise()
        self.pay(self.invoice, 400.0, "2026-02-12")
        self.evaluate("2026-02-18")
        self.assertEqual(promise.state, "open", "judged only after the grace days")
        self.evaluate("2026-02-19")
        self.assertEqual(promise.state, "partial")
        self.assertEqual(promise.amount_received, 400.0)
        # escalation: the policy's escalation stage and an activity for the collector
        self.assertEqual(self.case.stage_id, self.stage_contact)
        activity = self.case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("400.00", activity.summary)
        # and the case rises in the collector's worklist
        self.assertEqual(self.case.broken_promise_count, 1)
        self.assertEqual(self.case.score_promises, self.company.collection_weight_promise)
        self.assertTrue(self.company.collection_weight_promise)

    def test_credit_note_does_not_count(self):
        promise = self.promise()
        self.credit_note(self.invoice, 300.0, "2026-02-05")
        self.assertAlmostEqual(self.invoice.amount_residual, 700.0)
        self.evaluate("2026-02-19")
        self.assertEqual(promise.state, "broken", "a credit note is not money received")
        self.assertEqual(promise.amount_received, 0.0)

    def test_credit_note_and_payment(self):
        promise = self.promise(amount=500.0)
        self.credit_note(self.invoice, 500.0, "2026-02-05")
        self.pay(self.invoice, 200.0, "2026-02-10")
        self.evaluate("2026-02-19")
        self.assertEqual(promise.state, "partial")
        self.assertEqual(promise.amount_received, 200.0)

    def test_grace_days_boundaries(self):
        on_time = self.promise()
        self.pay(self.invoice, 1000.0, "2026-02-18")  # last day of grace
        self.evaluate("2026-02-19")
        self.assertEqual(on_time.state, "kept")

        with freeze_time("2026-02-20"):
            late_invoice = self.create_invoice(self.debtor, 500.0, "2026-02-19")
        late = self.promise(
            date="2026-02-20", move_ids=[Command.set(late_invoice.ids)], date_promised="2026-02-25"
        )
        self.assertEqual(str(late.date_deadline), "2026-02-28")
        self.pay(late_invoice, 500.0, "2026-03-01")  # one day after the grace days
        self.evaluate("2026-03-01")
        self.assertEqual(late.state, "broken")

    def test_payment_after_evaluation_does_not_reopen(self):
        promise = self.promise()
        self.evaluate("2026-02-19")
        self.assertEqual(promise.state, "broken")
        self.pay(self.invoice, 1000.0, "2026-02-20")
        self.evaluate("2026-02-21")
        self.assertEqual(promise.state, "broken")
        self.assertEqual(promise.amount_received, 0.0)

    def test_nightly_cron_judges_promises_and_monitors_plans(self):
        promise = self.promise()  # due 2026-02-15, judged after 3 grace days
        with freeze_time("2026-02-01"):
            self.create_invoice(self.debtor_two, 300.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
            plan = self.env["collection.payment.plan"].create(
                {
                    "partner_id": self.debtor_two.id,
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "date_first": "2026-02-10",
                }
            )
            plan.action_activate()
        self.pay(self.invoice, 1000.0, "2026-02-12")
        self.evaluate("2026-02-18")
        self.assertEqual(promise.state, "kept")
        self.assertEqual(plan.state, "breached")
        self.assertEqual(plan.line_ids[0].state, "missed")
        self.assertEqual(self.case_of(self.debtor_two).stage_id, self.stage_contact)

    def test_payment_before_the_promise_does_not_count(self):
        self.pay(self.invoice, 300.0, "2026-01-30")
        promise = self.promise(amount=700.0)
        self.evaluate("2026-02-19")
        self.assertEqual(promise.state, "broken")

    def test_run_skips_promised_invoices_until_broken(self):
        with freeze_time("2026-02-01"):
            other = self.create_invoice(self.debtor, 250.0, "2026-01-10")
        self.promise(move_ids=[Command.set(self.invoice.ids)], amount=1000.0)
        run = self.run_followup("2026-02-02")
        self.assertEqual(run.communication_ids.line_ids.move_id, other)

        self.evaluate("2026-02-19")
        run = self.run_followup("2026-02-19")
        self.assertIn(self.invoice, run.communication_ids.line_ids.move_id)

    def test_kept_rate_per_debtor_and_collector(self):
        kept = self.promise(amount=500.0)
        self.pay(self.invoice, 500.0, "2026-02-10")
        with freeze_time("2026-02-11"):
            second = self.create_invoice(self.debtor, 100.0, "2026-02-10")
        broken = self.promise(
            date="2026-02-11", move_ids=[Command.set(second.ids)], date_promised="2026-02-12"
        )
        open_one = self.promise(
            date="2026-02-11", move_ids=[Command.set(self.invoice.ids)], date_promised="2026-03-30"
        )
        self.evaluate("2026-02-19")
        self.assertRecordValues(
            kept | broken | open_one, [{"state": "kept"}, {"state": "broken"}, {"state": "open"}]
        )
        self.assertEqual(self.debtor.collection_promise_kept_rate, 50.0)
        self.assertEqual(self.case.promise_kept_rate, 50.0)
        rates = self.env["collection.promise"]._kept_rates("user_id")
        self.assertEqual(rates[self.collector], [1, 2])
        report = self.env["collection.promise.report"]._read_group(
            [("user_id", "=", self.collector.id)], [], ["kept_rate:avg", "due_count:sum"]
        )
        self.assertEqual(report, [(50.0, 2)])

    def test_promises_in_collector_performance_and_dashboard(self):
        kept = self.promise(amount=400.0)
        self.pay(self.invoice, 400.0, "2026-02-10")
        broken = self.promise(date="2026-02-11", amount=600.0, date_promised="2026-02-12")
        self.evaluate("2026-02-20")
        self.assertRecordValues(kept | broken, [{"state": "kept"}, {"state": "broken"}])
        with freeze_time("2026-02-20 14:00:00"):
            self.promise(date="2026-02-20", amount=100.0, date_promised="2026-02-25")
            self.promise(date="2026-02-20", amount=50.0, date_promised="2026-03-10")
            self.env["collection.contact"].with_user(self.collector).create(
                {"case_id": self.case.id, "channel": "phone", "outcome": "reached"}
            )
            self.env["collection.dispute"].create(
                {
                    "move_id": self.invoice.id,
                    "amount": 120.0,
                    "reason_id": self.env.ref("collections_management.dispute_reason_quantity").id,
                }
            )
            self.env.flush_all()
            rows = self.env["collection.collector.performance"]._read_group(
                [("user_id", "=", self.collector.id)],
                [],
                [
                    "promises_made:sum",
                    "promises_due:sum",
                    "promises_kept:sum",
                    "promise_kept_rate:avg",
                    "cases_worked:sum",
                ],
            )
            self.assertEqual(rows[0][:4], (4, 2, 1, 50.0))
            card = self.env["collection.dashboard"].search([("company_id", "=", self.company.id)])
            self.assertEqual(card.promises_due_week_count, 1, "only the one due within 7 days")
            self.assertEqual(card.promises_due_week_amount, 100.0)
            self.assertEqual(card.promises_broken_count, 1)
            self.assertEqual((card.disputes_open_count, card.disputes_open_amount), (1, 120.0))
            action = card.action_open_promises_broken()
            self.assertEqual(self.env["collection.promise"].search(action["domain"]), broken)

    def test_collectors_see_the_promises_of_their_own_cases(self):
        mine = self.promise()
        other_collector = new_test_user(
            self.env,
            login="other_promise_collector",
            groups="collections_management.group_collections_collector",
        )
        with freeze_time("2026-02-01"):
            self.create_invoice(self.debtor_two, 100.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
        self.case_of(self.debtor_two).user_id = other_collector
        theirs = self.promise(partner_id=self.debtor_two.id)
        Promise = self.env["collection.promise"]
        self.assertEqual(Promise.with_user(self.collector).search([]), mine)
        self.assertEqual(Promise.with_user(other_collector).search([]), theirs)
        Report = self.env["collection.promise.report"]
        self.assertEqual(Report.with_user(self.collector).search([]).promise_id, mine)

    def test_bad_input_is_refused(self):
        Promise = self.env["collection.promise"]
        with self.refused(ValidationError, "more than zero"):
            self.promise(amount=0.0)
        with self.refused(ValidationError, "before the day the promise was made"):
            self.promise(date_promised="2026-01-31")
        with self.refused(ValidationError, "more than is open"):
            self.promise(amount=1500.0)
        self.pay(self.invoice, 1000.0, "2026-02-01")
        with self.refused(ValidationError, "already paid"):
            self.promise(move_ids=[Command.set(self.invoice.ids)], amount=10.0)
        foreign_company = self.setup_other_company()["company"]
        with freeze_time("2026-02-01"):
            foreign = self.create_invoice(self.debtor, 100.0, "2026-01-10", company=foreign_company)
        with self.refused(ValidationError, "belongs to"):
            self.promise(move_ids=[Command.set(foreign.ids)], amount=10.0)
        self.assertFalse(Promise.search([("partner_id", "=", self.debtor.id)]))

    def test_evaluation_queries_do_not_grow_with_promises(self):
        def make(count, date):
            with freeze_time(date):
                debtors = self.env["res.partner"].create(
                    [{"name": f"P{date}-{i}", "is_company": True} for i in range(count)]
                )
                invoices = self.env["account.move"]
                for debtor in debtors:
                    invoices |= self.create_invoice(debtor, 100.0, "2026-01-10")
                self.env["collection.case"]._sync_cases(self.company)
                promises = self.env["collection.promise"].create(
                    [
                        {
                            "partner_id": invoice.partner_id.id,
                            "move_ids": [Command.set(invoice.ids)],
                            "amount": 100.0,
                            "date_promised": date,
                        }
                        for invoice in invoices
                    ]
                )
            # one kept, the rest broken
            self.pay(invoices[0], 100.0, date)
            return promises

        def count_queries(date):
            """Queries of the nightly cron, which judges every open promise."""
            with freeze_time(date), self.count_queries() as queries:
                self.run_cron("ir_cron_collection_arrangements")
            return queries.count

        small = make(2, "2026-02-02")
        small_queries = count_queries("2026-02-28")
        big = make(12, "2026-02-03")
        big_queries = count_queries("2026-02-28")
        self.assertEqual(set(small.mapped("state")), {"kept", "broken"})
        self.assertEqual(set(big.mapped("state")), {"kept", "broken"})
        self.assertTrue(big.case_id.activity_ids, "the escalation path was exercised")
        self.assertLessEqual(big_queries, small_queries + 3, (small_queries, big_queries))
