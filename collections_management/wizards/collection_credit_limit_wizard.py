from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import MANAGER, requires_group


class CollectionCreditLimitWizard(models.TransientModel):
    """Adjust Credit Limit: a new limit for a debtor in a company, with the reason the
    history keeps; from a case it also closes the credit review due."""

    _name = "collection.credit.limit.wizard"
    _description = "Adjust Credit Limit"

    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, domain=[("is_company", "=", True)]
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda s: s.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_id = fields.Many2one("collection.case", string="Case")
    current_limit = fields.Monetary(compute="_compute_current", string="Current Limit")
    exposure = fields.Monetary(compute="_compute_current", string="Credit Exposure")
    new_limit = fields.Monetary(string="New Limit", required=True)
    reason = fields.Char(required=True, help="Kept in the credit limit history.")
    next_review_date = fields.Date(
        string="Next Credit Review", help="Optional: when the limit is to be reviewed again."
    )

    @api.depends("partner_id", "company_id")
    def _compute_current(self):
        for wizard in self:
            figures = wizard.partner_id._collection_credit_exposure(wizard.company_id).get(
                wizard.partner_id.commercial_partner_id.id, {}
            )
            wizard.current_limit = figures.get("limit", 0.0)
            wizard.exposure = figures.get("exposure", 0.0)

    @requires_group(MANAGER)
    def action_apply(self):
        self.ensure_one()
        if not (self.reason or "").strip():
            raise UserError(self.env._("Give the reason for the new credit limit."))
        if self.new_limit < 0:
            raise UserError(
                self.env._("A credit limit cannot be negative: enter 0 (no limit) or more.")
            )
        if not self.currency_id.compare_amounts(self.new_limit, self.current_limit):
            raise UserError(self.env._("The new credit limit is the current one: nothing to do."))
        debtor = self.partner_id.commercial_partner_id
        values = {"credit_limit": self.new_limit}
        if self.next_review_date:
            values["collection_credit_review_date"] = self.next_review_date
        debtor.sudo().with_company(self.company_id).with_context(
            collection_credit_limit_reason=self.reason.strip(),
            collection_credit_limit_case_id=self.case_id.id,
        ).write(values)
        reviews = self.env["collection.credit.hold"]._review_activities(self.case_id, debtor)
        if reviews:
            reviews.action_feedback(
                feedback=self.env._(
                    "Credit limit set to %(limit)s: %(reason)s",
                    limit=self.new_limit,
                    reason=self.reason.strip(),
                )
            )
        return {"type": "ir.actions.act_window_close"}
