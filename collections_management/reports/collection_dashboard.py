from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from ..tools import COLLECTOR, requires_group
from .collection_aged_receivable import AGING_BUCKETS

TOP_COUNT = 5
# Weeks of expected receipts on the card.
FORECAST_WEEKS = 4


class CollectionDashboard(models.Model):
    """The Collections overview: one card per company, its figures read from the
    reporting models by a few grouped queries for all the cards at once.

    Each figure is a field and a grouped query in `_compute_figures`. The figures are
    plain values; the lists (aging, top debtors, collector leaderboard) are JSON lists
    of rows, which the card renders with the `collection_dashboard_table` widget."""

    _name = "collection.dashboard"
    _inherit = ["collection.report.mixin"]
    _description = "Collections Dashboard"
    _auto = False
    _order = "id"
    _depends = {"res.company": ["name", "currency_id", "active"]}

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_total = fields.Monetary(
        string="Receivables", compute="_compute_figures", help="Everything open today."
    )
    amount_overdue = fields.Monetary(
        string="Overdue", compute="_compute_figures", help="Open items past their due date."
    )
    amount_overdue_previous = fields.Monetary(
        string="Overdue 30 Days Ago",
        compute="_compute_figures",
        help="What was overdue 30 days ago, rebuilt from the ledger.",
    )
    overdue_trend = fields.Float(
        string="Trend (%)",
        compute="_compute_figures",
        help="Change of the overdue total over the last 30 days.",
    )
    dso = fields.Float(
        string="DSO (days)", compute="_compute_figures", help="Countback DSO of last month."
    )
    cei = fields.Float(
        string="CEI (%)", compute="_compute_figures", help="Collection effectiveness of last month."
    )
    open_case_count = fields.Integer(string="Open Cases", compute="_compute_figures")
    promises_due_week_count = fields.Integer(
        string="Promises Due This Week",
        compute="_compute_figures",
        help="Open promises to pay whose promised date falls in the next 7 days.",
    )
    promises_due_week_amount = fields.Monetary(
        string="Promised This Week", compute="_compute_figures"
    )
    disputes_open_count = fields.Integer(
        string="Open Disputes",
        compute="_compute_figures",
        help="Disputes open or under investigation.",
    )
    disputes_open_amount = fields.Monetary(string="Disputed", compute="_compute_figures")
    disputes_overdue_count = fields.Integer(
        string="Disputes Past Deadline", compute="_compute_figures"
    )
    promises_broken_count = fields.Integer(
        string="Broken Promises",
        compute="_compute_figures",
        help="Promises broken or only partially kept, judged in the last 30 days.",
    )
    aging_data = fields.Json(
        string="Aging",
        compute="_compute_figures",
        help="Open today, by aging bucket: [{key, label, amount}] from Not Due to Over 120.",
    )
    top_debtor_data = fields.Json(
        string="Top Debtors",
        compute="_compute_figures",
        help="The debtors owing most overdue: [{id, label, amount}], largest first.",
    )
    leaderboard_data = fields.Json(
        string="Collector Leaderboard",
        compute="_compute_figures",
        help="This month's cash collected by collector: [{id, label, amount, cases_worked}], "
        "largest first.",
    )

    # ------------------------------------------------------------------
    # The query
    # ------------------------------------------------------------------
    @api.model
    def _select(self):
        return SQL("SELECT company.id, company.id AS company_id, company.name, company.currency_id")

    @api.model
    def _from(self):
        return SQL("FROM res_company company")

    @api.model
    def _where(self):
        return SQL("WHERE company.active IS TRUE")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_figures(self):
        today = fields.Date.context_today(self)
        companies = self.company_id
        domain = [("company_id", "in", companies.ids)]
        Aging = self.env["collection.aged.receivable"]
        aging = {
            (company.id, bucket): amount
            for company, bucket, amount in Aging._read_group(
                domain, ["company_id", "bucket"], ["amount_residual:sum"]
            )
        }
        previous = dict(
            Aging.with_context(aging_date=today - relativedelta(days=30))._read_group(
                [*domain, ("days_overdue", ">", 0)], ["company_id"], ["amount_residual:sum"]
            )
        )
        top = Aging._read_group(
            [*domain, ("days_overdue", ">", 0)],
            ["company_id", "partner_id"],
            ["amount_residual:sum"],
            order="amount_residual:sum desc",
        )
        last_month = today + relativedelta(months=-1, day=1)
        kpis = {
            company.id: (dso, cei)
            for company, dso, cei in self.env["collection.receivable.kpi"]._read_group(
                [*domain, ("scope", "=", "company"), ("date", "=", last_month)],
                ["company_id"],
                ["dso:avg", "cei:avg"],
            )
        }
        leaders = self.env["collection.collector.performance"]._read_group(
            [*domain, ("date", "=", today.replace(day=1)), ("user_id", "!=", False)],
            ["company_id", "user_id"],
            ["cash_collected:sum", "cases_worked:sum"],
            order="cash_collected:sum desc",
        )
        cases = dict(
            self.env["collection.case"]._read_group(
                [*domain, ("is_open", "=", True)], ["company_id"], ["__count"]
            )
        )
        Promise = self.env["collection.promise"]
        promises_due = {
            company: (count, amount)
            for company, count, amount in Promise._read_group(
                [*Promise._due_this_week_domain(today), *domain],
                ["company_id"],
                ["__count", "amount:sum"],
            )
        }
        Dispute = self.env["collection.dispute"]
        disputes = {
            company: (count, amount)
            for company, count, amount in Dispute._read_group(
                [*domain, ("is_active", "=", True)], ["company_id"], ["__count", "amount:sum"]
            )
        }
        disputes_overdue = dict(
            Dispute._read_group([*domain, ("is_overdue", "=", True)], ["company_id"], ["__count"])
        )
        promises_broken = dict(
            Promise._read_group(
                [*Promise._recently_broken_domain(today), *domain], ["company_id"], ["__count"]
            )
        )
        labels = dict(Aging._fields["bucket"]._description_selection(self.env))
        for card in self:
            company = card.company_id
            buckets = [
                (key, aging.get((company.id, key), 0.0)) for key, _label, _l, _h in AGING_BUCKETS
            ]
            card.amount_total = sum(amount for _key, amount in buckets)
            card.amount_overdue = sum(amount for _key, amount in buckets[1:])
            card.amount_overdue_previous = previous.get(company, 0.0)
            card.overdue_trend = (
                (card.amount_overdue - card.amount_overdue_previous)
                / card.amount_overdue_previous
                * 100
                if card.amount_overdue_previous
                else 0.0
            )
            card.dso, card.cei = kpis.get(company.id, (0.0, 0.0))
            card.open_case_count = cases.get(company, 0)
            card.promises_due_week_count, card.promises_due_week_amount = promises_due.get(
                company, (0, 0.0)
            )
            card.promises_broken_count = promises_broken.get(company, 0)
            card.disputes_open_count, card.disputes_open_amount = disputes.get(company, (0, 0.0))
            card.disputes_overdue_count = disputes_overdue.get(company, 0)
            card.aging_data = [
                {"key": key, "label": labels[key], "amount": amount} for key, amount in buckets
            ]
            card.top_debtor_data = [
                {"id": partner.id, "label": partner.display_name, "amount": amount}
                for row_company, partner, amount in top
                if row_company == company
            ][:TOP_COUNT]
            card.leaderboard_data = [
                {"id": user.id, "label": user.name, "amount": amount, "cases_worked": worked}
                for row_company, user, amount, worked in leaders
                if row_company == company
            ][:TOP_COUNT]

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def _open(self, xmlid, **context):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["context"] = {**context}
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    @requires_group(COLLECTOR, "read")
    def action_open_aging(self):
        self.ensure_one()
        return self._open(
            "collections_management.collection_aged_receivable_action",
            search_default_overdue=1,
        )

    @requires_group(COLLECTOR, "read")
    def action_open_top_debtors(self):
        self.ensure_one()
        action = self._open(
            "collections_management.collection_aged_receivable_action",
            search_default_overdue=1,
            search_default_group_partner=1,
        )
        action["views"] = [(False, "list"), (False, "pivot"), (False, "graph")]
        return action

    @requires_group(COLLECTOR, "read")
    def action_open_kpi(self):
        self.ensure_one()
        return self._open(
            "collections_management.collection_receivable_kpi_action",
            search_default_company_scope=1,
            search_default_last_year=1,
        )

    @requires_group(COLLECTOR, "read")
    def action_open_performance(self):
        self.ensure_one()
        return self._open("collections_management.collection_collector_performance_action")

    @requires_group(COLLECTOR, "read")
    def action_open_promises_due(self):
        self.ensure_one()
        action = self._open("collections_management.collection_promise_action")
        action["domain"] += self.env["collection.promise"]._due_this_week_domain(
            fields.Date.context_today(self)
        )
        return action

    @requires_group(COLLECTOR, "read")
    def action_open_promises_broken(self):
        self.ensure_one()
        action = self._open("collections_management.collection_promise_action")
        action["domain"] += self.env["collection.promise"]._recently_broken_domain(
            fields.Date.context_today(self)
        )
        return action

    @requires_group(COLLECTOR, "read")
    def action_open_disputes(self):
        self.ensure_one()
        action = self._open("collections_management.collection_dispute_action")
        action["domain"] += [("is_active", "=", True)]
        return action

    @requires_group(COLLECTOR, "read")
    def action_open_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_case_action"
        )
        action["domain"] = [("company_id", "=", self.company_id.id), ("is_open", "=", True)]
        return action

    # ------------------------------------------------------------------
    # Credit control: debtors on hold and over their limit, exposure by collector
    # and by stage of the open cases
    # ------------------------------------------------------------------
    credit_hold_count = fields.Integer(
        string="Debtors on Credit Hold", compute="_compute_credit_figures"
    )
    credit_over_limit_count = fields.Integer(
        string="Debtors over Their Limit",
        compute="_compute_credit_figures",
        help="Open cases whose debtor's exposure passes its credit limit.",
    )
    credit_by_collector_data = fields.Json(
        string="Exposure by Collector",
        compute="_compute_credit_figures",
        help="Credit exposure of the open cases' debtors by collector: [{id, label, amount}].",
    )
    credit_by_stage_data = fields.Json(
        string="Exposure by Stage",
        compute="_compute_credit_figures",
        help="Credit exposure of the open cases' debtors by stage: [{id, label, amount}].",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_credit_figures(self):
        Hold = self.env["collection.credit.hold"]
        Case = self.env["collection.case"]
        for card in self:
            company = card.company_id
            cases = Case.search([("company_id", "=", company.id), ("is_open", "=", True)])
            exposure = cases.partner_id._collection_credit_exposure(company)
            by_collector, by_stage = {}, {}
            over = 0
            for case in cases:
                figures = exposure.get(case.partner_id.id) or {}
                amount = figures.get("exposure", 0.0)
                limit = figures.get("limit", 0.0)
                over += bool(limit) and amount > limit
                by_collector[case.user_id] = by_collector.get(case.user_id, 0.0) + amount
                by_stage[case.stage_id] = by_stage.get(case.stage_id, 0.0) + amount
            card.credit_hold_count = len(Hold._held_partner_ids(company))
            card.credit_over_limit_count = over
            card.credit_by_collector_data = [
                {
                    "id": user.id,
                    "label": user.name or self.env._("Unassigned"),
                    "amount": amount,
                }
                for user, amount in sorted(by_collector.items(), key=lambda item: -item[1])
            ][:TOP_COUNT]
            card.credit_by_stage_data = [
                {"id": stage.id, "label": stage.name, "amount": amount}
                for stage, amount in sorted(by_stage.items(), key=lambda item: -item[1])
            ]

    # ------------------------------------------------------------------
    # Cash-in forecast: the receipts expected in the next weeks
    # ------------------------------------------------------------------
    forecast_data = fields.Json(
        string="Cash-in Forecast",
        compute="_compute_forecast",
        help="Receipts expected in each of the next 4 weeks (Cash-in Forecast): "
        "[{key, label, amount}].",
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_forecast(self):
        today = fields.Date.context_today(self)
        monday = today - relativedelta(days=today.weekday())
        rows = self.env["collection.payment.prediction"]._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("bucket", "=", "week"),
                ("period_date", "<", monday + relativedelta(weeks=FORECAST_WEEKS)),
            ],
            ["company_id", "period_date:day"],
            ["amount_expected:sum"],
        )
        amounts = {(company.id, day): amount for company, day, amount in rows}
        weeks = [monday + relativedelta(weeks=week) for week in range(FORECAST_WEEKS)]
        for card in self:
            card.forecast_data = [
                {
                    "key": str(week),
                    "label": self.env._("Week of %s", format_date(self.env, week)),
                    "amount": amounts.get((card.company_id.id, week), 0.0),
                }
                for week in weeks
            ]

    @requires_group(COLLECTOR, "read")
    def action_open_forecast(self):
        self.ensure_one()
        return self._open("collections_management.collection_payment_prediction_action")

    def action_open_credit_risk(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_case_action_credit"
        )
        action["domain"] = [("company_id", "=", self.company_id.id), ("is_open", "=", True)]
        return action
