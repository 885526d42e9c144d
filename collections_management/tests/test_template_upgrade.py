import importlib.util

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL


def _upgrade_step(version):
    """The module's post-migrate script of `version`, as Odoo's upgrade runs it."""
    path = f"{get_module_path('collections_management')}/migrations/{version}/post-migrate.py"
    spec = importlib.util.spec_from_file_location(f"cm_post_migrate_{version}", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@tagged("post_install", "-at_install")
class TestTemplateUpgrade(TransactionCase):
    """An upgrade to 19.0.1.2.0 reloads the follow-up templates nobody edited (they are
    noupdate data) and keeps the ones a person changed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reminder = cls.env.ref("collections_management.mail_template_reminder")
        cls.final = cls.env.ref("collections_management.mail_template_final")
        cls.sms = cls.env.ref("collections_management.sms_template_reminder")
        cls.administrator = new_test_user(
            cls.env,
            login="tu_admin",
            groups="base.group_system,collections_management.group_collections_admin",
        )

    def _as_installed_earlier(self, template, field, text):
        """What an earlier version installed: a text written by the system (its
        install), not by a person."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s = jsonb_build_object('en_US', %s::text) WHERE id = %s",
                SQL.identifier(template._table),
                SQL.identifier(field),
                text,
                template.id,
            )
        )
        template.invalidate_recordset()
        self.assertIn(text, str(template[field]))

    def _upgrade(self):
        _upgrade_step("19.0.1.2.0").migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()

    def test_unedited_templates_are_reloaded(self):
        self._as_installed_earlier(self.reminder, "body_html", "<p>Old reminder</p>")
        self._as_installed_earlier(self.sms, "body", "Old text")
        self._upgrade()
        self.assertNotIn("Old reminder", self.reminder.body_html)
        self.assertIn("followup_invoices(object)", self.reminder.body_html)
        self.assertIn("_portal_link()", self.reminder.body_html)
        self.assertIn("past due", self.sms.body)

    def test_edited_templates_are_kept(self):
        self._as_installed_earlier(self.reminder, "body_html", "<p>Old reminder</p>")
        self.final.with_user(self.administrator).body_html = "<p>Our own final words</p>"
        self.sms.with_user(self.administrator).body = "Our own text"
        self._upgrade()
        self.assertIn("Our own final words", self.final.body_html)
        self.assertEqual(self.sms.body, "Our own text")
        self.assertIn("followup_invoices(object)", self.reminder.body_html)

    def test_an_edited_translation_keeps_the_template(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self._as_installed_earlier(self.reminder, "body_html", "<p>Old reminder</p>")
        self.reminder.with_user(self.administrator).update_field_translations(
            "subject", {"fr_FR": "Notre propre objet"}
        )
        self._upgrade()
        self.assertEqual(self.reminder.with_context(lang="fr_FR").subject, "Notre propre objet")
        self.assertIn("Old reminder", self.reminder.body_html)

    def test_a_reloaded_template_stays_reloadable(self):
        """The reset is the system's write: the next upgrade still sees the template as
        shipped."""
        self._as_installed_earlier(self.reminder, "body_html", "<p>Old reminder</p>")
        self._upgrade()
        self._as_installed_earlier(self.reminder, "body_html", "<p>Older still</p>")
        self._upgrade()
        self.assertIn("followup_invoices(object)", self.reminder.body_html)
