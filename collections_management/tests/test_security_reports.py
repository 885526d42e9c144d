from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon

STATEMENT = "collections_management.report_collection_statement"
LETTER = "collections_management.report_collection_letter"
COLLECTOR = "collections_management.group_collections_collector"


@tagged("post_install", "-at_install")
class TestReportAccess(CollectionsCommon):
    """Our reports print only what the caller may read, whoever renders them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="cm_salesman", name="Salesman", groups="sales_team.group_sale_salesman"
        )
        cls.collector_a = new_test_user(cls.env, login="cm_rep_a", name="A", groups=COLLECTOR)
        cls.collector_b = new_test_user(cls.env, login="cm_rep_b", name="B", groups=COLLECTOR)

    def setUp(self):
        super().setUp()
        self.create_invoice(self.debtor, 1000.0, "2026-01-10")
        self.run = self.run_followup("2026-02-01")
        self.case = self.case_of(self.debtor)
        self.case.user_id = self.collector_a
        self.communication = self.run.communication_ids.filtered(
            lambda c: c.partner_id == self.debtor
        )
        self.assertTrue(self.communication)

    def render(self, user, report, ids):
        with freeze_time("2026-02-01"):
            return (
                self.env["ir.actions.report"]
                .with_user(user)
                ._render_qweb_html(report, ids)[0]
                .decode()
            )

    def test_salesman_gets_no_statement_or_letter(self):
        for report, ids in ((STATEMENT, self.debtor.ids), (LETTER, self.communication.ids)):
            with self.assertRaises(AccessError):
                self.render(self.salesman, report, ids)

    def test_collector_prints_own_debtor_not_another_collectors(self):
        self.assertIn(self.debtor.name, self.render(self.collector_a, STATEMENT, self.debtor.ids))
        self.assertIn(
            self.debtor.name, self.render(self.collector_a, LETTER, self.communication.ids)
        )
        for report, ids in ((STATEMENT, self.debtor.ids), (LETTER, self.communication.ids)):
            with self.subTest(report=report), self.assertRaises(AccessError):
                self.render(self.collector_b, report, ids)

    def test_manager_prints_every_debtor(self):
        manager = new_test_user(
            self.env,
            login="cm_rep_manager",
            name="Manager",
            groups="collections_management.group_collections_manager",
        )
        self.assertIn(self.debtor.name, self.render(manager, STATEMENT, self.debtor.ids))


@tagged("post_install", "-at_install")
class TestBillingClerkInvoices(CollectionsCommon):
    """A billing clerk without collections rights uses the invoice screens we extend."""

    def test_hold_filter_and_invoice_screens_work_for_a_billing_clerk(self):
        clerk = new_test_user(
            self.env, login="cm_clerk", name="Clerk", groups="account.group_account_invoice"
        )
        held = self.create_invoice(self.debtor, 100.0, "2026-01-10")
        free = self.create_invoice(self.debtor_two, 100.0, "2026-01-10")
        with freeze_time("2026-02-01"):
            self.env["collection.hold"].create(
                {"move_id": held.id, "reason": "Checking", "date_end": "2026-03-01"}
            )
            Move = self.env["account.move"].with_user(clerk)
            found = Move.search(
                [("collection_on_hold", "=", True), ("id", "in", (held | free).ids)]
            )
            self.assertEqual(found, held)
            not_held = Move.search(
                [("collection_on_hold", "=", False), ("id", "in", (held | free).ids)]
            )
            self.assertEqual(not_held, free)
            # the invoice screens as the web client loads them: views, then the fields
            views = Move.get_views([(False, "form"), (False, "list"), (False, "search")])
            names = list(views["models"]["account.move"]["fields"])
            Move.browse(held.id).read(names)
            self.assertTrue(Move.browse(held.id).collection_on_hold)
