from datetime import date

from freezegun import freeze_time

from odoo.fields import Domain
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestInvoiceState(CollectionsCommon):
    """The invoices' follow-up state lives in collection.invoice.state: the run writes
    it without touching account_move, and the invoice's fields read, search, group
    and sort it like columns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = cls._create_user("st_collector", "group_collections_collector")
        cls.accountant = new_test_user(
            cls.env,
            login="st_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
        )

    def _followed_up(self):
        """Debtor One: `old` at the Second level, `recent` at the First; Debtor Two:
        `other` at the First; `later` (not due) has no follow-up state."""
        with freeze_time("2026-01-01"):
            old = self.create_invoice(self.debtor, 300, "2026-01-10")
            recent = self.create_invoice(self.debtor, 200, "2026-02-10")
            other = self.create_invoice(self.debtor_two, 100, "2026-02-10")
            later = self.create_invoice(self.debtor, 50, "2026-12-31")
        self.run_followup("2026-01-20")
        self.run_followup("2026-02-18")
        return old, recent, other, later

    def _row_versions(self, moves):
        self.env.flush_all()
        return dict(
            self.env.execute_query(
                SQL("SELECT id, ctid::text FROM account_move WHERE id IN %s", tuple(moves.ids))
            )
        )

    def test_run_records_the_state_without_writing_the_invoices(self):
        with freeze_time("2026-01-01"):
            old = self.create_invoice(self.debtor, 300, "2026-01-10")
            recent = self.create_invoice(self.debtor, 200, "2026-02-10")
        self.env.flush_all()
        past = "2025-06-01 00:00:00"
        self.env.cr.execute(
            SQL("UPDATE account_move SET write_date = %s WHERE id IN %s", past, (old.id, recent.id))
        )
        before = self._row_versions(old | recent)
        self.run_followup("2026-01-20")
        self.run_followup("2026-02-18")
        case = self.case_of(self.debtor)
        states = (
            self.env["collection.invoice.state"]
            .search([("move_id", "in", (old | recent).ids)])
            .sorted(lambda state: state.move_id.id)
        )
        self.assertRecordValues(
            states,
            [
                {
                    "move_id": old.id,
                    "company_id": self.company.id,
                    "case_id": case.id,
                    "level_id": self.l_second.id,
                    "level_date": date(2026, 2, 18),
                },
                {
                    "move_id": recent.id,
                    "company_id": self.company.id,
                    "case_id": case.id,
                    "level_id": self.l_first.id,
                    "level_date": date(2026, 2, 18),
                },
            ],
        )
        # the invoices' rows are neither written by the ORM nor rewritten in SQL
        self.assertEqual(self._row_versions(old | recent), before)
        self.env.invalidate_all()
        self.assertEqual(str(old.write_date), past)
        self.assertEqual(str(recent.write_date), past)
        # the invoice's fields read the state
        self.assertRecordValues(
            old | recent,
            [
                {
                    "collection_case_id": case.id,
                    "collection_level_id": self.l_second.id,
                    "collection_level_date": date(2026, 2, 18),
                    "collection_stage_id": case.stage_id.id,
                },
                {
                    "collection_case_id": case.id,
                    "collection_level_id": self.l_first.id,
                    "collection_level_date": date(2026, 2, 18),
                    "collection_stage_id": case.stage_id.id,
                },
            ],
        )

    def test_group_by_follow_up_level(self):
        old, recent, other, later = self._followed_up()
        invoices = old | recent | other | later
        for user in (self.collector, self.accountant):
            Move = self.env["account.move"].with_user(user)
            with self.subTest(user=user.login):
                groups = dict(
                    Move._read_group(
                        [("id", "in", invoices.ids)], ["collection_level_id"], ["__count"]
                    )
                )
                self.assertEqual(
                    {level.id: count for level, count in groups.items()},
                    {self.l_second.id: 1, self.l_first.id: 2, False: 1},
                )
                # as the search view's "Follow-up Level" group-by asks for it
                result = Move.formatted_read_group(
                    [("id", "in", invoices.ids)], ["collection_level_id"], ["__count"]
                )
                self.assertEqual(
                    {
                        (group["collection_level_id"] or (False,))[0]: group["__count"]
                        for group in result
                    },
                    {self.l_second.id: 1, self.l_first.id: 2, False: 1},
                )
                by_month = dict(
                    Move._read_group(
                        [("id", "in", invoices.ids), ("collection_level_date", "!=", False)],
                        ["collection_level_date:month"],
                        ["__count"],
                    )
                )
                self.assertEqual(by_month, {date(2026, 2, 1): 3})
                by_case = dict(
                    Move._read_group(
                        [("id", "in", invoices.ids)], ["collection_case_id"], ["__count"]
                    )
                )
                self.assertEqual(
                    {case.id: count for case, count in by_case.items()},
                    {
                        self.case_of(self.debtor).id: 2,
                        self.case_of(self.debtor_two).id: 1,
                        False: 1,
                    },
                )
                described = Move.fields_get(
                    ["collection_case_id", "collection_level_id", "collection_level_date"],
                    ["groupable", "sortable", "searchable"],
                )
                for fname, description in described.items():
                    self.assertEqual(
                        description,
                        {"groupable": True, "sortable": True, "searchable": True},
                        fname,
                    )

    def test_search_and_sort_by_case_and_level(self):
        old, recent, other, later = self._followed_up()
        invoices = old | recent | other | later
        case = self.case_of(self.debtor)
        for user in (self.collector, self.accountant):
            Move = self.env["account.move"].with_user(user)

            def search(domain, Move=Move, order=None):
                return Move.search(Domain("id", "in", invoices.ids) & Domain(domain), order=order)

            with self.subTest(user=user.login):
                self.assertEqual(search([("collection_case_id", "=", case.id)]), old | recent)
                self.assertEqual(search([("collection_case_id", "!=", case.id)]), other | later)
                self.assertEqual(search([("collection_case_id", "=", False)]), later)
                if user == self.collector:  # cases and levels are the collectors' records
                    self.assertEqual(
                        search([("collection_case_id.partner_id", "=", self.debtor_two.id)]),
                        other,
                    )
                    self.assertEqual(search([("collection_level_id", "ilike", "Second")]), old)
                self.assertEqual(
                    search([("collection_stage_id", "=", case.stage_id.id)]),
                    search([("collection_case_id", "!=", False)]).filtered(
                        lambda m: m.collection_case_id.stage_id == case.stage_id
                    ),
                )
                self.assertEqual(
                    search([("collection_level_id", "=", self.l_first.id)]), recent | other
                )
                self.assertEqual(
                    search([("collection_level_id", "not in", [self.l_first.id])]), old | later
                )
                # the invoice list's filter "In Follow-up"
                self.assertEqual(
                    search(
                        [
                            ("collection_level_id", "!=", False),
                            ("payment_state", "in", ("not_paid", "partial")),
                        ]
                    ),
                    old | recent | other,
                )
                self.assertEqual(
                    search([("collection_level_date", ">=", "2026-02-01")]), old | recent | other
                )
                self.assertEqual(search([("collection_level_date", "=", False)]), later)
                ordered = search([], order="collection_level_id, id")
                self.assertEqual(ordered[-1], later, "no level last (ascending)")
                self.assertEqual(
                    search(
                        [("collection_level_id", "!=", False)],
                        order="collection_level_date desc, id",
                    ),
                    old | recent | other,
                )

    def test_case_lists_its_invoices(self):
        old, recent, other, later = self._followed_up()
        case = self.case_of(self.debtor)
        case_two = self.case_of(self.debtor_two)
        self.assertEqual(case.invoice_ids, old | recent)
        self.assertEqual(case_two.invoice_ids, other)
        Case = self.env["collection.case"].with_user(self.collector)
        cases = (case | case_two).ids
        self.assertEqual(
            Case.search([("id", "in", cases), ("invoice_ids", "any", [("id", "=", old.id)])]),
            case,
        )
        self.assertEqual(
            Case.search([("id", "in", cases), ("invoice_ids", "in", other.ids)]), case_two
        )
        self.assertEqual(
            Case.search(
                [("id", "in", cases), ("invoice_ids", "not any", [("amount_total", ">", 150)])]
            ),
            case_two,
        )
        self.assertEqual(Case.search([("id", "in", cases), ("invoice_ids", "=", False)]), Case)
        # an agency placement offers the case's open invoices
        self.assertEqual(
            self.env["account.move"].search(
                [("collection_case_id", "=", case.id), ("amount_residual", ">", 0)]
            ),
            old | recent,
        )

    def test_system_sets_the_state_by_hand(self):
        invoice = self.create_invoice(self.debtor, 100, "2026-01-10")
        self.assertFalse(
            self.env["collection.invoice.state"].search([("move_id", "=", invoice.id)])
        )
        invoice.sudo().write({"collection_level_id": self.l_first.id})
        state = self.env["collection.invoice.state"].search([("move_id", "=", invoice.id)])
        self.assertRecordValues(
            state, [{"level_id": self.l_first.id, "case_id": False, "company_id": self.company.id}]
        )
        invoice.sudo().write({"collection_level_date": "2026-01-20"})
        self.assertRecordValues(
            state, [{"level_id": self.l_first.id, "level_date": date(2026, 1, 20)}]
        )
        invoice.sudo().write({"collection_level_id": False})
        self.assertFalse(invoice.collection_level_id)
        self.assertEqual(invoice.collection_level_date, date(2026, 1, 20))
        # deleting the invoice deletes its state
        invoice.button_draft()
        invoice.with_context(force_delete=True).unlink()
        self.assertFalse(state.exists())

    def test_advance_levels_query_count_does_not_grow_with_invoices(self):
        def advance(debtors, invoices_per_debtor):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"State {debtors}-{i}", "email": f"st{debtors}_{i}@example.com"}
                    for i in range(debtors)
                ]
            )
            with freeze_time("2026-01-01"):
                for partner in partners:
                    for _n in range(invoices_per_debtor):
                        self.create_invoice(partner, 100, "2026-01-05")
            with freeze_time("2026-01-20"):
                run = self.env["collection.run"].sudo().create({"company_id": self.company.id})
                run._compute_proposals()
                communications = run.communication_ids.filtered(lambda c: c.partner_id in partners)
                self.assertEqual(len(communications.line_ids), debtors * invoices_per_debtor)
                with self.count_queries() as queries:
                    communications._advance_levels()
            moves = communications.line_ids.move_id
            self.assertEqual(set(moves.mapped("collection_level_id")), {communications[0].level_id})
            return queries.count

        small = advance(debtors=2, invoices_per_debtor=1)
        large = advance(debtors=6, invoices_per_debtor=4)
        self.assertEqual(small, large)

    def test_upgrade_copies_the_invoice_columns(self):
        """The upgrade from 19.0.1.0.1 (`_move_invoice_columns`, run by the migration):
        the three columns of account_move become state rows, then are dropped."""
        invoice = self.create_invoice(self.debtor, 100, "2026-01-10")
        untouched = self.create_invoice(self.debtor, 100, "2026-01-10")
        with freeze_time("2026-01-20"):
            self.env["collection.case"]._sync_cases(self.company)
        case = self.case_of(self.debtor)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute("DELETE FROM collection_invoice_state")
        cr.execute(
            "ALTER TABLE account_move ADD COLUMN collection_case_id int4,"
            " ADD COLUMN collection_level_id int4, ADD COLUMN collection_level_date date"
        )
        cr.execute(
            SQL(
                "UPDATE account_move SET collection_case_id = %s, collection_level_id = %s,"
                " collection_level_date = %s WHERE id = %s",
                case.id,
                self.l_first.id,
                "2026-01-15",
                invoice.id,
            )
        )
        State = self.env["collection.invoice.state"]
        self.assertEqual(State._move_invoice_columns(), 1)
        self.assertRecordValues(
            State.search([("move_id", "in", (invoice | untouched).ids)]),
            [
                {
                    "move_id": invoice.id,
                    "company_id": self.company.id,
                    "case_id": case.id,
                    "level_id": self.l_first.id,
                    "level_date": date(2026, 1, 15),
                }
            ],
        )
        cr.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'account_move' AND column_name LIKE 'collection_%%'"
        )
        self.assertFalse(cr.fetchall())
        self.assertEqual(State._move_invoice_columns(), 0, "nothing left to move")
