"""What a client sends is input to check, never a decision: the guards, the contact log,
what documents cover, the bounds of numbers and dates, and text put into messages. Each
test acts as the user concerned, through the ORM with that user's environment."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon


class SecurityInputCommon(CollectionsCommon):
    """A consumer debtor in New York (UTC-5 in January) with an overdue invoice and its
    open case, worked by a collector; a second debtor with its own case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.debtor_type = "consumer"
        (cls.debtor | cls.debtor_two).tz = "America/New_York"
        cls.collector = cls._create_user("cm_secin_collector", "group_collections_collector")
        cls.manager = cls._create_user("cm_secin_manager", "group_collections_manager")
        cls.admin = cls._create_user("cm_secin_admin", "group_collections_admin")
        cls.lawyer = cls.env["res.partner"].create({"name": "Saul Counsel", "is_company": True})

    def setUp(self):
        super().setUp()
        with freeze_time("2026-01-01"):
            self.invoice = self.create_invoice(self.debtor, 1000, "2026-01-05")
            self.invoice_two = self.create_invoice(self.debtor_two, 500, "2026-01-05")
        with freeze_time("2026-01-10"):
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)
        self.case_two = self.case_of(self.debtor_two)
        (self.case | self.case_two).user_id = self.collector

    def log_contact(self, user, when="2026-01-14 15:00:00", context=None, **values):
        """Log a contact on the case as `user` at `when` (UTC; 10:00 in New York)."""
        with freeze_time(when):
            return (
                self.env["collection.contact"]
                .with_user(user)
                .with_context(**(context or {}))
                .create(
                    {
                        "case_id": self.case.id,
                        "channel": "phone",
                        "outcome": "no_answer",
                        **values,
                    }
                )
            )


@tagged("post_install", "-at_install")
class TestGuardsDecidedOnServer(SecurityInputCommon):
    """No key a client sends lifts a contact guard; only the manager's override, with a
    reason, lifts the call-frequency guard, and the server records who did it."""

    def test_context_key_does_not_skip_the_guards(self):
        self.debtor.write({"collection_cease": True, "collection_cease_date": "2026-01-09"})
        with self.refused(UserError, "asked to cease communication"):
            self.log_contact(self.collector, context={"collection_guard_checked": True})
        self.debtor.write({"collection_cease": False, "collection_lawyer_id": self.lawyer.id})
        with self.refused(UserError, "represented by Saul Counsel"):
            self.log_contact(self.manager, context={"collection_guard_checked": True})

    def test_context_key_does_not_hide_calls_from_the_frequency_guard(self):
        first = self.log_contact(self.collector, when="2026-01-12 15:00:00", outcome="reached")
        with self.refused(UserError, "no call for 7 days after a conversation"):
            self.log_contact(self.collector, context={"collection_guard_exclude_ids": first.ids})

    def test_override_fields_are_set_by_the_server_only(self):
        self.log_contact(self.collector, when="2026-01-12 15:00:00", outcome="reached")
        forged = {
            "guard_override_reason": "Debtor asked us to call back",
            "guard_override_user_id": self.manager.id,
        }
        communication = self.run_followup("2026-01-13 15:00:00").communication_ids[:1]
        self.assertTrue(communication)
        defaults = {f"default_{name}": value for name, value in forged.items()}
        defaults["default_communication_id"] = communication.id
        # neither in the values nor as defaults in the context
        with self.refused(UserError, "A Collections Manager may override"):
            self.log_contact(self.collector, **forged)
        with self.refused(UserError, "A Collections Manager may override"):
            self.log_contact(self.collector, context=defaults)
        # an allowed contact does not carry a forged override or communication either
        contacts = self.log_contact(
            self.collector, when="2026-01-20 15:00:00", communication_id=communication.id
        )
        contacts |= self.log_contact(self.collector, when="2026-01-20 16:00:00", **forged)
        contacts |= self.log_contact(self.collector, when="2026-01-20 17:00:00", context=defaults)
        self.assertFalse(contacts.filtered("guard_override_reason"))
        self.assertFalse(contacts.filtered("guard_override_user_id"))
        self.assertFalse(contacts.filtered("communication_id"))
        with self.refused(UserError, "cannot be changed"):
            contacts[0].with_user(self.manager).write(forged)
        self.assertFalse(self.case.message_ids.filtered(lambda m: "overridden" in m.body))

    def test_override_needs_a_manager_and_a_reason(self):
        self.log_contact(self.collector, when="2026-01-12 15:00:00", outcome="reached")
        reason = {"collection_guard_override": "Debtor asked us to call back"}
        with self.refused(UserError, "A Collections Manager may override"):
            self.log_contact(self.collector, context=reason)
        for blank in ("   ", ["a list"], {"a": "dict"}):
            with self.refused(UserError, "Give an override reason"):
                self.log_contact(self.manager, context={"collection_guard_override": blank})
        contact = self.log_contact(
            self.manager, context={"collection_guard_override": "  Debtor asked us to call back "}
        )
        self.assertRecordValues(
            contact,
            [
                {
                    "guard_override_reason": "Debtor asked us to call back",
                    "guard_override_user_id": self.manager.id,
                }
            ],
        )

    def test_contact_of_a_case_is_with_the_case_debtor(self):
        """The guards of the case's debtor are checked, and the entry is that debtor's:
        naming another debtor does not log a call to a debtor who asked to stop."""
        self.debtor_two.write({"collection_cease": True, "collection_cease_date": "2026-01-09"})
        contact = self.log_contact(self.collector, partner_id=self.debtor_two.id)
        self.assertEqual(contact.partner_id, self.debtor)
        with self.refused(UserError, "asked to cease communication"):
            self.log_contact(self.collector, case_id=self.case_two.id, partner_id=self.debtor.id)


