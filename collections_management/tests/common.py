from contextlib import contextmanager
from types import SimpleNamespace
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CollectionsCommon(AccountTestInvoicingCommon):
    """A company with a five-level policy (-3, 7, 15, 30 and a manual 60) and debtors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.collection_batch_size = 500
        cls.stage_reminder = cls.env.ref("collections_management.collection_stage_reminder")
        cls.stage_contact = cls.env.ref("collections_management.collection_stage_contact")
        cls.stage_resolved = cls.env.ref("collections_management.collection_stage_resolved")
        cls.template = cls.env.ref("collections_management.mail_template_reminder")
        cls.policy = cls._create_policy(cls.company)
        cls.l_courtesy, cls.l_first, cls.l_second, cls.l_final, cls.l_manual = (
            cls.policy._get_sorted_levels()
        )
        cls.company.collection_policy_id = cls.policy
        cls.debtor = cls._create_debtor("Debtor One", "one@example.com")
        cls.debtor_two = cls._create_debtor("Debtor Two", "two@example.com")

    @classmethod
    def _create_policy(cls, company, name="Standard"):
        template = cls.template.id
        return cls.env["collection.policy"].create(
            {
                "name": name,
                "company_id": company.id,
                "level_ids": [
                    Command.create({"name": "Courtesy", "delay": -3, "mail_template_id": template}),
                    Command.create(
                        {
                            "name": "First",
                            "delay": 7,
                            "mail_template_id": template,
                            "stage_id": cls.env.ref(
                                "collections_management.collection_stage_reminder"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Second",
                            "delay": 15,
                            "mail_template_id": template,
                            "send_letter": True,
                            "letter_title": "Second reminder",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Final",
                            "delay": 30,
                            "mail_template_id": template,
                            "create_activity": True,
                            "activity_summary": "Call the debtor",
                        }
                    ),
                    Command.create(
                        {
                            "name": "Manual",
                            "delay": 60,
                            "mode": "manual",
                            "stage_id": cls.env.ref(
                                "collections_management.collection_stage_contact"
                            ).id,
                        }
                    ),
                ],
            }
        )

    @classmethod
    def _create_user(cls, login, group):
        """An internal user of the company in a Collections group (e.g.
        "group_collections_collector")."""
        return new_test_user(
            cls.env,
            login=login,
            name=login,
            groups=f"base.group_user,collections_management.{group}",
            company_id=cls.company.id,
        )

    @classmethod
    def _create_debtor(cls, name, email, **values):
        return cls.env["res.partner"].create(
            {"name": name, "email": email, "is_company": True, **values}
        )

    def create_invoice(self, partner, amount, due_date, invoice_date=None, company=None, post=True):
        """A posted customer invoice of `amount` due on `due_date` (no payment terms)."""
        due_date = fields.Date.to_date(due_date)
        company = company or self.company
        invoice = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": invoice_date or fields.Date.subtract(due_date, days=30),
                    "invoice_date_due": due_date,
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        if post:
            invoice.action_post()
        return invoice

    def pay(self, invoice, amount, date):
        """A payment of `amount` on `invoice`, registered on `date` (the day it is
        recorded matters: reconciling closes the cases that are no longer overdue)."""
        with freeze_time(date):
            return (
                self.env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"amount": amount, "payment_date": date})
                ._create_payments()
            )

    def run_cron(self, xmlid):
        """Run one of the addon's scheduled actions as the scheduler does: in a
        transaction of its own (here a test cursor over the test's transaction), as
        the cron's user, with its progress committed after each batch."""
        cron = self.env.ref(f"collections_management.{xmlid}")
        with self.enter_registry_test_mode():
            result = cron.method_direct_trigger()
        self.assertIs(result, True, f"{cron.name} failed: {result}")

    @contextmanager
    def no_commit(self):
        """For calling a cron method directly, outside the scheduler: it would commit
        its progress, which a test must not. Prefer `run_cron`, which runs the job
        as the scheduler does."""
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", lambda *args, **kwargs: float("inf")
        ):
            yield

    @contextmanager
    def count_queries(self):
        """Count the SQL queries of the block, as Odoo's assertQueryCount does: the
        ORM's pending writes are flushed before the block (earlier work is not
        counted) and after it (the block's own writes are), and the caches start
        empty. The number is in the yielded object's `count` once the block is done:

            with self.count_queries() as queries:
                run._compute_proposals()
            self.assertLessEqual(queries.count, 20)
        """
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        queries = SimpleNamespace(count=0)
        start = self.env.cr.sql_log_count
        yield queries
        self.env.flush_all()
        self.env.cr.flush()
        queries.count = self.env.cr.sql_log_count - start

    @contextmanager
    def refused(self, exception, pattern):
        """Expect `exception` with a message matching `pattern`, and the database left as
        it was (what the UI gets: the transaction rolls back)."""
        with self.assertRaisesRegex(exception, pattern):
            with self.env.cr.savepoint():
                yield
        self.env.invalidate_all()

    def run_followup(self, date, company=None):
        """A manual run on `date`: preview, then execute everything."""
        company = company or self.company
        with freeze_time(date):
            run = (
                self.env["collection.run"].with_company(company).create({"company_id": company.id})
            )
            run.action_preview()
            run.action_run()
            while run.state == "running" and run._process_batch():
                pass
            if run.state == "running":
                run._finish()
        return run

    def case_of(self, partner, company=None):
        return self.env["collection.case"].search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", (company or self.company).id),
                ("is_open", "=", True),
            ]
        )
