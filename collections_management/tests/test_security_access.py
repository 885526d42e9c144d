"""Who may do what, checked as the users concerned (ORM calls with their environment,
as JSON-RPC makes them): company consistency, the reach of each collector, the fields
only the system sets and the group each public action requires."""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import CollectionsCommon

TODAY = "2026-04-15"
COLLECTOR = "collections_management.group_collections_collector"
MANAGER = "collections_management.group_collections_manager"
SYSTEM = "set by the system"


class AccessCommon(CollectionsCommon):
    """Debtor One's case is worked by `collector`, debtor Two's by `rival`, debtor
    Three's is unassigned; `idle` is a collector without a case. Around them: a
    manager, a billing clerk, a salesman, a portal user and a collector of a second
    company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.expense = cls.company_data["default_account_expense"]
        cls.company.write(
            {
                "collection_bad_debt_account_id": cls.expense.id,
                "collection_commission_account_id": cls.expense.id,
                "collection_write_off_threshold": 1000.0,
            }
        )
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Access Recovery",
                "is_company": True,
                "is_collection_agency": True,
                "collection_commission_rate": 20.0,
            }
        )
        cls.reason = cls.env.ref("collections_management.dispute_reason_quantity")
        cls.debtor_three = cls._create_debtor("Debtor Three", "three@example.com")
        cls.collector = cls._user("sa_collector", COLLECTOR)
        cls.rival = cls._user("sa_rival", COLLECTOR)
        cls.idle = cls._user("sa_idle", COLLECTOR)
        cls.manager = cls._user("sa_manager", MANAGER)
        cls.billing = cls._user("sa_billing", "account.group_account_invoice")
        cls.salesman = cls._user("sa_salesman", "sales_team.group_sale_salesman")
        cls.portal = cls._user("sa_portal", "base.group_portal")
        cls.company_2 = cls.setup_other_company(name="Second Collections Co")["company"]
        cls.collector_2 = new_test_user(
            cls.env, login="sa_collector_2", groups=COLLECTOR, company_id=cls.company_2.id
        )
        cls.stage_open = cls.env.ref("collections_management.collection_stage_new")
        cls.stage_written_off = cls.env.ref("collections_management.collection_stage_written_off")

    @classmethod
    def _user(cls, login, groups):
        return new_test_user(cls.env, login=login, groups=groups, company_id=cls.company.id)

    def setUp(self):
        super().setUp()
        with freeze_time(TODAY):
            self.invoice = self.create_invoice(self.debtor, 500.0, "2026-01-05")
            self.rival_invoice = self.create_invoice(self.debtor_two, 700.0, "2026-01-05")
            self.free_invoice = self.create_invoice(self.debtor_three, 300.0, "2026-01-05")
            self.env["collection.case"]._sync_cases(self.company)
        self.case = self.case_of(self.debtor)
        self.case.user_id = self.collector
        self.rival_case = self.case_of(self.debtor_two)
        self.rival_case.user_id = self.rival
        self.free_case = self.case_of(self.debtor_three)

    # ------------------------------------------------------------------
    # Documents, made as the test's (administrator) user
    # ------------------------------------------------------------------
    def hold(self, user=None, **values):
        Hold = self.env["collection.hold"].with_user(user or self.env.user)
        return Hold.create(
            {
                "scope": "debtor",
                "partner_id": self.debtor.id,
                "reason": "Waiting for the customer's audit",
                "date_end": "2026-05-15",
                **values,
            }
        )

    def promise(self, user=None, **values):
        Promise = self.env["collection.promise"].with_user(user or self.env.user)
        return Promise.create(
            {"partner_id": self.debtor.id, "date_promised": "2026-04-30", **values}
        )

    def plan(self, user=None, **values):
        Plan = self.env["collection.payment.plan"].with_user(user or self.env.user)
        return Plan.create(
            {
                "partner_id": self.debtor.id,
                "instalment_count": 2,
                "date_first": "2026-05-01",
                **values,
            }
        )

    def dispute(self, user=None, invoice=None, **values):
        Dispute = self.env["collection.dispute"].with_user(user or self.env.user)
        return Dispute.create(
            {
                "move_id": (invoice or self.invoice).id,
                "amount": 100.0,
                "reason_id": self.reason.id,
                **values,
            }
        )

    def placement(self, user=None, case=None, invoices=None, **values):
        Placement = self.env["collection.agency.placement"].with_user(user or self.env.user)
        return Placement.create(
            {
                "case_id": (case or self.case).id,
                "agency_id": self.agency.id,
                "move_ids": [Command.set((invoices or self.invoice).ids)],
                **values,
            }
        )

    def legal_action(self, user=None, **values):
        LegalAction = self.env["collection.legal.action"].with_user(user or self.env.user)
        return LegalAction.create({"case_id": self.case.id, **values})

    def inconvenient_time(self, user=None, **values):
        Time = self.env["collection.inconvenient.time"].with_user(user or self.env.user)
        return Time.create({"partner_id": self.debtor.id, "hour_from": 9, "hour_to": 12, **values})


@tagged("post_install", "-at_install")
class TestCompanyConsistency(AccessCommon):
    """A record is not moved into a company its user may not access, and what it
    points to belongs to its company."""

    @freeze_time(TODAY)
    def test_hold_is_not_moved_to_another_company(self):
        hold = self.hold(self.collector)
        with self.refused(AccessError, ""):
            hold.with_user(self.collector).write({"company_id": self.company_2.id})
        self.assertEqual(hold.company_id, self.company)
        # nor as a manager, who has no access to the second company either
        with self.refused(AccessError, ""):
            hold.with_user(self.manager).company_id = self.company_2
        self.assertEqual(hold.company_id, self.company)

    @freeze_time(TODAY)
    def test_manager_records_are_not_moved_to_another_company(self):
        run = self.env["collection.run"].with_user(self.manager).create({})
        target = (
            self.env["collection.target"]
            .with_user(self.manager)
            .create({"user_id": self.collector.id, "amount": 1000.0})
        )
        with self.refused(AccessError, ""):
            run.with_user(self.manager).write({"company_id": self.company_2.id})
        # the target's collector has no access to that company either
        with self.refused(UserError, "company"):
            target.with_user(self.manager).write({"company_id": self.company_2.id})
        self.assertEqual(run.company_id, self.company)
        self.assertEqual(target.company_id, self.company)

    @freeze_time(TODAY)
    def test_relations_belong_to_the_record_company(self):
        foreign_stage = (
            self.env["collection.stage"]
            .sudo()
            .create({"name": "Second Co Only", "company_id": self.company_2.id})
        )
        foreign_agency = self.agency.copy({"name": "Second Co Agency"})
        foreign_agency.sudo().company_id = self.company_2
        refusals = [
            (self.manager, self.case, {"user_id": self.collector_2.id}),
            (self.manager, self.case, {"stage_id": foreign_stage.id}),
            (self.env.user, self.policy, {"escalation_stage_id": foreign_stage.id}),
            (self.env.user, self.l_first, {"stage_id": foreign_stage.id}),
            (self.manager, self.dispute(), {"owner_id": self.collector_2.id}),
            (self.manager, self.promise(), {"user_id": self.collector_2.id}),
        ]
        for user, record, values in refusals:
            with self.subTest(model=record._name, values=values):
                before = record.read(list(values))[0]
                with self.refused(UserError, "company"):
                    record.with_user(user).write(values)
                self.assertEqual(record.read(list(values))[0], before)
        with self.refused(UserError, "company"):
            self.placement(self.manager, agency_id=foreign_agency.id)


@tagged("post_install", "-at_install")
class TestCollectorReach(AccessCommon):
    """Collectors reach the documents of their own and unassigned cases only; what
    belongs to a debtor follows the debtor's open case."""

    def _documents(self):
        """One of each document for each debtor, made by the administrator."""
        documents = {}
        run = self.run_followup(TODAY)  # first: the documents below pause follow-up
        with freeze_time(TODAY):
            for debtor, invoice in (
                (self.debtor, self.invoice),
                (self.debtor_two, self.rival_invoice),
                (self.debtor_three, self.free_invoice),
            ):
                communication = run.communication_ids.filtered(
                    lambda c, d=debtor: c.partner_id == d
                )
                plan = self.plan(partner_id=debtor.id)
                documents[debtor] = {
                    "collection.communication": communication,
                    "collection.communication.line": communication.line_ids,
                    "collection.hold": self.hold(partner_id=debtor.id),
                    "collection.inconvenient.time": self.inconvenient_time(partner_id=debtor.id),
                    "collection.dispute": self.dispute(invoice=invoice, amount=50.0),
                    "collection.promise": self.promise(partner_id=debtor.id, amount=50.0),
                    "collection.payment.plan": plan,
                    "collection.payment.plan.line": plan.line_ids,
                }
        return documents

    def test_each_user_reaches_what_is_theirs(self):
        documents = self._documents()
        mine, theirs, free = (
            documents[d] for d in (self.debtor, self.debtor_two, self.debtor_three)
        )
        reach = {
            self.collector: (mine, free),
            self.rival: (theirs, free),
            self.idle: (free,),
            self.manager: (mine, theirs, free),
            self.collector_2: (),
        }
        for user, expected in reach.items():
            for model in mine:
                with self.subTest(user=user.login, model=model):
                    made = mine[model] | theirs[model] | free[model]
                    visible = self.env[model].with_user(user).search([("id", "in", made.ids)])
                    wanted = self.env[model].concat(*(docs[model] for docs in expected))
                    self.assertEqual(visible, wanted)
        # and reading another collector's record directly is refused
        for model, record in theirs.items():
            with self.subTest(model=model), self.assertRaises(AccessError):
                record.with_user(self.collector).read(["display_name"])

    @freeze_time(TODAY)
    def test_another_collectors_documents_are_not_changed(self):
        hold = self.hold(partner_id=self.debtor_two.id)
        dispute = self.dispute(invoice=self.rival_invoice)
        plan = self.plan(partner_id=self.debtor_two.id)
        time = self.inconvenient_time(partner_id=self.debtor_two.id)
        with self.refused(AccessError, ""):
            hold.with_user(self.collector).action_lift()
        with self.refused(AccessError, ""):
            hold.with_user(self.collector).date_end = "2026-04-16"
        with self.refused(AccessError, ""):
            dispute.with_user(self.collector).amount = 700.0
        with self.refused(AccessError, ""):
            dispute.with_user(self.collector).action_investigate()
        with self.refused(AccessError, ""):
            plan.line_ids[0].with_user(self.collector).amount = 1.0
        with self.refused(AccessError, ""):
            time.with_user(self.collector).unlink()
        self.assertTrue(hold.active)
        self.assertEqual(dispute.amount, 100.0)
        self.assertEqual(dispute.state, "open")
        self.assertEqual(plan.line_ids[0].amount, 350.0)
        self.assertTrue(time.exists())

    @freeze_time(TODAY)
    def test_another_collectors_debtor_is_not_paused(self):
        refusals = {
            "hold on the debtor": lambda: self.hold(
                self.collector, partner_id=self.debtor_two.id, date_end="9999-12-31"
            ),
            "hold on an invoice": lambda: self.hold(
                self.collector,
                scope="invoice",
                move_id=self.rival_invoice.id,
                partner_id=self.debtor_two.id,
            ),
            "promise": lambda: self.promise(self.collector, partner_id=self.debtor_two.id),
            "payment plan": lambda: self.plan(self.collector, partner_id=self.debtor_two.id),
            "dispute": lambda: self.dispute(self.collector, invoice=self.rival_invoice),
            "inconvenient time": lambda: self.inconvenient_time(
                self.collector, partner_id=self.debtor_two.id
            ),
        }
        for label, make in refusals.items():
            # refused as out of reach, or first as inconsistent (a hold until 9999)
            with self.subTest(label), self.refused((AccessError, ValidationError), ""):
                make()
        # nor under the cover of one of the collector's own cases or debtors
        with self.refused(ValidationError, "sits on its own debtor.s case"):
            self.promise(self.collector, partner_id=self.debtor_two.id, case_id=self.case.id)
        with self.refused(ValidationError, "not an invoice of"):
            self.hold(
                self.collector,
                scope="invoice",
                move_id=self.rival_invoice.id,
                partner_id=self.debtor.id,
            )
        self.assertFalse(self.rival_invoice.collection_on_hold)
        self.assertFalse(self.env["collection.promise"].search([]))
        # the collector's own debtor and the unassigned one are theirs to pause
        self.hold(self.collector)
        self.promise(self.collector, partner_id=self.debtor_three.id)
        self.dispute(self.collector, invoice=self.free_invoice)

    @freeze_time(TODAY)
    def test_taking_a_promise_gives_no_access_to_the_case(self):
        promise = self.promise(partner_id=self.debtor_two.id, user_id=self.collector.id)
        self.assertEqual(promise.case_id, self.rival_case)
        self.assertFalse(self.env["collection.promise"].with_user(self.collector).search([]))
        with self.assertRaises(AccessError):
            promise.with_user(self.collector).read(["amount"])
        Report = self.env["collection.promise.report"].with_user(self.collector)
        self.assertFalse(Report.search([]))

    @freeze_time(TODAY)
    def test_documents_are_not_moved_to_another_collectors_case(self):
        promise = self.promise(self.collector)
        dispute = self.dispute(self.collector)
        # refused as out of reach, or first as not the new debtor's case
        with self.refused((AccessError, ValidationError), ""):
            promise.with_user(self.collector).partner_id = self.debtor_two
        with self.refused(AccessError, ""):
            dispute.with_user(self.collector).move_id = self.rival_invoice
        with self.refused(AccessError, ""):
            self.case.with_user(self.collector).user_id = self.rival
        self.assertEqual(promise.case_id, self.case)
        self.assertEqual(dispute.case_id, self.case)
        self.assertEqual(self.case.user_id, self.collector)
        # taking an unassigned case stays possible
        self.free_case.with_user(self.collector).user_id = self.collector
        self.assertEqual(self.free_case.user_id, self.collector)


