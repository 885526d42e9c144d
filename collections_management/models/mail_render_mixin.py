from odoo import api, models


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_eval_context(self):
        """Adds `followup_invoices(object)` for the follow-up templates: the invoices a
        communication lists, as plain values (number, date_maturity, days_overdue,
        amount_residual). Read for all the records rendered together in one query."""
        render_context = super()._render_eval_context()
        rows = {}

        def followup_invoices(communication):
            if communication._name != "collection.communication":
                raise ValueError("followup_invoices() lists a follow-up communication's invoices")
            if not communication:
                return ()
            if communication.id not in rows:
                batch = communication | communication.browse(
                    communication._prefetch_ids
                )._filtered_access("read")
                rows.update(dict.fromkeys(batch.ids, ()))
                rows.update(batch._email_invoice_rows())
            return rows[communication.id]

        render_context["followup_invoices"] = followup_invoices
        return render_context
