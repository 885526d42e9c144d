from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestContactGuards(CollectionsCommon):
    """A consumer debtor in New York (UTC-5 in January) under the default guards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.debtor_type = "consumer"
        cls.debtor.tz = "America/New_York"
        cls.collector = cls._create_user("cm_guard_collector", "group_collections_collector")
        cls.manager = cls._create_user("cm_guard_manager", "group_collections_manager")
        cls.lawyer = cls.env["res.partner"].create({"name": "Saul Counsel", "is_company": True})
        cls.Contact = cls.env["collection.contact"]

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
        with freeze_time("2026-01-10"):
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)
        self.case.user_id = self.collector

    def _log(self, when, outcome="no_answer", channel="phone", user=None, **values):
        """Log an outbound contact at `when` (UTC) as it happens."""
        with freeze_time(when):
            Contact = self.Contact.with_user(user) if user else self.Contact
            return Contact.create(
                {
                    "case_id": self.case.id,
                    "channel": channel,
                    "outcome": outcome,
                    "company_id": self.company.id,
                    **values,
                }
            )

    # ------------------------------------------------------------------
    # Contact hours, in the debtor's time zone
    # ------------------------------------------------------------------
    def test_contact_hours_boundaries(self):
        with self.assertRaisesRegex(UserError, "It is 07:59 .*America/New_York.*08:00 and 21:00"):
            self._log("2026-01-15 12:59:00")
        self.assertTrue(self._log("2026-01-15 13:00:00"))  # 08:00 in New York
        self.assertTrue(self._log("2026-01-16 02:00:00"))  # 21:00
        with self.assertRaisesRegex(UserError, "It is 21:01"):
            self._log("2026-01-17 02:01:00")

    def test_contact_hours_fall_back_to_company_zone_then_utc(self):
        self.debtor.tz = False
        self.company.partner_id.tz = "Europe/Brussels"  # UTC+1 in January
        with self.assertRaisesRegex(UserError, "07:59 .*Europe/Brussels"):
            self._log("2026-01-15 06:59:00")
        self.assertTrue(self._log("2026-01-15 07:00:00"))
        self.company.partner_id.tz = False
        with self.assertRaisesRegex(UserError, "07:59 .*UTC"):
            self._log("2026-01-16 07:59:00")

    def test_inconvenient_time(self):
        self.env["collection.inconvenient.time"].create(
            {"partner_id": self.debtor.id, "hour_from": 12, "hour_to": 13, "note": "lunch"}
        )
        with self.assertRaisesRegex(UserError, "12:00-13:00 is inconvenient"):
            self._log("2026-01-15 17:30:00")  # 12:30 in New York
        self.assertTrue(self._log("2026-01-15 18:00:00"))  # 13:00

    def test_business_policy_has_no_contact_hours(self):
        self.policy.debtor_type = "business"
        self.assertFalse(self.policy.guard_contact_hours)
        self.assertTrue(self._log("2026-01-15 05:00:00"))  # midnight in New York

    # ------------------------------------------------------------------
    # Call frequency
    # ------------------------------------------------------------------
    def test_eighth_call_in_seven_days_is_blocked(self):
        start = datetime(2026, 1, 12, 15, 0)
        for day in range(7):
            self._log(start + timedelta(days=day, hours=1))  # Jan 12..18
        with self.assertRaisesRegex(UserError, "already called 7 times in the last 7 days"):
            self._log("2026-01-18 20:00:00")
        # the first attempt (Jan 12 16:00) leaves the rolling window
        self.assertTrue(self._log("2026-01-19 16:01:00"))

    def test_no_call_within_seven_days_after_a_conversation(self):
        self._log("2026-01-12 15:00:00", outcome="reached")
        with self.assertRaisesRegex(UserError, "no call for 7 days after a conversation"):
            self._log("2026-01-18 15:00:00")  # 6 days after
        self.assertTrue(self._log("2026-01-20 15:00:00"))  # 8 days after
        # an email is not a call
        self.assertTrue(self._log("2026-01-13 15:00:00", channel="email", outcome="sent"))

    def test_manager_override_is_logged_with_reason(self):
        self._log("2026-01-12 15:00:00", outcome="reached")
        wizard_vals = {"case_id": self.case.id, "outcome": "promise", "note": "Agreed to pay"}
        with freeze_time("2026-01-14 15:00:00"):
            collector_wizard = (
                self.env["collection.contact.log"].with_user(self.collector).create(wizard_vals)
            )
            with self.assertRaisesRegex(UserError, "A Collections Manager may override"):
                collector_wizard.action_log()
            collector_wizard.override_reason = "Debtor asked us to call back"
            with self.assertRaisesRegex(UserError, "Only a Collections Manager"):
                collector_wizard.action_log()
            wizard = (
                self.env["collection.contact.log"]
                .with_user(self.manager)
                .create({**wizard_vals, "override_reason": "Debtor asked us to call back"})
            )
            wizard.action_log()
        contact = self.Contact.search([("case_id", "=", self.case.id)], limit=1)
        self.assertRecordValues(
            contact,
            [
                {
                    "guard_override_reason": "Debtor asked us to call back",
                    "guard_override_user_id": self.manager.id,
                }
            ],
        )
        self.assertTrue(
            self.case.message_ids.filtered(
                lambda m: "overridden" in m.body and "Debtor asked us to call back" in m.body
            )
        )

    def test_override_does_not_lift_other_guards(self):
        self.debtor.collection_optout_phone = True
        with self.assertRaisesRegex(UserError, "opted out of collection call"):
            self._log(
                "2026-01-14 15:00:00",
                user=self.manager,
            )

    # ------------------------------------------------------------------
    # Cease, opt-out, lawyer
    # ------------------------------------------------------------------
    def test_cease_allows_only_the_three_notices(self):
        self.debtor.write({"collection_cease": True, "collection_cease_date": "2026-01-09"})
        with self.assertRaisesRegex(UserError, "asked to cease communication"):
            self._log("2026-01-14 15:00:00")
        run = self.run_followup("2026-01-12 15:00:00")
        self.assertEqual(run.communication_ids.state, "blocked")
        self.assertIn("only a notice", run.communication_ids.error)
        self.template.collection_cease_notice = "ending"
        run = self.run_followup("2026-01-13 15:00:00")
        self.assertEqual(run.communication_ids.state, "sent")

    def test_asked_to_stop_sets_cease(self):
        # a request in writing (said during a call, it opts out of calls only)
        self._log("2026-01-14 15:00:00", outcome="stop", channel="letter", direction="inbound")
        self.assertTrue(self.debtor.collection_cease)

    def test_opt_out_is_per_channel(self):
        self.debtor.collection_optout_email = True
        run = self.run_followup("2026-01-12 15:00:00")
        self.assertEqual(run.communication_ids.state, "blocked")
        self.assertIn("opted out of collection email", run.communication_ids.error)
        self.assertTrue(self._log("2026-01-14 15:00:00"), "calls are still allowed")
        self.debtor.collection_optout_sms = True
        with self.assertRaisesRegex(UserError, "opted out of collection sms"):
            self._log("2026-01-14 15:30:00", channel="sms", outcome="sent")
        self.debtor.collection_optout_email = False
        run = self.run_followup("2026-01-13 15:00:00")
        self.assertEqual(run.communication_ids.state, "sent")

    def test_represented_debtor_is_contacted_only_through_the_lawyer(self):
        self.debtor.collection_lawyer_id = self.lawyer
        with self.assertRaisesRegex(UserError, "represented by Saul Counsel"):
            self._log("2026-01-14 15:00:00")
        contact = self._log("2026-01-14 15:00:00", contact_partner_id=self.lawyer.id)
        self.assertEqual(contact.contact_partner_id, self.lawyer)
        run = self.run_followup("2026-01-12 15:00:00")
        self.assertEqual(run.communication_ids.state, "blocked")
        # the quick form proposes the lawyer
        wizard = self.env["collection.contact.log"].create({"case_id": self.case.id})
        self.assertEqual(wizard.contact_partner_id, self.lawyer)

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    def test_run_skips_blocked_email_and_retries_next_run(self):
        self.debtor.collection_optout_email = True
        run = self.run_followup("2026-01-12 15:00:00")  # 10:00 in New York
        blocked = run.communication_ids
        self.assertEqual(blocked.state, "blocked")
        self.assertIn("opted out of collection email", blocked.error)
        self.assertFalse(blocked.mail_id)
        self.assertFalse(self.invoice.collection_level_id, "the level is not lost")
        self.assertEqual(run.blocked_count, 1)
        self.assertTrue(run.message_ids.filtered(lambda m: "blocked by contact guards" in m.body))
        self.assertTrue(
            self.case.message_ids.filtered(lambda m: "opted out of collection email" in m.body)
        )
        self.assertFalse(self.Contact.search([("case_id", "=", self.case.id)]))
        # the debtor opts in again: a second run the same day sends what was blocked
        self.debtor.collection_optout_email = False
        run = self.run_followup("2026-01-12 16:00:00")
        sent = run.communication_ids
        self.assertEqual(sent.state, "sent")
        self.assertEqual(sent.level_id, self.l_first)
        self.assertEqual(self.invoice.collection_level_id, self.l_first)
        self.assertIn("reply STOP", sent.mail_id.body_html, "every email carries an opt-out")
        contact = self.Contact.search([("communication_id", "=", sent.id)])
        self.assertRecordValues(
            contact, [{"channel": "email", "direction": "outbound", "outcome": "sent"}]
        )

    def test_run_holds_email_until_contact_hours(self):
        self.env["collection.inconvenient.time"].create(
            {"partner_id": self.debtor.id, "hour_from": 8, "hour_to": 9.5, "note": "school run"}
        )
        run = self.run_followup("2026-01-12 03:00:00")  # 22:00 the evening before in NY
        communication = run.communication_ids
        self.assertEqual(communication.state, "sent")
        # 08:00 is inconvenient for this debtor: 09:30 New York time, 14:30 UTC
        self.assertEqual(str(communication.mail_id.scheduled_date), "2026-01-12 14:30:00")
        self.assertEqual(self.invoice.collection_level_id, self.l_first)
        self.assertTrue(
            self.case.message_ids.filtered(lambda m: "held by the mail queue" in m.body)
        )
        # in contact hours, nothing is held
        with freeze_time("2026-01-01"):
            self.create_invoice(self.debtor_two, 100, "2026-01-05")
        self.debtor_two.tz = "America/New_York"
        run = self.run_followup("2026-01-12 15:00:00")
        self.assertFalse(run.communication_ids.mail_id.scheduled_date)

    def test_run_records_letters_in_contact_log(self):
        self.policy.debtor_type = "business"
        self.run_followup("2026-01-12")
        run = self.run_followup("2026-01-20")  # Second: email and letter
        contacts = self.Contact.search([("communication_id", "in", run.communication_ids.ids)])
        self.assertEqual(len(contacts), 1)
        self.assertEqual(contacts.case_id, self.case)

    # ------------------------------------------------------------------
    # Retention
    # ------------------------------------------------------------------
    def test_collector_and_manager_cannot_delete_contacts(self):
        contact = self._log("2026-01-14 15:00:00")
        with self.assertRaises(AccessError):
            contact.with_user(self.collector).unlink()
        with self.assertRaises(AccessError):
            contact.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "Only a Collections Administrator"):
            contact.with_user(self.manager).action_archive()
        with freeze_time("2028-01-14"), self.assertRaisesRegex(UserError, "at least 3 years"):
            contact.unlink()
        contact.action_archive()
        self.assertFalse(contact.active)
        with freeze_time("2029-01-15"):
            contact.unlink()
        self.assertFalse(contact.exists())
