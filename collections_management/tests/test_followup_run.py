from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestFollowupRun(CollectionsCommon):
    def test_debtor_moves_through_every_level_day_by_day(self):
        due = date(2026, 3, 2)
        with freeze_time("2026-02-01"):
            invoice = self.create_invoice(self.debtor, 1000, due)
        reached = []
        day = date(2026, 2, 25)
        while day <= date(2026, 5, 10):
            run = self.run_followup(day)
            for communication in run.communication_ids:
                reached.append((day, communication.level_id))
            day += timedelta(days=1)
        self.assertEqual(
            reached,
            [
                (due - timedelta(days=3), self.l_courtesy),
                (due + timedelta(days=7), self.l_first),
                (due + timedelta(days=15), self.l_second),
                (due + timedelta(days=30), self.l_final),
                (due + timedelta(days=60), self.l_manual),
            ],
        )
        case = self.case_of(self.debtor)
        self.assertRecordValues(
            invoice,
            [
                {
                    "collection_level_id": self.l_manual.id,
                    "collection_level_date": due + timedelta(days=60),
                    "collection_case_id": case.id,
                    "collection_stage_id": self.stage_contact.id,
                }
            ],
        )
        # the manual level moves the case
        self.assertRecordValues(
            case, [{"level_id": self.l_manual.id, "stage_id": self.stage_contact.id}]
        )
        # every communication is logged on the case and on the debtor
        notes = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.debtor.id),
                ("body", "ilike", "level"),
            ]
        )
        self.assertEqual(len(notes), 5)

    def test_one_communication_per_debtor_at_highest_level_covering_all_invoices(self):
        with freeze_time("2026-01-01"):
            old = self.create_invoice(self.debtor, 300, "2026-01-10")
            recent = self.create_invoice(self.debtor, 200, "2026-02-10")
        self.run_followup("2026-01-20")  # old reaches First
        run = self.run_followup("2026-02-18")  # old reaches Second, recent First
        communication = run.communication_ids
        self.assertRecordValues(
            communication, [{"level_id": self.l_second.id, "amount_total": 500}]
        )
        self.assertEqual(communication.line_ids.move_id, old | recent)
        # each invoice keeps its own level
        self.assertRecordValues(
            old | recent,
            [{"collection_level_id": self.l_second.id}, {"collection_level_id": self.l_first.id}],
        )
        self.assertEqual(len(communication.mail_id), 1)
        self.assertIn(old.name, communication.mail_id.body_html)
        self.assertIn(recent.name, communication.mail_id.body_html)

    def test_no_skipping_levels_unless_policy_allows(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 500, "2026-01-05")
        self.run_followup("2026-02-14")  # 40 days late: first level, not the courtesy one
        self.assertEqual(invoice.collection_level_id, self.l_first)
        self.run_followup("2026-02-15")
        self.assertEqual(invoice.collection_level_id, self.l_second)
        self.policy.allow_level_skip = True
        self.run_followup("2026-02-16")
        self.assertEqual(invoice.collection_level_id, self.l_final)

    def test_email_lists_the_invoices_as_rows_like_a_template_reading_records(self):
        with freeze_time("2026-01-01"):
            old = self.create_invoice(self.debtor, 1234.5, "2026-01-10")
            recent = self.create_invoice(self.debtor, 200, "2026-01-12")
        communication = self.run_followup("2026-01-20").communication_ids  # both First
        body = communication.mail_id.body_html
        # one row per invoice, oldest due date first, with its days late and amount
        self.assertLess(body.index(old.name), body.index(recent.name))
        self.assertIn("1,234.50", body)
        self.assertIn('<td style="text-align: right;">10</td>', body)
        # a template reading the invoices as records (what databases installed before
        # keep) writes the same email
        by_records = self.template.copy(
            {
                "body_html": self.template.body_html.replace(
                    "followup_invoices(object)", "object.line_ids"
                ).replace("line.number", "line.move_id.name or ''")
            }
        )
        self.assertNotIn("followup_invoices", by_records.body_html)
        self.assertEqual(
            communication._render_email_bodies(by_records),
            communication._render_email_bodies(self.template),
        )
        # Odoo's own rendering (the template's preview, the composer) lists them too
        preview = self.template._render_field("body_html", communication.ids)[communication.id]
        self.assertIn(old.name, preview)
        self.assertIn(recent.name, preview)

    def test_subject_and_sender_are_rendered_without_evaluating_code(self):
        self.company.email = "billing@example.com"
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 500, "2026-01-05")
        # their plain field paths take Odoo's rendering without safe_eval
        with patch(
            "odoo.addons.mail.models.mail_render_mixin.render_inline_template",
            side_effect=AssertionError("an expression was evaluated"),
        ):
            communication = self.run_followup("2026-01-13").communication_ids
        self.assertRecordValues(
            communication.mail_id,
            [
                {
                    "subject": f"{self.company.name}: payment reminder",
                    "email_from": self.company.email_formatted,
                }
            ],
        )

    def test_run_twice_the_same_day_sends_nothing_twice(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 500, "2026-01-05")
            self.create_invoice(self.debtor_two, 700, "2026-01-05")
        first = self.run_followup("2026-02-14")
        mails = self.env["mail.mail"].search([("model", "=", "collection.case")])
        self.assertEqual(len(first.communication_ids), 2)
        # emails rendered in one batch: each holds its own debtor and invoices only
        for communication in first.communication_ids:
            other = (self.debtor | self.debtor_two) - communication.partner_id
            body = communication.mail_id.body_html
            self.assertIn(f"Dear {communication.partner_id.name},", body)
            self.assertIn(communication.line_ids.move_id.name, body)
            self.assertNotIn(other.name, body)
            self.assertNotIn(other.invoice_ids.name, body)
        second = self.run_followup("2026-02-14")
        self.assertFalse(second.communication_ids)
        self.assertEqual(self.env["mail.mail"].search([("model", "=", "collection.case")]), mails)
        self.assertEqual(second.state, "done")

    def test_partial_payment_lowers_the_debt_and_keeps_the_case(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        self.run_followup("2026-01-13")  # First
        with freeze_time("2026-01-14"):
            self.pay(invoice, 400, "2026-01-14")
        run = self.run_followup("2026-01-15")
        case = self.case_of(self.debtor)
        self.assertTrue(case.is_open)
        self.assertAlmostEqual(case.amount_overdue, 600)
        self.assertEqual(case.overdue_invoice_count, 1)
        self.assertFalse(run.communication_ids, "no new level is due on the 15th")
        run = self.run_followup("2026-01-20")  # Second, for what is left
        self.assertEqual(run.communication_ids.line_ids.amount_residual, 600)

    def test_payment_in_full_closes_the_case_and_a_new_delinquency_opens_another(self):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        self.run_followup("2026-01-20")
        case = self.case_of(self.debtor)
        self.assertTrue(case)
        with freeze_time("2026-01-25"):
            self.pay(invoice, 1000, "2026-01-25")
        # the payment itself closes the case
        self.assertRecordValues(
            case,
            [
                {
                    "is_open": False,
                    "stage_id": self.stage_resolved.id,
                    "date_closed": date(2026, 1, 25),
                }
            ],
        )
        self.assertIn("paid", case.message_ids[0].body)

        with freeze_time("2026-02-01"):
            later = self.create_invoice(self.debtor, 250, "2026-02-10")
        self.run_followup("2026-02-20")
        new_case = self.case_of(self.debtor)
        self.assertTrue(new_case)
        self.assertNotEqual(new_case, case)
        self.assertEqual(later.collection_case_id, new_case)
        self.assertEqual(invoice.collection_case_id, case, "history stays with the old case")
        self.assertEqual(self.debtor.collection_case_count, 2)
        self.assertEqual(self.debtor.collection_case_id, new_case)

    def test_holds_exclude_and_expire_by_themselves(self):
        with freeze_time("2026-01-01"):
            held = self.create_invoice(self.debtor, 100, "2026-01-05")
            free = self.create_invoice(self.debtor, 200, "2026-01-05")
            other = self.create_invoice(self.debtor_two, 300, "2026-01-05")
        with freeze_time("2026-01-10"):
            self.env["collection.hold"].create(
                {
                    "scope": "invoice",
                    "move_id": held.id,
                    "reason": "Credit note coming",
                    "date_end": "2026-01-20",
                }
            )
            self.env["collection.hold"].create(
                {
                    "scope": "debtor",
                    "partner_id": self.debtor_two.id,
                    "reason": "Bankruptcy check",
                    "date_end": "2026-01-25",
                }
            )
            self.assertEqual(
                self.env["account.move"].search([("collection_on_hold", "=", True)]), held | other
            )
        run = self.run_followup("2026-01-15")
        self.assertEqual(run.communication_ids.line_ids.move_id, free)
        self.assertFalse(held.collection_level_id)
        run = self.run_followup("2026-01-21")  # the invoice hold has expired
        held_line = run.communication_ids.line_ids.filtered(lambda line: line.move_id == held)
        self.assertEqual(held_line.level_id, self.l_first)
        self.assertEqual(held.collection_level_id, self.l_first)
        self.assertFalse(other.collection_level_id)
        run = self.run_followup("2026-01-26")  # the debtor hold has expired
        self.assertIn(other, run.communication_ids.line_ids.move_id)
        with freeze_time("2026-01-26"), self.assertRaises(ValidationError):
            self.env["collection.hold"].create(
                {"scope": "invoice", "move_id": free.id, "reason": "x", "date_end": "2026-01-01"}
            )

    def test_manual_level_creates_an_activity_and_sends_nothing(self):
        manual_policy = self.env["collection.policy"].create(
            {
                "name": "Key accounts",
                "company_id": self.company.id,
                "level_ids": [
                    Command.create(
                        {
                            "name": "Call",
                            "delay": 10,
                            "mode": "manual",
                            "activity_summary": "Call CFO",
                        }
                    )
                ],
            }
        )
        self.debtor.with_company(self.company).collection_policy_id = manual_policy
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 5000, "2026-01-05")
        mails_before = self.env["mail.mail"].search_count([])
        run = self.run_followup("2026-01-20")
        communication = run.communication_ids
        self.assertEqual(communication.state, "manual")
        self.assertFalse(communication.mail_id)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        case = self.case_of(self.debtor)
        self.assertEqual(case.activity_ids.summary, "Call CFO")
        self.assertEqual(invoice.collection_level_id, manual_policy.level_ids)
        self.assertEqual(run.manual_count, 1)

    def test_bad_address_is_recorded_and_does_not_stop_the_run(self):
        self.debtor.email = "not-an-address"
        with freeze_time("2026-01-01"):
            bad = self.create_invoice(self.debtor, 100, "2026-01-05")
            good = self.create_invoice(self.debtor_two, 200, "2026-01-05")
        run = self.run_followup("2026-01-20")
        self.assertRecordValues(run, [{"state": "done", "sent_count": 1, "failed_count": 1}])
        failed = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(failed.state, "failed")
        self.assertIn("email", failed.error)
        # the bad address's level is not lost: the next run retries
        self.assertRecordValues(
            bad | good, [{"collection_level_id": False}, {"collection_level_id": self.l_first.id}]
        )
        case = self.case_of(self.debtor)
        self.assertIn("not sent", case.message_ids[0].body)
        # once the address is fixed, the next run sends it
        self.debtor.email = "fixed@example.com"
        run = self.run_followup("2026-01-21")
        retried = run.communication_ids.filtered(lambda c: c.partner_id == self.debtor)
        self.assertEqual(retried.state, "sent")
        self.assertEqual(bad.collection_level_id, self.l_first)

    def test_bounce_from_the_mail_queue_is_recorded_on_the_case(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 100, "2026-01-05")
        run = self.run_followup("2026-01-20")
        communication = run.communication_ids
        self.assertEqual(communication.email_state, "queued")
        communication.mail_id.write(
            {"state": "exception", "failure_reason": "550 mailbox unavailable"}
        )
        communication.mail_id._postprocess_sent_message(
            success_pids=[],
            success_emails=[],
            failure_reason="550 mailbox unavailable",
            failure_type="mail_bounce",
        )
        self.assertEqual(communication.email_state, "failed")
        note = self.case_of(self.debtor).message_ids[0].body
        self.assertIn("could not be delivered", note)
        self.assertIn("550", note)

    def test_cron_runs_daily_and_resumes_without_duplicates(self):
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 100, "2026-01-05")
            self.create_invoice(self.debtor_two, 100, "2026-01-05")
        self.company.collection_batch_size = 1
        with freeze_time("2026-01-20"):
            # what the scheduler does, as the scheduler (superuser) does it
            run = (
                self.env["collection.run"]
                .sudo()
                .create({"company_id": self.company.id, "trigger": "cron"})
            )
            run._compute_proposals()
            run.state = "running"
            run._process_batch()  # one batch done, then the worker "dies"
            self.assertEqual(run.pending_count, 1)
            self.run_cron("ir_cron_collection_daily")  # resumes, starts no second run today
            self.assertEqual(run.state, "done")
            self.assertEqual(run.sent_count, 2)
            runs = self.env["collection.run"].search([("company_id", "=", self.company.id)])
            self.assertEqual(runs, run)
            self.assertEqual(len(runs.communication_ids.filtered(lambda c: c.state == "sent")), 2)
            self.run_cron("ir_cron_collection_daily")
            communications = self.env["collection.communication"].search(
                [("partner_id", "in", (self.debtor | self.debtor_two).ids)]
            )
            self.assertEqual(communications.mapped("state"), ["sent", "sent"])
            self.assertEqual(len(communications.mail_id), 2, "each debtor got one email")

    def test_daily_cron_starts_a_run_per_company_and_drops_stale_previews(self):
        other = self.setup_other_company(name="Collections Cron Co")["company"]
        other.collection_policy_id = self._create_policy(other, "Other")
        other_first = other.collection_policy_id._get_sorted_levels()[1]
        with freeze_time("2026-01-01"):
            ours = self.create_invoice(self.debtor, 100, "2026-01-05")
            theirs = self.create_invoice(self.debtor_two, 900, "2026-01-05", company=other)
        with freeze_time("2026-01-19"):
            stale = self.env["collection.run"].create({"company_id": self.company.id})
            stale.action_preview()
            self.assertEqual(stale.communication_ids.partner_id, self.debtor)
        with freeze_time("2026-01-20 05:00:00"):
            self.run_cron("ir_cron_collection_daily")
        self.assertEqual(stale.state, "cancelled", "yesterday's preview is not sent")
        companies = (self.company | other).sorted("id")
        runs = (
            self.env["collection.run"]
            .with_context(allowed_company_ids=companies.ids)
            .search([("company_id", "in", companies.ids), ("trigger", "=", "cron")])
            .sorted(lambda run: run.company_id.id)
        )
        self.assertRecordValues(
            runs,
            [
                {"company_id": company.id, "date": date(2026, 1, 20), "state": "done"}
                for company in companies
            ],
        )
        self.assertRecordValues(
            runs.communication_ids.sorted(lambda c: c.company_id.id),
            [
                {"partner_id": self.debtor.id, "level_id": self.l_first.id, "state": "sent"},
                {"partner_id": self.debtor_two.id, "level_id": other_first.id, "state": "sent"},
            ],
        )
        self.assertRecordValues(
            (ours | theirs).with_context(allowed_company_ids=companies.ids),
            [{"collection_level_id": self.l_first.id}, {"collection_level_id": other_first.id}],
        )

    def test_process_cron_finishes_a_run_batch_by_batch(self):
        self.company.collection_batch_size = 1
        debtors = self.debtor | self.debtor_two | self._create_debtor("Three", "3@example.com")
        with freeze_time("2026-01-01"):
            for debtor in debtors:
                self.create_invoice(debtor, 100, "2026-01-05")
        process = self.env.ref("collections_management.ir_cron_collection_process")
        with freeze_time("2026-01-20"):
            run = self.env["collection.run"].create({"company_id": self.company.id})
            run.action_run()  # the first batch now, the rest left to the cron
            self.assertRecordValues(
                run, [{"state": "running", "sent_count": 1, "pending_count": 2}]
            )
            self.assertTrue(
                self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", process.id)])
            )
            self.run_cron("ir_cron_collection_process")
        self.assertRecordValues(run, [{"state": "done", "sent_count": 3, "pending_count": 0}])
        self.assertEqual(run.communication_ids.partner_id, debtors)
        self.assertEqual(len(run.communication_ids.mail_id), 3, "one email per debtor")
        self.assertIn("3 Sent", run.summary)

    def test_multi_company_isolation(self):
        other = self.setup_other_company()["company"]
        other_policy = self._create_policy(other, "Other")
        other.collection_policy_id = other_policy
        with freeze_time("2026-01-01"):
            ours = self.create_invoice(self.debtor, 100, "2026-01-05")
            theirs = self.create_invoice(self.debtor, 900, "2026-01-05", company=other)
        run = self.run_followup("2026-01-20")
        self.assertEqual(run.communication_ids.line_ids.move_id, ours)
        self.assertFalse(theirs.collection_level_id)
        case = self.case_of(self.debtor)
        self.assertEqual(case.amount_overdue, 100, "the other company's debt is not counted")
        other_run = self.run_followup("2026-01-20", company=other)
        self.assertEqual(other_run.communication_ids.line_ids.move_id, theirs)
        other_case = self.case_of(self.debtor, company=other)
        self.assertNotEqual(case, other_case)
        self.assertEqual(other_case.amount_overdue, 900)
        collector = new_test_user(
            self.env,
            login="mc_collector",
            name="Collector",
            groups="collections_management.group_collections_collector",
            company_id=self.company.id,
        )
        visible = self.env["collection.case"].with_user(collector).search([])
        self.assertIn(case, visible)
        self.assertNotIn(other_case, visible)
        with self.assertRaises(AccessError):
            other_case.with_user(collector).read(["amount_overdue"])
        # the collector reads the follow-ups of the case, with their email's state,
        # although outgoing mails themselves are for administrators only
        followups = case.with_user(collector).read(["communication_ids"])[0]
        communications = self.env["collection.communication"].with_user(collector)
        states = communications.browse(followups["communication_ids"]).read(["email_state"])
        self.assertEqual([row["email_state"] for row in states], ["queued"])
