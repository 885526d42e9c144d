from odoo import fields, models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    collection_communication_id = fields.Many2one(
        "collection.communication",
        string="Follow-up Communication",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )

    def _handle_call_result_hook(self, results):
        """Report a follow-up text the gateway refused back on its communication and
        case, as a bounced email is."""
        result = super()._handle_call_result_hook(results)
        failed = self.sudo().filtered(
            lambda sms: sms.state == "error" and sms.collection_communication_id
        )
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        for failure_type, texts in failed.grouped("failure_type").items():
            texts.collection_communication_id._mark_sms_failed(
                labels.get(failure_type) or failure_type or self.env._("Unknown error")
            )
        return result
