from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


class ComplianceCommon(CollectionsCommon):
    """A consumer debtor in New York (UTC-5 in January) with one overdue invoice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.debtor_type = "consumer"
        cls.debtor.tz = "America/New_York"
        cls.Contact = cls.env["collection.contact"]

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        with freeze_time("2026-01-10"):
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)

    def _call(self, when, outcome="no_answer"):
        """Log an outbound call at `when` (UTC) as it happens."""
        with freeze_time(when):
            return self.Contact.create(
                {
                    "case_id": self.case.id,
                    "channel": "phone",
                    "outcome": outcome,
                    "company_id": self.company.id,
                }
            )


@tagged("post_install", "-at_install")
class TestCallFrequencyCalendarDays(ComplianceCommon):
    """Regulation F counts calendar days in the debtor's time zone (12 CFR 1006.14(b)(2)):
    2026-01-12 is a Monday; New York is UTC-5."""

    def test_conversation_day_is_the_first_of_the_seven(self):
        self._call("2026-01-12 20:00:00", outcome="reached")  # Monday 15:00 local
        with self.assertRaisesRegex(UserError, "no call for 7 days after a conversation"):
            self._call("2026-01-19 01:00:00")  # Sunday (day 7) 20:00 local
        # the next Monday morning is day 8, though fewer than 7 x 24 hours have passed
        self.assertTrue(self._call("2026-01-19 14:00:00"))  # Monday 09:00 local

    def test_conversation_late_in_the_local_evening(self):
        # 20:30 in New York is already the next day in UTC: the local date counts
        self._call("2026-01-13 01:30:00", outcome="reached")  # Monday 12th 20:30 local
        with self.assertRaisesRegex(UserError, "no call for 7 days"):
            self._call("2026-01-18 22:00:00")  # Sunday 17:00 local
        self.assertTrue(self._call("2026-01-19 13:00:00"))  # Monday 08:00 local

    def test_seven_attempts_within_days_one_to_seven_then_day_eight(self):
        self.policy.guard_contact_hours = False  # to call just after local midnight
        self._call("2026-01-13 01:00:00")  # day 1 (Monday 12th) 20:00 local
        for day in range(13, 19):  # days 2..7, 09:00 local
            self._call(f"2026-01-{day} 14:00:00")
        with self.assertRaisesRegex(UserError, "already called 7 times in the last 7 days"):
            self._call("2026-01-19 04:59:00")  # day 7, 23:59 local
        # day 8 at 00:30 local: day 1 has left the seven days
        self.assertTrue(self._call("2026-01-19 05:30:00"))
        with self.assertRaisesRegex(UserError, "already called 7 times"):
            self._call("2026-01-19 14:00:00")  # days 2..8 now hold seven attempts

    def test_days_follow_the_debtor_time_zone(self):
        self.policy.guard_contact_hours = False
        self.debtor.tz = "Asia/Tokyo"  # UTC+9
        self._call("2026-01-12 14:30:00", outcome="reached")  # Monday 23:30 local
        with self.assertRaisesRegex(UserError, "no call for 7 days"):
            self._call("2026-01-18 14:00:00")  # Sunday 23:00 local, day 7
        self.assertTrue(self._call("2026-01-18 15:00:00"))  # Monday 00:00 local, day 8


@tagged("post_install", "-at_install")
class TestTimeBarredLevels(CollectionsCommon):
    """A German debtor (three years, BGB 195) whose invoice fell due on 2022-03-01: its
    debt is time-barred since 2025-03-01. The first level threatens suit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.debtor_de = cls._create_debtor(
            "Rheinland GmbH", "rh@example.com", country_id=cls.env.ref("base.de").id
        )
        cls.l_first.threatens_legal_action = True

    def _barred_notes(self, case):
        return case.message_ids.filtered(lambda m: "time-barred" in (m.body or ""))

    def test_threatening_level_recorded_once_then_skipped(self):
        invoice = self.create_invoice(self.debtor_de, 900.0, "2022-03-01")
        first = self.run_followup("2026-03-10")
        barred = first.communication_ids
        self.assertRecordValues(barred, [{"level_id": self.l_first.id, "state": "failed"}])
        case = self.case_of(self.debtor_de)
        self.assertEqual(len(self._barred_notes(case)), 1, "the reason, noted on the case")

        second = self.run_followup("2026-03-11")
        self.assertRecordValues(
            second.communication_ids, [{"level_id": self.l_second.id, "state": "sent"}]
        )
        self.assertEqual(invoice.collection_level_id, self.l_second)
        third = self.run_followup("2026-03-12")
        self.assertEqual(third.communication_ids.level_id, self.l_final)
        self.assertFalse(
            (second | third).communication_ids.filtered(lambda c: c.state == "failed"),
            "the threatening level is not proposed again",
        )
        self.assertEqual(len(self._barred_notes(case)), 1, "noted once")

    def test_level_is_skipped_only_while_the_debt_is_time_barred(self):
        self.create_invoice(self.debtor_de, 900.0, "2022-03-01")
        self.run_followup("2026-03-10")
        # the limitation table is corrected: the debt is no longer time-barred
        self.env["collection.limitation.period"].search(
            [("country_id", "=", self.env.ref("base.de").id)]
        ).years = 30
        self.env.invalidate_all()
        run = self.run_followup("2026-03-11")
        self.assertRecordValues(
            run.communication_ids, [{"level_id": self.l_first.id, "state": "sent"}]
        )