@tagged("post_install", "-at_install")
class TestContactLogIsARecord(SecurityInputCommon):
    """What happened in a logged contact is fixed for collectors; a manager's correction
    is noted on the case; the note and the next action stay open."""

    def test_collector_cannot_rewrite_what_happened(self):
        contact = self.log_contact(self.collector, outcome="no_answer")
        facts = {
            "date": "2026-01-13 15:00:00",
            "channel": "visit",
            "direction": "inbound",
            "outcome": "paid",
            "user_id": self.manager.id,
            "case_id": self.case_two.id,
            "partner_id": self.debtor_two.id,
            "contact_partner_id": self.lawyer.id,
            "contact_name": "Someone else",
        }
        for name, value in facts.items():
            with self.subTest(field=name), self.refused(UserError, "cannot be changed"):
                contact.with_user(self.collector).write({name: value})
        # the note and the next action are the collector's to complete
        with freeze_time("2026-01-14 16:00:00"):
            contact.with_user(self.collector).write(
                {"note": "Will call back Friday", "next_action_date": "2026-01-16"}
            )
            # saving a form sends unchanged values again: that is not a change
            contact.with_user(self.collector).write(
                {"outcome": "no_answer", "channel": "phone", "date": contact.date}
            )
        self.assertRecordValues(
            contact,
            [{"note": "Will call back Friday", "outcome": "no_answer", "channel": "phone"}],
        )

    def test_manager_correction_is_noted_on_the_case(self):
        contact = self.log_contact(self.collector, outcome="no_answer")
        with freeze_time("2026-01-14 16:00:00"):
            contact.with_user(self.manager).write({"outcome": "left_message"})
        self.assertEqual(contact.outcome, "left_message")
        note = self.case.message_ids.filtered(lambda m: "corrected by" in m.body)
        self.assertEqual(len(note), 1)
        self.assertIn("cm_secin_manager", note.body)
        self.assertIn("Outcome: No Answer → Left Message", note.body)

    def test_contact_dates_are_bounded(self):
        with freeze_time("2026-01-14 15:00:00"):
            for date in ("1900-01-01 10:00:00", "9999-12-31 10:00:00", "2026-01-14 16:30:00"):
                with self.subTest(date=date), self.refused(ValidationError, "Date .*must be"):
                    self.env["collection.contact"].with_user(self.collector).create(
                        {
                            "case_id": self.case.id,
                            "direction": "inbound",
                            "outcome": "reached",
                            "date": date,
                        }
                    )
        # a little ahead of the server clock, or years back (imported history), is fine
        self.log_contact(self.collector, date="2026-01-14 15:30:00", direction="inbound")
        contact = self.log_contact(
            self.collector, date="2019-06-03 15:00:00", direction="inbound", outcome="reached"
        )
        with freeze_time("2026-01-14 16:00:00"), self.refused(ValidationError, "Date .*must be"):
            contact.with_user(self.manager).write({"date": "1900-01-01 10:00:00"})


