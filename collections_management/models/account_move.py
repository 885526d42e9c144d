from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import (
    COLLECTOR,
    check_system_values,
    requires_group,
    without_system_defaults,
)

# set by the ledger sync and the follow-up run only
COLLECTION_SYSTEM_FIELDS = ("collection_case_id", "collection_level_id", "collection_level_date")


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    collection_case_id = fields.Many2one(
        "collection.case",
        string="Collection Case",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The collection case that covers this invoice since it became overdue.",
    )
    collection_stage_id = fields.Many2one(
        related="collection_case_id.stage_id", string="Collection Stage"
    )
    collection_level_id = fields.Many2one(
        "collection.level",
        string="Follow-up Level",
        readonly=True,
        copy=False,
        check_company=True,
        index="btree_not_null",
        help="The last follow-up level this invoice reached; no level is ever sent twice.",
    )
    collection_level_date = fields.Date(string="Follow-up Date", readonly=True, copy=False)
    collection_hold_ids = fields.One2many("collection.hold", "move_id", string="Holds")
    collection_on_hold = fields.Boolean(
        string="On Hold",
        compute="_compute_collection_on_hold",
        search="_search_collection_on_hold",
        help="Excluded from follow-up by a hold in force on this invoice or its debtor.",
    )

    collection_dispute_ids = fields.One2many(
        "collection.dispute", "move_id", string="Disputes", readonly=True
    )
    collection_amount_disputed = fields.Monetary(
        string="Disputed",
        compute="_compute_collection_amount_disputed",
        currency_field="company_currency_id",
        help="Amount contested in open disputes: follow-up leaves it alone.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.model
    def _held_domain(self):
        """Invoices held themselves, or whose debtor is held, as of today."""
        in_force = [("is_active", "=", True)]
        return Domain("collection_hold_ids", "any", in_force) | Domain(
            "commercial_partner_id.collection_hold_ids",
            "any",
            [*in_force, ("scope", "=", "debtor")],
        )

    def _compute_collection_on_hold(self):
        held = self.filtered_domain(self._held_domain()) if self.ids else self.browse()
        for move in self:
            move.collection_on_hold = move in held

    def _search_collection_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        domain = self._held_domain()
        return domain if True in value else ~domain

    @api.depends("collection_dispute_ids.amount", "collection_dispute_ids.state")
    def _compute_collection_amount_disputed(self):
        totals = dict(
            self.env["collection.dispute"]._read_group(
                [("move_id", "in", self.ids), ("is_active", "=", True)],
                ["move_id"],
                ["amount:sum"],
            )
        )
        for move in self:
            move.collection_amount_disputed = totals.get(move, 0.0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_system_values(self, COLLECTION_SYSTEM_FIELDS, vals, on_create=True)
        records = without_system_defaults(self, COLLECTION_SYSTEM_FIELDS)
        return super(AccountMove, records).create(vals_list)

    def write(self, vals):
        check_system_values(self, COLLECTION_SYSTEM_FIELDS, vals)
        return super().write(vals)

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        disputes = self.env["collection.dispute"].search([("credit_note_id", "in", posted.ids)])
        for dispute in disputes:
            lines = (dispute.move_id | dispute.credit_note_id).line_ids.filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
            if len(lines.mapped("balance")) > 1 and lines.filtered(lambda x: x.balance < 0):
                lines.reconcile()
        return posted

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _collection_money_received_sql(self, alias):
        """The condition on an account_move row (`alias`) that it brings money in: the
        entry of a payment or of a bank statement line. Credit notes, write-offs and
        exchange differences reconcile invoices too, but are not money received."""
        return SQL(
            "(%(move)s.move_type = 'entry' AND (%(move)s.origin_payment_id IS NOT NULL"
            " OR %(move)s.statement_line_id IS NOT NULL))",
            move=SQL.identifier(alias),
        )

    @api.model
    def _collection_cash_received(self, windows, excluded_payment_moves=()):
        """Money actually received on invoices, as Odoo's reconciliation sees it.

        `windows` is a list of (key, invoice id, date from, date to); the result maps each
        key to the sum of what was reconciled on that invoice's receivable by payments
        or bank statement lines dated inside the window (both dates included), in the
        company currency. Partial reconciliations count for their amount; credit notes,
        write-offs and exchange differences are not money received and do not count,
        nor do the payment entries in `excluded_payment_moves` (ids), which the caller
        counts otherwise. One query whatever the number of windows."""
        if not windows:
            return {}
        self.env["account.move.line"].flush_model(["move_id", "account_id"])
        self.env["account.account"].flush_model(["account_type"])
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "max_date", "amount"]
        )
        self.flush_model(["move_type", "origin_payment_id", "statement_line_id"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT w.key, SUM(partial.amount)
                  FROM (VALUES %(windows)s) AS w(key, move_id, date_from, date_to)
                  JOIN account_move_line inv_line ON inv_line.move_id = w.move_id
                  JOIN account_account account ON account.id = inv_line.account_id
                                              AND account.account_type = 'asset_receivable'
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = inv_line.id
                  JOIN account_move_line pay_line ON pay_line.id = partial.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = pay_line.move_id
                 WHERE partial.max_date BETWEEN w.date_from AND w.date_to
                   AND %(received)s
                   %(excluded)s
              GROUP BY w.key
                """,
                received=self._collection_money_received_sql("pay_move"),
                excluded=SQL("AND pay_move.id NOT IN %s", tuple(excluded_payment_moves))
                if excluded_payment_moves
                else SQL(),
                windows=SQL(", ").join(
                    SQL("(%s, %s, %s::date, %s::date)", key, move_id, date_from, date_to)
                    for key, move_id, date_from, date_to in windows
                ),
            )
        )
        return dict(rows)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(COLLECTOR, "read")
    def action_collection_promise(self):
        self.ensure_one()
        return self.env["collection.promise"]._action_new(
            self.commercial_partner_id, moves=self, case=self.collection_case_id
        )

    @requires_group(COLLECTOR, "read")
    def action_collection_hold(self):
        self.ensure_one()
        return self.env["collection.hold"]._get_records_action(
            name=self.env._("Put on Hold"),
            target="new",
            context={"default_scope": "invoice", "default_move_id": self.id},
        )

    @requires_group(COLLECTOR, "read")
    def action_collection_dispute(self):
        self.ensure_one()
        return self.env["collection.dispute"]._action_new_on_invoice(self)

    @requires_group(COLLECTOR, "read")
    def action_view_collection_disputes(self):
        self.ensure_one()
        return self.env["collection.dispute"]._action_list(
            [("move_id", "=", self.id)], {"default_move_id": self.id}
        )
