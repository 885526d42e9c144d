from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestReportingCommon(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Aging = cls.env["collection.aged.receivable"]
        cls.collector_a = cls._create_collector("Collector A", "cm_rep_a")
        cls.collector_b = cls._create_collector("Collector B", "cm_rep_b")

    @classmethod
    def _create_collector(cls, name, login):
        return new_test_user(
            cls.env,
            login=login,
            name=name,
            groups="collections_management.group_collections_collector",
            company_id=cls.company.id,
        )

    def aging(self, date, domain=None, env=None):
        """{(partner id, bucket): amount} at `date`."""
        Aging = (env or self.env)["collection.aged.receivable"].with_context(aging_date=date)
        return {
            (partner.id, bucket): amount
            for partner, bucket, amount in Aging._read_group(
                [("company_id", "in", self.env.companies.ids), *(domain or [])],
                ["partner_id", "bucket"],
                ["amount_residual:sum"],
            )
        }

    def sync(self, date, company=None):
        company = company or self.company
        with freeze_time(date):
            self.env["collection.case"]._sync_cases(company)


@tagged("post_install", "-at_install")
class TestAgedReceivables(TestReportingCommon):
    def test_bucket_boundaries(self):
        # Days past due on 2026-03-31: 0, 30, 31, 120 and 121.
        for due, amount in (
            ("2026-03-31", 1.0),
            ("2026-03-01", 10.0),
            ("2026-02-28", 100.0),
            ("2025-12-01", 1000.0),
            ("2025-11-30", 10000.0),
        ):
            self.create_invoice(self.debtor, amount, due, invoice_date="2025-11-01")
        with freeze_time("2026-03-31"):
            rows = self.Aging.search([("partner_id", "=", self.debtor.id)])
            self.assertEqual(
                {row.amount_residual: (row.bucket, row.days_overdue) for row in rows},
                {
                    1.0: ("0_not_due", 0),
                    10.0: ("1_1_30", 30),
                    100.0: ("2_31_60", 31),
                    1000.0: ("4_91_120", 120),
                    10000.0: ("5_over_120", 121),
                },
            )
            totals = rows.read(
                [
                    "amount_not_due",
                    "amount_1_30",
                    "amount_31_60",
                    "amount_91_120",
                    "amount_over_120",
                ]
            )
        self.assertEqual(sum(row["amount_over_120"] for row in totals), 10000.0)
        self.assertEqual(sum(row["amount_not_due"] for row in totals), 1.0)
        # The aging date comes from the context: a day later everything moves on.
        self.assertEqual(
            self.aging("2026-04-01", [("partner_id", "=", self.debtor.id)]),
            {
                (self.debtor.id, "1_1_30"): 1.0,
                (self.debtor.id, "2_31_60"): 110.0,
                (self.debtor.id, "5_over_120"): 11000.0,
            },
        )

    def test_partial_payment_and_residual_at_an_earlier_date(self):
        invoice = self.create_invoice(self.debtor, 1000.0, "2026-01-31", invoice_date="2026-01-01")
        self.pay(invoice, 400.0, "2026-02-20")
        later = self.create_invoice(self.debtor, 50.0, "2026-03-31", invoice_date="2026-03-01")
        key = (self.debtor.id, "1_1_30")
        # Today: 600 left, 48 days past due; the later invoice is not due.
        self.assertEqual(
            self.aging("2026-03-20"),
            {(self.debtor.id, "2_31_60"): 600.0, (self.debtor.id, "0_not_due"): 50.0},
        )
        # On 2026-02-10 the payment had not come in and the later invoice did not exist.
        self.assertEqual(self.aging("2026-02-10"), {key: 1000.0})
        self.assertTrue(later)
        # Paid in full: gone from today's aging, still there at the earlier date.
        self.pay(invoice, 600.0, "2026-03-25")
        self.assertEqual(self.aging("2026-03-26"), {(self.debtor.id, "0_not_due"): 50.0})
        self.assertEqual(self.aging("2026-02-25"), {(self.debtor.id, "1_1_30"): 600.0})

    @freeze_time("2026-02-15")
    def test_foreign_currency_in_company_currency(self):
        eur = self.setup_other_currency("EUR")  # 2 EUR = 1 company currency unit
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.debtor.id,
                "currency_id": eur.id,
                "invoice_date": "2026-01-01",
                "invoice_date_due": "2026-01-31",
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": 1000.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        row = self.Aging.search([("move_id", "=", invoice.id)])
        self.assertRecordValues(
            row,
            [
                {
                    "amount_residual": 500.0,
                    "invoice_currency_id": eur.id,
                    "currency_id": self.company.currency_id.id,
                }
            ],
        )

    def test_totals_equal_odoo_receivable(self):
        first = self.create_invoice(self.debtor, 1200.0, "2026-01-31", invoice_date="2026-01-01")
        self.create_invoice(self.debtor, 300.0, "2026-04-30", invoice_date="2026-03-01")
        self.create_invoice(self.debtor_two, 800.0, "2025-10-31", invoice_date="2025-10-01")
        self.pay(first, 200.0, "2026-02-10")
        # An unapplied payment: a credit open on the account.
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.debtor_two.id,
                "amount": 150.0,
                "date": "2026-03-01",
            }
        )
        payment.action_post()
        # A draft invoice is not a receivable.
        self.create_invoice(self.debtor, 999.0, "2026-04-30", post=False)
        debtors = self.debtor | self.debtor_two
        with freeze_time("2026-03-15"):
            totals = dict(
                self.Aging._read_group(
                    [("partner_id", "in", debtors.ids)], ["partner_id"], ["amount_residual:sum"]
                )
            )
        debtors.invalidate_recordset(["credit"])
        self.assertEqual(totals[self.debtor], self.debtor.credit)
        self.assertEqual(totals[self.debtor_two], self.debtor_two.credit)
        self.assertEqual(totals[self.debtor], 1300.0)
        self.assertEqual(totals[self.debtor_two], 650.0)

    def test_multi_company_isolation(self):
        other = self.setup_other_company(name="Collections Other Co")["company"]
        self.create_invoice(self.debtor, 100.0, "2026-01-31", invoice_date="2026-01-01")
        self.create_invoice(
            self.debtor, 700.0, "2026-01-31", invoice_date="2026-01-01", company=other
        )
        self.env.user.company_ids |= other
        Aging = self.env["collection.aged.receivable"].with_context(aging_date="2026-02-15")
        one = Aging.with_context(allowed_company_ids=self.company.ids).search([])
        both = Aging.with_context(allowed_company_ids=(self.company | other).ids).search([])
        self.assertEqual(sum(one.mapped("amount_residual")), 100.0)
        self.assertEqual(one.company_id, self.company)
        self.assertEqual(sum(both.mapped("amount_residual")), 800.0)

    def test_collector_sees_own_and_unassigned_debtors(self):
        third = self._create_debtor("Debtor Three", "three@example.com")
        for debtor in (self.debtor, self.debtor_two, third):
            self.create_invoice(debtor, 100.0, "2026-01-31", invoice_date="2026-01-01")
        self.sync("2026-02-15")
        self.case_of(self.debtor).user_id = self.collector_a
        self.case_of(self.debtor_two).user_id = self.collector_b
        self.case_of(third).user_id = False
        rows = (
            self.env["collection.aged.receivable"]
            .with_user(self.collector_a)
            .with_context(aging_date="2026-02-15")
            .search([])
        )
        self.assertEqual(rows.partner_id, self.debtor | third)
        self.assertEqual(rows.filtered("user_id").user_id, self.collector_a)

    def test_bad_aging_date(self):
        with self.assertRaisesRegex(UserError, "not a date"):
            self.Aging.with_context(aging_date="someday").search([])

    def test_wizard_opens_the_analysis_at_its_date(self):
        wizard = self.env["collection.aged.receivable.wizard"].create({"date": "2026-02-01"})
        action = wizard.action_open()
        self.assertEqual(action["res_model"], "collection.aged.receivable")
        self.assertEqual(action["context"]["aging_date"], "2026-02-01")

    def test_a_collector_change_not_yet_flushed_shows_in_the_aging_and_kpis(self):
        self.create_invoice(self.debtor, 100.0, "2026-01-31", invoice_date="2026-01-01")
        self.sync("2026-02-15")
        self.case_of(self.debtor).user_id = self.collector_a
        self.env.flush_all()
        # The new collector waits in the cache: reading either view must flush it first.
        self.case_of(self.debtor).user_id = self.collector_b
        domain = [("partner_id", "=", self.debtor.id)]
        Aging = self.Aging.with_context(aging_date="2026-02-15")
        self.assertEqual(Aging._read_group(domain, ["user_id"]), [(self.collector_b,)])
        with freeze_time("2026-02-15"):
            kpi = self.env["collection.receivable.kpi"]._read_group(
                [("scope", "=", "collector"), ("company_id", "=", self.company.id)],
                ["user_id"],
            )
        self.assertEqual(kpi, [(self.collector_b,)])


