from odoo import api, models
from odoo.tools import SQL


class CollectionReportMixin(models.AbstractModel):
    """A read-only reporting model over one query.

    `_table_query` composes the parts `_with`, `_select`, `_from`, `_where` and
    `_group_by` (each an SQL; the unused ones are empty), so that another addon can
    extend a part by overriding its method. A model using it sets `_auto = False` and
    lists in `_depends` every column its query reads, so that the ORM flushes them
    before it queries the view."""

    _name = "collection.report.mixin"
    _description = "Collections Reporting Query"

    @property
    def _table_query(self):
        parts = (self._with(), self._select(), self._from(), self._where(), self._group_by())
        return SQL("\n").join(part for part in parts if part)

    @api.model
    def _with(self):
        return SQL()

    @api.model
    def _select(self):
        raise NotImplementedError

    @api.model
    def _from(self):
        raise NotImplementedError

    @api.model
    def _where(self):
        return SQL()

    @api.model
    def _group_by(self):
        return SQL()

    @api.model
    def _month_sql(self, date):
        """SQL of the first day of the month of `date` (an SQL expression or a date)."""
        return SQL("date_trunc('month', %s::date)::date", date)
