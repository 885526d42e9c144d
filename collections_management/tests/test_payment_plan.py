from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(CollectionsCommon):
    """Payment plans: instalments that add up, payments allocated oldest first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.plan_grace_days = 5
        cls.stage_plan = cls.env.ref("collections_management.collection_stage_plan")

    def setUp(self):
        super().setUp()
        with freeze_time("2026-02-01"):
            self.invoice = self.create_invoice(self.debtor, 300.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)

    def plan(self, date="2026-02-01", **values):
        with freeze_time(date):
            return self.env["collection.payment.plan"].create(
                {
                    "partner_id": self.debtor.id,
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "date_first": "2026-03-01",
                    **values,
                }
            )

    def monitor(self, date):
        """The nightly job that monitors payment plans (and judges promises)."""
        with freeze_time(date):
            self.run_cron("ir_cron_collection_arrangements")

    def activate(self, plan, date="2026-02-01"):
        with freeze_time(date):
            plan.action_activate()

    # ------------------------------------------------------------------
    def test_instalments_add_up_for_awkward_totals(self):
        with freeze_time("2026-02-01"):
            hundred = self.create_invoice(self.debtor_two, 100.0, "2026-01-10")
        plan = self.plan(partner_id=self.debtor_two.id, move_ids=[Command.set(hundred.ids)])
        self.assertEqual(plan.line_ids.mapped("amount"), [33.33, 33.33, 33.34])
        self.assertEqual(
            [str(d) for d in plan.line_ids.mapped("date_due")],
            ["2026-03-01", "2026-04-01", "2026-05-01"],
        )
        with freeze_time("2026-02-01"):
            plan.write({"instalment_count": 7, "frequency": "biweekly", "down_payment": 10.0})
            plan.action_compute_schedule()
        amounts = plan.line_ids.mapped("amount")
        self.assertEqual(amounts, [10.0, 12.86, 12.86, 12.86, 12.86, 12.86, 12.86, 12.84])
        self.assertAlmostEqual(sum(amounts), 100.0, places=6)
        self.assertTrue(plan.line_ids[0].is_down_payment)
        self.assertEqual(str(plan.line_ids[-1].date_due), "2026-05-24")  # 6 x 2 weeks later

    def test_validation_only_when_the_sum_matches(self):
        plan = self.plan()
        plan.line_ids[0].amount = 90.0
        with self.refused(ValidationError, "add up to"):
            self.activate(plan)
        self.assertEqual(plan.state, "draft")
        self.assertEqual(self.case.stage_id.stage_type, "open")
        plan.line_ids[1].amount = 110.0
        self.activate(plan)
        self.assertEqual(plan.state, "active")
        self.assertEqual(self.case.stage_id, self.stage_plan)
        self.assertEqual(self.case.plan_id, plan)
        with self.assertRaises(UserError):
            plan.line_ids[0].amount = 100.0

    def test_one_payment_allocated_across_two_instalments(self):
        plan = self.plan()
        self.activate(plan)
        self.pay(self.invoice, 150.0, "2026-02-20")
        self.monitor("2026-02-21")
        self.assertRecordValues(
            plan.line_ids,
            [
                {"amount_paid": 100.0, "state": "paid"},
                {"amount_paid": 50.0, "state": "partial"},
                {"amount_paid": 0.0, "state": "pending"},
            ],
        )
        self.assertRecordValues(plan, [{"amount_paid": 150.0, "progress": 50.0}])
        self.assertRecordValues(
            self.case,
            [{"plan_progress": 50.0, "plan_next_due_date": fields.Date.to_date("2026-04-01")}],
        )

    def test_late_then_missed_instalment_breaches_the_plan(self):
        plan = self.plan()
        self.activate(plan)
        self.monitor("2026-03-06")  # due 03-01, grace 5 days: late
        self.assertEqual(plan.line_ids[0].state, "late")
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.late_count, 1)
        run = self.run_followup("2026-03-06")
        self.assertFalse(run.communication_ids, "no follow-up while the plan is active")

        self.monitor("2026-03-07")
        self.assertEqual(plan.line_ids[0].state, "missed")
        self.assertEqual(plan.state, "breached")
        self.assertEqual(self.case.stage_id, self.stage_contact)
        self.assertEqual(len(self.case.activity_ids), 1)
        self.assertIn(plan.name, self.case.activity_ids.summary)
        run = self.run_followup("2026-03-07")
        self.assertEqual(run.communication_ids.line_ids.move_id, self.invoice)

    def test_completion_closes_the_case(self):
        plan = self.plan(down_payment=60.0, down_payment_date="2026-02-05")
        self.assertEqual(plan.line_ids.mapped("amount"), [60.0, 80.0, 80.0, 80.0])
        self.activate(plan)
        self.pay(self.invoice, 60.0, "2026-02-05")
        self.pay(self.invoice, 240.0, "2026-03-01")
        self.monitor("2026-03-02")
        self.assertEqual(plan.state, "completed")
        self.assertEqual(set(plan.line_ids.mapped("state")), {"paid"})
        self.assertRecordValues(self.case, [{"is_open": False, "stage_id": self.stage_resolved.id}])

    def test_run_skips_invoices_in_an_active_plan_only(self):
        with freeze_time("2026-02-01"):
            other = self.create_invoice(self.debtor, 50.0, "2026-01-15")
        plan = self.plan(move_ids=[Command.set(self.invoice.ids)])
        run = self.run_followup("2026-02-01")
        self.assertIn(
            self.invoice, run.communication_ids.line_ids.move_id, "a draft plan binds nothing"
        )
        self.activate(plan, "2026-02-02")
        run = self.run_followup("2026-02-20")
        self.assertEqual(run.communication_ids.line_ids.move_id, other)

    def test_bad_input_is_refused(self):
        with self.refused(ValidationError, "before the day the plan is agreed"):
            self.plan(date_first="2026-01-15")
        with self.refused(ValidationError, "down payment cannot be negative"):
            self.plan(down_payment=-5.0)
        with self.refused(ValidationError, "at least one instalment"):
            self.plan(instalment_count=0)
        plan = self.plan()
        plan.line_ids[0].amount = 0.0
        plan.line_ids[1].amount = 200.0
        with self.refused(ValidationError, "more than zero"):
            self.activate(plan)
        plan.action_compute_schedule()
        self.activate(plan)
        overlapping = self.plan()
        with self.refused(ValidationError, "already in active payment plan"):
            self.activate(overlapping)
        self.assertEqual(overlapping.state, "draft")
        with self.refused(UserError, "cannot change"):
            plan.instalment_count = 2
        with freeze_time("2026-02-01"):
            paid = self.create_invoice(self.debtor_two, 40.0, "2026-01-10")
        self.pay(paid, 40.0, "2026-02-01")
        paid_plan = self.plan(partner_id=self.debtor_two.id, move_ids=[Command.set(paid.ids)])
        with self.refused(ValidationError, "already paid"):
            self.activate(paid_plan)

    def test_agreement_renders_as_a_real_pdf(self):
        from .test_letter_report import pdf_text

        # wkhtmltopdf fetches style sheets over HTTP: a closed port, not this test's server
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        plan = self.plan()
        self.activate(plan)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("collections_management.action_report_payment_plan", plan.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        self.assertIn(plan.name, text)
        self.assertIn(self.debtor.name, text)
        self.assertIn(self.invoice.name, text)

    def test_agreement_prints_and_goes_by_email(self):
        plan = self.plan()
        self.activate(plan)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("collections_management.action_report_payment_plan", plan.ids)[0]
            .decode()
        )
        self.assertIn("Payment Plan Agreement", html)
        self.assertIn(plan.name, html)
        self.assertIn("100.00", html)
        action = plan.action_send_agreement()
        composer = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertIn(plan.name, composer.subject)
        composer.action_send_mail()
        message = plan.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertTrue(message.attachment_ids, "the agreement is attached")
        self.assertIn(self.debtor, message.partner_ids)

    def test_monitoring_queries_do_not_grow_with_plans(self):
        def make(count, tag):
            with freeze_time("2026-02-01"):
                debtors = self.env["res.partner"].create(
                    [{"name": f"Plan {tag}-{i}", "is_company": True} for i in range(count)]
                )
                invoices = self.env["account.move"]
                for debtor in debtors:
                    invoices |= self.create_invoice(debtor, 300.0, "2026-01-10")
                self.env["collection.case"]._sync_cases(self.company)
                plans = self.env["collection.payment.plan"].create(
                    [
                        {
                            "partner_id": invoice.partner_id.id,
                            "move_ids": [Command.set(invoice.ids)],
                            "date_first": "2026-03-01",
                        }
                        for invoice in invoices
                    ]
                )
                plans.action_activate()
            self.pay(invoices[0], 100.0, "2026-02-20")
            return plans

        def count_queries(date):
            """Queries of the nightly cron, which monitors every active plan."""
            with freeze_time(date), self.count_queries() as queries:
                self.run_cron("ir_cron_collection_arrangements")
            return queries.count

        small = make(2, "small")
        small_queries = count_queries("2026-03-10")  # the first instalments are missed
        self.assertEqual(set(small.mapped("state")), {"active", "breached"})
        big = make(10, "big")
        big_queries = count_queries("2026-03-10")
        self.assertEqual(big.filtered(lambda p: p.state == "breached"), big[1:])
        self.assertTrue(big[1:].case_id.activity_ids, "the breach path was exercised")
        self.assertLessEqual(big_queries, small_queries + 3, (small_queries, big_queries))

    def test_instalment_paid_is_rounded_to_the_currency(self):
        with freeze_time("2026-02-01"):
            thousand = self.create_invoice(self.debtor_two, 1000.0, "2026-01-10")
        plan = self.plan(partner_id=self.debtor_two.id, move_ids=[Command.set(thousand.ids)])
        self.assertEqual(plan.line_ids.mapped("amount"), [333.33, 333.33, 333.34])
        self.activate(plan)
        self.pay(thousand, 500.0, "2026-02-10")
        self.monitor("2026-02-11")
        plan.invalidate_recordset()
        self.assertEqual(plan.line_ids.mapped("amount_paid"), [333.33, 166.67, 0.0])
        self.assertEqual(plan.line_ids.mapped("state"), ["paid", "partial", "pending"])
        self.assertEqual(plan.amount_paid, 500.0)
