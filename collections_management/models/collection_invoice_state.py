from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists

# where the versions before 19.0.1.1.0 kept the state: columns of account_move
LEGACY_COLUMNS = ("collection_case_id", "collection_level_id", "collection_level_date")


class CollectionInvoiceState(models.Model):
    """The follow-up state of an invoice: the case that covers it and the last level it
    reached. A narrow table of its own, written only by the system in set-based SQL
    (`collection.case._refresh_amounts`, `collection.communication._advance_levels`):
    the daily run updates these rows, never the wide and heavily indexed account_move.
    `account.move` shows them as its fields `collection_case_id`, `collection_level_id`
    and `collection_level_date`."""

    _name = "collection.invoice.state"
    _description = "Invoice Follow-up State"
    _rec_name = "move_id"
    _log_access = False

    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    case_id = fields.Many2one(
        "collection.case",
        string="Collection Case",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    level_id = fields.Many2one(
        "collection.level",
        string="Follow-up Level",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    level_date = fields.Date(string="Follow-up Date", readonly=True)

    _move_unique = models.Constraint("UNIQUE(move_id)", "An invoice has one follow-up state.")

    @api.model
    def _move_invoice_columns(self):
        """Upgrade from the versions that kept the state in columns of account_move: copy
        every invoice's values into this table in one statement, then drop the columns
        (and their indexes). Nothing to do when the columns are gone."""
        cr = self.env.cr
        if not all(column_exists(cr, "account_move", column) for column in LEGACY_COLUMNS):
            return 0
        self.flush_model()
        cr.execute(
            SQL(
                """
                INSERT INTO collection_invoice_state
                       (move_id, company_id, case_id, level_id, level_date)
                SELECT id, company_id, collection_case_id, collection_level_id,
                       collection_level_date
                  FROM account_move
                 WHERE collection_case_id IS NOT NULL
                    OR collection_level_id IS NOT NULL
                    OR collection_level_date IS NOT NULL
                    ON CONFLICT (move_id) DO NOTHING
                """
            )
        )
        copied = cr.rowcount
        cr.execute(
            SQL(
                "ALTER TABLE account_move %s",
                SQL(", ").join(
                    SQL("DROP COLUMN %s", SQL.identifier(column)) for column in LEGACY_COLUMNS
                ),
            )
        )
        self.invalidate_model()
        return copied