@tagged("post_install", "-at_install")
class TestWhatDocumentsCover(SecurityInputCommon):
    """A promise or a plan covers posted customer invoices of its own debtor and company,
    on that debtor's case; a legal action never lands on a time-barred case."""

    def vendor_bill(self, partner):
        with freeze_time("2026-01-01"):
            bill = self.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-01",
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "price_unit": 200.0, "tax_ids": []})
                    ],
                }
            )
            bill.action_post()
        return bill

    def arrangement(self, model, invoices, **values):
        defaults = {
            "collection.promise": {"date_promised": "2026-01-30", "amount": 100.0},
            "collection.payment.plan": {"instalment_count": 2, "date_first": "2026-02-15"},
        }[model]
        with freeze_time("2026-01-14"):
            return (
                self.env[model]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.debtor.id,
                        "move_ids": [Command.set(invoices.ids)],
                        **defaults,
                        **values,
                    }
                )
            )

    def test_arrangements_cover_their_debtor_s_customer_invoices_only(self):
        bill = self.vendor_bill(self.debtor)
        for model in ("collection.promise", "collection.payment.plan"):
            with self.subTest(model=model):
                with self.refused(ValidationError, "is not an invoice of Debtor One"):
                    self.arrangement(model, self.invoice | self.invoice_two)
                with self.refused(ValidationError, f"{bill.name}.*posted customer invoices"):
                    self.arrangement(model, self.invoice | bill)
                with self.refused(ValidationError, "is the case of Debtor Two"):
                    self.arrangement(model, self.invoice, case_id=self.case_two.id)
                record = self.arrangement(model, self.invoice)
                with self.refused(ValidationError, self.invoice_two.name):
                    record.with_user(self.collector).write(
                        {"move_ids": [Command.link(self.invoice_two.id)]}
                    )

    def test_hold_pauses_its_debtor_s_customer_invoices_only(self):
        Hold = self.env["collection.hold"].with_user(self.collector)
        values = {"scope": "invoice", "reason": "Checking", "date_end": "2026-02-14"}
        with freeze_time("2026-01-14"):
            for move in (self.vendor_bill(self.debtor), self.invoice_two):
                with self.subTest(move=move.name), self.refused(ValidationError, move.name):
                    Hold.create({**values, "move_id": move.id, "partner_id": self.debtor.id})
            hold = Hold.create({**values, "move_id": self.invoice.id})
            self.assertEqual(hold.partner_id, self.debtor)

    def test_active_plan_does_not_pause_another_debtor_s_invoice(self):
        with self.refused(ValidationError, "is not an invoice of Debtor One"):
            plan = self.arrangement(
                "collection.payment.plan", self.invoice_two, case_id=self.case.id
            )
            with freeze_time("2026-01-14"):
                plan.with_user(self.collector).action_activate()
        paused = self.env["collection.payment.plan"]._move_ids_in_state(self.company, "active")
        self.assertNotIn(self.invoice_two.id, paused)

    def test_legal_action_cannot_be_moved_onto_a_time_barred_case(self):
        self.env["collection.limitation.period"].search([]).unlink()
        self.env["collection.limitation.period"].create(
            {"country_id": self.env.ref("base.de").id, "years": 3}
        )
        self.debtor_two.country_id = self.env.ref("base.de")
        with freeze_time("2021-12-01"):
            self.create_invoice(self.debtor_two, 900.0, "2022-03-01")
        with freeze_time("2026-01-14"):
            self.env["collection.case"]._sync_cases(self.company)
            self.assertTrue(self.case_two.is_time_barred)
            action = (
                self.env["collection.legal.action"]
                .with_user(self.collector)
                .create({"case_id": self.case.id, "court": "AG Koeln"})
            )
            with self.refused(ValidationError, "time-barred"):
                action.write({"case_id": self.case_two.id})
            with self.refused(UserError, "time-barred"):
                self.env["collection.legal.action"].with_user(self.collector).create(
                    {"case_id": self.case_two.id, "court": "AG Koeln"}
                )


