from odoo import api, models
from odoo.tools import SQL

# What the receivable ledger queries read (the aging and the receivable KPIs): the ORM
# flushes these fields before it queries either view.
RECEIVABLE_LEDGER_DEPENDS = {
    "account.move.line": [
        "move_id",
        "partner_id",
        "company_id",
        "company_currency_id",
        "currency_id",
        "account_id",
        "date",
        "date_maturity",
        "balance",
        "amount_residual",
        "reconciled",
    ],
    "account.move": ["name", "move_type", "state", "invoice_user_id"],
    "account.account": ["account_type"],
    "account.partial.reconcile": ["debit_move_id", "credit_move_id", "amount", "max_date"],
    "res.partner": ["commercial_partner_id"],
    "collection.case": ["partner_id", "company_id", "user_id", "stage_id", "level_id", "is_open"],
}


class CollectionReceivableLedger(models.AbstractModel):
    """The posted receivable journal items up to a date, each with its debtor's case:
    what the aging and the receivable KPIs start from. In the query, `aml` is the
    journal item, `move` its entry, `account` its account, `partner` its partner and
    `cases` the debtor's case in the item's company (the open one, else the latest)."""

    _name = "collection.receivable.ledger"
    _inherit = ["collection.report.mixin"]
    _description = "Receivable Ledger Query"
    _depends = RECEIVABLE_LEDGER_DEPENDS

    @api.model
    def _ledger_from(self):
        return SQL(
            """
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
         LEFT JOIN res_partner partner ON partner.id = aml.partner_id
         LEFT JOIN (%s) cases
                ON cases.partner_id = COALESCE(partner.commercial_partner_id, aml.partner_id)
               AND cases.company_id = aml.company_id
            """,
            self._debtor_case_query(),
        )

    @api.model
    def _ledger_where(self, date):
        return SQL(
            """
             WHERE account.account_type = 'asset_receivable'
               AND move.state = 'posted'
               AND aml.date <= %s
            """,
            date,
        )

    @api.model
    def _debtor_case_query(self):
        """One case per debtor and company: the open one, else the latest."""
        return SQL(
            """
            SELECT DISTINCT ON (partner_id, company_id)
                   id, partner_id, company_id, user_id, stage_id, level_id
              FROM collection_case
          ORDER BY partner_id, company_id, is_open DESC, id DESC
            """
        )
