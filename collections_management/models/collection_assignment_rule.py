from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CollectionAssignmentRule(models.Model):
    _name = "collection.assignment.rule"
    _description = "Collector Assignment Rule"
    _inherit = ["collection.access.mixin"]
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Rules are tried in this order; the first match wins."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        required=True,
        check_company=True,
        domain=lambda self: self.env["res.users"]._collector_domain(),
    )
    salesperson_ids = fields.Many2many(
        "res.users",
        string="Salespersons",
        help="Matches debtors whose salesperson is one of these. Empty: any salesperson.",
    )
    team_ids = fields.Many2many(
        "crm.team",
        string="Sales Teams",
        check_company=True,
        help="Matches debtors of one of these sales teams. Empty: any team.",
    )
    country_ids = fields.Many2many(
        "res.country",
        string="Countries",
        help="Matches debtors in one of these countries. Empty: any country.",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_min = fields.Monetary(
        string="Overdue From", help="Matches debtors owing at least this much overdue."
    )
    amount_max = fields.Monetary(
        string="Overdue Up To", help="Matches debtors owing at most this much. 0: no limit."
    )

    # ------------------------------------------------------------------
    # Constraint methods
    # ------------------------------------------------------------------
    @api.constrains("amount_min", "amount_max")
    def _check_amount_band(self):
        for rule in self:
            if rule.amount_min < 0 or rule.amount_max < 0:
                raise ValidationError(self.env._("Amount bands cannot be negative."))
            if rule.amount_max and rule.amount_max < rule.amount_min:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: 'Overdue Up To' must be at least 'Overdue From'.",
                        rule=rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _matches(self, partner, overdue):
        self.ensure_one()
        return (
            (not self.salesperson_ids or partner.user_id in self.salesperson_ids)
            and (not self.team_ids or partner.team_id in self.team_ids)
            and (not self.country_ids or partner.country_id in self.country_ids)
            and overdue >= self.amount_min
            and (not self.amount_max or overdue <= self.amount_max)
        )

    @api.model
    def _assign_collectors(self, partners, company, overdue_by_partner=None):
        """{partner id: collector} by the first matching rule of the company."""
        # a collector who lost access to the company gets no new case there
        rules = self.search([("company_id", "=", company.id)]).filtered(
            lambda rule: company in rule.collector_id.company_ids
        )
        if not rules or not partners:
            return {}
        if overdue_by_partner is None:
            balances = self.env["collection.case"]._get_debtor_balances(company, partners)
            overdue_by_partner = {pid: b["overdue"] for pid, b in balances.items()}
        result = {}
        for partner in partners:
            overdue = overdue_by_partner.get(partner.id, 0.0)
            rule = next((r for r in rules if r._matches(partner, overdue)), None)
            if rule:
                result[partner.id] = rule.collector_id
        return result
