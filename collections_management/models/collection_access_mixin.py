from odoo import api, models

from ..tools import check_system_values, without_system_defaults


class CollectionAccessMixin(models.AbstractModel):
    """The checks every business record of the app makes, for every user but the
    superuser.

    - What the system computes is not written by hand: the model lists its system
      fields (states, outcomes, amounts, approvals...) in `_system_fields`; create
      refuses a value other than the field's default (and ignores context defaults),
      write refuses them. The actions that set them check their caller's right first,
      then write in sudo().
    - A record is not moved out of what its user may access: Odoo checks the record
      rules before a write only, so a write that changes a field the rules read
      (`_rule_fields`: company, case, debtor, collector, parent document) checks them
      again on the new values. The transaction is then rolled back whole."""

    _name = "collection.access.mixin"
    _description = "Collections Access Checks"

    _system_fields = ()
    _rule_fields = (
        "company_id",
        "case_id",
        "partner_id",
        "user_id",
        "move_id",
        "plan_id",
        "placement_id",
        "communication_id",
        "policy_id",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_values(self, self._system_fields, vals, on_create=True)
        records = without_system_defaults(self, self._system_fields)
        return super(CollectionAccessMixin, records).create(vals_list)

    def write(self, vals):
        check_system_values(self, self._system_fields, vals)
        result = super().write(vals)
        if not self.env.su and not set(self._rule_fields).isdisjoint(vals):
            self.check_access("write")
        return result
