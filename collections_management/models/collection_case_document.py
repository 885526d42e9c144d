from odoo import api, fields, models
from odoo.tools import SQL


class CollectionCaseDocument(models.AbstractModel):
    """A document of a collection case: an agency placement, a legal action, a
    write-off, a dispute; promises and plans build on it too. It is numbered from its
    model's sequence, belongs to a case and takes the debtor and the company from it
    (a model that finds them elsewhere redefines those fields), and opens in a list
    from the case, the debtor or the invoice."""

    _name = "collection.case.document"
    _description = "Collection Case Document"
    _inherit = [
        "collection.access.mixin",
        "collection.numbered.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _check_company_auto = True
    _system_fields = ("name",)  # each model adds its states, outcomes and amounts

    _list_action_xmlid = None  # by default collections_management.<model table>_action

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    case_id = fields.Many2one(
        "collection.case", required=True, index=True, check_company=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        related="case_id.partner_id",
        store=True,
        precompute=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", related="case_id.company_id", store=True, precompute=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _move_ids_in_state(self, company, state):
        """Ids of the invoices (`move_ids`) of the company's documents in `state`, e.g.
        the invoices of open promises, which follow-up leaves alone. One query."""
        relation = self._fields["move_ids"]
        documents = self._search([("company_id", "=", company.id), ("state", "=", state)])
        self.flush_model(["move_ids"])
        rows = self.env.execute_query(
            SQL(
                "SELECT DISTINCT %s FROM %s WHERE %s IN (%s)",
                SQL.identifier(relation.column2),
                SQL.identifier(relation.relation),
                SQL.identifier(relation.column1),
                documents.subselect(),
            )
        )
        return {move_id for (move_id,) in rows}

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @api.model
    def _case_defaults(self, case):
        """The defaults of a document made from `case`."""
        return {"default_case_id": case.id}

    @api.model
    def _action_new_form(self, context, name=None, target="current"):
        """The form of a new document, with the defaults in `context`."""
        return self.browse()._get_records_action(
            name=name or self.env["ir.model"]._get(self._name).name,
            target=target,
            context=context,
        )

    @api.model
    def _action_list(self, domain, context=None):
        """The model's list, restricted to `domain` (the buttons of a case, a debtor
        or an invoice); `context` gives the defaults of a document created there."""
        xmlid = self._list_action_xmlid or f"collections_management.{self._table}_action"
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(domain=domain, context=context or {})
        return action
