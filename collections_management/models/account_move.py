from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import (
    COLLECTOR,
    check_system_values,
    requires_group,
    upsert_rows,
    without_system_defaults,
)

# set by the ledger sync and the follow-up run only
COLLECTION_SYSTEM_FIELDS = ("collection_case_id", "collection_level_id", "collection_level_date")
# where they live: {field of account.move: column of collection.invoice.state}
COLLECTION_STATE_COLUMNS = {
    "collection_case_id": "case_id",
    "collection_level_id": "level_id",
    "collection_level_date": "level_date",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # The follow-up state lives in collection.invoice.state (one narrow row per invoice,
    # written by the run in set-based SQL): these fields read it, and search, group and
    # sort through a LEFT JOIN on it (`_field_to_sql`), like columns of the invoice.
    collection_case_id = fields.Many2one(
        "collection.case",
        string="Collection Case",
        readonly=True,
        copy=False,
        check_company=True,
        compute="_compute_collection_state",
        inverse="_inverse_collection_state",
        search="_search_collection_case_id",
        compute_sudo=True,
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
        compute="_compute_collection_state",
        inverse="_inverse_collection_state",
        search="_search_collection_level_id",
        compute_sudo=True,
        help="The last follow-up level this invoice reached; no level is ever sent twice.",
    )
    collection_level_date = fields.Date(
        string="Follow-up Date",
        readonly=True,
        copy=False,
        compute="_compute_collection_state",
        inverse="_inverse_collection_state",
        search="_search_collection_level_date",
        compute_sudo=True,
    )
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
    def _compute_collection_state(self):
        origins = {move: move._origin.id for move in self}
        states = self.env["collection.invoice.state"].search_fetch(
            [("move_id", "in", [origin for origin in origins.values() if origin])],
            ["move_id", *COLLECTION_STATE_COLUMNS.values()],
        )
        by_move = {state.move_id.id: state for state in states}
        for move, origin in origins.items():
            state = by_move.get(origin)
            move.collection_case_id = state.case_id if state else False
            move.collection_level_id = state.level_id if state else False
            move.collection_level_date = state.level_date if state else False

    def _inverse_collection_state(self):
        """Set by hand by the system (the run writes in SQL): the invoices' state rows."""
        upsert_rows(
            self.env["collection.invoice.state"],
            "move_id",
            ["move_id", "company_id", *COLLECTION_STATE_COLUMNS.values()],
            [
                (
                    move.id,
                    move.company_id.id,
                    move.collection_case_id.id or None,
                    move.collection_level_id.id or None,
                    move.collection_level_date or None,
                )
                for move in self
            ],
        )
        self.env["collection.case"].invalidate_model(["invoice_ids"], flush=False)

    def _search_collection_case_id(self, operator, value):
        return self._collection_state_condition("collection_case_id", operator, value)

    def _search_collection_level_id(self, operator, value):
        return self._collection_state_condition("collection_level_id", operator, value)

    def _search_collection_level_date(self, operator, value):
        return self._collection_state_condition("collection_level_date", operator, value)

    def _collection_state_condition(self, fname, operator, value):
        """The condition on the follow-up state field `fname`, as the ORM makes it on a
        column: `_field_to_sql` gives the state table's column."""
        field = self._fields[fname]

        def to_sql(model, alias, query):
            condition = value
            if isinstance(value, Domain):  # any / not any: on the case or the level
                condition = value.optimize_full(model.env[field.comodel_name])
            return field.condition_to_sql(fname, operator, condition, model, alias, query)

        return Domain.custom(to_sql=to_sql)

    def _field_to_sql(self, alias, field_expr, query=None):
        column = COLLECTION_STATE_COLUMNS.get(field_expr)
        if not column:
            return super()._field_to_sql(alias, field_expr, query)
        self._check_field_access(self._fields[field_expr], "read")
        State = self.env["collection.invoice.state"]
        if query is None:
            return SQL(
                "(SELECT state.%s FROM %s state WHERE state.move_id = %s)",
                SQL.identifier(column),
                SQL.identifier(State._table),
                SQL.identifier(alias, "id"),
            )
        state_alias = query.make_alias(alias, "collection_state")
        query.add_join(
            "LEFT JOIN",
            state_alias,
            State._table,
            SQL("%s = %s", SQL.identifier(state_alias, "move_id"), SQL.identifier(alias, "id")),
        )
        return SQL.identifier(state_alias, column, to_flush=State._fields[column])

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
        held = self.browse()
        if self.ids:
            held = self.browse(
                self.sudo()._search(Domain("id", "in", self.ids) & self._held_domain())
            )
        for move in self:
            move.collection_on_hold = move in held

    def _search_collection_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        # sudo: whether an invoice is on hold is shown to everyone who sees the invoice
        # (a billing clerk filters on it); the holds themselves stay with collections.
        held = self.sudo()._search(self._held_domain())
        return Domain("id", "in", held) if True in value else Domain("id", "not in", held)

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
        self._collection_credit_guard()
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

    # ------------------------------------------------------------------
    # Credit control: the banner, and the check when a customer invoice is posted
    # ------------------------------------------------------------------
    collection_credit_warning = fields.Text(
        string="Credit Control",
        compute="_compute_collection_credit_warning",
        help="Why the debtor's new invoices are warned about or refused: a credit hold "
        "in force, or an exposure above the credit limit.",
    )
    collection_credit_blocked = fields.Boolean(compute="_compute_collection_credit_warning")

    _COLLECTION_CREDIT_TYPES = ("out_invoice", "out_receipt")

    @api.depends("partner_id", "company_id", "state", "move_type", "amount_total_signed")
    def _compute_collection_credit_warning(self):
        self.collection_credit_warning = False
        self.collection_credit_blocked = False
        drafts = self.filtered(
            lambda m: m.state == "draft"
            and m.move_type in self._COLLECTION_CREDIT_TYPES
            and m.commercial_partner_id
        )
        for move, (mode, reasons) in drafts._collection_credit_check().items():
            move.collection_credit_warning = "\n".join(reasons)
            move.collection_credit_blocked = mode == "block"

    def _collection_credit_check(self):
        """{customer invoice: (mode, [reasons])} for those of these invoices whose debtor
        is on credit hold or over its limit. The draft invoices already count in the
        exposure; once posted they count as receivables: nothing is added. A few
        queries per company."""
        result = {}
        moves = self.filtered(lambda m: m.move_type in self._COLLECTION_CREDIT_TYPES)
        for company, invoices in moves.grouped("company_id").items():
            debtors = invoices.commercial_partner_id.sudo()
            reasons = debtors._collection_credit_reasons(company)
            if not reasons:
                continue
            modes = debtors._collection_credit_modes(company)
            for invoice in invoices:
                debtor = invoice.commercial_partner_id
                if debtor in reasons:
                    result[invoice] = (modes[debtor], reasons[debtor])
        return result

    def _collection_credit_refusals(self):
        """{invoice: reasons} of the invoices that posting would refuse (block mode)."""
        return {
            move: reasons
            for move, (mode, reasons) in self._collection_credit_check().items()
            if mode == "block"
        }

    def _collection_credit_guard(self):
        """Refuse to post customer invoices of debtors on hold or over their limit under
        a blocking policy, unless the context carries an override reason from a user
        with the override right, in which case the override is logged."""
        refusals = self._collection_credit_refusals()
        if not refusals:
            return
        reason = self.env.context.get("collection_credit_override_reason")
        if reason is None:
            move = next(iter(refusals))
            raise UserError(
                self.env._(
                    "%(invoice)s cannot be posted:\n%(reasons)s\n%(who)s",
                    invoice=move.display_name,
                    reasons="\n".join(refusals[move]),
                    who=move.commercial_partner_id._collection_credit_release_message(
                        move.company_id
                    ),
                )
            )
        self.env["collection.credit.override"]._log_override(refusals, reason)

    def _collection_credit_override(self, reason):
        """Post with an override: the reason is logged on the invoice and its debtor."""
        return self.with_context(collection_credit_override_reason=reason).action_post()

    def action_post(self):
        if (
            "collection_credit_override_reason" not in self.env.context
            and self.env["collection.credit.override"]._may_override()
        ):
            refusals = self._collection_credit_refusals()
            if refusals:
                return self.env["collection.credit.override"]._action_open(refusals)
        return super().action_post()
