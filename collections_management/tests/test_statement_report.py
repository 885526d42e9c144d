from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CollectionsCommon
from .test_letter_report import pdf_text


@tagged("post_install", "-at_install")
class TestStatementReport(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.open_invoice = cls.create_invoice(
            cls, cls.debtor, 1234.56, "2026-02-15", invoice_date="2026-01-16"
        )
        cls.paid_invoice = cls.create_invoice(
            cls, cls.debtor, 400.0, "2026-02-20", invoice_date="2026-01-21"
        )
        cls.pay(cls, cls.paid_invoice, 400.0, "2026-03-05")
        cls.report = cls.env.ref("collections_management.action_report_collection_statement")

    def test_statement_pdf_renders_with_open_items_aging_and_payments(self):
        # wkhtmltopdf fetches the style sheets over HTTP: point it at a closed port.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with freeze_time("2026-03-20"):
            pdf, report_type = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(self.report.report_name, self.debtor.ids)
            )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        self.assertIn("Statement of Account", text)
        self.assertIn(self.debtor.name, text)
        self.assertIn(self.open_invoice.name, text)
        self.assertIn("1,234.56", text)  # open item, 31-60 bucket and balance due
        self.assertIn("31-60", text)
        self.assertIn("400.00", text)  # the payment received in the period
        self.assertNotIn(self.paid_invoice.name, text.split("Payments Received")[0])

    def test_statement_in_the_partner_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.debtor.lang = "fr_FR"
        with freeze_time("2026-03-20"):
            html = (
                self.env["ir.actions.report"]
                ._render_qweb_html(self.report.report_name, self.debtor.ids)[0]
                .decode()
            )
        # French dates (day first) and amounts (comma decimals)
        self.assertIn("15/02/2026", html)
        self.assertIn("1\xa0234,56", html)

    def test_statement_is_sent_by_email_with_the_pdf(self):
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        self.create_invoice(self.debtor_two, 10.0, "2026-02-15", invoice_date="2026-01-16")
        with freeze_time("2026-03-20"):
            self.env["collection.case"]._sync_cases(self.company)
            case = self.case_of(self.debtor_two)
            case_action = case.action_send_statement()
        self.assertEqual(case_action["res_model"], "mail.compose.message")
        context = case_action["context"]
        self.assertEqual(context["default_res_ids"], self.debtor_two.ids)
        template = self.env.ref("collections_management.mail_template_statement")
        self.assertEqual(template.report_template_ids, self.report)
        composer = self.env["mail.compose.message"].with_context(context).create({})
        self.assertEqual(composer.template_id, template)
        with freeze_time("2026-03-20"):
            composer.with_context(force_report_rendering=True)._action_send_mail()
        message = self.debtor_two.message_ids[:1]
        self.assertIn("statement", message.subject)
        self.assertEqual(message.attachment_ids.mimetype, "application/pdf")
        self.assertIn("Statement", message.attachment_ids.name)

        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        print_action = case.action_print_statement()
        self.assertEqual(print_action["report_name"], self.report.report_name)
        self.assertEqual(print_action["context"]["active_ids"], self.debtor_two.ids)

    def test_statement_period_is_chosen_in_the_wizard(self):
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.pay(self.open_invoice, 123.45, "2026-01-20")  # before the period
        self.pay(self.open_invoice, 234.56, "2026-03-10")  # inside it
        with freeze_time("2026-03-20"):
            action = self.debtor.action_collection_statement()
            wizard = (
                self.env[action["res_model"]]
                .with_context(action["context"])
                .create({"date_from": "2026-03-01", "date_to": "2026-03-20"})
            )
            self.assertEqual(wizard.partner_ids, self.debtor)
            print_action = wizard.action_print()
            self.assertEqual(print_action["context"]["statement_date_from"], "2026-03-01")
            html = (
                self.env["ir.actions.report"]
                .with_context(print_action["context"])
                ._render_qweb_html(self.report.report_name, self.debtor.ids)[0]
                .decode()
            )
            self.assertIn("234.56", html)
            self.assertNotIn("123.45", html, "a payment before the period is left out")
            send_action = wizard.action_send()
            self.assertEqual(send_action["res_model"], "mail.compose.message")
            self.assertEqual(send_action["context"]["statement_date_to"], "2026-03-20")
            with self.refused(ValidationError, "starts after it ends"):
                wizard.date_from = "2026-03-21"
