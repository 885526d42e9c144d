import json

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import file_open

COLLECTOR = "collections_management.group_collections_collector"


@tagged("post_install", "-at_install")
class TestCollectionsDashboard(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dashboard = cls.env.ref("collections_management_spreadsheet.dashboard_collections")
        cls.collector = new_test_user(
            cls.env, login="dashboard_collector", groups=f"base.group_user,{COLLECTOR}"
        )

    def snapshot(self):
        self.authenticate(self.collector.login, self.collector.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{self.dashboard.id}")
        self.assertEqual(response.status_code, 200)
        return response.json()["snapshot"]

    def test_dashboard_is_in_the_dashboards_app_for_collectors(self):
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.dashboard_group_id,
            self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_finance"),
        )
        visible = self.env["spreadsheet.dashboard"].with_user(self.collector).search([])
        self.assertIn(self.dashboard, visible)
        outsider = new_test_user(self.env, login="dashboard_outsider", groups="base.group_user")
        hidden = self.env["spreadsheet.dashboard"].with_user(outsider).search([])
        self.assertNotIn(self.dashboard, hidden)

    def test_every_data_source_resolves_for_a_collector(self):
        """Each pivot's model, measures, groupings and filter fields exist, and its data
        loads as the web client asks for it (formatted_read_grouping_sets), as a collector."""
        snapshot = self.snapshot()
        pivots = snapshot["pivots"]
        self.assertEqual(
            {pivot["model"] for pivot in pivots.values()},
            {
                "collection.aged.receivable",
                "collection.receivable.kpi",
                "collection.promise.report",
                "collection.collector.performance",
            },
        )
        filters = {f["id"] for f in snapshot["globalFilters"]}
        cells = {cell for sheet in snapshot["sheets"] for cell in sheet["cells"].values()}
        for pivot_id, pivot in pivots.items():
            with self.subTest(pivot=pivot["name"]):
                self.assertTrue(any(f"=PIVOT({pivot_id}," in cell for cell in cells))
                Model = self.env[pivot["model"]].with_user(self.collector)
                described = Model.fields_get(attributes=["groupable", "aggregator"])
                aggregates = []
                for measure in pivot["measures"]:
                    name = measure["fieldName"]
                    self.assertTrue(described[name].get("aggregator"), name)
                    aggregates.append(f"{name}:{described[name]['aggregator']}")
                groupbys = []
                for dimension in pivot["rows"] + pivot["columns"]:
                    name = dimension["fieldName"]
                    self.assertTrue(described[name].get("groupable"), name)
                    granularity = dimension.get("granularity")
                    groupbys.append(f"{name}:{granularity}" if granularity else name)
                for filter_id, matching in pivot["fieldMatching"].items():
                    self.assertIn(filter_id, filters)
                    self.assertIn(matching["chain"], described)
                groups = Model.formatted_read_grouping_sets(
                    pivot["domain"], [groupbys, groupbys[:1], []], aggregates
                )
                self.assertEqual(len(groups), 3)

    def test_dashboard_opens_in_the_web_client(self):
        """The dashboard renders and its pivots load without an error (any error the
        web client logs fails the test)."""
        self.browser_js(
            f"/odoo/dashboards?dashboard_id={self.dashboard.id}",
            "setTimeout(() => console.log('test successful'), 3000)",
            "!!document.querySelector('.o_spreadsheet_dashboard_action .o-grid')",
            login=self.collector.login,
            timeout=120,
        )

    def test_snapshot_is_the_shipped_file(self):
        with file_open(
            "collections_management_spreadsheet/data/files/collections_dashboard.json"
        ) as handle:
            shipped = json.load(handle)
        self.assertEqual(json.loads(self.dashboard.spreadsheet_data)["pivots"], shipped["pivots"])
