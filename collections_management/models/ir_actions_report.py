from odoo import models
from odoo.exceptions import AccessError


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _get_rendering_context(self, report, docids, data):
        """Our reports print only what the caller may read: the report's groups, then
        the records themselves (record rules included). Odoo's report route does
        neither for a report that has its own values model, which reads as it likes."""
        if report.report_name.startswith("collections_management.") and not self.env.su:
            # `report` comes sudo from _get_report: check as the caller
            report.with_env(self.env)._check_collection_report_access(docids)
        return super()._get_rendering_context(report, docids, data)

    def _check_collection_report_access(self, docids):
        self.ensure_one()
        user = self.env.user
        if self.group_ids and not (self.group_ids & user.all_group_ids):
            raise AccessError(
                self.env._(
                    "You are not allowed to print %(report)s: it needs the group %(groups)s.",
                    report=self.name,
                    groups=", ".join(self.group_ids.mapped("full_name")),
                )
            )
        records = self.env[self.model].browse(docids or [])
        try:
            records.check_access("read")
        except AccessError:
            # Odoo's message names the records: say nothing of what is not readable.
            raise AccessError(
                self.env._("You are not allowed to print %s for these records.", self.name)
            ) from None
        check = getattr(records, "_check_collection_print_access", None)
        if check:
            check()
