from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon

from .common import CollectionsCommon

TODAY = "2026-12-01"


def _posted_invoice(env, partner, amount, due):
    """A posted customer invoice due on `due` (the HTTP tests run on today's date: the
    server thread does not see a frozen clock)."""
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": fields.Date.subtract(due, days=30),
            "invoice_date_due": due,
            "invoice_line_ids": [
                fields.Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
            ],
        }
    )
    invoice.action_post()
    return invoice


def _portal_user(env, login, debtor):
    """A portal user (password: the login + "_pw") of a contact of `debtor`."""
    contact = env["res.partner"].create(
        {"name": f"{login} contact", "parent_id": debtor.id, "email": f"{login}@example.com"}
    )
    return new_test_user(
        env,
        login=login,
        password=f"{login}_pw",
        groups="base.group_portal",
        partner_id=contact.id,
    )


@tagged("post_install", "-at_install")
class TestPortalPromiseDispute(CollectionsCommon):
    """What a debtor records on the portal: promises within and beyond the policy's
    self-service limits, disputes, and bad input refused with nothing recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.write({"portal_promise_max_days": 14, "portal_promise_min_share": 50.0})
        cls.collector = cls._create_user("portal_collector", "group_collections_collector")

    def setUp(self):
        super().setUp()
        with freeze_time(TODAY):
            self.invoice = self.create_invoice(self.debtor, 1000.0, "2026-11-01")
            self.invoice_two = self.create_invoice(self.debtor, 500.0, "2026-11-10")
            self.other_invoice = self.create_invoice(self.debtor_two, 300.0, "2026-11-01")
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)
        self.case.sudo().user_id = self.collector
        self.Promise = self.env["collection.promise"].sudo()
        self.Dispute = self.env["collection.dispute"].sudo()

    def _records(self):
        return (
            self.env["collection.promise"].sudo().search_count([]),
            self.env["collection.dispute"].sudo().search_count([]),
            self.env["collection.contact"].sudo().search_count([]),
        )

    @freeze_time(TODAY)
    def test_promise_within_limits_is_recorded(self):
        promise = self.Promise._portal_propose(self.case, [], "800", "2026-12-10", "Salary day")
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.move_ids, self.invoice | self.invoice_two)
        self.assertEqual(promise.channel, "portal")
        self.assertEqual(promise.case_id, self.case)
        self.assertEqual(self.case.stage_type, "promise")
        contact = self.env["collection.contact"].sudo().search([("case_id", "=", self.case.id)])
        self.assertEqual(
            contact.mapped(lambda c: (c.channel, c.direction, c.outcome)),
            [("portal", "inbound", "promise")],
        )
        # follow-up pauses for its invoices, as for a promise taken by a collector
        paused = self.env["collection.promise"]._move_ids_in_state(self.company, "open")
        self.assertEqual(paused, set((self.invoice | self.invoice_two).ids))

    @freeze_time(TODAY)
    def test_promise_beyond_limits_is_a_request(self):
        late = self.Promise._portal_propose(self.case, [self.invoice.id], "1000", "2026-12-31")
        small = self.Promise._portal_propose(self.case, [self.invoice_two.id], "100", "2026-12-05")
        self.assertEqual((late | small).mapped("state"), ["requested", "requested"])
        self.assertFalse(self.env["collection.promise"]._move_ids_in_state(self.company, "open"))
        self.assertEqual(late.activity_ids.user_id, self.collector)
        # the collector answers; the debtor is told by email
        late.with_user(self.collector).action_accept_request()
        self.assertEqual(late.state, "open")
        self.assertFalse(late.activity_ids)
        self.assertIn(self.debtor, late.message_ids[0].partner_ids)
        self.assertIn("accept", late.message_ids[0].body)
        small.with_user(self.collector).action_decline_request()
        self.assertEqual(small.state, "declined")
        self.assertIn("cannot accept", small.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "not a request"):
            small.with_user(self.collector).action_accept_request()

    @freeze_time(TODAY)
    def test_promise_bad_input_records_nothing(self):
        before = self._records()
        cases = [
            ([self.invoice.id], "1000.01", "2026-12-05", "more than you owe"),
            ([self.invoice.id], "0", "2026-12-05", "more than zero"),
            ([self.invoice.id], "abc", "2026-12-05", "Enter the amount"),
            ([self.invoice.id], "100", "2026-11-30", "in the past"),
            ([self.invoice.id], "100", "not a date", "Enter the date"),
            ([self.other_invoice.id], "100", "2026-12-05", "not yours or not open"),
            ([self.invoice.id, self.other_invoice.id], "100", "2026-12-05", "not yours"),
            (["x"], "100", "2026-12-05", "Choose among your open invoices"),
        ]
        for invoice_ids, amount, date, message in cases:
            with self.subTest(amount=amount, date=date), self.refused(UserError, message):
                self.Promise._portal_propose(self.case, invoice_ids, amount, date)
        self.assertEqual(self._records(), before)

    @freeze_time(TODAY)
    def test_dispute_from_the_portal(self):
        reason = self.env["collection.dispute.reason"].search([], limit=1)
        dispute = self.Dispute._portal_open(
            self.case,
            str(self.invoice.id),
            "250",
            str(reason.id),
            "Goods damaged",
            [("photo.png", b"\x89PNG fake")],
        )
        self.assertEqual(dispute.state, "open")
        self.assertEqual(dispute.amount, 250.0)
        self.assertEqual(dispute.owner_id, self.collector)
        self.assertEqual(dispute.activity_ids.user_id, self.collector)
        message = dispute.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(message.attachment_ids.name, "photo.png")
        self.assertEqual(message.author_id, self.debtor)
        contact = self.env["collection.contact"].sudo().search([("dispute_id", "=", dispute.id)])
        self.assertEqual((contact.channel, contact.direction), ("portal", "inbound"))
        self.assertEqual(self.case.stage_type, "dispute")
        self.assertIn(self.debtor, dispute.message_partner_ids, "the debtor follows it")
        self.assertEqual(dispute.access_url, f"/my/collections/{self.case.id}/dispute/{dispute.id}")

    @freeze_time(TODAY)
    def test_dispute_bad_input_records_nothing(self):
        reason = self.env["collection.dispute.reason"].search([], limit=1)
        before = self._records()
        cases = [
            (self.invoice.id, "1000.01", reason.id, "more than is due"),
            (self.invoice.id, "-5", reason.id, "more than zero"),
            (self.other_invoice.id, "10", reason.id, "not yours"),
            (self.invoice.id, "10", 0, "reason"),
            (False, "10", reason.id, "Choose the invoice"),
        ]
        for invoice_id, amount, reason_id, message in cases:
            with self.subTest(invoice=invoice_id, amount=amount), self.refused(UserError, message):
                self.Dispute._portal_open(self.case, invoice_id, amount, reason_id, "No")
        self.assertEqual(self._records(), before)

    def test_self_service_limits_are_bounded(self):
        for values in ({"portal_promise_max_days": 400}, {"portal_promise_min_share": 101}):
            with self.subTest(values=values), self.refused(Exception, "between|from|range"):
                self.policy.write(values)


@tagged("post_install", "-at_install")
class TestPortalAccess(CollectionsCommon, HttpCase):
    """A portal user sees its own debtor's page only; a token opens one debtor's page;
    nothing of another debtor comes back, by route or by RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        due = fields.Date.subtract(today, days=40)
        cls.invoice_a = _posted_invoice(cls.env, cls.debtor, 700.0, due)
        cls.invoice_b = _posted_invoice(cls.env, cls.debtor_two, 900.0, due)
        cls.env["collection.case"]._sync_cases(cls.company)
        Case = cls.env["collection.case"]
        cls.case_a = Case.search([("partner_id", "=", cls.debtor.id)])
        cls.case_b = Case.search([("partner_id", "=", cls.debtor_two.id)])
        cls.token_a = cls.case_a.sudo()._portal_ensure_token()
        cls.token_b = cls.case_b.sudo()._portal_ensure_token()
        cls.user_a = _portal_user(cls.env, "portal_a", cls.debtor)
        cls.plan_b = cls.env["collection.payment.plan"].create(
            {
                "partner_id": cls.debtor_two.id,
                "instalment_count": 2,
                "date_first": fields.Date.add(today, days=10),
            }
        )
        cls.plan_b.action_compute_schedule()
        cls.plan_b.action_propose_on_portal()
        cls.dispute_b = cls.env["collection.dispute"].create(
            {
                "move_id": cls.invoice_b.id,
                "amount": 10.0,
                "reason_id": cls.env["collection.dispute.reason"].search([], limit=1).id,
            }
        )
        cls.dispute_b._portal_ensure_token()
        cls.statement_a, cls.statement_b = (
            cls._statement_sent(cls.debtor),
            cls._statement_sent(cls.debtor_two),
        )
        run = cls.env["collection.run"].create({"company_id": cls.company.id})
        cls.letter_b = (
            cls.env["collection.communication"]
            .sudo()
            .create(
                {
                    "run_id": run.id,
                    "company_id": cls.company.id,
                    "partner_id": cls.debtor_two.id,
                    "case_id": cls.case_b.id,
                    "level_id": cls.l_second.id,
                    "date": today,
                }
            )
        )
        cls.letter_b.letter_attachment_id = cls.env["ir.attachment"].create(
            {"name": "secret-b.pdf", "raw": b"%PDF B secret", "res_model": "res.partner"}
        )

    @classmethod
    def _statement_sent(cls, debtor):
        """A statement emailed to `debtor`: a message on it with the PDF."""
        attachment = cls.env["ir.attachment"].create(
            {
                "name": f"Statement - {debtor.name}.pdf",
                "raw": f"%PDF statement of {debtor.name}".encode(),
                "mimetype": "application/pdf",
                "res_model": "res.partner",
                "res_id": debtor.id,
            }
        )
        debtor.message_post(
            body="Your statement", attachment_ids=attachment.ids, message_type="comment"
        )
        return attachment

    def assert_refused(self, response, *secrets):
        self.assertIn(response.status_code, (403, 404), response.url)
        for secret in secrets:
            self.assertNotIn(secret, response.text)

    def test_own_page_and_home_card(self):
        self.authenticate("portal_a", "portal_a_pw")
        response = self.url_open("/my/collections")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_a.name, response.text)
        self.assertNotIn(self.invoice_b.name, response.text)
        self.assertNotIn(self.case_a.stage_id.name, response.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["collection_overdue"]})
        self.assertIn("700.00", counters["collection_overdue"])

    def test_token_opens_one_page(self):
        response = self.url_open(f"/my/collections/{self.case_a.id}?access_token={self.token_a}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice_a.name, response.text)
        statement = self.url_open(
            f"/my/collections/{self.case_a.id}/statement?access_token={self.token_a}"
        )
        self.assertEqual(statement.status_code, 200)
        self.assertIn(f"statement/{self.statement_a.id}", response.text)
        self.assertNotIn(f"statement/{self.statement_b.id}", response.text)
        sent = self.url_open(
            f"/my/collections/{self.case_a.id}/statement/{self.statement_a.id}"
            f"?access_token={self.token_a}"
        )
        self.assertEqual(sent.content, b"%PDF statement of Debtor One")
        # a dispute's page opens with the debtor's link, and with the dispute's own token
        reason = self.env["collection.dispute.reason"].search([], limit=1)
        dispute = (
            self.env["collection.dispute"]
            .sudo()
            ._portal_open(self.case_a, self.invoice_a.id, "5", reason.id, "Wrong colour")
        )
        for token in (self.token_a, dispute.access_token):
            page = self.url_open(
                f"/my/collections/{self.case_a.id}/dispute/{dispute.id}?access_token={token}"
            )
            self.assertEqual(page.status_code, 200)
            self.assertIn('id="discussion"', page.text)
        # the dispute's token opens no other page
        self.assert_refused(
            self.url_open(f"/my/collections/{self.case_a.id}?access_token={dispute.access_token}")
        )
        for url in (
            f"/my/collections/{self.case_b.id}?access_token={self.token_a}",
            f"/my/collections/{self.case_b.id}",
            f"/my/collections/{self.case_b.id}?access_token=forged",
            f"/my/collections/{self.case_b.id + 1000}?access_token={self.token_b}",
        ):
            with self.subTest(url=url):
                self.assert_refused(self.url_open(url), self.invoice_b.name, "Debtor Two")

    def test_customer_a_gets_nothing_of_b(self):
        self.authenticate("portal_a", "portal_a_pw")
        a, b = self.case_a.id, self.case_b.id
        secrets = (self.invoice_b.name, "Debtor Two", "secret-b", "PDF B secret")
        Promise, Dispute = self.env["collection.promise"], self.env["collection.dispute"]
        Transaction = self.env["payment.transaction"]
        before = [M.sudo().search_count([]) for M in (Promise, Dispute, Transaction)]
        gets = [
            f"/my/collections/{b}",
            f"/my/collections/{b}?access_token={self.token_a}",
            f"/my/collections/{b}/statement",
            f"/my/collections/{b}/statement/{self.statement_b.id}",
            f"/my/collections/{a}/statement/{self.statement_b.id}",
            f"/my/collections/{b}/letter/{self.letter_b.id}",
            f"/my/collections/{a}/letter/{self.letter_b.id}",
            f"/my/collections/{b}/invoice/{self.invoice_b.id}",
            f"/my/collections/{a}/invoice/{self.invoice_b.id}",
            f"/my/collections/{b}/pay?invoice_ids={self.invoice_b.id}",
            f"/my/collections/{b}/plan/{self.plan_b.id}/agreement",
            f"/my/collections/{a}/plan/{self.plan_b.id}/agreement",
            f"/my/collections/{a}/plan/{self.plan_b.id}/pay",
            f"/my/collections/{b}/dispute/{self.dispute_b.id}",
            f"/my/collections/{a}/dispute/{self.dispute_b.id}",
            f"/my/collections/{b}/dispute/{self.dispute_b.id}?access_token={self.token_a}",
        ]
        for url in gets:
            with self.subTest(url=url):
                self.assert_refused(self.url_open(url), *secrets)
        # A's own pay page with B's invoice: back to A's page with an error, nothing of B
        response = self.url_open(f"/my/collections/{a}/pay?invoice_ids={self.invoice_b.id}")
        self.assertNotIn(self.invoice_b.name, response.text)
        self.assertIn("Choose among your open invoices", response.text)
        for path in ("promise", "dispute", f"plan/{self.plan_b.id}/accept"):
            for case_id in (a, b) if path.startswith("plan") else (b,):
                with self.subTest(path=path, case=case_id):
                    response = self.url_open(
                        f"/my/collections/{case_id}/{path}",
                        data={"csrf_token": self.csrf_token(), "invoice_ids": self.invoice_b.id},
                    )
                    self.assert_refused(response, *secrets)
        self.assertEqual(self.plan_b.state, "draft")
        # the payment transaction of B's invoice, from A's page or B's
        for case_id, query in (
            (a, f"invoice_ids={self.invoice_b.id}"),
            (b, f"invoice_ids={self.invoice_b.id}"),
            (a, f"plan_id={self.plan_b.id}"),
        ):
            with (
                self.subTest(case=case_id),
                self.assertRaisesRegex(JsonRpcException, "ValidationError"),
            ):
                self.make_jsonrpc_request(
                    f"/my/collections/{case_id}/transaction?{query}",
                    {"access_token": self.token_a, "amount": 1.0},
                )
        after = [M.sudo().search_count([]) for M in (Promise, Dispute, Transaction)]
        self.assertEqual(after, before)

    def test_portal_user_reads_no_collections_model(self):
        models = self.env["ir.model"].search([("model", "=like", "collection.%")])
        env = self.env(user=self.user_a)
        for model in models.mapped("model"):
            Model = env[model]
            if Model._abstract or Model._transient:
                continue
            with self.subTest(model=model):
                try:
                    records = Model.search_read([], limit=5)
                except AccessError:
                    continue
                self.assertFalse(records, f"{model} readable by a portal user")

    def csrf_token(self):
        response = self.url_open("/my/collections")
        text = response.text
        start = text.index('name="csrf_token" value="') + len('name="csrf_token" value="')
        return text[start : text.index('"', start)]


@tagged("post_install", "-at_install")
class TestPortalPayment(CollectionsCommon, AccountPaymentCommon, PaymentHttpCommon):
    """Paying from the portal goes through account_payment: a transaction on the chosen
    invoices, for what is open on them; once done Odoo reconciles it and the case
    closes when nothing overdue remains."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        due = fields.Date.subtract(fields.Date.today(), days=40)
        cls.invoices = _posted_invoice(cls.env, cls.debtor, 700.0, due) | (
            _posted_invoice(cls.env, cls.debtor, 300.0, due)
        )
        cls.env["collection.case"]._sync_cases(cls.company)
        cls.case = cls.env["collection.case"].search([("partner_id", "=", cls.debtor.id)])
        cls.token = cls.case.sudo()._portal_ensure_token()

    def _transaction(self, tx_context, amount):
        """The transaction the payment form asks for, with the amount the browser sends."""
        with mute_logger("odoo.addons.payment.models.payment_transaction"):
            processing_values = self._get_processing_values(
                tx_route=tx_context["transaction_route"],
                provider_id=self.provider.id,
                payment_method_id=self.payment_method_id,
                token_id=None,
                amount=amount,
                flow="direct",
                tokenization_requested=False,
                landing_route=tx_context["landing_route"],
                access_token=tx_context["access_token"],
                payment_reference=tx_context["payment_reference"],
            )
        return self._get_tx(processing_values["reference"])

    def test_pay_all_overdue_with_the_link(self):
        ids = "&".join(f"invoice_ids={i}" for i in self.invoices.ids)
        url = f"/my/collections/{self.case.id}/pay?access_token={self.token}&{ids}"
        response = self._make_http_get_request(self._build_url(url), {})
        self.assertEqual(response.status_code, 200)
        tx_context = self._get_payment_context(response)
        self.assertEqual(tx_context["amount"], 1000.0)
        tx = self._transaction(tx_context, 1.0)  # what the browser says does not count
        self.assertEqual(tx.amount, 1000.0)
        self.assertEqual(tx.invoice_ids, self.invoices)
        self.assertEqual(tx.partner_id, self.debtor)
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(set(self.invoices.mapped("amount_residual")), {0.0})
        self.assertFalse(self.case.is_open)

    def test_pay_one_invoice_logged_in(self):
        user = _portal_user(self.env, "portal_pay", self.debtor)
        self.authenticate(user.login, "portal_pay_pw")
        first = self.invoices[0]
        url = f"/my/collections/{self.case.id}/pay?invoice_ids={first.id}"
        tx_context = self._get_payment_context(
            self._make_http_get_request(self._build_url(url), {})
        )
        tx = self._transaction(tx_context, 700.0)
        self.assertEqual(tx.invoice_ids, first)
        tx._set_done()
        tx._post_process()
        self.assertEqual(first.amount_residual, 0.0)
        self.assertEqual(self.invoices[1].amount_residual, 300.0)
        self.assertTrue(self.case.is_open)

    def test_accept_a_proposed_plan_and_pay_an_instalment(self):
        today = fields.Date.today()
        plan = self.env["collection.payment.plan"].create(
            {
                "partner_id": self.debtor.id,
                "instalment_count": 4,
                "frequency": "monthly",
                "date_first": fields.Date.add(today, days=10),
            }
        )
        plan.action_compute_schedule()
        page = f"/my/collections/{self.case.id}?access_token={self.token}"
        self.assertNotIn(plan.name, self.url_open(page).text)  # a draft is the collector's
        plan.action_propose_on_portal()
        text = self.url_open(page).text
        self.assertIn(plan.name, text)
        agreement = self.url_open(
            f"/my/collections/{self.case.id}/plan/{plan.id}/agreement?access_token={self.token}"
        )
        self.assertEqual(agreement.status_code, 200)
        csrf = text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        self.url_open(
            f"/my/collections/{self.case.id}/plan/{plan.id}/accept",
            data={"csrf_token": csrf, "access_token": self.token},
        )
        self.assertEqual(plan.state, "active")
        self.assertEqual(self.case.stage_type, "plan")
        contact = self.env["collection.contact"].sudo().search([("case_id", "=", self.case.id)])
        self.assertIn(("portal", "inbound"), contact.mapped(lambda c: (c.channel, c.direction)))
        # the next instalment, paid online
        url = f"/my/collections/{self.case.id}/plan/{plan.id}/pay?access_token={self.token}"
        tx_context = self._get_payment_context(
            self._make_http_get_request(self._build_url(url), {})
        )
        self.assertEqual(tx_context["amount"], 250.0)
        tx = self._transaction(tx_context, 1000.0)  # the browser cannot choose the amount
        self.assertEqual(tx.amount, 250.0)
        self.assertEqual(tx.invoice_ids, self.invoices)
        tx._set_done()
        tx._post_process()
        self.assertEqual(sum(self.invoices.mapped("amount_residual")), 750.0)
        plan.action_check_payments()
        self.assertEqual(plan.amount_paid, 250.0)
        self.assertEqual(plan.line_ids.sorted("date_due")[0].state, "paid")


@tagged("post_install", "-at_install")
class TestPortalLinks(CollectionsCommon, HttpCase):
    """Every reminder carries the debtor's secure link; a consumer debtor's email also a
    link per channel that opts it out of that channel."""

    def _followup(self, debtor):
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(debtor, 500, "2026-01-05")
        run = self.run_followup("2026-02-14 15:00:00")  # 40 days late: the first level
        communication = run.communication_ids.filtered(lambda c: c.partner_id == debtor)
        self.assertTrue(communication.mail_id, "the reminder was sent")
        return invoice, communication

    def test_reminder_letter_and_statement_carry_the_link(self):
        _invoice, communication = self._followup(self.debtor)
        case = communication.case_id
        link = f"/my/collections/{case.id}?access_token={case.sudo().access_token}"
        body = communication.mail_id.body_html
        self.assertIn(link, body)
        self.assertNotIn("/optout/", body, "a business debtor gets no opt-out link")
        self.assertIn(link, case._portal_link())
        # letters, the statement and the plan agreement print it too
        Report = self.env["ir.actions.report"]
        letter, _type = Report._render_qweb_html(
            "collections_management.action_report_collection_letter", communication.ids
        )
        self.assertIn(link, letter.decode())
        statement, _type = Report._render_qweb_html(
            "collections_management.action_report_collection_statement", self.debtor.ids
        )
        self.assertIn(link, statement.decode())
        template = self.env.ref("collections_management.mail_template_statement")
        rendered = template._render_field("body_html", self.debtor.ids)[self.debtor.id]
        self.assertIn(link, rendered)
        # the page opens with the link, without logging in
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)

    def test_consumer_email_opts_out_per_channel(self):
        consumer = self._create_debtor("Carla Consumer", "carla@example.com")
        policy = self._create_policy(self.company, name="Consumers")
        policy.debtor_type = "consumer"
        consumer.collection_policy_id = policy
        _invoice, communication = self._followup(consumer)
        case = communication.case_id
        token = case.sudo().access_token
        body = communication.mail_id.body_html
        for channel in ("email", "sms", "phone", "visit"):
            self.assertIn(f"/my/collections/{case.id}/optout/{channel}?access_token={token}", body)
        url = f"/my/collections/{case.id}/optout/email?access_token={token}"
        # opening the link only asks to confirm
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(consumer.collection_optout_email)
        csrf = response.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        self.url_open(url, data={"csrf_token": csrf})
        self.assertTrue(consumer.collection_optout_email)
        self.assertFalse(consumer.collection_optout_phone)
        contact = (
            self.env["collection.contact"]
            .sudo()
            .search([("case_id", "=", case.id), ("channel", "=", "portal")])
        )
        self.assertEqual(contact.direction, "inbound")
        self.assertIn("Opted out of email", contact.note)
        # another debtor's token opts nobody out
        other = f"/my/collections/{case.id}/optout/phone?access_token=forged"
        self.assertEqual(self.url_open(other, data={"csrf_token": csrf}).status_code, 403)
        self.assertFalse(consumer.collection_optout_phone)
