from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon


class CreditControlCommon(CollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="cm_credit_manager",
            name="Credit Manager",
            groups="base.group_user,collections_management.group_collections_manager",
            company_id=cls.company.id,
        )
        cls.clerk = new_test_user(
            cls.env,
            login="cm_credit_clerk",
            name="Invoicing Clerk",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
        )

    def hold(self, partner, reason="Unpaid for months", company=None):
        company = company or self.company
        return (
            self.env["collection.credit.hold"]
            .with_company(company)
            .create({"partner_id": partner.id, "company_id": company.id, "reason": reason})
        )

    def draft_invoice(self, partner, amount, move_type="out_invoice", company=None):
        company = company or self.company
        return (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": "2026-01-10",
                    "invoice_date_due": "2026-02-10",
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Goods", "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )

    def messages(self, record):
        return " ".join(record.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
@freeze_time("2026-01-20")
class TestCreditLimitHistory(CreditControlCommon):
    def test_direct_change_is_recorded_without_reason(self):
        self.debtor.credit_limit = 1000
        self.debtor.credit_limit = 1500
        changes = self.debtor.collection_credit_limit_change_ids.sorted("id")
        self.assertEqual(changes.mapped("old_limit"), [0, 1000])
        self.assertEqual(changes.mapped("new_limit"), [1000, 1500])
        self.assertEqual(set(changes.mapped("source")), {"other"})
        self.assertFalse(any(changes.mapped("reason")))
        self.assertEqual(changes.user_id, self.env.user)
        self.assertEqual(changes.company_id, self.company)

    def test_created_with_a_limit_is_recorded(self):
        partner = self._create_debtor("Imported Co", "imported@example.com", credit_limit=700)
        self.assertEqual(partner.collection_credit_limit_change_ids.new_limit, 700)

    def test_adjust_from_the_case_with_a_reason(self):
        self.create_invoice(self.debtor, 300, "2026-01-01")
        self.run_followup("2026-01-20")
        case = self.case_of(self.debtor)
        action = case.with_user(self.manager).action_adjust_credit_limit()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.manager)
            .with_context(action["context"])
            .create({"new_limit": 2000, "reason": "Bank guarantee received"})
        )
        self.assertEqual(wizard.case_id, case)
        wizard.action_apply()
        change = self.debtor.collection_credit_limit_change_ids
        self.assertEqual(change.reason, "Bank guarantee received")
        self.assertEqual(change.source, "adjustment")
        self.assertEqual(change.user_id, self.manager)
        self.assertEqual(change.case_id, case)
        self.assertEqual(case.credit_limit_change_ids, change)
        self.assertEqual(self.debtor.with_company(self.company).credit_limit, 2000)

    def test_bad_input_changes_nothing(self):
        self.debtor.credit_limit = 500
        with self.refused(ValidationError, "cannot be negative"):
            self.debtor.credit_limit = -1
        Wizard = self.env["collection.credit.limit.wizard"].with_user(self.manager)
        wizard = Wizard.create({"partner_id": self.debtor.id, "new_limit": -10, "reason": "x"})
        with self.refused(UserError, "cannot be negative"):
            wizard.action_apply()
        with self.refused(UserError, "[Rr]eason"):
            Wizard.create(
                {"partner_id": self.debtor.id, "new_limit": 900, "reason": "  "}
            ).action_apply()
        self.assertEqual(self.debtor.credit_limit, 500)
        self.assertEqual(len(self.debtor.collection_credit_limit_change_ids), 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-20")
class TestCreditExposure(CreditControlCommon):
    def test_exposure_amounts(self):
        self.debtor.credit_limit = 1000
        self.create_invoice(self.debtor, 100, "2026-01-05")  # overdue
        self.create_invoice(self.debtor, 50, "2026-02-05")  # not due yet
        self.draft_invoice(self.debtor, 30)
        self.draft_invoice(self.debtor, 999, move_type="out_refund")  # not counted
        self.create_invoice(self.debtor_two, 70, "2026-01-05")
        partner = self.debtor.with_company(self.company)
        self.assertEqual(partner.collection_credit_receivable, 150)
        self.assertEqual(partner.collection_credit_overdue, 100)
        self.assertEqual(partner.collection_credit_draft, 30)
        self.assertEqual(partner.collection_credit_exposure, 180 + partner.collection_credit_orders)
        self.assertEqual(partner.collection_credit_available, 1000 - 180)

    def test_exposure_is_set_based(self):
        debtors = self.env["res.partner"].create(
            [{"name": f"Scale {index}", "is_company": True} for index in range(30)]
        )
        for debtor in debtors:
            self.create_invoice(debtor, 10, "2026-01-05")
            self.draft_invoice(debtor, 5)
        with self.count_queries():  # the invoices' pending work is not the exposure's
            debtors[3:6]._collection_credit_exposure(self.company)
        with self.count_queries() as many:
            exposure = debtors._collection_credit_exposure(self.company)
        with self.count_queries() as few:
            debtors[:3]._collection_credit_exposure(self.company)
        self.assertEqual(many.count, few.count, "no query per debtor")
        self.assertLessEqual(many.count, 8)
        self.assertEqual({figures["exposure"] for figures in exposure.values()}, {15})

    def test_companies_are_separate(self):
        other = self.setup_other_company(name="Credit Other Co")["company"]
        self.debtor.with_company(other).credit_limit = 50
        self.create_invoice(self.debtor, 100, "2026-01-05")
        self.create_invoice(self.debtor, 40, "2026-01-05", company=other)
        self.hold(self.debtor)
        exposure = self.debtor._collection_credit_exposure(other)[self.debtor.id]
        self.assertEqual(exposure["exposure"], 40)
        self.assertEqual(exposure["limit"], 50)
        self.assertEqual(self.debtor.with_company(self.company).credit_limit, 0)
        self.assertFalse(self.debtor.with_company(other).collection_credit_on_hold)
        self.assertTrue(self.debtor.with_company(self.company).collection_credit_on_hold)
        # the other company's policy blocks, but the hold is this company's only
        other_policy = self._create_policy(other, "Other")
        other_policy.credit_hold_mode = "block"
        other.collection_policy_id = other_policy
        invoice = self.draft_invoice(self.debtor, 5, company=other)
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")


@tagged("post_install", "-at_install")
@freeze_time("2026-01-20")
class TestCreditHoldBlocks(CreditControlCommon):
    def test_warn_shows_a_banner_and_posts(self):
        self.hold(self.debtor, "Cheque bounced")
        invoice = self.draft_invoice(self.debtor, 100)
        self.assertIn("Cheque bounced", invoice.collection_credit_warning)
        self.assertFalse(invoice.collection_credit_blocked)
        invoice.with_user(self.clerk).action_post()
        self.assertEqual(invoice.state, "posted")

    def test_block_refuses_posting_with_the_reason(self):
        self.policy.credit_hold_mode = "block"
        self.hold(self.debtor, "Cheque bounced")
        invoice = self.draft_invoice(self.debtor, 100)
        self.assertTrue(invoice.collection_credit_blocked)
        with self.refused(UserError, r"(?s)Cheque bounced.*Credit Hold Override.*Credit Manager"):
            invoice.with_user(self.clerk).action_post()
        self.assertEqual(invoice.state, "draft")

    def test_block_refuses_passing_the_limit(self):
        self.policy.credit_hold_mode = "block"
        self.debtor.credit_limit = 500
        self.create_invoice(self.debtor, 450, "2026-02-05")
        small = self.draft_invoice(self.debtor, 40)
        small.with_user(self.clerk).action_post()
        big = self.draft_invoice(self.debtor, 100)
        with self.refused(UserError, "above its credit limit"):
            big.with_user(self.clerk).action_post()
        self.assertEqual(big.state, "draft")

    def test_credit_notes_and_payments_pass(self):
        self.policy.credit_hold_mode = "block"
        invoice = self.create_invoice(self.debtor, 100, "2026-01-05")
        self.hold(self.debtor)
        refund = self.draft_invoice(self.debtor, 30, move_type="out_refund")
        refund.with_user(self.clerk).action_post()
        self.assertEqual(refund.state, "posted")
        self.pay(invoice, 70, "2026-01-20")
        self.assertEqual(invoice.amount_residual, 30)

    def test_override_with_a_reason_is_logged(self):
        self.policy.credit_hold_mode = "block"
        self.hold(self.debtor, "Cheque bounced")
        invoice = self.draft_invoice(self.debtor, 100)
        action = invoice.with_user(self.manager).action_post()
        self.assertEqual(action["res_model"], "collection.credit.override")
        wizard = (
            self.env["collection.credit.override"].with_user(self.manager).browse(action["res_id"])
        )
        self.assertIn("Cheque bounced", wizard.message)
        wizard.reason = "   "
        with self.refused(UserError, "reason"):
            wizard.action_confirm()
        self.assertEqual(invoice.state, "draft")
        wizard.reason = "Paid in cash at the counter"
        wizard.action_confirm()
        self.assertEqual(invoice.state, "posted")
        for record in (invoice, self.debtor):
            self.assertIn(
                "overridden by Credit Manager: Paid in cash at the counter", self.messages(record)
            )

    def test_override_needs_the_right(self):
        self.policy.credit_hold_mode = "block"
        self.hold(self.debtor)
        invoice = self.draft_invoice(self.debtor, 100)
        with self.refused(UserError, "Credit Hold Override right"):
            invoice.with_user(self.clerk)._collection_credit_override("I say so")
        self.assertEqual(invoice.state, "draft")


@tagged("post_install", "-at_install")
class TestCreditHoldRules(CreditControlCommon):
    def test_overdue_sets_and_payment_lifts(self):
        self.policy.credit_hold_overdue_days = 30
        invoice = self.create_invoice(self.debtor, 100, "2026-01-01")
        self.run_followup("2026-01-20")
        self.assertFalse(self.debtor.collection_credit_hold_ids)
        self.run_followup("2026-02-05")
        hold = self.debtor.collection_credit_hold_ids
        self.assertEqual((hold.cause, hold.state), ("overdue", "active"))
        case = self.case_of(self.debtor)
        self.assertEqual(hold.case_id, case)
        self.assertIn("Credit hold set", self.messages(self.debtor))
        self.assertIn("Credit hold set", self.messages(case))
        self.pay(invoice, 100, "2026-02-06")
        self.assertEqual(hold.state, "lifted")
        self.assertIn("Credit hold lifted", self.messages(self.debtor))
        self.assertIn("Credit hold lifted", self.messages(case))

    def test_over_limit_sets_and_lifts(self):
        self.policy.write({"credit_hold_over_limit": True, "credit_hold_over_limit_pct": 10})
        self.debtor.credit_limit = 1000
        invoice = self.create_invoice(self.debtor, 1050, "2026-01-10")
        Hold = self.env["collection.credit.hold"]
        with freeze_time("2026-01-20"):
            Hold._evaluate(self.company)
            self.assertFalse(self.debtor.collection_credit_hold_ids, "within the 10 % margin")
            self.create_invoice(self.debtor, 100, "2026-02-10")
            Hold._evaluate(self.company)
        hold = self.debtor.collection_credit_hold_ids
        self.assertEqual(hold.cause, "over_limit")
        self.pay(invoice, 500, "2026-01-21")
        self.assertEqual(hold.state, "lifted")

    def test_broken_promise_and_stage(self):
        self.policy.write(
            {"credit_hold_on_broken": True, "credit_hold_stage_id": self.stage_contact.id}
        )
        self.create_invoice(self.debtor, 100, "2026-01-01")
        self.run_followup("2026-01-20")
        case = self.case_of(self.debtor)
        with freeze_time("2026-01-20"):
            promise = self.env["collection.promise"].create(
                {
                    "case_id": case.id,
                    "partner_id": self.debtor.id,
                    "date_promised": "2026-01-22",
                    "amount": 100,
                }
            )
        promise.sudo().state = "broken"  # as the nightly evaluation judges it
        case.stage_id = self.stage_contact
        with freeze_time("2026-01-25"):
            self.env["collection.credit.hold"]._evaluate(self.company, self.debtor)
        self.assertEqual(
            set(self.debtor.collection_credit_hold_ids.mapped("cause")), {"broken", "stage"}
        )
        case.stage_id = self.stage_reminder
        with freeze_time("2026-01-26"):
            self.env["collection.credit.hold"]._evaluate(self.company, self.debtor)
        active = self.debtor.collection_credit_hold_ids.filtered(lambda h: h.state == "active")
        self.assertEqual(active.cause, "broken")

    def test_manual_hold_is_not_lifted_by_the_rules(self):
        self.policy.credit_hold_overdue_days = 30
        with freeze_time("2026-01-20"):
            hold = self.hold(self.debtor)
            self.env["collection.credit.hold"]._evaluate(self.company)
            self.assertEqual(hold.state, "active")
            with self.refused(AccessError, "Manager"):
                hold.with_user(self.clerk).action_lift()
            hold.with_user(self.manager).action_lift()
            self.assertEqual(hold.state, "lifted")
            self.assertFalse(self.debtor.with_company(self.company).collection_credit_on_hold)

    def test_review_activity_closed_by_the_adjustment(self):
        self.create_invoice(self.debtor, 100, "2026-01-01")
        self.run_followup("2026-01-20")
        case = self.case_of(self.debtor)
        case.user_id = self.manager
        self.debtor.with_company(self.company).collection_credit_review_date = "2026-01-25"
        review = self.env.ref("collections_management.mail_activity_type_credit_review")
        self.run_followup("2026-01-25")
        self.run_followup("2026-01-26")
        activity = case.activity_ids.filtered(lambda a: a.activity_type_id == review)
        self.assertEqual(len(activity), 1, "one activity, not one per run")
        self.assertEqual(activity.user_id, self.manager)
        with freeze_time("2026-01-26"):
            case.with_user(self.manager).action_adjust_credit_limit()
            self.env["collection.credit.limit.wizard"].with_user(self.manager).create(
                {
                    "partner_id": self.debtor.id,
                    "case_id": case.id,
                    "new_limit": 800,
                    "reason": "Annual review",
                    "next_review_date": "2027-01-26",
                }
            ).action_apply()
        self.assertFalse(case.activity_ids.filtered(lambda a: a.activity_type_id == review))


@tagged("post_install", "-at_install")
class TestCreditReporting(CreditControlCommon):
    def test_dashboard_and_credit_risk_list(self):
        self.create_invoice(self.debtor, 900, "2026-01-01")
        self.create_invoice(self.debtor_two, 300, "2026-01-01")
        self.debtor.credit_limit = 500
        self.run_followup("2026-01-20")
        case_one, case_two = self.case_of(self.debtor), self.case_of(self.debtor_two)
        case_one.user_id = self.manager
        with freeze_time("2026-01-20"):
            self.hold(self.debtor_two, "Bankruptcy filed")
            Case = self.env["collection.case"]
            self.assertEqual(Case.search([("credit_on_hold", "=", True)]), case_two)
            self.assertEqual(Case.search([("credit_limit_exceeded", "=", True)]), case_one)
            card = self.env["collection.dashboard"].search([("company_id", "=", self.company.id)])
            self.assertEqual(card.credit_hold_count, 1)
            self.assertEqual(card.credit_over_limit_count, 1)
            by_collector = {row["label"]: row["amount"] for row in card.credit_by_collector_data}
            self.assertEqual(by_collector["Credit Manager"], 900)
            self.assertEqual(sum(row["amount"] for row in card.credit_by_stage_data), 1200)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-20")
class TestCreditHoldCompany(CreditControlCommon):
    def test_manager_cannot_move_a_hold_to_a_company_he_cannot_access(self):
        other = self.env["res.company"].create({"name": "Elsewhere Ltd"})
        hold = self.hold(self.debtor, "Cheque bounced")
        with self.refused(AccessError, ""):
            hold.with_user(self.manager).write({"company_id": other.id})
        self.assertEqual(hold.company_id, self.company)
