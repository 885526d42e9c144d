from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sms.tests.common import SMSCase

from .common import CollectionsCommon

NUMBER = "+32470123456"


@tagged("post_install", "-at_install")
class TestSmsLevel(CollectionsCommon, SMSCase):
    """The first level texts as well as emails; the gateway is Odoo's SMS mock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.allow_level_skip = True
        cls.sms_template = cls.env.ref("collections_management.sms_template_reminder")
        cls.l_first.write({"send_sms": True, "sms_template_id": cls.sms_template.id})
        cls.debtor.write({"phone": NUMBER, "tz": "UTC"})
        cls.debtor_two.write({"phone": "+32470654321", "tz": "UTC"})

    def communication_of(self, run, partner=None):
        return run.communication_ids.filtered(lambda c: c.partner_id == (partner or self.debtor))

    def run_at(self, moment):
        self.create_invoice(self.debtor, 1000, "2026-06-01")
        return self.run_followup(moment)

    def test_sent_when_allowed(self):
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
            communication = self.communication_of(run)
            self.assertEqual(communication.state, "sent")
            self.assertEqual(communication.sms_number, NUMBER)
            self.assertEqual(communication.sms_state, "queued")
            sms = communication.sudo().sms_ids
            self.assertEqual(sms.number, NUMBER)
            self.assertIn(self.company.name, sms.body)
            self.assertNotIn("STOP", sms.body)  # a business debtor
            self.assertIn("SMS", communication.action_summary)
            contact = self.env["collection.contact"].search(
                [("communication_id", "=", communication.id), ("channel", "=", "sms")]
            )
            self.assertEqual(contact.outcome, "sent")
            with self.no_commit():
                self.env["sms.sms"].sudo()._process_queue()
        self.assertSMSIapSent([NUMBER], content=self.company.name)
        communication.invalidate_recordset()
        self.assertEqual(communication.sms_state, "sent")

    def test_consumer_gets_opt_out_instructions(self):
        self.policy.debtor_type = "consumer"
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        sms = self.communication_of(run).sudo().sms_ids
        self.assertIn("STOP", sms.body)

    def test_billing_contact_number(self):
        self.debtor.phone = False
        self.env["res.partner"].create(
            {
                "name": "Accounts",
                "type": "invoice",
                "parent_id": self.debtor.id,
                "phone": "+32470999999",
            }
        )
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        self.assertEqual(self.communication_of(run).sms_number, "+32470999999")

    def test_number_checked_by_numbering_plan(self):
        """Odoo's phone validation (the phonenumbers library) decides: a national
        number is written in the international form of the debtor's country, and a
        number its country's plan cannot hold is not texted, however well it looks."""
        belgium = self.env.ref("base.be")
        self.debtor.write({"country_id": belgium.id, "phone": "0470 12 34 56"})
        # a Belgian mobile number has nine digits after the 0
        self.debtor_two.write({"country_id": belgium.id, "phone": "+32 470 12 34"})
        self.create_invoice(self.debtor_two, 300, "2026-06-01")
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        self.assertEqual(self.communication_of(run).sms_number, "+32470123456")
        refused = self.communication_of(run, self.debtor_two)
        self.assertFalse(refused.sms_number)
        self.assertIn("no valid mobile number", refused.error)

    def test_missing_number(self):
        """Email and SMS: the email goes, the SMS failure is recorded. SMS only: the
        communication fails and the run goes on with the other debtors."""
        self.debtor.phone = "12"
        self.create_invoice(self.debtor_two, 300, "2026-06-01")
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.state, "sent")
        self.assertIn("no valid mobile number", communication.error)
        self.assertEqual(communication.sms_state, "failed")
        self.assertEqual(self.communication_of(run, self.debtor_two).sms_number, "+32470654321")

        self.l_second.write(
            {
                "send_email": False,
                "send_letter": False,
                "send_sms": True,
                "sms_template_id": self.sms_template.id,
            }
        )
        self.debtor.phone = False
        with self.mockSMSGateway():
            run = self.run_followup("2026-06-17 10:00:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.level_id, self.l_second)
        self.assertEqual(communication.state, "failed")
        self.assertIn("not sent", communication.case_id.message_ids[:1].body)

    def test_gateway_failure_recorded(self):
        with self.mockSMSGateway(sim_error="wrong_number_format"):
            run = self.run_at("2026-06-10 10:00:00")
            with self.no_commit():
                self.env["sms.sms"].sudo()._process_queue()
        communication = self.communication_of(run)
        communication.invalidate_recordset()
        self.assertEqual(communication.sms_state, "failed")
        self.assertIn("could not be delivered", communication.case_id.message_ids[:1].body)

    def test_blocked_by_cease(self):
        self.debtor.collection_cease = True
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.state, "blocked")
        self.assertIn("texts", communication.error)
        self.assertFalse(self.env["sms.sms"].sudo().search([("partner_id", "=", self.debtor.id)]))

    def test_blocked_by_opt_out(self):
        self.debtor.collection_optout_sms = True
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.state, "blocked")
        self.assertIn("opted out of collection sms", communication.error)

    def test_blocked_outside_hours(self):
        self.policy.debtor_type = "consumer"
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 22:30:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.state, "blocked")
        self.assertIn("contact only between", communication.error)

    def test_blocked_by_call_frequency(self):
        self.policy.write({"guard_call_frequency": True, "call_max_attempts": 2})
        start = datetime(2026, 6, 8, 10, 0)
        for day in range(2):
            with freeze_time(start + timedelta(days=day)):
                self.env["collection.contact"]._create_entries(
                    [
                        {
                            "partner_id": self.debtor.id,
                            "channel": "phone",
                            "direction": "outbound",
                            "outcome": "no_answer",
                        }
                    ],
                    guards_checked=True,
                )
        with self.mockSMSGateway():
            run = self.run_at("2026-06-10 10:00:00")
        communication = self.communication_of(run)
        self.assertEqual(communication.state, "blocked")
        self.assertIn("already called 2 times", communication.error)
