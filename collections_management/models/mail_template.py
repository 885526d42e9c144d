from odoo import fields, models

CEASE_NOTICES = [
    ("ending", "Collection is ending"),
    ("remedy_may", "A remedy may be used"),
    ("remedy_will", "A remedy will be used"),
]


class MailTemplate(models.Model):
    _inherit = "mail.template"

    collection_cease_notice = fields.Selection(
        CEASE_NOTICES,
        string="Allowed after Cease Request",
        help="Mark the template as one of the three notices that may still be sent to "
        "a debtor who asked to cease communication. Unmarked templates are blocked.",
    )
