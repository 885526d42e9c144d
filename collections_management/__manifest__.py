{
    "name": "Collections Management",
    "summary": "Credit and collections: cases, follow-up levels, promises, plans, "
    "disputes, agencies, legal action and reporting on top of Odoo Accounting",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "collections_management contributors",
    "website": "https://github.com/collections-management/collections_management",
    "depends": ["account", "mail"],
    "data": [
        # security
        "security/collections_security.xml",
        "security/ir.model.access.csv",
        # views
        "views/res_config_settings_views.xml",
        # menus last: they point at the actions above
        "views/collections_menus.xml",
    ],
    "demo": [],
    "application": True,
    "installable": True,
}