@tagged("post_install", "-at_install")
class TestPlacedDebtor(CollectionsCommon):
    """The debtor's invoice of 2026-01-01 is placed with an agency on 2026-04-15; one of
    2026-01-05 was overdue then and stays with us; one due on 2026-04-20 falls overdue
    after the placement."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agency = cls.env["res.partner"].create(
            {"name": "Keystone Recovery", "is_company": True, "is_collection_agency": True}
        )

    def setUp(self):
        super().setUp()
        self.placed = self.create_invoice(self.debtor, 800.0, "2026-01-01")
        self.kept = self.create_invoice(self.debtor, 300.0, "2026-01-05")
        self.later = self.create_invoice(self.debtor, 200.0, "2026-04-20")
        with freeze_time("2026-04-15"):
            self.env["collection.case"]._sync_cases(self.company)
            self.placement = self.env["collection.agency.placement"].create(
                {
                    "case_id": self.case_of(self.debtor).id,
                    "company_id": self.company.id,
                    "agency_id": self.agency.id,
                    "move_ids": [Command.set(self.placed.ids)],
                }
            )

    def _followed_up(self, date):
        run = self.run_followup(date)
        return run.communication_ids.filtered(lambda c: c.partner_id == self.debtor).line_ids

    def test_invoices_falling_overdue_after_placement_are_left_to_the_agency(self):
        self.assertTrue(self.policy.pause_placed_debtors, "on by default")
        lines = self._followed_up("2026-05-10")
        self.assertEqual(lines.move_id, self.kept, "overdue before the placement: still ours")
        self.assertFalse(self.later.collection_level_id)

    def test_policy_may_keep_following_up_new_invoices(self):
        self.policy.pause_placed_debtors = False
        lines = self._followed_up("2026-05-10")
        self.assertEqual(lines.move_id, self.kept | self.later)

    def test_recall_resumes_follow_up_of_the_new_invoices(self):
        with freeze_time("2026-05-01"):
            self.placement.action_recall()
        lines = self._followed_up("2026-05-10")
        self.assertIn(self.later, lines.move_id)


@tagged("post_install", "-at_install")
class TestOneMessagePerDebtor(CollectionsCommon):
    """Whoever follows the case or the debtor, and however many runs are started the
    same day, a debtor gets one email from follow-up a day."""

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor, 100, "2026-01-05")
            self.create_invoice(self.debtor_two, 100, "2026-01-05")
            self.env["collection.case"]._sync_cases(self.company)
        self.watcher = new_test_user(
            self.env,
            login="cm_compl_watcher",
            groups="base.group_user,collections_management.group_collections_manager",
            company_id=self.company.id,
            notification_type="email",
            email="watcher@example.com",
        )
        self.debtors = self.debtor | self.debtor_two
        for debtor in self.debtors:
            followers = (debtor | self.watcher.partner_id).ids
            self.case_of(debtor).message_subscribe(partner_ids=followers)
            debtor.message_subscribe(partner_ids=followers)

    def _mails_to(self, debtor):
        return self.env["mail.mail"].search([("recipient_ids", "in", debtor.ids)])

    def assertOneEmailEach(self):
        for debtor in self.debtors:
            mails = self._mails_to(debtor)
            self.assertEqual(len(mails), 1, f"{debtor.name} gets one email")
            self.assertEqual(mails.model, "collection.case")
            self.assertFalse(
                self.env["mail.notification"].search(
                    [("res_partner_id", "=", debtor.id), ("notification_type", "=", "email")]
                ),
                "no notification email to a debtor who follows its case",
            )

    def test_followers_do_not_multiply_emails(self):
        self.company.collection_batch_size = 1
        with freeze_time("2026-01-20"):
            self.run_cron("ir_cron_collection_daily")
        self.assertOneEmailEach()

    def test_a_preview_run_after_the_daily_run_sends_nothing_twice(self):
        with freeze_time("2026-01-20 06:00:00"):
            preview = self.env["collection.run"].create({"company_id": self.company.id})
            preview.action_preview()
        self.assertEqual(preview.communication_ids.partner_id, self.debtors)
        with freeze_time("2026-01-20 07:00:00"):
            self.run_cron("ir_cron_collection_daily")
        with freeze_time("2026-01-20 09:00:00"):
            preview.action_run()
        self.assertOneEmailEach()
        self.assertEqual(preview.state, "done")
        self.assertEqual(set(preview.communication_ids.mapped("state")), {"cancelled"})
        self.assertIn("already", preview.communication_ids[:1].error)


class LimitationCommon(CollectionsCommon):
    """US debtors of each kind: consumer or business, written contract or open account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.us = cls.env.ref("base.us")
        cls.consumer_policy = cls._create_policy(cls.company, "Consumer")
        cls.consumer_policy.debtor_type = "consumer"
        cls.open_account_policy = cls._create_policy(cls.company, "Open account")
        cls.open_account_policy.debt_basis = "open_account"

    def _case(self, name, state_xmlid, policy, due):
        """The case of a new debtor of that state and policy, with one invoice of 500."""
        debtor = self._create_debtor(
            name,
            f"{name.lower().replace(' ', '.')}@example.com",
            country_id=self.us.id,
            state_id=self.env.ref(state_xmlid).id,
            collection_policy_id=policy.id,
        )
        self.create_invoice(debtor, 500.0, due)
        self.env["collection.case"]._sync_cases(self.company, debtor)
        return self.case_of(debtor)


