from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL


class CollectionNumberedMixin(models.AbstractModel):
    """A record numbered from its model's sequence when it is created: the sequence of
    its company (else the shared one) and, for a sequence numbered per year, the date
    range of the record's date. The model only names its sequence and its date."""

    _name = "collection.numbered.mixin"
    _description = "Numbered Collection Record"

    _sequence_code = None  # the code of the ir.sequence; by default the model's name
    _sequence_date_field = None  # the date that numbers a record; None: the day it is made

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/", index=True
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _prepare_create_values(self, vals_list):
        """Number the new records once their values are complete (the company taken
        from a case, the date from its default): one draw per company and date."""
        result = super()._prepare_create_values(vals_list)
        today = fields.Date.context_today(self)
        groups = defaultdict(list)
        for vals in result:
            if vals.get("name", "/") == "/":
                date = vals.get(self._sequence_date_field) if self._sequence_date_field else None
                key = (vals.get("company_id") or self.env.company.id, fields.Date.to_date(date))
                groups[key].append(vals)
        for (company_id, date), group in groups.items():
            company = self.env["res.company"].browse(company_id)
            names = self._next_references(company, date or today, len(group))
            for vals, name in zip(group, names, strict=True):
                vals["name"] = name
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _next_references(self, company, date, count):
        """`count` references for records of `company` dated `date`. One is drawn by
        ir.sequence.next_by_code; several are drawn the same way (the company's
        sequence else the shared one, the date range of `date`) in one query."""
        code = self._sequence_code or self._name
        Sequence = (
            self.env["ir.sequence"].sudo().with_company(company).with_context(ir_sequence_date=date)
        )
        if count == 1:
            return [Sequence.next_by_code(code, sequence_date=date) or "/"]
        sequence = Sequence.search(
            [("code", "=", code), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard":
            # a sequence without gaps hands its numbers out one at a time, under a lock
            return [sequence._next(sequence_date=date) for _ in range(count)]
        pg_sequence = f"ir_sequence_{sequence.id:03d}"
        if sequence.use_date_range:
            date_range = sequence._get_current_sequence(sequence_date=date)
            pg_sequence = f"{pg_sequence}_{date_range.id:03d}"
            sequence = sequence.with_context(ir_sequence_date_range=date_range.date_from)
        numbers = self.env.execute_query(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", pg_sequence, count)
        )
        # what `get_next_char` gives each number, its prefix and suffix interpolated once
        prefix, suffix = sequence._get_prefix_suffix()
        return [f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in numbers]