@tagged("post_install", "-at_install")
class TestCollectorPerformance(TestReportingCommon):
    def performance(self, user=None):
        Performance = self.env["collection.collector.performance"]
        if user:
            Performance = Performance.with_user(user)
        return {
            (user.id, fields.Date.to_string(month)): (worked, cash, resolved, target)
            for user, month, worked, cash, resolved, target in Performance._read_group(
                [],
                ["user_id", "date:month"],
                [
                    "cases_worked:sum",
                    "cash_collected:sum",
                    "cases_resolved:sum",
                    "target_amount:sum",
                ],
            )
        }

    def test_cases_worked_cash_resolved_and_targets(self):
        invoice = self.create_invoice(self.debtor, 1000.0, "2026-01-31", invoice_date="2026-01-01")
        other = self.create_invoice(self.debtor_two, 500.0, "2026-01-31", invoice_date="2026-01-01")
        self.sync("2026-02-10")
        case, case_two = self.case_of(self.debtor), self.case_of(self.debtor_two)
        case.user_id = self.collector_a
        case_two.user_id = self.collector_b
        # Collector A works the case twice in February: counted once.
        with freeze_time("2026-02-12"):
            case.with_user(self.collector_a).message_post(
                body="Called, promised to pay", message_type="comment"
            )
        with freeze_time("2026-02-20"):
            case.with_user(self.collector_a).message_post(body="Reminder", message_type="comment")
        self.pay(invoice, 400.0, "2026-02-25")
        with freeze_time("2026-03-05"):
            self.pay(invoice, 600.0, "2026-03-05")  # the debt is paid: the case is resolved
        self.assertFalse(case.is_open)
        self.env["collection.target"].create(
            [
                {"user_id": self.collector_a.id, "date": "2026-02-14", "amount": 800.0},
                {"user_id": self.collector_a.id, "date": "2026-03-01", "amount": 500.0},
            ]
        )
        figures = self.performance()
        self.assertEqual(figures[(self.collector_a.id, "2026-02-01")], (1, 400.0, 0, 800.0))
        self.assertEqual(figures[(self.collector_a.id, "2026-03-01")], (0, 600.0, 1, 500.0))
        self.assertNotIn((self.collector_b.id, "2026-02-01"), figures, "B did nothing")
        self.assertTrue(other)

        targets = self.env["collection.target"].search([("user_id", "=", self.collector_a.id)])
        by_month = {fields.Date.to_string(t.date): t for t in targets}
        self.assertEqual(by_month["2026-02-01"].amount_collected, 400.0)
        self.assertEqual(by_month["2026-02-01"].achievement, 50.0)
        self.assertEqual(by_month["2026-03-01"].achievement, 120.0)

        # A collector sees their own figures only.
        with freeze_time("2026-02-26"):
            self.pay(other, 500.0, "2026-02-26")
        self.assertEqual(self.performance()[(self.collector_b.id, "2026-02-01")], (0, 500.0, 1, 0))
        self.assertEqual(
            set(self.performance(self.collector_b)), {(self.collector_b.id, "2026-02-01")}
        )
        self.assertEqual(
            {key[0] for key in self.performance(self.collector_a)}, {self.collector_a.id}
        )

    def test_target_rules(self):
        with self.assertRaisesRegex(ValidationError, "positive"):
            self.env["collection.target"].create(
                {"user_id": self.collector_a.id, "date": "2026-01-01", "amount": 0.0}
            )
        self.env["collection.target"].create(
            {"user_id": self.collector_a.id, "date": "2026-02-01", "amount": 10.0}
        )
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            self.env["collection.target"].create(
                {"user_id": self.collector_a.id, "date": "2026-02-27", "amount": 20.0}
            )
        with self.assertRaises(AccessError):
            self.env["collection.target"].with_user(self.collector_a).create(
                {"user_id": self.collector_a.id, "date": "2026-03-01", "amount": 10.0}
            )

    def test_promise_analysis_shows_a_state_change_not_yet_flushed(self):
        self.create_invoice(self.debtor, 500.0, "2026-01-31", invoice_date="2026-01-01")
        self.sync("2026-02-10")
        with freeze_time("2026-02-10"):
            promise = self.env["collection.promise"].create(
                {"partner_id": self.debtor.id, "date_promised": "2026-02-20"}
            )
        Report = self.env["collection.promise.report"]
        domain = [("promise_id", "=", promise.id)]
        self.assertEqual(Report._read_group(domain, ["state"], ["__count"]), [("open", 1)])
        # The new state waits in the cache: reading the analysis must flush it first.
        promise.action_cancel()
        self.assertEqual(Report._read_group(domain, ["state"], ["__count"]), [("cancelled", 1)])
        self.assertEqual(Report.search(domain).state, "cancelled")


