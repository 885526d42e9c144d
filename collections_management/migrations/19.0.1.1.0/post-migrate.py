from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The invoices' follow-up state (case, level, date) moves from columns of
    account_move to collection.invoice.state."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["collection.invoice.state"]._move_invoice_columns()
