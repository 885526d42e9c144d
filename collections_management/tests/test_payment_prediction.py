from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon

TODAY = "2026-06-01"  # a Monday


@tagged("post_install", "-at_install")
class TestPaymentPrediction(CollectionsCommon):
    """Payment behaviour, predictions, the cash-in forecast and the backtest on a small
    history: Debtor One paid four invoices 10, 12, 14 and 40 days late (the last the
    most recent), so its weighted median delay is 14 days."""

    def _history(self):
        for due, paid in (
            ("2026-01-01", "2026-01-11"),
            ("2026-02-01", "2026-02-13"),
            ("2026-03-01", "2026-03-15"),
            ("2026-04-01", "2026-05-11"),
        ):
            self.pay(self.create_invoice(self.debtor, 100.0, due), 100.0, paid)

    def _compute(self, date=TODAY):
        with freeze_time(date):
            self.env["collection.payment.behaviour"].sudo()._compute_for_company(self.company)

    def _behaviour(self, partner):
        return self.env["collection.payment.behaviour"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _prediction(self, invoice):
        Prediction = self.env["collection.payment.prediction"]
        with freeze_time(TODAY):
            self.env.invalidate_all()
            prediction = Prediction.search([("move_id", "=", invoice.id)])
            prediction.fetch(list(Prediction._fields))
            prediction.mapped("reason")
            return prediction

    def test_typical_delay_spread_trend(self):
        self._history()
        self.create_invoice(self.debtor, 100.0, "2026-02-15")  # never paid
        self._compute()
        behaviour = self._behaviour(self.debtor)
        self.assertEqual(behaviour.invoice_count, 4)
        self.assertEqual(behaviour.typical_delay, 14.0)
        self.assertGreater(behaviour.delay_spread, 0)
        self.assertGreater(behaviour.trend, 0, "paying later and later")
        self.assertEqual(behaviour.segment, "business")
        self.assertEqual(behaviour.date_computed, fields.Date.to_date(TODAY))
        # due 60 days ago or more: four paid within 60 days, one not
        self.assertEqual(behaviour.collected_rate, 80.0)

    def test_paid_after_contact_and_promises_kept(self):
        self._history()
        invoice = self.create_invoice(self.debtor, 100.0, "2026-05-01")
        case = (
            self.env["collection.case"]
            .sudo()
            .create({"partner_id": self.debtor.id, "company_id": self.company.id})
        )
        self.env["collection.contact"].sudo().create(
            {
                "case_id": case.id,
                "channel": "phone",
                "direction": "outbound",
                "date": "2026-05-05 10:00:00",
            }
        )
        self.pay(invoice, 100.0, "2026-05-08")
        self._compute()
        behaviour = self._behaviour(self.debtor)
        self.assertEqual(behaviour.invoice_count, 5)
        # the call of 5 May came before the payment of 8 May and of 11 May
        self.assertEqual(behaviour.after_contact_rate, 40.0)

    def test_prediction_from_history_with_reason_and_buckets(self):
        self._history()
        soon = self.create_invoice(self.debtor, 250.0, "2026-06-10")
        later = self.create_invoice(self.debtor, 80.0, "2026-09-30")
        self._compute()
        prediction = self._prediction(soon)
        self.assertEqual(prediction.basis, "history")
        self.assertEqual(prediction.predicted_date, fields.Date.to_date("2026-06-24"))
        self.assertEqual(prediction.predicted_delay, 14)
        self.assertEqual(prediction.amount_residual, 250.0)
        self.assertEqual(prediction.amount_expected, 250.0)
        self.assertEqual(prediction.bucket, "week")
        self.assertEqual(prediction.period_date, fields.Date.to_date("2026-06-22"))
        self.assertIn("14 days late", prediction.reason)
        self.assertIn("4 paid invoices", prediction.reason)
        far = self._prediction(later)
        self.assertEqual(far.bucket, "month")
        self.assertEqual(far.period_date, fields.Date.to_date("2026-10-01"))

    def test_already_late_beyond_usual_date(self):
        self._history()
        old = self.create_invoice(self.debtor, 100.0, "2026-04-20")
        self._compute()
        # usual date 4 May, 28 days ago: expected in 28 more days
        self.assertEqual(self._prediction(old).predicted_date, fields.Date.to_date("2026-06-29"))

    def test_long_past_its_usual_date_is_not_expected_without_action(self):
        self._history()
        old = self.create_invoice(self.debtor, 100.0, "2026-03-01")
        self._compute()
        prediction = self._prediction(old)
        # usual date 15 March, 78 days ago: beyond 30 days and twice the spread
        self.assertEqual(prediction.basis, "unlikely")
        self.assertEqual(prediction.bucket, "unlikely")
        self.assertFalse(prediction.predicted_date)
        self.assertEqual(prediction.predicted_delay, 92)
        self.assertIn("not expected without action", prediction.reason)

    def test_new_debtor_gets_the_segment_figure(self):
        self._history()
        invoice = self.create_invoice(self.debtor_two, 100.0, "2026-06-20")
        self._compute()
        segment = self.env["collection.payment.behaviour"].search(
            [("partner_id", "=", False), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(segment.segment, "business")
        self.assertEqual(segment.typical_delay, 14.0)
        prediction = self._prediction(invoice)
        self.assertEqual(prediction.basis, "segment")
        self.assertEqual(prediction.predicted_date, fields.Date.to_date("2026-07-04"))
        self.assertIn("Business", prediction.reason)

    def test_no_history_at_all_expects_the_due_date(self):
        invoice = self.create_invoice(self.debtor_two, 100.0, "2026-06-20")
        self._compute()
        prediction = self._prediction(invoice)
        self.assertEqual(prediction.basis, "none")
        self.assertEqual(prediction.predicted_date, fields.Date.to_date("2026-06-20"))

    def test_open_promise_weighted_by_kept_rate(self):
        self._history()
        invoice = self.create_invoice(self.debtor, 100.0, "2026-05-30")
        with freeze_time(TODAY):
            self.env["collection.promise"].create(
                {
                    "partner_id": self.debtor.id,
                    "move_ids": [Command.set(invoice.ids)],
                    "amount": 100.0,
                    "date_promised": "2026-06-05",
                }
            )
        self._compute()
        prediction = self._prediction(invoice)
        self.assertEqual(prediction.basis, "promise")
        # usual date 13 June; no promise judged yet: kept one time in two, halfway
        self.assertEqual(prediction.predicted_date, fields.Date.to_date("2026-06-09"))
        self.assertIn("promise for", prediction.reason)

    def test_plan_instalments_pay_the_oldest_invoices_first(self):
        first = self.create_invoice(self.debtor_two, 300.0, "2026-04-01")
        second = self.create_invoice(self.debtor_two, 600.0, "2026-05-01")
        with freeze_time(TODAY):
            plan = self.env["collection.payment.plan"].create(
                {
                    "partner_id": self.debtor_two.id,
                    "instalment_count": 3,
                    "frequency": "monthly",
                    "date_first": "2026-06-10",
                }
            )
            plan.action_activate()
        self._compute()
        self.assertEqual(self._prediction(first).basis, "plan")
        self.assertEqual(self._prediction(first).predicted_date, fields.Date.to_date("2026-06-10"))
        self.assertEqual(self._prediction(second).predicted_date, fields.Date.to_date("2026-08-10"))

    def test_disputed_invoice_is_left_out_of_the_forecast(self):
        invoice = self.create_invoice(self.debtor_two, 100.0, "2026-05-15")
        with freeze_time(TODAY):
            self.env["collection.dispute"].create(
                {
                    "move_id": invoice.id,
                    "amount": 100.0,
                    "reason_id": self.env.ref("collections_management.dispute_reason_quantity").id,
                }
            )
        self._compute()
        prediction = self._prediction(invoice)
        self.assertEqual(prediction.basis, "disputed")
        self.assertEqual(prediction.bucket, "disputed")
        self.assertFalse(prediction.predicted_date)

    def test_backtest_figures(self):
        self._history()
        early = self.create_invoice(self.debtor, 500.0, "2026-05-15")
        late = self.create_invoice(self.debtor, 300.0, "2026-05-20")
        self.pay(early, 500.0, "2026-05-28")
        self.pay(late, 300.0, "2026-05-30")
        Backtest = self.env["collection.prediction.backtest"]
        with freeze_time(TODAY):
            rows = Backtest._backtest(self.company, Backtest._dates(1))
        # as of 25 May: typical delay 14, so 29 May (paid 28 May) and 3 June (paid 30 May)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["date"], fields.Date.to_date("2026-05-25"))
        self.assertEqual(rows[0]["paid_count"], 2)
        self.assertEqual(rows[0]["error_days"], 5)
        self.assertEqual(rows[0]["predicted_amount"], 500.0)
        self.assertEqual(rows[0]["actual_amount"], 800.0)
        paid, mae, error = Backtest._summary(rows)
        self.assertEqual((paid, mae, error), (2, 2.5, 37.5))
        manager = self._create_user("bt_manager", "group_collections_manager")
        with freeze_time(TODAY):
            wizard = Backtest.with_user(manager).create({"weeks": 1})
            wizard.action_run()
        self.assertEqual(wizard.mae_days, 2.5)
        self.assertEqual(wizard.weekly_error, 37.5)
        self.assertEqual(len(wizard.line_ids), 1)

    def test_worklist_score_part(self):
        self._history()
        self.create_invoice(self.debtor, 100.0, "2026-05-20")
        self._compute()
        with freeze_time(TODAY):
            self.env["collection.case"]._sync_cases(self.company)
            case = self.case_of(self.debtor)
            self.assertEqual(case.score_unlikely, 0.0, "no weight, no points")
            self.company.collection_weight_unlikely = 2.0
            case._update_priority()
        # due 20 May, usual date 3 June: 14 days late x 2
        self.assertEqual(case.score_unlikely, 28.0)

    def test_access(self):
        self._history()
        self.create_invoice(self.debtor, 100.0, "2026-05-20")
        self.create_invoice(self.debtor_two, 100.0, "2026-05-20")
        self._compute()
        collector = self._create_user("pp_collector", "group_collections_collector")
        other = self._create_user("pp_other", "group_collections_collector")
        with freeze_time(TODAY):
            self.env["collection.case"]._sync_cases(self.company)
            self.case_of(self.debtor).sudo().user_id = collector
            self.case_of(self.debtor_two).sudo().user_id = other
            self.env.invalidate_all()
            predictions = self.env["collection.payment.prediction"].with_user(collector).search([])
            self.assertEqual(predictions.partner_id, self.debtor)
            behaviours = self.env["collection.payment.behaviour"].with_user(collector).search([])
            self.assertIn(self.debtor, behaviours.partner_id)
            self.assertTrue(behaviours.filtered(lambda row: not row.partner_id))
            self.assertNotIn(self.debtor_two, behaviours.partner_id)
            portal = new_test_user(self.env, login="pp_portal", groups="base.group_portal")
            for model in ("collection.payment.prediction", "collection.payment.behaviour"):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(portal).search([])
            with self.assertRaises(AccessError):
                self.env["collection.payment.behaviour"].with_user(collector).action_recompute()

    def test_query_count_does_not_grow_with_debtors(self):
        def ledger(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Scale {count}-{i}", "is_company": True} for i in range(count)]
            )
            invoices = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": "2026-03-01",
                        "invoice_date_due": "2026-04-01",
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create({"name": "x", "price_unit": 100, "tax_ids": []})
                        ],
                    }
                    for partner in partners
                ]
            )
            invoices.action_post()
            with freeze_time("2026-04-15"):
                self.env["account.payment.register"].with_context(
                    active_model="account.move", active_ids=invoices.ids
                ).create({"payment_date": "2026-04-15", "group_payment": False})._create_payments()
            return partners

        def count():
            with freeze_time(TODAY), self.count_queries() as queries:
                self.env["collection.payment.behaviour"].sudo()._compute_for_company(self.company)
            return queries.count

        ledger(10)
        count()  # the registry's caches (access rights, rules) warm up
        small = count()
        ledger(200)
        large = count()
        self.assertEqual(small, large)
        self.assertLessEqual(large, 5)
        self.assertEqual(
            self.env["collection.payment.behaviour"].search_count(
                [("company_id", "=", self.company.id), ("partner_id", "!=", False)]
            ),
            210,
        )
