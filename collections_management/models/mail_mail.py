from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """Report delivery of follow-up emails back on their communication and case."""
        communications = (
            self.env["collection.communication"].sudo().search([("mail_id", "in", self.ids)])
        )
        if communications and failure_type:
            communications._mark_email_failed(failure_reason or failure_type)
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
