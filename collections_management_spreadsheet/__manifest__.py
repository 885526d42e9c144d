{
    "name": "Collections Management - Dashboard",
    "summary": "A Collections dashboard in the Dashboards app: overdue by aging bucket and "
    "collector, DSO and CEI by month, promises kept, cash collected against targets",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "license": "LGPL-3",
    "author": "collections_management contributors",
    "website": "https://github.com/collections-management/collections_management",
    "depends": ["spreadsheet_dashboard", "collections_management"],
    "data": [
        "data/collection_dashboards.xml",
    ],
    "auto_install": True,
    "installable": True,
}