@tagged("post_install", "-at_install")
class TestSystemFields(AccessCommon):
    """States, outcomes, amounts and approvals are set by the actions that compute
    them, for every user but the superuser."""

    @freeze_time(TODAY)
    def test_arrangements_are_not_judged_by_hand(self):
        with self.refused(AccessError, SYSTEM):
            self.promise(self.collector, state="kept")
        with self.refused(AccessError, SYSTEM):
            self.plan(self.collector, state="active")
        promise = self.promise(self.collector)
        plan = self.plan(self.collector)
        line = plan.line_ids[0]
        for record, values in (
            (promise, {"state": "kept"}),
            (promise, {"amount_received": 500.0}),
            (promise, {"date_evaluated": TODAY}),
            (plan, {"state": "active"}),
            (plan, {"amount_total": 1.0}),
            (plan, {"amount_paid": 500.0}),
            (line, {"state": "paid"}),
            (line, {"amount_paid": 9999.0}),
        ):
            for user in (self.collector, self.manager):
                with self.subTest(model=record._name, values=values, user=user.login):
                    with self.refused(AccessError, SYSTEM):
                        record.with_user(user).write(values)
        self.assertRecordValues(promise, [{"state": "open", "amount_received": 0.0}])
        self.assertRecordValues(plan, [{"state": "draft", "amount_total": 500.0}])
        self.assertRecordValues(line, [{"state": "pending", "amount_paid": 0.0}])

    @freeze_time(TODAY)
    def test_context_defaults_do_not_set_them_either(self):
        Promise = self.env["collection.promise"].with_context(
            default_state="kept", default_amount_received=500.0
        )
        promise = Promise.with_user(self.collector).create(
            {"partner_id": self.debtor.id, "date_promised": "2026-04-30"}
        )
        self.assertRecordValues(promise, [{"state": "open", "amount_received": 0.0}])

    @freeze_time(TODAY)
    def test_case_figures_are_the_ledgers(self):
        values_list = [
            {"amount_overdue": 0.0},
            {"amount_due": 0.0},
            {"priority_score": 0.0},
            {"score_amount": 0.0},
            {"oldest_overdue_days": 0},
            {"level_id": self.l_final.id},
            {"date_closed": TODAY},
        ]
        for values in values_list:
            for user in (self.collector, self.manager):
                with self.subTest(values=values, user=user.login):
                    with self.refused(AccessError, SYSTEM):
                        self.case.with_user(user).write(values)
        self.assertEqual(self.case.amount_overdue, 500.0)
        self.assertFalse(self.case.level_id)

    @freeze_time(TODAY)
    def test_a_case_keeps_its_debtor(self):
        for user in (self.collector, self.manager):
            with self.subTest(user=user.login):
                with self.refused(AccessError, "cannot be changed"):
                    self.case.with_user(user).partner_id = self.debtor_three
        self.assertEqual(self.case.partner_id, self.debtor)

    @freeze_time(TODAY)
    def test_cases_close_only_by_themselves(self):
        for stage in (self.stage_written_off, self.stage_resolved):
            for user in (self.collector, self.manager):
                with self.subTest(stage=stage.name, user=user.login):
                    with self.refused(AccessError, "by itself"):
                        self.case.with_user(user).stage_id = stage
        self.assertTrue(self.case.is_open)
        # any other stage may be chosen by hand (the kanban)
        self.case.with_user(self.collector).stage_id = self.stage_contact
        self.assertEqual(self.case.stage_id, self.stage_contact)

    @freeze_time(TODAY)
    def test_write_offs_are_decided_by_their_actions(self):
        WriteOff = self.env["collection.write.off"]
        with self.refused(AccessError, SYSTEM):
            WriteOff.with_user(self.collector).create(
                {
                    "case_id": self.case.id,
                    "move_ids": [Command.set(self.invoice.ids)],
                    "reason": "Insolvent",
                    "state": "done",
                    "approved_by_id": self.manager.id,
                }
            )
        request = WriteOff.with_user(self.collector).create(
            {"case_id": self.case.id, "move_ids": [Command.set(self.invoice.ids)], "reason": "x"}
        )
        self.assertEqual(request.state, "to_approve")
        for values in ({"state": "done"}, {"approved_by_id": self.manager.id}, {"amount": 1.0}):
            with self.subTest(values=values), self.refused(AccessError, SYSTEM):
                request.with_user(self.manager).write(values)
        self.assertRecordValues(request, [{"state": "to_approve", "approved_by_id": False}])
        self.assertEqual(self.invoice.amount_residual, 500.0)

    @freeze_time(TODAY)
    def test_documents_state_and_trace(self):
        dispute = self.dispute(self.collector)
        placement = self.placement(self.collector)
        remittance = (
            self.env["collection.agency.remittance"]
            .with_user(self.collector)
            .create({"placement_id": placement.id, "amount": 100.0})
        )
        legal = self.legal_action(self.collector, case_id=self.free_case.id)
        credit_note = self.create_invoice(self.debtor, 10.0, "2026-04-01", post=False)
        hold = self.hold(self.collector)
        refusals = [
            (dispute, {"state": "write_off"}),
            (dispute, {"date_resolved": TODAY}),
            (dispute, {"validation_required": True}),
            (dispute, {"credit_note_id": credit_note.id}),
            (dispute, {"case_id": self.free_case.id}),
            (placement, {"state": "closed"}),
            (placement, {"amount_placed": 1.0}),
            (placement, {"date_end": TODAY}),
            (remittance, {"amount_gross": 1000.0}),
            (remittance, {"amount_commission": 0.0}),
            (legal, {"state": "judgment"}),
            (hold, {"user_id": self.rival.id}),
        ]
        for record, values in refusals:
            with self.subTest(model=record._name, values=values):
                with self.refused(AccessError, SYSTEM):
                    record.with_user(self.collector).write(values)
        self.assertEqual(dispute.state, "open")
        self.assertEqual(placement.state, "placed")
        self.assertEqual(remittance.amount_gross, 100.0)
        self.assertEqual(legal.state, "preparing")
        creations = [
            lambda: self.dispute(self.collector, invoice=self.free_invoice, state="write_off"),
            lambda: self.placement(
                self.collector, case=self.free_case, invoices=self.free_invoice, state="closed"
            ),
            lambda: self.legal_action(self.collector, state="judgment"),
            lambda: self.hold(self.collector, user_id=self.rival.id),
        ]
        for make in creations:
            with self.refused(AccessError, SYSTEM):
                make()

    @freeze_time(TODAY)
    def test_runs_and_communications_are_the_systems(self):
        with self.refused(AccessError, SYSTEM):
            self.env["collection.run"].with_user(self.manager).create({"state": "running"})
        run = self.run_followup(TODAY)
        with self.refused(AccessError, SYSTEM):
            run.with_user(self.manager).write({"state": "draft"})
        communication = run.communication_ids[:1]
        for values in ({"state": "draft"}, {"amount_total": 0.0}):
            with self.subTest(values=values), self.refused(AccessError, ""):
                communication.with_user(self.manager).write(values)
        with self.refused(AccessError, ""):
            communication.line_ids[:1].with_user(self.manager).amount_residual = 0.0
        self.assertEqual(run.state, "done")
        self.assertEqual(communication.state, "sent")

    @freeze_time(TODAY)
    def test_invoices_follow_up_fields(self):
        for values in (
            {"collection_level_id": self.l_final.id},
            {"collection_case_id": self.rival_case.id},
            {"collection_level_date": TODAY},
        ):
            with self.subTest(values=values), self.refused(AccessError, SYSTEM):
                self.invoice.with_user(self.billing).write(values)
        self.assertFalse(self.invoice.collection_level_id)
        self.assertEqual(self.invoice.collection_case_id, self.case)


