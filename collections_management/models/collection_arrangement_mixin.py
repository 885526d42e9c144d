from odoo import api, models


class CollectionArrangementMixin(models.AbstractModel):
    """What promises to pay and payment plans share: a debtor, the case and collector it
    belongs to, grace days proposed by the debtor's policy, and the actions that open
    them from a case, a debtor or an invoice. The model that uses it names the policy
    field of its grace days and its list action."""

    _name = "collection.arrangement.mixin"
    _description = "Payment Arrangement (promise or plan)"

    _grace_days_policy_field = None  # e.g. "promise_grace_days"
    _list_action_xmlid = None  # e.g. "collections_management.collection_promise_action"
    _new_form_target = "current"  # "new" opens the form of a new one in a dialog

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("partner_id", "company_id")
    def _compute_case_id(self):
        cases = self.env["collection.case"].search(
            [
                ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                ("is_open", "=", True),
            ]
        )
        by_key = {(case.partner_id.id, case.company_id.id): case for case in cases}
        for record in self:
            key = (record.partner_id.commercial_partner_id.id, record.company_id.id)
            record.case_id = by_key.get(key, record.case_id)

    @api.depends("case_id")
    def _compute_user_id(self):
        for record in self:
            record.user_id = record.case_id.user_id or record.user_id or self.env.user

    @api.depends("partner_id", "company_id")
    def _compute_grace_days(self):
        for company, records in self.grouped("company_id").items():
            policies = self.env["collection.policy"]._get_partner_policies(
                records.partner_id.commercial_partner_id, company
            )
            for record in records:
                policy = policies.get(record.partner_id.commercial_partner_id.id)
                record.grace_days = policy[self._grace_days_policy_field] if policy else 0

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @api.model
    def _action_new(self, partner, moves=None, case=None):
        """The form of a new arrangement, pre-filled from where the collector is."""
        context = {
            "default_partner_id": partner.commercial_partner_id.id,
            "default_company_id": (case or moves[:1] or self.env).company_id.id
            or self.env.company.id,
        }
        if moves:
            context["default_move_ids"] = moves.ids
        if case:
            context["default_case_id"] = case.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env["ir.model"]._get(self._name).name,
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": self._new_form_target,
            "context": context,
        }

    @api.model
    def _action_list(self, domain, partner, case=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(self._list_action_xmlid)
        context = {"default_partner_id": partner.commercial_partner_id.id}
        if case:
            context["default_case_id"] = case.id
        action.update({"domain": domain, "context": context})
        return action
