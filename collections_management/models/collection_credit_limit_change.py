from odoo import api, fields, models


class CollectionCreditLimitChange(models.Model):
    """One change of a debtor's credit limit in a company: Odoo's own company-dependent
    `res.partner.credit_limit`, however it was changed (the Adjust Credit Limit wizard,
    the partner form, an import, RPC). Written by `res.partner` itself; read-only."""

    _name = "collection.credit.limit.change"
    _description = "Credit Limit Change"
    _order = "date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_id = fields.Many2one(
        "collection.case",
        string="Case",
        index="btree_not_null",
        check_company=True,
        help="The case the change was made from, if any.",
    )
    old_limit = fields.Monetary(string="Old Limit", readonly=True)
    new_limit = fields.Monetary(string="New Limit", readonly=True)
    difference = fields.Monetary(compute="_compute_difference", store=True)
    user_id = fields.Many2one("res.users", string="Changed By", required=True, readonly=True)
    date = fields.Datetime(string="Changed On", required=True, readonly=True)
    reason = fields.Char(readonly=True, help="Required in the Adjust Credit Limit action.")
    source = fields.Selection(
        [("adjustment", "Adjust Credit Limit"), ("other", "Other (form, import, RPC)")],
        required=True,
        readonly=True,
        default="other",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("old_limit", "new_limit")
    def _compute_difference(self):
        for change in self:
            change.difference = change.new_limit - change.old_limit

    @api.depends("partner_id", "new_limit")
    def _compute_display_name(self):
        for change in self:
            change.display_name = f"{change.partner_id.name or ''}: {change.new_limit}"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _record(self, old_by_partner, company, new_by_partner):
        """Record the changes of the limits of partners in a company, in one insert.
        `old_by_partner` and `new_by_partner` map a partner to its limit before and
        after. The reason, the case and the source come from the context of the
        Adjust Credit Limit wizard."""
        context = self.env.context
        now = fields.Datetime.now()
        vals_list = [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "old_limit": old,
                "new_limit": new_by_partner[partner],
                "user_id": self.env.uid,
                "date": now,
                "reason": context.get("collection_credit_limit_reason") or False,
                "case_id": context.get("collection_credit_limit_case_id") or False,
                "source": "adjustment"
                if context.get("collection_credit_limit_reason")
                else "other",
            }
            for partner, old in old_by_partner.items()
            if company.currency_id.compare_amounts(old, new_by_partner[partner])
        ]
        return self.sudo().create(vals_list)
