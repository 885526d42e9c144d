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
        "data/collection_recovery_sequence_data.xml",
        "data/collection_limitation_period_data.xml",
        # reports
        "reports/collection_communication_reports.xml",
        "reports/collection_letter_templates.xml",
        "reports/collection_payment_plan_reports.xml",
        "reports/collection_payment_plan_templates.xml",
        # data that refers to reports
        "reports/collection_statement_reports.xml",
        "reports/collection_statement_templates.xml",
        # data that refers to reports
        "data/collection_promise_data.xml",
        "data/collection_statement_mail_template_data.xml",
        # views
        "views/collection_stage_views.xml",
        "views/collection_policy_views.xml",
        "views/collection_assignment_rule_views.xml",
        "views/collection_hold_views.xml",
        "views/collection_case_views.xml",
        "views/collection_run_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/collection_promise_views.xml",
        "views/collection_payment_plan_views.xml",
        "views/res_config_settings_views.xml",
        "views/collection_agency_placement_views.xml",
        "views/collection_legal_action_views.xml",
        "views/collection_limitation_period_views.xml",
        "views/collection_write_off_views.xml",
        "views/collection_case_recovery_views.xml",
        "views/res_partner_agency_views.xml",
        "views/collection_aged_receivable_views.xml",
        "views/collection_collector_performance_views.xml",
        "views/collection_target_views.xml",
        "views/collection_receivable_kpi_views.xml",
        "views/collection_dashboard_views.xml",
        "views/collection_statement_views.xml",
        # wizards
        "wizards/collection_case_reassign_views.xml",
        "wizards/collection_write_off_wizard_views.xml",
        "wizards/collection_aged_receivable_wizard_views.xml",
        # menus last: they point at the actions above
        "views/collections_menus.xml",
    ],
    "demo": [
        "demo/collection_demo.xml",
        "demo/collection_promise_demo.xml",
        "demo/collection_recovery_demo.xml",
        "demo/collection_reporting_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "collections_management/static/src/scss/collection_dashboard.scss",
        ],
    },
    "application": True,
    "installable": True,
}
