from odoo.tests import tagged

from odoo.addons.base.tests.common import BaseCommon


@tagged("post_install", "-at_install")
class TestCollectionsGroups(BaseCommon):
    def test_groups_are_chained(self):
        collector = self.env.ref("collections_management.group_collections_collector")
        manager = self.env.ref("collections_management.group_collections_manager")
        admin = self.env.ref("collections_management.group_collections_admin")
        self.assertIn(collector, manager.all_implied_ids)
        self.assertIn(manager, admin.all_implied_ids)
        self.assertNotIn(admin, collector.all_implied_ids)
        self.assertEqual(collector.privilege_id, admin.privilege_id)

    def test_accounting_administrator_is_collections_administrator(self):
        user = self.env["res.users"].create(
            {
                "name": "Accountant",
                "login": "cm_accountant",
                "group_ids": [
                    (4, self.env.ref("base.group_user").id),
                    (4, self.env.ref("account.group_account_manager").id),
                ],
            }
        )
        self.assertTrue(user.has_group("collections_management.group_collections_admin"))

    def test_collector_is_not_manager(self):
        user = self.env["res.users"].create(
            {
                "name": "Collector",
                "login": "cm_collector",
                "group_ids": [
                    (4, self.env.ref("collections_management.group_collections_collector").id)
                ],
            }
        )
        self.assertTrue(user.has_group("collections_management.group_collections_collector"))
        self.assertTrue(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("collections_management.group_collections_manager"))