@tagged("post_install", "-at_install")
class TestDsoCei(TestReportingCommon):
    def test_dso_countback_and_cei_on_a_small_ledger(self):
        # Jan 10 invoice A 1,000 (due Feb 9); Feb 5 invoice B 2,000 (due Mar 7);
        # Feb 20 A paid; Mar 10 invoice C 1,500 (due Apr 9); Mar 25 500 paid on B.
        a = self.create_invoice(self.debtor, 1000.0, "2026-02-09", invoice_date="2026-01-10")
        b = self.create_invoice(self.debtor, 2000.0, "2026-03-07", invoice_date="2026-02-05")
        self.pay(a, 1000.0, "2026-02-20")
        self.create_invoice(self.debtor, 1500.0, "2026-04-09", invoice_date="2026-03-10")
        self.pay(b, 500.0, "2026-03-25")
        self.sync("2026-03-26")
        self.case_of(self.debtor).user_id = self.collector_a
        with freeze_time("2026-04-10"):
            rows = self.env["collection.receivable.kpi"].search(
                [("date", ">=", "2026-01-01"), ("date", "<=", "2026-03-01")]
            )
            by_key = {(row.scope, fields.Date.to_string(row.date)): row for row in rows}
            collector_rows = (
                self.env["collection.receivable.kpi"]
                .with_user(self.collector_a)
                .search([("date", "=", "2026-03-01")])
            )
        jan, feb, mar = (by_key[("company", f"2026-0{m}-01")] for m in (1, 2, 3))
        # Receivables at month end: 1,000; 2,000; 3,000. Sales 1,000; 2,000; 1,500.
        self.assertRecordValues(
            jan | feb | mar,
            [
                {"ar_end": 1000.0, "sales": 1000.0},
                {"ar_end": 2000.0, "sales": 2000.0},
                {"ar_end": 3000.0, "sales": 1500.0},
            ],
        )
        self.assertRecordValues(feb | mar, [{"ar_begin": 1000.0}, {"ar_begin": 2000.0}])
        # Countback: January 1,000 of 1,000 sold -> 31 days; February 28 days;
        # March: 1,500 of March (31 days) + 1,500 of February's 2,000 (28 x 0.75 = 21).
        self.assertAlmostEqual(jan.dso, 31.0)
        self.assertAlmostEqual(feb.dso, 28.0)
        self.assertAlmostEqual(mar.dso, 52.0)
        # CEI March: (2,000 + 1,500 - 3,000) / (2,000 + 1,500 - 1,500 current) = 25 %.
        self.assertEqual(mar.ar_current, 1500.0)
        self.assertAlmostEqual(mar.cei, 25.0)
        # CEI February: (1,000 + 2,000 - 2,000) / (1,000 + 2,000 - 2,000 current) = 100 %.
        self.assertEqual(feb.ar_current, 2000.0)
        self.assertAlmostEqual(feb.cei, 100.0)
        # The collector's own rows, and only those.
        self.assertEqual(collector_rows.user_id, self.collector_a)
        self.assertEqual(collector_rows.scope, "collector")
        self.assertAlmostEqual(collector_rows.dso, 52.0)