@tagged("post_install", "-at_install")
class TestLimitationByKindOfDebt(LimitationCommon):
    """The shipped US table: New York gives consumer credit 3 years (CPLR 214-i) and
    other contracts 6 (CPLR 213); Florida gives written contracts 5 years and open
    accounts 4 (95.11)."""

    def test_shipped_rows_have_a_source(self):
        periods = self.env["collection.limitation.period"].search([("country_id", "=", self.us.id)])
        self.assertEqual(
            set(periods.state_id.mapped("code")), {"NY", "CA", "TX", "FL", "IL"}, "US rows"
        )
        for period in periods:
            self.assertTrue(period.note and period.source, period.display_name)
        new_york = periods.filtered(lambda p: p.state_id.code == "NY")
        self.assertEqual(
            {(p.debtor_type, p.years) for p in new_york}, {("consumer", 3), ("business", 6)}
        )

    @freeze_time("2026-04-15")
    def test_case_uses_the_row_of_the_debtor_kind(self):
        ny_consumer = self._case(
            "NY Consumer", "base.state_us_27", self.consumer_policy, "2022-06-01"
        )
        ny_business = self._case("NY Business", "base.state_us_27", self.policy, "2022-06-01")
        fl_open = self._case("FL Open", "base.state_us_10", self.open_account_policy, "2021-06-01")
        fl_written = self._case("FL Written", "base.state_us_10", self.policy, "2021-06-01")
        self.assertRecordValues(
            ny_consumer | ny_business | fl_open | fl_written,
            [
                {"limitation_date": date(2025, 6, 1), "is_time_barred": True},
                {"limitation_date": date(2028, 6, 1), "is_time_barred": False},
                {"limitation_date": date(2025, 6, 1), "is_time_barred": True},
                {"limitation_date": date(2026, 6, 1), "is_time_barred": False},
            ],
        )
        cases = ny_consumer | ny_business | fl_open | fl_written
        Case = self.env["collection.case"]
        self.assertEqual(
            Case.search([("id", "in", cases.ids), ("is_time_barred", "=", True)]),
            ny_consumer | fl_open,
        )
        self.assertEqual(
            Case.search([("id", "in", cases.ids), ("is_time_barred", "=", False)]),
            ny_business | fl_written,
        )