@tagged("post_install", "-at_install")
class TestBoundedValues(SecurityInputCommon):
    """Numbers and dates out of a sane range, of the wrong type, and blank names are
    refused with an error naming the field; a bad value already stored does not break
    the code that computes with it."""

    def test_settings_numbers_are_bounded(self):
        Period = self.env["collection.limitation.period"].with_user(self.admin)
        germany = {"country_id": self.env.ref("base.de").id}
        Period.search([]).sudo().unlink()
        for years, error in ((9000, "Years .*must be between 1 and 30, not 9000"), (0, "Years")):
            with self.refused(ValidationError, error):
                Period.create({**germany, "years": years})
        with self.refused(ValidationError, "Years must be a whole number, not 'abc'"):
            Period.create({**germany, "years": "abc"})
        with self.refused(ValidationError, "Years is far too large"):
            Period.create({**germany, "years": 10**12})
        level = self.l_first.with_user(self.admin)
        for values, error in (
            ({"delay": -10_000_000}, r"Days After Due Date \(First\) must be between -365"),
            ({"delay": 3651}, "Days After Due Date"),
            ({"activity_deadline_days": 400}, "Activity Deadline"),
            ({"delay": [7]}, "Days After Due Date must be a whole number"),
            ({"delay": 7.5}, "Days After Due Date must be a whole number"),
        ):
            with self.subTest(values=values), self.refused(ValidationError, error):
                level.write(values)
        policy = self.policy.with_user(self.admin)
        for values, error in (
            ({"promise_grace_days": 400}, "Promise Grace Days"),
            ({"plan_grace_days": -1}, "Plan Grace Days"),
            ({"call_window_days": -1}, "Within Consecutive Days"),
            ({"call_max_attempts": 1000}, "Max Call Attempts"),
            ({"validation_days": 10_000}, "Validation Period"),
        ):
            with self.subTest(values=values), self.refused(ValidationError, error):
                policy.write(values)
        for values, error in (
            ({"collection_batch_size": 0}, "Follow-up Batch Size"),
            ({"collection_dispute_days": 100_000}, "Dispute Deadline"),
            ({"collection_min_overdue_amount": -5.0}, "Minimum Overdue Amount"),
            ({"collection_weight_age": 1e300}, "Weight per Day Overdue"),
            ({"collection_weight_age": "nan"}, "Weight per Day Overdue must be a number"),
        ):
            with self.subTest(values=values), self.refused(ValidationError, error):
                self.company.write(values)
        agency = self.env["res.partner"].create({"name": "Agency", "is_collection_agency": True})
        for values, error in (
            ({"collection_agency_min_days": 100_000}, "Minimum Days Overdue"),
            ({"collection_agency_min_amount": -1.0}, "Minimum Placement Amount"),
        ):
            with self.subTest(values=values), self.refused(ValidationError, error):
                agency.write(values)

    def test_dates_of_documents_are_bounded(self):
        Hold = self.env["collection.hold"].with_user(self.collector)
        hold = {"scope": "debtor", "partner_id": self.debtor.id, "reason": "Checking"}
        with freeze_time("2026-01-14"):
            with self.refused(ValidationError, "Until .* must be .*or earlier, not 12/31/9999"):
                Hold.create({**hold, "date_end": "9999-12-31"})
            with self.refused(ValidationError, "Until must be a date"):
                Hold.create({**hold, "date_end": "someday"})
            self.assertTrue(Hold.create({**hold, "date_end": "2030-12-31"}))
            Promise = self.env["collection.promise"].with_user(self.collector)
            promise = {
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(self.invoice.ids)],
                "amount": 100.0,
            }
            for values, error in (
                ({"date_promised": "9999-12-31"}, "Promised Date"),
                ({"date": "1900-01-01", "date_promised": "2026-01-30"}, "Made On"),
                ({"date_promised": "2026-01-30", "grace_days": 100_000}, "Grace Days"),
            ):
                with self.subTest(values=values), self.refused(ValidationError, error):
                    Promise.create({**promise, **values})
            Plan = self.env["collection.payment.plan"].with_user(self.collector)
            plan = {"partner_id": self.debtor.id, "date_first": "2026-02-15"}
            for values, error in (
                ({"instalment_count": 0}, "at least one instalment"),
                ({"instalment_count": 1_000_000}, "Number of Instalments"),
                ({"instalment_count": 3.5}, "Number of Instalments must be a whole number"),
                ({"date_first": "9999-12-31"}, "First Instalment"),
                ({"date": "2199-01-01"}, "Agreed On"),
                ({"down_payment": 10.0, "down_payment_date": "9999-01-01"}, "Down Payment Date"),
            ):
                with self.subTest(values=values), self.refused(ValidationError, error):
                    Plan.create({**plan, **values})
            Dispute = self.env["collection.dispute"].with_user(self.collector)
            dispute = {
                "move_id": self.invoice.id,
                "amount": 100.0,
                "reason_id": self.env["collection.dispute.reason"].search([], limit=1).id,
            }
            for values, error in (
                ({"date": "9999-12-31"}, "Opened On"),
                ({"date": "2026-01-10", "deadline": "2026-01-01"}, "Deadline"),
                ({"verification_sent_date": "1900-01-01"}, "Verification Sent On"),
            ):
                with self.subTest(values=values), self.refused(ValidationError, error):
                    Dispute.create({**dispute, **values})
            action = (
                self.env["collection.legal.action"]
                .with_user(self.collector)
                .create({"case_id": self.case.id})
            )
            for values, error in (
                ({"date_filed": "1900-01-01"}, "Filing Date"),
                ({"date_judgment": "9999-12-31"}, "Judgment Date"),
            ):
                with self.subTest(values=values), self.refused(ValidationError, error):
                    action.write(values)
            with self.refused(ValidationError, "Next Action"):
                self.case.with_user(self.collector).write({"next_action_date": "9999-12-31"})
            with self.refused(ValidationError, "Next Action"):
                self.log_contact(self.collector, direction="inbound", next_action_date="9999-12-31")

    def test_blank_names_are_refused(self):
        with self.refused(ValidationError, "Name cannot be left blank"):
            self.policy.with_user(self.admin).write({"name": "   "})
        with self.refused(ValidationError, "Name cannot be left blank"):
            self.l_first.with_user(self.admin).write({"name": "\t "})
        with (
            freeze_time("2026-01-14"),
            self.refused(ValidationError, "Reason cannot be left blank"),
        ):
            self.env["collection.hold"].with_user(self.collector).create(
                {
                    "scope": "debtor",
                    "partner_id": self.debtor.id,
                    "reason": "  ",
                    "date_end": "2026-02-14",
                }
            )

    def test_stored_bad_values_do_not_break_computing(self):
        """Rows stored before their bounds were checked: reading a case, its time-bar
        search and a follow-up preview still work, with the values clamped."""
        self.env["collection.limitation.period"].search([]).unlink()
        period = self.env["collection.limitation.period"].create(
            {"country_id": self.env.ref("base.de").id, "years": 6}
        )
        self.debtor.country_id = self.env.ref("base.de")
        self.env.cr.execute(
            "UPDATE collection_limitation_period SET years = 9000 WHERE id = %s", [period.id]
        )
        self.env.cr.execute(
            "UPDATE collection_level SET delay = -10000000 WHERE id = %s", [self.l_courtesy.id]
        )
        self.env.invalidate_all()
        with freeze_time("2026-01-14"):
            case = self.case.with_user(self.collector)
            self.assertEqual(str(case.limitation_date), "2056-01-05", "clamped to 30 years")
            self.assertFalse(case.search([("is_time_barred", "=", True)]))
            run = self.env["collection.run"].create({"company_id": self.company.id})
            run.action_preview()
        self.assertEqual(run.state, "preview")


