{
    "name": "Collections Management - Sales",
    "summary": "Credit control on sales orders: confirmed orders count in the exposure, "
    "a credit hold warns or blocks the confirmation of new orders",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "collections_management contributors",
    "website": "https://github.com/collections-management/collections_management",
    "depends": ["sale", "collections_management"],
    "data": [
        "views/sale_order_views.xml",
    ],
    "demo": [
        "demo/sale_credit_demo.xml",
    ],
    "auto_install": True,
    "installable": True,
}