@tagged("post_install", "-at_install")
class TestActionGroups(AccessCommon):
    """Each public action checks its caller's group, not only the view."""

    @freeze_time(TODAY)
    def test_manager_actions_refused_to_collectors(self):
        dispute = self.dispute(self.collector, resolution_note="Goodwill")
        placement = self.placement(self.collector)
        run = self.env["collection.run"].with_user(self.manager).create({})
        self.env["collection.assignment.rule"].create(
            {"name": "All to the rival", "collector_id": self.rival.id}
        )
        refusals = [
            (dispute, "action_resolve_write_off"),
            (placement, "action_create_commission_bill"),
            (self.free_case, "action_apply_assignment_rules"),
            (self.case, "action_reassign"),
            (run, "action_preview"),
            (run, "action_run"),
            (run, "action_cancel"),
        ]
        for record, method in refusals:
            with self.subTest(method), self.refused(AccessError, ""):
                getattr(record.with_user(self.collector), method)()
        self.assertEqual(dispute.state, "open")
        self.assertFalse(placement.bill_ids)
        self.assertFalse(self.free_case.user_id)
        self.assertEqual(run.state, "draft")
        self.assertFalse(run.communication_ids)
        # a manager may
        dispute.with_user(self.manager).action_resolve_write_off()
        self.free_case.with_user(self.manager).action_apply_assignment_rules()
        self.assertEqual(dispute.state, "write_off")
        self.assertEqual(self.free_case.user_id, self.rival)

    @freeze_time(TODAY)
    def test_users_outside_collections_call_nothing(self):
        calls = [
            (self.salesman, self.debtor, "action_collection_hold"),
            (self.salesman, self.debtor, "action_collection_statement"),
            (self.portal, self.debtor, "action_collection_statement_print"),
            (self.billing, self.invoice, "action_collection_dispute"),
            (self.billing, self.invoice, "action_collection_promise"),
            (self.billing, self.invoice, "action_collection_hold"),
        ]
        for user, record, method in calls:
            with self.subTest(user=user.login, method=method), self.assertRaises(AccessError):
                getattr(record.with_user(user), method)()

    @freeze_time(TODAY)
    def test_credit_note_of_a_dispute_needs_its_collector(self):
        dispute = self.dispute(self.collector)
        Reversal = self.env["account.move.reversal"].with_context(
            active_model="account.move",
            active_ids=self.invoice.ids,
            default_collection_dispute_id=dispute.id,
        )
        for user in (self.billing, self.rival):
            with self.subTest(user=user.login), self.refused(AccessError, ""):
                wizard = Reversal.with_user(user).create(
                    {"journal_id": self.invoice.journal_id.id, "reason": "Dispute"}
                )
                wizard.reverse_moves()
        self.assertEqual(dispute.state, "open")


