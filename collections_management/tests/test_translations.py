from freezegun import freeze_time

from odoo.tests import tagged

from .common import CollectionsCommon
from .test_pdf_letterhead import pdftotext


@tagged("post_install", "-at_install")
class TestFrenchDebtor(CollectionsCommon):
    """A debtor whose language is French gets the follow-up email and the letter in
    French, from the translations shipped in i18n/fr.po."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["collections_management"], ["fr_FR"], overwrite=True
        )
        cls.debtor.lang = "fr_FR"

    def test_french_email_and_letter(self):
        # wkhtmltopdf would fetch the style sheets from a server this test does not run
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        with freeze_time("2026-01-01"):
            invoice = self.create_invoice(self.debtor, 1234.56, "2026-01-05")
            english = self.create_invoice(self.debtor_two, 789.00, "2026-01-05")
        self.policy.allow_level_skip = True
        communications = self.run_followup("2026-01-25").communication_ids  # email + letter
        french = communications.filtered(lambda c: c.partner_id == self.debtor)
        other = communications.filtered(lambda c: c.partner_id == self.debtor_two)

        mail = french.mail_id
        self.assertEqual(mail.subject, f"{self.company.name} : rappel de paiement")
        self.assertIn("Nos relevés indiquent que les factures ci-dessous", mail.body_html)
        self.assertIn("Jours de retard", mail.body_html)
        self.assertIn(invoice.name, mail.body_html)
        self.assertEqual(other.mail_id.subject, f"{self.company.name}: payment reminder")

        with freeze_time("2026-01-25"):
            communications.sudo().with_context(force_report_rendering=True)._render_letters()
        text = pdftotext(french.letter_attachment_id.raw)
        for expected in (
            "Notre référence",
            "Bonjour Debtor One",
            "Date d'échéance",
            "Jours de retard",
            "Montant dû",
            "Total dû",
            "Si vous avez déjà réglé, veuillez ne pas tenir compte de ce courrier.",
            "Veuillez agréer nos salutations distinguées",
            invoice.name,
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Yours sincerely", text)
        other_text = pdftotext(other.letter_attachment_id.raw)
        self.assertIn("Yours sincerely", other_text)
        self.assertIn(english.name, other_text)

    def render(self, report_xmlid, records):
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        pdf, _report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report_xmlid, records.ids)
        )
        return pdftotext(pdf)

    def test_french_statement_and_plan_agreement(self):
        with freeze_time("2026-02-01"):
            invoice = self.create_invoice(self.debtor, 300.0, "2026-01-10")
            text = self.render(
                "collections_management.action_report_collection_statement", self.debtor
            )
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
            agreement = self.render("collections_management.action_report_payment_plan", plan)
        for expected in ("Relevé de compte", "Pièces ouvertes", "Solde dû", invoice.name):
            self.assertIn(expected, text)
        self.assertNotIn("Statement of Account", text)
        for expected in (
            "Accord d'échéancier",
            "(le créancier) et",
            "Le débiteur reconnaît devoir",
            "Nom, date et signature",
        ):
            self.assertIn(expected, agreement)
        self.assertNotIn("acknowledges owing", agreement)
