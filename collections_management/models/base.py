import datetime
import math

from odoo import api, models
from odoo.exceptions import ValidationError

MODULE = "collections_management"
# What an integer column holds (PostgreSQL int4).
INTEGER_RANGE = (-(2**31), 2**31 - 1)
# values of these exact types need no conversion to be checked
CHEAP_TYPES = {
    "integer": (int,),
    "float": (float, int),
    "monetary": (float, int),
    "date": (datetime.date,),
    "datetime": (datetime.datetime,),
}


def _plainly_valid(field, value):
    """Whether the value obviously passes the checks below: empty, or of the exact
    type the field stores and within its column, or a name that is not blank."""
    if field.type in CHEAP_TYPES:
        if value in (False, None):
            return True
        if type(value) not in CHEAP_TYPES[field.type]:
            return False
        if field.type == "integer":
            return INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]
        return field.type in ("date", "datetime") or math.isfinite(value)
    if field.type in ("char", "text") and field.required:
        return not isinstance(value, str) or bool(value.strip())
    return True


class Base(models.AbstractModel):
    """Values of this module's fields that cannot be stored are refused naming the
    field, before the ORM or the database fails on them with a bare error: numbers and
    dates of the wrong type or beyond what their column holds, and required names and
    reasons of blanks only. Ranges that make sense are each model's constraints
    (tools/bounds.py)."""

    _inherit = "base"

    @api.model_create_multi
    def create(self, vals_list):
        self._collection_check_input(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._collection_check_input([vals])
        return super().write(vals)

    @api.model
    def _collection_check_input(self, vals_list):
        names = {name for vals in vals_list for name in vals}
        checked = [
            field
            for field in map(self._fields.get, names)
            if field is not None and MODULE in field._modules
        ]
        for field in checked:
            for vals in vals_list:
                if field.name in vals:
                    self._collection_check_value(field, vals[field.name])

    @api.model
    def _collection_check_value(self, field, value):
        if _plainly_valid(field, value):
            return  # the common case, without the cost of building the messages
        _ = self.env._
        label = field._description_string(self.env)
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        if field.type == "integer" and value not in (False, None):
            try:
                number = int(value) if isinstance(value, str) else value
                whole = isinstance(number, bool | int) or number == int(number)
            except (TypeError, ValueError, OverflowError):
                whole = False
            if not whole:
                raise ValidationError(
                    _("%(field)s must be a whole number, not %(value)s.", field=label, value=shown)
                )
            if not INTEGER_RANGE[0] <= int(number) <= INTEGER_RANGE[1]:
                raise ValidationError(
                    _("%(field)s is far too large: %(value)s.", field=label, value=shown)
                )
        elif field.type in ("float", "monetary") and value not in (False, None):
            try:
                finite = not isinstance(value, bool) and math.isfinite(float(value))
            except (TypeError, ValueError):
                finite = False
            if not finite:
                raise ValidationError(
                    _("%(field)s must be a number, not %(value)s.", field=label, value=shown)
                )
        elif field.type in ("date", "datetime") and value:
            try:
                field.convert_to_cache(value, self)
            except (TypeError, ValueError):
                pattern = "YYYY-MM-DD" if field.type == "date" else "YYYY-MM-DD HH:MM:SS"
                raise ValidationError(
                    _(
                        "%(field)s must be a date (%(pattern)s), not %(value)s.",
                        field=label,
                        pattern=pattern,
                        value=shown,
                    )
                ) from None
        elif (
            field.type in ("char", "text")
            and field.required
            and isinstance(value, str)
            and not value.strip()
        ):
            raise ValidationError(_("%s cannot be left blank.", label))
