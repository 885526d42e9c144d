from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import requires_group

OVERRIDE_GROUP = "collections_management.group_collections_credit_override"


class CollectionCreditOverride(models.TransientModel):
    """Post an invoice or confirm an order that credit control refuses, with a reason:
    only for users with the Credit Hold Override right; the reason is logged on the
    document and on the debtor."""

    _name = "collection.credit.override"
    _description = "Credit Control Override"

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(required=True, readonly=True)
    message = fields.Text(string="Why It Is Refused", readonly=True)
    reason = fields.Text(help="Logged on the document and on the debtor.")

    @api.model
    def _may_override(self):
        return self.env.user.has_group(OVERRIDE_GROUP)

    @api.model
    def _action_open(self, refusals):
        """The wizard for documents refused by credit control ({document: reasons})."""
        documents = list(refusals)
        wizard = self.create(
            {
                "res_model": documents[0]._name,
                "res_ids": [document.id for document in documents],
                "message": "\n".join(
                    f"{document.display_name}: {reason}"
                    for document in documents
                    for reason in refusals[document]
                ),
            }
        )
        return wizard._get_records_action(name=self.env._("Credit Control"), target="new")

    @api.model
    def _check_override(self, reason):
        if not self._may_override():
            raise UserError(
                self.env._(
                    "Only a user with the Credit Hold Override right can go past credit control."
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason for overriding credit control."))

    @api.model
    def _log_override(self, refusals, reason):
        """Check the override and log it on each document and on its debtor."""
        self._check_override(reason)
        notes = []
        for document, reasons in refusals.items():
            body = Markup("%s<br/>%s") % (
                self.env._(
                    "Credit control overridden by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason.strip(),
                ),
                "; ".join(reasons),
            )
            notes += [(document, body), (document.partner_id.commercial_partner_id, body)]
        self.env["collection.case"].sudo()._log_messages(notes)

    @requires_group(OVERRIDE_GROUP, "read")
    def action_confirm(self):
        self.ensure_one()
        self._check_override(self.reason)
        documents = self.env[self.res_model].browse(self.res_ids)
        result = documents._collection_credit_override(self.reason.strip())
        return result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
