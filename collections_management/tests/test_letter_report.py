import io
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.pdf import PdfReader

from .common import CollectionsCommon


def pdf_text(raw):
    reader = PdfReader(io.BytesIO(raw))
    # wkhtmltopdf separates words with tabs: compare with single spaces
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@tagged("post_install", "-at_install")
class TestLetterReport(CollectionsCommon):
    def test_letters_cron_prints_the_letters_a_run_queued(self):
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1234.56, "2026-01-05")
        self.policy.allow_level_skip = True
        communication = self.run_followup("2026-01-25").communication_ids  # Second: a letter
        self.assertEqual(communication.letter_state, "to_render")
        letters = self.env.ref("collections_management.ir_cron_collection_letters")
        self.assertTrue(self.env["ir.cron.trigger"].sudo().search([("cron_id", "=", letters.id)]))

        # in tests, reports render as HTML unless asked: the cron prints real PDFs
        Report = type(self.env["ir.actions.report"])
        render_pdf = Report._render_qweb_pdf

        def render_real_pdf(report, *args, **kwargs):
            return render_pdf(report.with_context(force_report_rendering=True), *args, **kwargs)

        with (
            freeze_time("2026-01-25 06:00:00"),
            patch.object(Report, "_render_qweb_pdf", render_real_pdf),
        ):
            self.run_cron("ir_cron_collection_letters")
        self.assertEqual(communication.letter_state, "done")
        attachment = communication.letter_attachment_id
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertIn(invoice.name, pdf_text(attachment.raw))
        self.assertIn(attachment, communication.case_id.message_ids.attachment_ids)

    def test_letters_print_with_wkhtmltopdf_one_pdf_per_debtor(self):
        # wkhtmltopdf fetches the report's style sheets over HTTP; inside a test the
        # server would wait for this test's transaction: point it at a closed port.
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with freeze_time("2026-01-01"):
            first = self.create_invoice(
                self.debtor, 1234.56, "2026-01-05", invoice_date="2025-12-01"
            )
            second = self.create_invoice(
                self.debtor_two, 789.00, "2026-01-05", invoice_date="2025-12-01"
            )
        self.run_followup("2026-01-12")
        self.policy.allow_level_skip = True
        run = self.run_followup("2026-01-25")  # the Second level sends a letter
        communications = run.communication_ids
        self.assertEqual(communications.mapped("letter_state"), ["to_render", "to_render"])

        # what the letters cron does, as the cron (superuser) does it
        communications.sudo().with_context(force_report_rendering=True)._render_letters()

        for communication, debtor, invoice, amount in (
            (
                communications.filtered(lambda c: c.partner_id == self.debtor),
                self.debtor,
                first,
                "1,234.56",
            ),
            (
                communications.filtered(lambda c: c.partner_id == self.debtor_two),
                self.debtor_two,
                second,
                "789.00",
            ),
        ):
            self.assertEqual(communication.letter_state, "done")
            attachment = communication.letter_attachment_id
            self.assertEqual(attachment.mimetype, "application/pdf")
            self.assertTrue(attachment.raw.startswith(b"%PDF"))
            self.assertEqual(
                (attachment.res_model, attachment.res_id),
                ("collection.case", communication.case_id.id),
            )
            text = pdf_text(attachment.raw)
            self.assertIn(debtor.name, text)
            self.assertIn(invoice.name, text)
            self.assertIn(amount, text)
            self.assertIn("Second reminder", text)
            other = self.debtor_two if debtor == self.debtor else self.debtor
            self.assertNotIn(other.name, text, "each letter holds one debtor only")
            self.assertIn(attachment, communication.case_id.message_ids.attachment_ids)
