from odoo.tests import new_test_user, tagged

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
        user = new_test_user(
            self.env,
            login="cm_accountant",
            name="Accountant",
            groups="base.group_user,account.group_account_manager",
        )
        self.assertTrue(user.has_group("collections_management.group_collections_admin"))

    def test_collector_is_not_manager(self):
        user = new_test_user(
            self.env,
            login="cm_collector",
            name="Collector",
            groups="collections_management.group_collections_collector",
        )
        self.assertTrue(user.has_group("collections_management.group_collections_collector"))
        self.assertTrue(user.has_group("account.group_account_invoice"))
        self.assertFalse(user.has_group("collections_management.group_collections_manager"))
