from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import CollectionsCommon


@tagged("post_install", "-at_install")
class TestFollowupScale(CollectionsCommon):
    """The run is set-based: its queries do not grow with invoices or debtors."""

    def _ledger(self, debtors, invoices_per_debtor):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Scale {debtors}-{i}",
                    "email": f"s{debtors}_{i}@example.com",
                    "is_company": True,
                }
                for i in range(debtors)
            ]
        )
        with freeze_time("2026-01-01"):
            moves = self.env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "invoice_date": "2025-12-01",
                        "invoice_date_due": f"2026-01-{1 + n % 20:02d}",
                        "invoice_payment_term_id": False,
                        "invoice_line_ids": [
                            Command.create({"name": "x", "price_unit": 100 + n, "tax_ids": []})
                        ],
                    }
                    for partner in partners
                    for n in range(invoices_per_debtor)
                ]
            )
            moves.action_post()
        return moves

    def _preview_and_execute_queries(self):
        with freeze_time("2026-02-15"):
            # the run's internals, as the scheduler (superuser) runs them
            run = self.env["collection.run"].sudo().create({"company_id": self.company.id})
            with self.count_queries() as preview:
                run._compute_proposals()
            run.state = "running"
            with self.count_queries() as execute:
                run._process_batch()
            self.assertFalse(run.pending_count)
        return preview.count, execute.count, run

    def test_query_count_does_not_grow_with_invoices_or_debtors(self):
        small_ledger = self._ledger(debtors=5, invoices_per_debtor=2)
        small_preview, small_execute, small_run = self._preview_and_execute_queries()
        self.assertEqual(len(small_run.communication_ids), 5)
        self.assertEqual(len(small_run.communication_ids.line_ids), 10)

        small_run.communication_ids.sudo().unlink()
        small_ledger.button_draft()
        self._ledger(debtors=20, invoices_per_debtor=10)
        big_preview, big_execute, big_run = self._preview_and_execute_queries()
        self.assertEqual(len(big_run.communication_ids), 20)
        self.assertEqual(len(big_run.communication_ids.line_ids), 200)

        # 20x the invoices and 4x the debtors: the same number of queries, give or take
        # the few that vary with the data's shape (e.g. a level more to write).
        self.assertLessEqual(big_preview, small_preview + 3, (small_preview, big_preview))
        self.assertLessEqual(big_execute, small_execute + 3, (small_execute, big_execute))
