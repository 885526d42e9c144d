from collections import defaultdict

from markupsafe import Markup
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_date

from ..tools import COLLECTOR, LEVEL_DELAY_DAYS, MANAGER, clamp, insert_rows, requires_group

# conflicts in a row with other workers before a worker gives up (the next call goes on)
MAX_CONFLICTS = 20


class CollectionRun(models.Model):
    _name = "collection.run"
    _description = "Follow-up Run"
    _inherit = ["collection.access.mixin", "collection.numbered.mixin", "mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _sequence_date_field = "date"
    # moved on by Preview / Run / Cancel and the scheduler, which write what it did
    _system_fields = (
        "name",
        "date",
        "trigger",
        "user_id",
        "state",
        "communication_ids",
        "cases_opened",
        "cases_closed",
        "summary",
    )

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        readonly=True,
        help="Levels are due relative to this date; a run is always for today.",
    )
    trigger = fields.Selection(
        [("manual", "Manual"), ("cron", "Scheduled")],
        default="manual",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one("res.users", string="Started By", default=lambda self: self.env.user)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("preview", "Preview"),
            ("running", "Running"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        index=True,
    )
    communication_ids = fields.One2many(
        "collection.communication", "run_id", string="Communications", readonly=True
    )
    communication_count = fields.Integer(compute="_compute_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    manual_count = fields.Integer(string="Manual Actions", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    blocked_count = fields.Integer(
        string="Blocked",
        compute="_compute_counts",
        help="Communications a contact guard stopped; the next run tries again.",
    )
    pending_count = fields.Integer(string="To Do", compute="_compute_counts")
    cases_opened = fields.Integer(readonly=True)
    cases_closed = fields.Integer(readonly=True)
    summary = fields.Html(readonly=True, help="What the run did, written when it finishes.")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends("communication_ids.state")
    def _compute_counts(self):
        counts = defaultdict(int)
        for run, state, count in self.env["collection.communication"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        ):
            counts[run.id, state] = count
        for run in self:
            run.sent_count = counts[run.id, "sent"]
            run.manual_count = counts[run.id, "manual"]
            run.failed_count = counts[run.id, "failed"]
            run.pending_count = counts[run.id, "draft"]
            run.blocked_count = counts[run.id, "blocked"]
            run.communication_count = sum(
                counts[run.id, state]
                for state in ("draft", "sent", "manual", "failed", "blocked", "cancelled")
            )

    # ------------------------------------------------------------------
    # Business methods: deciding what is due
    # ------------------------------------------------------------------
    def _compute_proposals(self):
        """Replace the run's draft communications by what is due today: one per debtor,
        at the highest level any of its invoices reaches, listing all its overdue
        invoices. A handful of queries whatever the size of the ledger."""
        self.ensure_one()
        company = self.company_id
        Case = self.env["collection.case"].with_company(company)
        self.communication_ids.filtered(lambda c: c.state == "draft").unlink()
        opened, closed, balances = Case._sync_cases(company)
        self.env["collection.credit.hold"].with_company(company)._evaluate(
            company, balances=balances
        )
        self.cases_opened += len(opened)
        self.cases_closed += len(closed)

        levels = self.env["collection.level"].search([("company_id", "=", company.id)])
        if not levels:
            return self.env["collection.communication"]
        earliest = clamp(min(levels.mapped("delay")), LEVEL_DELAY_DAYS)
        horizon = fields.Date.add(self.date, days=max(0, -earliest))
        rows = self._fetch_candidate_invoices(horizon)
        if not rows:
            return self.env["collection.communication"]

        paused_moves, paused_partners = self._paused_ids()
        busy_partners = self._partners_in_other_runs()
        partners = self.env["res.partner"].browse({row["partner_id"] for row in rows})
        policies = self.env["collection.policy"]._get_partner_policies(partners, company)
        levels_by_policy = {
            policy: policy._get_sorted_levels() for policy in set(policies.values()) if policy
        }
        level_by_id = {level.id: level for level in levels}
        refused_levels = self._time_barred_refused_levels(levels)

        invoices_by_partner = defaultdict(list)
        # the level an invoice reaches depends on its policy, current level and age
        # only: decided once per combination, not once per invoice
        next_levels = {}
        for row in rows:
            partner_id = row["partner_id"]
            if (
                row["move_id"] in paused_moves
                or partner_id in paused_partners
                or partner_id in busy_partners
            ):
                continue
            policy = policies.get(partner_id)
            if not policy or not levels_by_policy.get(policy):
                continue
            days = (self.date - row["date_maturity"]).days
            current = level_by_id.get(row["level_id"]) if row["level_id"] else None
            row["days"] = days
            refused = frozenset(refused_levels.get(partner_id, ()))
            key = (policy, current, days, refused)
            if key not in next_levels:
                sorted_levels = [lvl for lvl in levels_by_policy[policy] if lvl.id not in refused]
                next_levels[key] = self._next_level(sorted_levels, policy, current, days)
            row["next_level"] = next_levels[key]
            if days > 0 or row["next_level"]:
                invoices_by_partner[partner_id].append(row)

        cases = Case.search([("company_id", "=", company.id), ("is_open", "=", True)])
        case_by_partner = {case.partner_id.id: case.id for case in cases}
        proposals = []
        for partner_id, invoices in invoices_by_partner.items():
            reached = [row["next_level"] for row in invoices if row["next_level"]]
            if reached:
                level = max(reached, key=lambda lvl: (lvl.delay, lvl.id))
                proposals.append((partner_id, level, invoices))
        return self._insert_proposals(proposals, case_by_partner)

    def _insert_proposals(self, proposals, case_by_partner):
        """Write the draft communications and their lines, two statements whatever
        their number. `proposals` lists (debtor id, level, invoice rows)."""
        company = self.company_id
        # the residuals are amounts of the company currency already: rounding them
        # (and their sums) to its decimals is what currency.round gives, without its
        # per-call lookups (two roundings per invoice)
        digits = company.currency_id.decimal_places

        def money(amount):
            return round(amount, digits)

        communications = insert_rows(
            self.env["collection.communication"],
            [
                "run_id", "company_id", "partner_id", "case_id", "date", "level_id",
                "amount_total", "amount_overdue", "state", "letter_state",
            ],
            [
                (
                    self.id, company.id, partner_id, case_by_partner.get(partner_id), self.date,
                    level.id, money(sum(row["residual"] for row in invoices)),
                    money(sum(row["residual"] for row in invoices if row["days"] > 0)),
                    "draft", "none",
                )
                for partner_id, level, invoices in proposals
            ],
        )  # fmt: skip
        insert_rows(
            self.env["collection.communication.line"],
            [
                "communication_id", "move_id", "company_id", "level_id", "previous_level_id",
                "date_maturity", "days_overdue", "amount_residual",
            ],
            [
                (
                    communication_id, row["move_id"], company.id,
                    row["next_level"].id if row["next_level"] else None, row["level_id"],
                    row["date_maturity"], row["days"], money(row["residual"]),
                )
                for communication_id, (_partner, _level, invoices) in zip(
                    communications.ids, proposals, strict=True
                )
                for row in invoices
            ],
        )  # fmt: skip
        return communications

    @api.model
    def _next_level(self, sorted_levels, policy, current, days):
        """The level an invoice reaches today, or None.

        Levels come in order of delay. Without skipping, an invoice takes the level
        after the one it reached; with skipping, the highest level due."""
        floor = current.delay if current else None
        due = [
            lvl
            for lvl in sorted_levels
            if lvl.delay <= days
            and (floor is None or lvl.delay > floor)
            # a reminder "before the due date" makes no sense once the date is past
            and (lvl.delay > 0 or days <= 0)
        ]
        if not due:
            return None
        return due[-1] if policy.allow_level_skip else due[0]

    def _time_barred_refused_levels(self, levels):
        """{debtor id: ids of the levels threatening suit that already failed for the
        debtor's time-barred debt}. Such a failure is the record, once, of why the level
        is not sent (the communication's error and its note on the case); while the debt
        stays time-barred the run then skips the level and goes on with the policy's
        other levels. Two queries, none without a threatening level."""
        threatening = levels.filtered("threatens_legal_action")
        if not threatening:
            return {}
        company = self.company_id
        barred = (
            self.env["collection.case"]
            .with_company(company)
            .search([("company_id", "=", company.id), ("is_time_barred", "=", True)])
        )
        if not barred:
            return {}
        rows = self.env["collection.communication"]._read_group(
            [
                ("case_id", "in", barred.ids),
                ("state", "=", "failed"),
                ("level_id", "in", threatening.ids),
            ],
            ["partner_id", "level_id"],
        )
        refused = defaultdict(set)
        for partner, level in rows:
            refused[partner.id].add(level.id)
        return refused

    def _fetch_candidate_invoices(self, horizon):
        """Customer invoices with an open receivable due on or before `horizon`, one row
        per invoice with its oldest open due date and its undisputed residual (the
        disputed amount leaves follow-up; a fully disputed invoice is left out), in
        one query."""
        lines = self.env["collection.case"]._receivable_lines_query(self.company_id)
        disputed = self.env["collection.dispute"]._disputed_amounts_query(self.company_id)
        self.env["account.move.line"].flush_model(["move_id", "amount_residual", "date_maturity"])
        self.env["account.move"].flush_model(["commercial_partner_id", "move_type", "state"])
        self.env["collection.invoice.state"].flush_model(["move_id", "level_id"])
        self.env["collection.dispute"].flush_model(
            ["move_id", "amount", "company_id", "state", "credit_note_id"]
        )
        return self.env.execute_query_dict(
            SQL(
                """
                SELECT move.id AS move_id,
                       move.commercial_partner_id AS partner_id,
                       state.level_id AS level_id,
                       MIN(aml.date_maturity) AS date_maturity,
                       SUM(aml.amount_residual) - COALESCE(MAX(disputed.amount), 0) AS residual
                  FROM account_move_line aml
                  JOIN account_move move ON move.id = aml.move_id
             LEFT JOIN collection_invoice_state state ON state.move_id = move.id
             LEFT JOIN (%(disputed)s) disputed ON disputed.move_id = move.id
                 WHERE aml.id IN (%(lines)s)
                   AND move.move_type IN ('out_invoice', 'out_receipt')
                   AND aml.amount_residual > 0
                   AND aml.date_maturity <= %(horizon)s
              GROUP BY move.id, state.level_id
                HAVING SUM(aml.amount_residual) - COALESCE(MAX(disputed.amount), 0) > 0
              ORDER BY move.commercial_partner_id, move.id
                """,
                lines=lines.subselect(),
                disputed=disputed,
                horizon=horizon,
            )
        )

    def _paused_ids(self):
        """(invoice ids, debtor ids) that follow-up leaves alone today. Every feature that
        suspends follow-up (holds, promises, plans, agency placements...) adds its own
        here, each in a constant number of queries."""
        self.ensure_one()
        company = self.company_id
        moves, partners = self.env["collection.hold"]._held_ids(company)
        moves = set(moves)
        moves |= self.env["collection.promise"]._move_ids_in_state(company, "open")
        moves |= self.env["collection.payment.plan"]._move_ids_in_state(company, "active")
        moves |= self.env["collection.agency.placement"]._move_ids_in_state(company, "placed")
        moves |= self.env["collection.agency.placement"]._placed_debtor_new_move_ids(company)
        moves |= self.env["collection.dispute"]._validation_paused_move_ids(company)
        return moves, set(partners)

    def _partners_in_other_runs(self, partners=None, pending=True):
        """Debtors already handled today by another run, or (with `pending`) waiting in
        another unfinished run: a debtor gets at most one communication a day, even when
        a run is started twice. `partners` limits the search to those debtors."""
        Communication = self.env["collection.communication"]
        handled = Domain("state", "in", ("sent", "manual")) & Domain("date", "=", self.date)
        if pending:
            handled |= Domain("state", "=", "draft") & Domain("run_id.state", "=", "running")
        domain = (
            Domain("company_id", "=", self.company_id.id)
            & Domain("run_id", "!=", self.id)
            & handled
        )
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.ids)
        return {partner.id for (partner,) in Communication._read_group(domain, ["partner_id"])}

    # ------------------------------------------------------------------
    # Business methods: carrying it out in batches
    # ------------------------------------------------------------------
    def _process_batch(self):
        """Execute the next batch of this run's communications; True if any was done."""
        self.ensure_one()
        batch = self._claim_batch()
        if not batch:
            return False
        # A run previewed before another run of the same day contacted the debtor (the
        # daily cron, a second preview) must not contact the debtor again.
        contacted = self._partners_in_other_runs(batch.partner_id, pending=False)
        twice = batch.filtered(lambda c: c.partner_id.id in contacted)
        twice.write(
            {
                "state": "cancelled",
                "error": self.env._("Not sent: another run already contacted the debtor today."),
            }
        )
        (batch - twice)._execute()
        return True

    def _claim_batch(self):
        """Lock the next draft communications of the run that no other worker holds
        (`FOR UPDATE SKIP LOCKED`): several cron workers share a run's batches, each
        debtor's communication going to exactly one of them. A worker that dies
        releases its batch with its transaction; the next pass takes it again."""
        Communication = self.env["collection.communication"]
        query = Communication._search(
            [("run_id", "=", self.id), ("state", "=", "draft")],
            order="id",
            limit=max(self.company_id.collection_batch_size, 1),
        )
        Communication.flush_model(["run_id", "state"])
        # a conflict with another worker is expected and handled: not a bad query
        self.env.cr.execute(SQL("%s FOR UPDATE SKIP LOCKED", query.select()), log_exceptions=False)
        return Communication.browse(row[0] for row in self.env.cr.fetchall())

    def _finish(self):
        for run in self:
            run.write({"state": "done", "summary": run._build_summary()})

    def _build_summary(self):
        self.ensure_one()
        rows = self.env["collection.communication"]._read_group(
            [("run_id", "=", self.id)], ["level_id", "state"], ["__count", "amount_total:sum"]
        )
        items = Markup("").join(
            Markup("<li>%s: %s %s (%s)</li>")
            % (
                level.name,
                count,
                dict(self.env["collection.communication"]._fields["state"].selection)[state],
                self.currency_id.format(amount),
            )
            for level, state, count, amount in rows
        )
        header = self.env._(
            "Run of %(date)s: %(opened)s case(s) opened, %(closed)s closed.",
            date=format_date(self.env, self.date),
            opened=self.cases_opened,
            closed=self.cases_closed,
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (header, items)

    # ------------------------------------------------------------------
    # Public actions
    # ------------------------------------------------------------------
    @requires_group(MANAGER)
    def action_preview(self):
        # what a run proposes and sends is the system's work: once its caller is
        # checked, it runs as the scheduler does
        for run in self.sudo():
            if run.state not in ("draft", "preview"):
                raise UserError(
                    self.env._(
                        "Run %s has already started: it cannot be previewed again.", run.name
                    )
                )
            if run.date != fields.Date.context_today(run):
                raise UserError(self.env._("Run %s is not for today: start a new run.", run.name))
            run._compute_proposals()
            run.state = "preview"
        return True

    @requires_group(MANAGER)
    def action_run(self):
        """Carry out the previewed communications: the first batch now, the rest by cron."""
        for run in self.sudo():
            if run.state == "draft":
                run.action_preview()
            if run.state != "preview":
                raise UserError(self.env._("Run %s is not waiting to be run.", run.name))
            run.state = "running"
            run._process_batch()
            if not run.pending_count:
                run._finish()
        if self.filtered(lambda r: r.state == "running"):
            self.env.ref("collections_management.ir_cron_collection_process")._trigger()
        return True

    @requires_group(MANAGER)
    def action_cancel(self):
        for run in self.sudo():
            if run.state in ("done", "cancelled"):
                raise UserError(self.env._("Run %s is finished: it cannot be cancelled.", run.name))
            run.communication_ids.action_cancel()
            run.state = "cancelled"
        return True

    @requires_group(COLLECTOR, "read")
    def action_view_communications(self):
        self.ensure_one()
        return self.env["collection.communication"]._action_list([("run_id", "=", self.id)])

    # ------------------------------------------------------------------
    # Cron methods
    # ------------------------------------------------------------------
    @api.model
    def _cron_daily_run(self):
        """Start today's run for each company that has follow-up levels, then process."""
        today = fields.Date.context_today(self)
        companies = self.env["collection.level"]._read_group([], ["company_id"])
        for (company,) in companies:
            runs = self.search(
                [("company_id", "=", company.id), ("state", "in", ("draft", "preview"))]
            )
            runs.filtered(lambda r: r.date < today).action_cancel()
            if self.search_count(
                [
                    ("company_id", "=", company.id),
                    ("date", "=", today),
                    ("trigger", "=", "cron"),
                    ("state", "!=", "cancelled"),
                ]
            ):
                continue
            run = self.with_company(company).create({"company_id": company.id, "trigger": "cron"})
            run._compute_proposals()
            run.state = "running"
            self.env["ir.cron"]._commit_progress(1)
        self._cron_process_runs()

    @api.model
    def _cron_process_runs(self):
        """Process running runs batch by batch, committing after each one; a crash or a
        timeout loses at most the batch in progress, which the next call redoes.

        Several workers may run this at once (cron workers of several servers): each
        claims batches no other holds (`_claim_batch`). A batch that another worker
        committed after this transaction's snapshot was taken cannot be locked
        (PostgreSQL's repeatable read refuses it); the transaction, which has done
        nothing yet, starts again with a fresh snapshot."""
        conflicts = 0
        while True:
            try:
                run = self.search([("state", "=", "running")], limit=1, order="id")
                if not run:
                    return
                run = run.with_company(run.company_id)
                if run._process_batch():
                    remaining = run.pending_count
                else:
                    if run.pending_count or not run.try_lock_for_update():
                        return  # the rest is in another worker's hands, which finishes it
                    run._finish()
                    remaining = 0
            except SerializationFailure:
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise
                self.env.cr.rollback()
                continue
            conflicts = 0
            if not self.env["ir.cron"]._commit_progress(1, remaining=remaining):
                return