@tagged("post_install", "-at_install")
class TestDashboard(TestReportingCommon):
    def test_dashboard_figures(self):
        invoice = self.create_invoice(self.debtor, 1000.0, "2026-01-31", invoice_date="2026-01-01")
        self.create_invoice(self.debtor_two, 300.0, "2026-02-20", invoice_date="2026-01-21")
        self.create_invoice(self.debtor_two, 50.0, "2026-04-20", invoice_date="2026-03-10")
        self.sync("2026-03-10")
        self.case_of(self.debtor).user_id = self.collector_a
        self.pay(invoice, 250.0, "2026-03-09")
        with freeze_time("2026-03-15"):
            card = self.env["collection.dashboard"].search([("company_id", "=", self.company.id)])
            # 30 days ago (Feb 13) only the first invoice was late, unpaid.
            self.assertRecordValues(
                card,
                [
                    {
                        "amount_overdue": 1050.0,
                        "amount_total": 1100.0,
                        "amount_overdue_previous": 1000.0,
                        "open_case_count": 2,
                    }
                ],
            )
            self.assertAlmostEqual(card.overdue_trend, 5.0)
            self.assertEqual(
                card.top_debtor_data,
                [
                    {"id": self.debtor.id, "label": self.debtor.display_name, "amount": 750.0},
                    {
                        "id": self.debtor_two.id,
                        "label": self.debtor_two.display_name,
                        "amount": 300.0,
                    },
                ],
            )
            self.assertEqual(
                card.leaderboard_data,
                [
                    {
                        "id": self.collector_a.id,
                        "label": self.collector_a.name,
                        "amount": 250.0,
                        "cases_worked": 0,
                    }
                ],
            )
            self.assertEqual(
                [(row["key"], row["label"], row["amount"]) for row in card.aging_data],
                [
                    ("0_not_due", "Not Due", 50.0),
                    ("1_1_30", "1-30", 300.0),
                    ("2_31_60", "31-60", 750.0),
                    ("3_61_90", "61-90", 0.0),
                    ("4_91_120", "91-120", 0.0),
                    ("5_over_120", "Over 120", 0.0),
                ],
            )
            self.assertEqual(
                card.action_open_aging()["domain"], [("company_id", "=", self.company.id)]
            )