@tagged("post_install", "-at_install")
class TestTextShownAsText(SecurityInputCommon):
    """What users type as plain text reaches the chatter escaped, never as HTML."""

    IMG = '<img src=x onerror="alert(1)">'
    LINK = '<a href="https://evil.example">pay here</a>'

    def assertShownAsText(self, record, marker):
        """The newest note of `record` that mentions `marker` holds the typed text
        escaped (&lt;img ...) and no tag of it."""
        messages = self.env["mail.message"].search(
            [("model", "=", record._name), ("res_id", "=", record.id)], order="id desc"
        )
        body = next(str(m.body) for m in messages if marker in str(m.body))
        self.assertIn("&lt;img src=x onerror=", body)
        self.assertIn("&lt;a href=", body)
        self.assertNotIn("<img", body)
        self.assertNotIn("<a ", body)

    def test_contact_note_and_name(self):
        self.log_contact(
            self.collector,
            direction="inbound",
            outcome="reached",
            contact_name=self.LINK,
            note=self.IMG,
        )
        self.assertShownAsText(self.case, "Inbound call")

    def test_override_reason_and_correction(self):
        self.log_contact(self.collector, when="2026-01-12 15:00:00", outcome="reached")
        contact = self.log_contact(
            self.manager, context={"collection_guard_override": f"{self.IMG} {self.LINK}"}
        )
        self.assertShownAsText(self.case, "overridden")
        with freeze_time("2026-01-14 16:00:00"):
            contact.with_user(self.manager).write({"contact_name": f"{self.IMG}{self.LINK}"})
        self.assertShownAsText(self.case, "corrected by")

    def test_dispute_resolution_note(self):
        with freeze_time("2026-01-14"):
            dispute = (
                self.env["collection.dispute"]
                .with_user(self.collector)
                .create(
                    {
                        "move_id": self.invoice.id,
                        "amount": 100.0,
                        "reason_id": self.env["collection.dispute.reason"].search([], limit=1).id,
                        "description": self.IMG,
                    }
                )
            )
            manager_dispute = dispute.with_user(self.manager)
            manager_dispute.action_record_verification()
            manager_dispute.resolution_note = f"{self.IMG} {self.LINK}"
            manager_dispute.action_reject()
        self.assertShownAsText(self.case, "rejected")
        # a reason is more than blanks
        with freeze_time("2026-01-15"):
            manager_dispute.action_reopen()
            manager_dispute.resolution_note = "   "
            with self.refused(UserError, "Write down in Resolution"):
                manager_dispute.action_reject()