@tagged("post_install", "-at_install")
class TestCollectorFlows(AccessCommon):
    """A collector's everyday work still goes through, done as the collector."""

    def test_promise_from_record_to_kept(self):
        with freeze_time(TODAY):
            promise = self.promise(self.collector)
            self.assertEqual(self.case.stage_id.stage_type, "promise")
            self.assertEqual(promise.user_id, self.collector)
        self.pay(self.invoice, 500.0, TODAY)
        with freeze_time(TODAY):
            promise.with_user(self.collector).action_evaluate()
        self.assertEqual(promise.state, "kept")
        with freeze_time(TODAY):
            other = self.promise(self.collector, partner_id=self.debtor_three.id)
            other.with_user(self.collector).action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_plan_from_draft_to_completed(self):
        with freeze_time(TODAY):
            plan = self.plan(self.collector)
            plan.with_user(self.collector).action_compute_schedule()
            plan.with_user(self.collector).action_activate()
        self.assertEqual(plan.state, "active")
        self.assertEqual(self.case.stage_id.stage_type, "plan")
        self.pay(self.invoice, 500.0, TODAY)
        with freeze_time(TODAY):
            plan.with_user(self.collector).action_check_payments()
        self.assertEqual(plan.state, "completed")
        self.assertEqual(set(plan.line_ids.mapped("state")), {"paid"})
        self.assertEqual(self.case.stage_id.stage_type, "resolved")
        with freeze_time(TODAY):
            other = self.plan(self.collector, partner_id=self.debtor_three.id)
            other.with_user(self.collector).action_cancel()
            other.with_user(self.collector).action_reset_to_draft()
        self.assertEqual(other.state, "draft")

    @freeze_time(TODAY)
    def test_dispute_hold_and_inconvenient_time(self):
        dispute = self.dispute(self.collector)
        dispute.with_user(self.collector).action_investigate()
        self.assertEqual(dispute.state, "investigating")
        dispute.with_user(self.collector).write({"resolution_note": "Delivered as ordered"})
        dispute.with_user(self.collector).action_reject()
        self.assertEqual(dispute.state, "rejected")
        dispute.with_user(self.collector).action_reopen()
        self.assertEqual(dispute.state, "open")
        hold = self.hold(self.collector)
        self.assertEqual(hold.user_id, self.collector)
        self.assertTrue(self.invoice.collection_on_hold)
        hold.with_user(self.collector).action_lift()
        self.assertFalse(hold.active)
        time = self.inconvenient_time(self.collector)
        time.with_user(self.collector).hour_to = 13
        time.with_user(self.collector).unlink()

    @freeze_time(TODAY)
    def test_agency_legal_action_and_write_off(self):
        placement = self.placement(self.collector)
        self.assertEqual(placement.amount_placed, 500.0)
        self.assertEqual(self.case.stage_id.stage_type, "agency")
        placement.with_user(self.collector).action_recall()
        self.assertEqual(placement.state, "recalled")
        legal = self.legal_action(self.collector)
        legal.with_user(self.collector).write(
            {"court": "Court", "court_case_number": "C-1", "date_filed": TODAY}
        )
        legal.with_user(self.collector).action_file()
        self.assertEqual(legal.state, "filed")
        wizard = (
            self.env["collection.write.off.wizard"]
            .with_user(self.collector)
            .create(
                {
                    "case_id": self.free_case.id,
                    "move_ids": [Command.set(self.free_invoice.ids)],
                    "reason": "Insolvent",
                }
            )
        )
        write_off = self.env["collection.write.off"].browse(wizard.action_confirm()["res_id"])
        self.assertRecordValues(write_off, [{"state": "done", "approved_by_id": self.collector.id}])
        self.assertEqual(self.free_case.stage_id, self.stage_written_off)

    def test_call_with_a_promise_from_the_case(self):
        with freeze_time(f"{TODAY} 15:00:00"):
            action = self.case.with_user(self.collector).action_log_contact()
            wizard = (
                self.env["collection.contact.log"]
                .with_user(self.collector)
                .with_context(**action["context"])
                .create(
                    {
                        "direction": "inbound",
                        "outcome": "promise",
                        "next_action_date": "2026-04-20",
                    }
                )
            )
            action = wizard.action_log()
            promise = (
                self.env["collection.promise"]
                .with_user(self.collector)
                .with_context(**action["context"])
                .create({"date_promised": "2026-04-30"})
            )
        self.assertRecordValues(promise, [{"case_id": self.case.id, "state": "open"}])
        self.assertEqual(str(self.case.next_action_date), "2026-04-20")
        self.assertEqual(self.case.stage_id.stage_type, "promise")

    def test_refresh_closes_a_paid_case(self):
        self.pay(self.invoice, 500.0, TODAY)
        self.case.sudo().stage_id = self.stage_contact  # as if the payment had gone unseen
        with freeze_time(TODAY):
            self.case.with_user(self.collector).action_refresh()
        self.assertEqual(self.case.stage_id.stage_type, "resolved")

    def test_manager_runs_follow_up(self):
        with freeze_time(TODAY):
            run = self.env["collection.run"].with_user(self.manager).create({})
            run.with_user(self.manager).action_run()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(run.communication_ids), 3)
        self.assertEqual(self.case.level_id, self.l_first)
