from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.collections_management.tests.test_credit_control import CreditControlCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-20")
class TestCreditSale(CreditControlCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="cm_credit_salesperson",
            name="Sales Person",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
        )
        cls.manager.group_ids += cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.product = cls.env["product.product"].create(
            {"name": "Chair", "type": "consu", "list_price": 100, "taxes_id": []}
        )

    def order(self, partner, amount, user=None):
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )

    def test_exposure_counts_confirmed_orders_to_invoice(self):
        self.debtor.credit_limit = 1000
        self.create_invoice(self.debtor, 100, "2026-01-05")
        self.order(self.debtor, 250, self.manager).action_confirm()
        self.order(self.debtor, 999, self.manager)  # a quotation does not count
        figures = self.debtor._collection_credit_exposure(self.company)[self.debtor.id]
        self.assertEqual(figures["orders"], 250)
        self.assertEqual(figures["exposure"], 350)
        self.assertEqual(figures["available"], 650)

    def test_warn_shows_a_banner_and_confirms(self):
        self.hold(self.debtor, "Cheque bounced")
        order = self.order(self.debtor, 100, self.salesperson)
        self.assertIn("Cheque bounced", order.collection_credit_warning)
        self.assertFalse(order.collection_credit_blocked)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_block_refuses_a_salesperson(self):
        self.policy.credit_hold_mode = "block"
        self.hold(self.debtor, "Cheque bounced")
        order = self.order(self.debtor, 100, self.salesperson)
        self.assertTrue(order.collection_credit_blocked)
        with self.refused(UserError, r"(?s)Cheque bounced.*Credit Hold Override.*Credit Manager"):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_block_refuses_passing_the_limit(self):
        self.policy.credit_hold_mode = "block"
        self.debtor.credit_limit = 1000
        self.create_invoice(self.debtor, 600, "2026-02-05")
        big = self.order(self.debtor, 500, self.salesperson)
        with self.refused(UserError, "above its credit limit"):
            big.action_confirm()
        small = self.order(self.debtor, 300, self.salesperson)
        small.action_confirm()
        self.assertEqual(small.state, "sale")
        self.assertEqual(big.state, "draft")

    def test_manager_override_is_logged(self):
        self.policy.credit_hold_mode = "block"
        self.hold(self.debtor, "Cheque bounced")
        order = self.order(self.debtor, 100, self.salesperson).with_user(self.manager)
        action = order.action_confirm()
        wizard = self.env["collection.credit.override"].with_user(self.manager)
        wizard = wizard.browse(action["res_id"])
        with self.refused(UserError, "reason"):
            wizard.action_confirm()
        self.assertEqual(order.state, "draft")
        wizard.reason = "Prepaid by wire"
        wizard.action_confirm()
        self.assertEqual(order.state, "sale")
        for record in (order, self.debtor):
            self.assertIn("overridden by Credit Manager: Prepaid by wire", self.messages(record))
