from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools import MANAGER, requires_group

CAUSES = [
    ("manual", "Set by Hand"),
    ("overdue", "Overdue Too Long"),
    ("over_limit", "Over the Credit Limit"),
    ("broken", "Broken Promise or Plan"),
    ("stage", "Case Stage"),
]


class CollectionCreditHold(models.Model):
    """A debtor's credit hold in a company: new invoices and sales orders are warned
    about or refused (as the debtor's policy says) while one is in force. Set by hand
    by a manager, or by the policy's rules in `_evaluate`, which also lifts the
    automatic ones once their cause is gone."""

    _name = "collection.credit.hold"
    _description = "Credit Hold"
    _inherit = ["collection.access.mixin", "mail.thread"]
    _order = "state, date_start desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        domain=[("is_company", "=", True)],
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    case_id = fields.Many2one(
        "collection.case",
        string="Case",
        index="btree_not_null",
        check_company=True,
        help="The debtor's open case when the hold was set.",
    )
    cause = fields.Selection(CAUSES, required=True, default="manual", readonly=True)
    reason = fields.Char(required=True, tracking=True)
    date_start = fields.Date(
        string="From", required=True, default=fields.Date.context_today, tracking=True
    )
    date_end = fields.Date(
        string="Until", tracking=True, help="Optional: the hold ends by itself after this day."
    )
    state = fields.Selection(
        [("active", "Active"), ("lifted", "Lifted")],
        default="active",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Set By", default=lambda self: self.env.user, readonly=True
    )
    date_lifted = fields.Date(string="Lifted On", readonly=True)
    lifted_by_id = fields.Many2one("res.users", string="Lifted By", readonly=True)
    lift_reason = fields.Char(readonly=True)
    is_active = fields.Boolean(
        string="In Force",
        compute="_compute_is_active",
        search="_search_is_active",
        help="Active, started and not past its end date.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("state", "date_start", "date_end")
    def _compute_is_active(self):
        today = fields.Date.context_today(self)
        for hold in self:
            hold.is_active = (
                hold.state == "active"
                and hold.date_start <= today
                and (not hold.date_end or hold.date_end >= today)
            )

    def _search_is_active(self, operator, value):
        if operator != "in":
            return NotImplemented
        today = fields.Date.context_today(self)
        in_force = (
            Domain("state", "=", "active")
            & Domain("date_start", "<=", today)
            & (Domain("date_end", "=", False) | Domain("date_end", ">=", today))
        )
        return in_force if True in value else ~in_force

    @api.depends("partner_id", "reason")
    def _compute_display_name(self):
        for hold in self:
            hold.display_name = f"{hold.partner_id.name or ''}: {hold.reason or ''}"

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for hold in self:
            if hold.date_end and hold.date_end < hold.date_start:
                raise ValidationError(
                    self.env._(
                        "A credit hold cannot end (%(end)s) before it starts (%(start)s).",
                        end=hold.date_end,
                        start=hold.date_start,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        holds = super().create(vals_list)
        for hold in holds.filtered(lambda h: h.partner_id != h.partner_id.commercial_partner_id):
            hold.partner_id = hold.partner_id.commercial_partner_id
        cases = self.env["collection.case"].search(
            [
                ("partner_id", "in", holds.partner_id.ids),
                ("company_id", "in", holds.company_id.ids),
                ("is_open", "=", True),
            ]
        )
        case_of = {(case.partner_id, case.company_id): case for case in cases}
        for hold in holds.filtered(lambda h: not h.case_id):
            hold.case_id = case_of.get((hold.partner_id, hold.company_id))
        holds._log_on_debtors(
            {
                hold: self.env._(
                    "Credit hold set (%(cause)s): %(reason)s",
                    cause=hold._cause_label(),
                    reason=hold.reason,
                )
                for hold in holds
            }
        )
        return holds

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _cause_label(self):
        return dict(self._fields["cause"]._description_selection(self.env))[self.cause]

    def _log_on_debtors(self, body_by_hold):
        """Log each hold's set or lift on its debtor and on the debtor's case."""
        notes = []
        for hold, body in body_by_hold.items():
            notes.append((hold.partner_id, body))
            if hold.case_id:
                notes.append((hold.case_id, body))
        self.env["collection.case"].sudo()._log_messages(notes)

    @api.model
    def _in_force(self, company, partners=None):
        domain = Domain("company_id", "=", company.id) & Domain("is_active", "=", True)
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.commercial_partner_id.ids)
        return self.search(domain)

    @api.model
    def _held_partner_ids(self, company, partners=None):
        """Ids of the debtors on credit hold today in a company, in one query."""
        domain = Domain("company_id", "=", company.id) & Domain("is_active", "=", True)
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.commercial_partner_id.ids)
        return {partner.id for [partner] in self.sudo()._read_group(domain, ["partner_id"])}

    def _lift(self, reason):
        """Lift these holds, saying why on the debtor and its case."""
        holds = self.filtered(lambda h: h.state == "active")
        if not holds:
            return
        holds.write(
            {
                "state": "lifted",
                "date_lifted": fields.Date.context_today(self),
                "lifted_by_id": self.env.user.id,
                "lift_reason": reason,
            }
        )
        holds._log_on_debtors(
            {
                hold: self.env._(
                    "Credit hold lifted (%(cause)s): %(reason)s",
                    cause=hold._cause_label(),
                    reason=reason,
                )
                for hold in holds
            }
        )

    @api.model
    def _current_causes(self, company, partners):
        """{commercial partner id: {cause: reason}}: which of their policy's rules put
        these debtors on hold today. A few set-based queries for all of them."""
        today = fields.Date.context_today(self)
        Case = self.env["collection.case"].sudo()
        balances = Case._get_debtor_balances(company, partners, today)
        exposure = partners._collection_credit_exposure(company, balances=balances)
        policies = self.env["collection.policy"].sudo()._get_partner_policies(partners, company)
        cases = Case.search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "in", partners.ids),
                ("is_open", "=", True),
            ]
        )
        case_of = {case.partner_id.id: case for case in cases}
        broken = {
            case.partner_id.id
            for [case] in self.env["collection.promise"]
            .sudo()
            ._read_group(
                [("case_id", "in", cases.ids), ("state", "in", ("broken", "partial"))], ["case_id"]
            )
        }
        plans = defaultdict(set)
        for case, state in (
            self.env["collection.payment.plan"]
            .sudo()
            ._read_group(
                [("case_id", "in", cases.ids), ("state", "in", ("active", "breached"))],
                ["case_id", "state"],
            )
        ):
            plans[case.partner_id.id].add(state)
        currency = company.currency_id
        result = {}
        for partner in partners:
            policy = policies.get(partner.id)
            if not policy:
                continue
            causes = {}
            oldest = (balances.get(partner.id) or {}).get("oldest")
            days = (today - oldest).days if oldest else 0
            if policy.credit_hold_overdue_days and days > policy.credit_hold_overdue_days:
                causes["overdue"] = self.env._(
                    "an invoice is %(days)s days overdue (the policy allows %(max)s)",
                    days=days,
                    max=policy.credit_hold_overdue_days,
                )
            figures = exposure.get(partner.id) or {}
            limit = figures.get("limit", 0.0)
            ceiling = limit * (1 + policy.credit_hold_over_limit_pct / 100.0)
            if (
                policy.credit_hold_over_limit
                and limit
                and currency.compare_amounts(figures.get("exposure", 0.0), ceiling) > 0
            ):
                causes["over_limit"] = self.env._(
                    "exposure %(exposure)s is over the limit %(limit)s by more than %(pct)s%%",
                    exposure=currency.round(figures["exposure"]),
                    limit=limit,
                    pct=policy.credit_hold_over_limit_pct,
                )
            in_good_standing = "active" in plans[partner.id]
            if (
                policy.credit_hold_on_broken
                and (partner.id in broken or "breached" in plans[partner.id])
                and not in_good_standing
            ):
                causes["broken"] = self.env._("a promise to pay or a payment plan was broken")
            case = case_of.get(partner.id)
            if (
                policy.credit_hold_stage_id
                and case
                and case.stage_id == policy.credit_hold_stage_id
            ):
                causes["stage"] = self.env._("the case is at stage %s", case.stage_id.name)
            if causes:
                result[partner.id] = causes
        return result

    @api.model
    def _evaluate(self, company, partners=None, balances=None):
        """Set the automatic credit holds whose cause is there and lift those whose cause
        is gone, for these debtors in a company (all debtors with open receivables or an
        automatic hold when `partners` is None; `balances`, the debtors' balances the
        caller already read, spare reading them again). Run by the daily run and
        whenever a payment reconciles. Returns (holds set, holds lifted)."""
        holds = self.sudo()
        auto = Domain("company_id", "=", company.id) & Domain("state", "=", "active")
        auto &= Domain("cause", "!=", "manual")
        if partners is None:
            if balances is None:
                balances = self.env["collection.case"].sudo()._get_debtor_balances(company)
            debtors = self.env["res.partner"].browse(balances)
            existing = holds.search(auto)
            debtors |= existing.partner_id
        else:
            debtors = partners.commercial_partner_id
            existing = holds.search(auto & Domain("partner_id", "in", debtors.ids))
        ruled = (
            self.env["collection.policy"]
            .sudo()
            .search_count(
                Domain("company_id", "=", company.id)
                & (
                    Domain("credit_hold_overdue_days", ">", 0)
                    | Domain("credit_hold_over_limit", "=", True)
                    | Domain("credit_hold_on_broken", "=", True)
                    | Domain("credit_hold_stage_id", "!=", False)
                ),
                limit=1,
            )
        )
        if not debtors or not (ruled or existing):
            self._schedule_credit_reviews(company)
            return holds, holds
        causes = self.with_company(company)._current_causes(company, debtors.sudo())
        have = {(hold.partner_id.id, hold.cause) for hold in existing}
        to_lift = existing.filtered(
            lambda hold: hold.cause not in causes.get(hold.partner_id.id, {})
        )
        new = holds.with_context(tracking_disable=True, mail_create_nolog=True).create(
            [
                {
                    "partner_id": partner_id,
                    "company_id": company.id,
                    "cause": cause,
                    "reason": reason,
                    "user_id": False,
                }
                for partner_id, by_cause in causes.items()
                for cause, reason in by_cause.items()
                if (partner_id, cause) not in have
            ]
        )
        to_lift._lift(self.env._("its cause is gone"))
        self._schedule_credit_reviews(company)
        return new, to_lift

    @api.model
    def _review_activities(self, cases, partners):
        """The credit review activities planned on these cases and debtors."""
        activity_type = self.env.ref("collections_management.mail_activity_type_credit_review")
        on_cases = Domain("res_model", "=", "collection.case") & Domain("res_id", "in", cases.ids)
        on_partners = Domain("res_model", "=", "res.partner") & Domain("res_id", "in", partners.ids)
        return (
            self.env["mail.activity"]
            .sudo()
            .search(Domain("activity_type_id", "=", activity_type.id) & (on_cases | on_partners))
        )

    @api.model
    def _schedule_credit_reviews(self, company):
        """An activity for the collector on each debtor whose credit review is due, on
        its open case (else on the debtor), unless one is already planned."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref("collections_management.mail_activity_type_credit_review")
        Partner = self.env["res.partner"].sudo().with_company(company)
        due = Partner.search(
            [
                ("collection_credit_review_date", "!=", False),
                ("collection_credit_review_date", "<=", today),
                ("is_company", "=", True),
            ]
        )
        if not due:
            return
        cases = (
            self.env["collection.case"]
            .sudo()
            .search(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", due.ids),
                    ("is_open", "=", True),
                ]
            )
        )
        case_of = {case.partner_id: case for case in cases}
        planned = self._review_activities(cases, due)
        busy = {(activity.res_model, activity.res_id) for activity in planned}
        values = {}
        for partner in due:
            record = case_of.get(partner, partner)
            if (record._name, record.id) in busy:
                continue
            values[record] = {
                "activity_type_id": activity_type.id,
                "summary": self.env._("Review the credit limit of %s", partner.name),
                "date_deadline": partner.collection_credit_review_date,
            }
        if values:
            self.env["collection.case"]._schedule_activities(values)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(MANAGER)
    def action_lift(self):
        self._lift(self.env._("lifted by %s", self.env.user.name))
        return True
