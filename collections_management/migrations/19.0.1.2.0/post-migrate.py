import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    """The templates changed after their first release (the portal link, the dunning
    fee, the invoices listed by `followup_invoices`) but are noupdate data: the ones
    nobody edited are reloaded from their files."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    for model in ("mail.template", "sms.template"):
        reset = env[model]._reset_shipped_templates("collections_management")
        _logger.info("%s: %d template(s) reloaded from their files", model, len(reset))
