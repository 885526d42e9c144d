import io
import re
import subprocess

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfReader

from odoo.addons.base.models.ir_actions_report import _wkhtml

from .common import CollectionsCommon


def pdftotext(raw):
    """The text a debtor can select and search in the PDF, as poppler extracts it,
    with runs of white space made single spaces."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=raw, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


@tagged("post_install", "-at_install")
class TestPdfLetterhead(CollectionsCommon, HttpCase):
    """What a debtor opens: a letter, a statement and a plan agreement carry the sender's
    letterhead (logo, name and address) and page numbers. Odoo prints header and footer
    with --header-html/--footer-html, which only wkhtmltopdf with patched Qt honours.
    An HttpCase: wkhtmltopdf fetches the report's style sheets from this test's server,
    as it does in production; without them the header prints off the page."""

    SENDER = ("12 Ledger Lane", "4100", "Harbourtown")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        street, zip_code, city = cls.SENDER
        cls.company.write(
            {"street": street, "zip": zip_code, "city": city, "company_details": False}
        )
        cls.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.debtor.write({"street": "7 Arrears Road", "zip": "5200", "city": "Dunmore"})
        cls.debtor_two.write({"street": "3 Overdue Row", "zip": "6300", "city": "Lateham"})

    def render(self, report_xmlid, records):
        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_xmlid, records.ids)
        )
        self.assertEqual(report_type, "pdf")
        return pdf

    def assert_letterhead(self, pdf, debtor, *body):
        """The company's logo, name and address head page 1, above the debtor's address;
        the footer numbers the pages; `body` is in the text too. Returns the text."""
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdftotext(pdf)
        for expected in (self.company.name, *self.SENDER, debtor.name, *body):
            self.assertIn(expected, text)
        for expected in (debtor.street, debtor.zip, debtor.city):
            self.assertIn(expected, text, "the debtor's address")
        self.assertLess(
            text.index(self.SENDER[0]),
            text.index(debtor.street),
            "the sender's address is in the header, above the debtor's",
        )
        self.assertLess(text.index(self.company.name), text.index(debtor.street))
        self.assertRegex(text, r"Page 1 / \d", "the footer numbers the pages")
        first_page = PdfReader(io.BytesIO(pdf)).pages[0]
        self.assertTrue(first_page.images, "the company logo heads page 1")
        return text

    # ------------------------------------------------------------------
    def test_the_engine_is_wkhtmltopdf_with_patched_qt(self):
        engine = _wkhtml()
        self.assertEqual(self.env["ir.actions.report"].get_wkhtmltopdf_state(), "ok")
        self.assertTrue(
            engine.is_patched_qt,
            f"Odoo prints with {engine.bin} (version {engine.version}), not a build with "
            "patched Qt: reports lose their letterhead and page numbers (run bin/setup)",
        )

    def test_dunning_letters_carry_the_letterhead_and_their_own_page_numbers(self):
        first = self.create_invoice(self.debtor, 1234.56, "2026-01-05", invoice_date="2025-12-01")
        second = self.create_invoice(
            self.debtor_two, 789.00, "2026-01-05", invoice_date="2025-12-01"
        )
        self.run_followup("2026-01-12")
        self.policy.allow_level_skip = True
        communications = self.run_followup("2026-01-25").communication_ids  # letters
        self.assertEqual(communications.mapped("letter_state"), ["to_render", "to_render"])
        with freeze_time("2026-01-25"):
            # one batch, one wkhtmltopdf call, as the letters cron prints them
            communications.sudo().with_context(force_report_rendering=True)._render_letters()
        for debtor, invoice, amount in (
            (self.debtor, first, "1,234.56"),
            (self.debtor_two, second, "789.00"),
        ):
            communication = communications.filtered(lambda c, d=debtor: c.partner_id == d)
            self.assertEqual(communication.letter_state, "done")
            pdf = communication.letter_attachment_id.raw
            text = self.assert_letterhead(pdf, debtor, invoice.name, amount, "Second reminder")
            self.assertIn("Page 1 / 1", text, "each letter numbers its own pages")
            self.assertLess(len(pdf), 150_000, "text and fonts, not shapes (Debian's: ~450 KB)")

    def test_statements_carry_the_letterhead_and_their_own_page_numbers(self):
        with freeze_time("2026-03-20"):
            invoice = self.create_invoice(
                self.debtor, 987.65, "2026-02-15", invoice_date="2026-01-16"
            )
            self.create_invoice(self.debtor_two, 55.0, "2026-02-15", invoice_date="2026-01-16")
            pdf = self.render(
                "collections_management.action_report_collection_statement", self.debtor
            )
            both = self.render(
                "collections_management.action_report_collection_statement",
                self.debtor | self.debtor_two,
            )
        text = self.assert_letterhead(pdf, self.debtor, "Statement of Account", invoice.name)
        self.assertIn("987.65", text)
        self.assertIn("Page 1 / 1", text)
        self.assertLess(len(pdf), 150_000, "text and fonts, not shapes (Debian's: ~450 KB)")
        pages = re.findall(r"Page \d+ / \d+", pdftotext(both))
        self.assertEqual(pages, ["Page 1 / 1", "Page 1 / 1"], "each statement numbered alone")

    def test_plan_agreement_carries_the_letterhead_and_page_numbers(self):
        with freeze_time("2026-02-01"):
            invoice = self.create_invoice(self.debtor, 300.0, "2026-01-10")
            self.env["collection.case"]._sync_cases(self.company)
            plan = self.env["collection.payment.plan"].create(
                {
                    "partner_id": self.debtor.id,
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "date_first": "2026-03-01",
                }
            )
            plan.action_activate()
            pdf = self.render("collections_management.action_report_payment_plan", plan)
        self.assert_letterhead(pdf, self.debtor, plan.name, invoice.name, "300.00", "100.00")