@tagged("post_install", "-at_install")
class TestDisputeStage(CollectionsCommon):
    """A case at the Reminder stage after the first level; disputes open on its invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.collection_bad_debt_account_id = cls.company_data["default_account_expense"]

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
            self.other = self.create_invoice(self.debtor, 500, "2026-01-05")
        self.run_followup("2026-01-12")
        self.case = self.case_of(self.debtor)
        self.assertEqual(self.case.stage_id, self.stage_reminder)
        self.stage_dispute = self.env.ref("collections_management.collection_stage_dispute")

    def _dispute(self, invoice, amount):
        with freeze_time("2026-01-13"):
            return self.env["collection.dispute"].create(
                {
                    "move_id": invoice.id,
                    "amount": amount,
                    "reason_id": self.env.ref("collections_management.dispute_reason_quantity").id,
                }
            )

    def test_case_is_disputed_until_the_last_open_dispute_is_resolved(self):
        first = self._dispute(self.invoice, 200)
        self.assertEqual(self.case.stage_id, self.stage_dispute)
        self.assertIn("Disputed", self.case.message_ids[:1].body)
        second = self._dispute(self.other, 100)
        first.resolution_note = "Quantities checked"
        first.action_reject()
        self.assertEqual(self.case.stage_id, self.stage_dispute, "a dispute is still open")
        second.resolution_note = "Goodwill"
        second.action_resolve_write_off()
        self.assertEqual(self.case.stage_id, self.stage_reminder, "back where it was")
        # reopening a dispute makes the case disputed again
        first.action_reopen()
        self.assertEqual(self.case.stage_id, self.stage_dispute)

    def test_case_moved_meanwhile_stays_where_it_was_moved(self):
        dispute = self._dispute(self.invoice, 200)
        self.case.stage_id = self.stage_contact
        dispute.resolution_note = "Goodwill"
        dispute.action_resolve_write_off()
        self.assertEqual(self.case.stage_id, self.stage_contact)

    def test_run_does_not_move_a_disputed_case(self):
        self._dispute(self.invoice, 200)
        self.run_followup("2026-01-20")  # the second level for the undisputed part
        self.assertEqual(self.case.stage_id, self.stage_dispute)


@tagged("post_install", "-at_install")
class TestOralAndWrittenStop(ComplianceCommon):
    """A written request to stop ceases communication; "stop calling me" said during a
    call opts the debtor out of calls only; a time said inconvenient is kept."""

    def _log(self, channel, outcome, direction="inbound", when="2026-01-12 15:00:00"):
        with freeze_time(when):  # Monday 10:00 in New York
            return self.Contact.create(
                {
                    "case_id": self.case.id,
                    "channel": channel,
                    "direction": direction,
                    "outcome": outcome,
                    "company_id": self.company.id,
                }
            )

    def test_written_stop_ceases_communication(self):
        for channel in ("letter", "email", "portal"):
            self.debtor.collection_cease = False
            self._log(channel, "stop")
            self.assertTrue(self.debtor.collection_cease, channel)
        self.assertFalse(self.debtor.collection_optout_email)

    def test_oral_stop_opts_out_of_that_channel(self):
        self._log("phone", "stop", direction="outbound")
        self.assertFalse(self.debtor.collection_cease)
        self.assertTrue(self.debtor.collection_optout_phone)
        self.assertFalse(self.debtor.collection_optout_email)
        with self.assertRaisesRegex(UserError, "opted out of collection call"):
            self._call("2026-01-20 15:00:00")
        self._log("visit", "stop")
        self.assertTrue(self.debtor.collection_optout_visit)
        self.assertFalse(self.debtor.collection_cease)

    def test_inconvenient_time_said_during_a_call(self):
        self._log("phone", "inconvenient", direction="outbound")
        period = self.debtor.collection_inconvenient_time_ids
        self.assertRecordValues(period, [{"dayofweek": "0", "hour_from": 10, "hour_to": 11}])
        self.assertFalse(self.debtor.collection_cease)
        self.assertFalse(self.debtor.collection_optout_phone)
        with self.assertRaisesRegex(UserError, "is inconvenient"):
            self._call("2026-01-26 15:30:00")  # the next Monday 10:30 local


@tagged("post_install", "-at_install")
class TestGuardsOnCorrection(ComplianceCommon):
    """A manager's correction of the date, channel or direction of an outbound contact
    is judged by the guards on the new values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._create_user("cm_compl_manager", "group_collections_manager")

    def _correct(self, contact, vals, when="2026-01-20 15:00:00", reason=None):
        with freeze_time(when):
            Contact = contact.with_user(self.manager)
            if reason:
                Contact = Contact.with_context(collection_guard_override=reason)
            return Contact.write(vals)

    def test_correction_into_the_night_is_refused(self):
        call = self._call("2026-01-12 15:00:00")  # Monday 10:00 local
        with self.assertRaisesRegex(UserError, "not allowed now"):
            self._correct(call, {"date": "2026-01-13 03:00:00"})  # 22:00 local
        # within the contact hours: the contact itself is no earlier call
        self._correct(call, {"date": "2026-01-12 16:00:00"})
        self.assertEqual(str(call.date), "2026-01-12 16:00:00")

    def test_correction_to_an_opted_out_channel_is_refused(self):
        self.debtor.collection_optout_sms = True
        call = self._call("2026-01-12 15:00:00")
        with self.assertRaisesRegex(UserError, "opted out of collection sms"):
            self._correct(call, {"channel": "sms"})
        text = self.Contact.create(
            {
                "case_id": self.case.id,
                "channel": "sms",
                "direction": "inbound",
                "outcome": "reached",
                "date": "2026-01-12 14:00:00",
            }
        )
        with self.assertRaisesRegex(UserError, "opted out of collection sms"):
            self._correct(text, {"direction": "outbound"})

    def test_correction_into_the_quiet_days_needs_an_override(self):
        self._call("2026-01-12 15:00:00", outcome="reached")
        call = self._call("2026-01-20 15:00:00")  # day 9: allowed
        with self.assertRaisesRegex(UserError, "no call for 7 days after a conversation"):
            self._correct(call, {"date": "2026-01-14 15:00:00"})
        self._correct(call, {"date": "2026-01-14 15:00:00"}, reason="Debtor asked to be called")
        self.assertRecordValues(
            call,
            [
                {
                    "guard_override_reason": "Debtor asked to be called",
                    "guard_override_user_id": self.manager.id,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestDisputeResolvedByWriteOff(ComplianceCommon):
    """Resolving a dispute by write-off posts the write-off of the disputed amount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expense = cls.company_data["default_account_expense"]
        cls.company.write(
            {
                "collection_bad_debt_account_id": cls.expense.id,
                "collection_write_off_threshold": 100,
            }
        )
        cls.manager = cls._create_user("cm_compl_wo_manager", "group_collections_manager")

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-10"):
            self.dispute = self.env["collection.dispute"].create(
                {
                    "move_id": self.invoice.id,
                    "amount": 250,
                    "reason_id": self.env.ref("collections_management.dispute_reason_quantity").id,
                    "resolution_note": "Goodwill",
                }
            )

    def test_write_off_of_the_disputed_amount_is_posted(self):
        with freeze_time("2026-01-11"):
            self.dispute.with_user(self.manager).action_resolve_write_off()
        write_off = self.env["collection.write.off"].search([("dispute_id", "=", self.dispute.id)])
        self.assertRecordValues(
            write_off,
            [{"state": "done", "amount": 250, "approved_by_id": self.manager.id}],
        )
        self.assertEqual(write_off.write_off_move_id.state, "posted")
        expense = write_off.write_off_move_id.line_ids.filtered(
            lambda line: line.account_id == self.expense
        )
        self.assertEqual(expense.balance, 250)
        self.assertEqual(self.invoice.amount_residual, 750)
        self.assertEqual(self.dispute.state, "write_off")
        # the rest is followed up, once: the written-off part is no longer due
        self.assertEqual(self.run_followup("2026-01-12").communication_ids.amount_total, 750)
        self.assertTrue(self.case_of(self.debtor).is_open)

    def test_write_off_is_asked_once(self):
        self.dispute.with_user(self.manager).action_resolve_write_off()
        with self.assertRaisesRegex(UserError, "already resolved"):
            self.dispute.with_user(self.manager).action_resolve_write_off()


@tagged("post_install", "-at_install")
class TestLimitationRestart(LimitationCommon):
    """What restarts the limitation period: a signed written acknowledgement where the
    jurisdiction allows it (New York contracts, GOL 17-101), a payment only where it
    says so (Illinois, 13-206), nothing for New York consumer credit (CPLR 214-i)."""

    def _barred(self, cases):
        return self.env["collection.case"].search(
            [("id", "in", cases.ids), ("is_time_barred", "=", True)]
        )

    @freeze_time("2026-04-15")
    def test_acknowledgement_restarts_where_allowed(self):
        business = self._case("NY Business", "base.state_us_27", self.policy, "2019-06-01")
        consumer = self._case("NY Consumer", "base.state_us_27", self.consumer_policy, "2022-06-01")
        cases = business | consumer
        self.assertEqual(self._barred(cases), cases)
        cases.with_context(acknowledgement_date="2026-03-01").action_record_acknowledgement()
        self.assertRecordValues(
            cases,
            [
                {"limitation_date": date(2032, 3, 1), "is_time_barred": False},
                # New York consumer credit: nothing revives a time-barred debt
                {"limitation_date": date(2025, 6, 1), "is_time_barred": True},
            ],
        )
        self.assertEqual(self._barred(cases), consumer)
        with self.assertRaisesRegex(ValidationError, "must be between"):
            business.with_context(acknowledgement_date="2026-05-01").action_record_acknowledgement()

    @freeze_time("2026-04-15")
    def test_payment_restarts_only_where_the_jurisdiction_says_so(self):
        illinois = self._case("IL Open", "base.state_us_14", self.open_account_policy, "2020-06-01")
        new_york = self._case("NY Business", "base.state_us_27", self.policy, "2019-06-01")
        cases = illinois | new_york
        self.assertEqual(self._barred(cases), cases)
        for case in cases:
            self.pay(case.invoice_ids, 100, "2026-03-01")
        cases.invalidate_recordset(["limitation_date", "is_time_barred"])
        self.assertRecordValues(
            cases,
            [
                {"limitation_date": date(2031, 3, 1), "is_time_barred": False},
                {"limitation_date": date(2025, 6, 1), "is_time_barred": True},
            ],
        )
        self.assertEqual(self._barred(cases), new_york)
