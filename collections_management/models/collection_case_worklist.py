from odoo import fields, models
from odoo.tools import SQL


class CollectionCase(models.Model):
    """The worklist side of a case: contacts, disputes and the priority score."""

    _inherit = "collection.case"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    contact_ids = fields.One2many("collection.contact", "case_id", string="Contacts")
    contact_count = fields.Integer(compute="_compute_contact_dispute_counts")
    dispute_ids = fields.One2many("collection.dispute", "case_id", string="Disputes")
    dispute_count = fields.Integer(compute="_compute_contact_dispute_counts")
    last_contact_date = fields.Datetime(compute="_compute_contact_dispute_counts")
    amount_disputed = fields.Monetary(
        string="Disputed",
        readonly=True,
        help="Overdue amount contested in open disputes: follow-up leaves it alone.",
    )
    open_dispute_count = fields.Integer(string="Open Disputes", readonly=True)
    broken_promise_count = fields.Integer(string="Broken Promises", readonly=True)
    credit_limit_exceeded = fields.Boolean(
        readonly=True, help="The debtor owes more than its credit limit."
    )
    score_amount = fields.Float(
        string="Score: Amount",
        readonly=True,
        help="Overdue amount / 1,000 x the weight per 1,000 (Settings).",
    )
    score_age = fields.Float(
        string="Score: Age", readonly=True, help="Days overdue x the weight per day (Settings)."
    )
    score_promises = fields.Float(
        string="Score: Broken Promises",
        readonly=True,
        help="Broken promises x the weight per broken promise (Settings).",
    )
    score_disputes = fields.Float(
        string="Score: Disputes",
        readonly=True,
        help="Open disputes x the weight per open dispute (Settings).",
    )
    score_risk = fields.Float(
        string="Score: Risk",
        readonly=True,
        help="The credit-risk weight (Settings) when the credit limit is exceeded.",
    )
    priority_score = fields.Float(
        readonly=True,
        index=True,
        help="Sum of the score parts: the worklist shows the highest first.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_contact_dispute_counts(self):
        contacts = {
            case: (count, last)
            for case, count, last in self.env["collection.contact"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count", "date:max"]
            )
        }
        disputes = dict(
            self.env["collection.dispute"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["__count"]
            )
        )
        for case in self:
            case.contact_count, case.last_contact_date = contacts.get(case, (0, False))
            case.dispute_count = disputes.get(case, 0)

    # ------------------------------------------------------------------
    # Business methods: the priority score
    # ------------------------------------------------------------------
    def _refresh_amounts(self, balances, today):
        super()._refresh_amounts(balances, today)
        self._update_priority()

    def _priority_broken_promises(self):
        """{case id: promises broken or only partially kept on the case} in one query."""
        rows = self.env["collection.promise"]._read_group(
            [("case_id", "in", self.ids), ("state", "in", ("broken", "partial"))],
            ["case_id"],
            ["__count"],
        )
        return {case.id: count for case, count in rows}

    def _priority_disputes(self):
        """{case id: (open disputes, disputed amount)} in one query."""
        rows = self.env["collection.dispute"]._read_group(
            [("case_id", "in", self.ids), ("is_active", "=", True)],
            ["case_id"],
            ["__count", "amount:sum"],
        )
        return {case.id: (count, amount) for case, count, amount in rows}

    def _priority_risk(self):
        """{case id: True} when the debtor's total due exceeds its credit limit."""
        result = {}
        for company, cases in self.grouped("company_id").items():
            for case in cases.with_company(company):
                limit = case.partner_id.credit_limit
                result[case.id] = bool(limit) and case.amount_due > limit
        return result

    def _update_priority(self):
        """Recompute the score parts and the score of these cases in one statement."""
        cases = self.filtered("id")
        if not cases:
            return
        promises = cases._priority_broken_promises()
        disputes = cases._priority_disputes()
        risk = cases._priority_risk()
        values = []
        for case in cases:
            company = case.company_id
            open_disputes, disputed = disputes.get(case.id, (0, 0.0))
            parts = (
                case.amount_overdue / 1000.0 * company.collection_weight_amount,
                case.oldest_overdue_days * company.collection_weight_age,
                promises.get(case.id, 0) * company.collection_weight_promise,
                open_disputes * company.collection_weight_dispute,
                company.collection_weight_risk if risk.get(case.id) else 0.0,
            )
            values.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    case.id,
                    *[round(part, 2) for part in parts],
                    round(sum(parts), 2),
                    disputed,
                    open_disputes,
                    promises.get(case.id, 0),
                    bool(risk.get(case.id)),
                )
            )
        self.env.execute_query(
            SQL(
                """
                UPDATE collection_case c
                   SET score_amount = v.amount, score_age = v.age,
                       score_promises = v.promises, score_disputes = v.disputes,
                       score_risk = v.risk, priority_score = v.score,
                       amount_disputed = v.disputed, open_dispute_count = v.open_disputes,
                       broken_promise_count = v.broken, credit_limit_exceeded = v.exceeded
                  FROM (VALUES %s) AS v(id, amount, age, promises, disputes, risk, score,
                                        disputed, open_disputes, broken, exceeded)
                 WHERE c.id = v.id
                """,
                SQL(", ").join(values),
            )
        )
        cases.invalidate_recordset(
            [
                "score_amount",
                "score_age",
                "score_promises",
                "score_disputes",
                "score_risk",
                "priority_score",
                "amount_disputed",
                "open_dispute_count",
                "broken_promise_count",
                "credit_limit_exceeded",
            ]
        )

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    def action_log_contact(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log a Call"),
            "res_model": "collection.contact.log",
            "view_mode": "form",
            "target": "new",
            "context": {"default_case_id": self.id},
        }

    def action_view_contacts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_contact_action"
        )
        action.update(
            domain=[("case_id", "=", self.id)],
            context={"default_case_id": self.id, "default_company_id": self.company_id.id},
        )
        return action

    def action_view_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "collections_management.collection_dispute_action"
        )
        action.update(domain=[("case_id", "=", self.id)], context={})
        return action

    def action_update_priority(self):
        self._update_priority()
        return True
