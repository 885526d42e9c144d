{
    "name": "Collections Management",
    "summary": "Credit and collections: cases, follow-up levels, promises, plans, "
    "disputes, agencies, legal action and reporting on top of Odoo Accounting",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "collections_management contributors",
    "website": "https://github.com/collections-management/collections_management",
    "depends": ["account", "mail", "sales_team"],
    "data": [
        # security
        "security/collections_security.xml",
        "security/ir.model.access.csv",
        # data
        "data/collection_stage_data.xml",
        "data/ir_sequence_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/collection_dispute_data.xml",
        # reports
        "reports/collection_communication_reports.xml",
        "reports/collection_letter_templates.xml",
        # views
        "views/collection_stage_views.xml",
        "views/collection_policy_views.xml",
        "views/collection_assignment_rule_views.xml",
        "views/collection_hold_views.xml",
        "views/collection_case_views.xml",
        "views/collection_run_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/collection_dispute_views.xml",
        "views/collection_contact_views.xml",
        # wizards
        "wizards/collection_case_reassign_views.xml",
        "wizards/collection_contact_log_views.xml",
        # menus last: they point at the actions above
        "views/collections_menus.xml",
    ],
    "demo": [
        "demo/collection_demo.xml",
        "demo/collection_contact_demo.xml",
    ],
    "application": True,
    "installable": True,
}