@tagged("post_install", "-at_install")
class TestAgingCollectorHistory(TestReportingCommon):
    def collectors(self, date=None):
        """{bucket: collector} of the debtor's rows at `date` (None: today)."""
        Aging = self.env["collection.aged.receivable"]
        if date:
            Aging = Aging.with_context(aging_date=date)
        # the rows of each date share their ids: read them afresh
        Aging.invalidate_model()
        rows = Aging.search([("partner_id", "=", self.debtor.id)])
        return set(rows.mapped("user_id"))

    def test_past_aging_shows_the_collector_of_that_date(self):
        self.create_invoice(self.debtor, 500.0, "2026-01-10", invoice_date="2025-12-10")
        with freeze_time("2026-01-05"):
            case = self.env["collection.case"].create(
                {"partner_id": self.debtor.id, "user_id": self.collector_a.id}
            )
        with freeze_time("2026-03-01"):
            case.user_id = self.collector_b
        self.assertEqual(
            sorted((str(row.date_from), row.user_id.id) for row in case.assignment_ids),
            [("2026-01-05", self.collector_a.id), ("2026-03-01", self.collector_b.id)],
        )
        with freeze_time("2026-03-20"):
            self.assertEqual(self.collectors("2026-02-15"), {self.collector_a})
            self.assertEqual(self.collectors(), {self.collector_b})
            self.assertEqual(self.collectors("2026-03-10"), {self.collector_b})

    def test_case_without_history_falls_back_to_its_collector(self):
        self.create_invoice(self.debtor, 500.0, "2026-01-10", invoice_date="2025-12-10")
        case = self.env["collection.case"].create(
            {"partner_id": self.debtor.id, "user_id": self.collector_a.id}
        )
        # as for a case from before the history was kept
        case.assignment_ids.sudo().unlink()
        self.assertEqual(self.collectors("2026-02-15"), {self.collector_a})

    def test_assignments_are_written_by_the_system_only(self):
        case = self.env["collection.case"].create({"partner_id": self.debtor.id})
        self.assertFalse(case.assignment_ids)
        with self.assertRaises(AccessError):
            self.env["collection.case.assignment"].with_user(self.collector_a).create(
                {"case_id": case.id, "user_id": self.collector_a.id}
            )
