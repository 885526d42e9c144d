"""Bounds of the numbers and dates users enter, in one wording for every model: the
error names the field, the value and the range allowed.

Constraint methods call `check_range`; code that computes with a bounded value calls
`clamp` with the same bounds, so a row stored before its bounds were checked cannot
make it fail (a date 9,000 years on overflows)."""

from odoo.exceptions import ValidationError
from odoo.tools import format_date, format_datetime


def clamp(value, bounds):
    """`value` (a number, unset is 0) brought into `bounds`, a pair (low, high)."""
    low, high = bounds
    return min(max(value or 0, low), high)


def check_range(records, name, low=None, high=None):
    """Refuse a value of field `name` of `records` below `low` or above `high` (either
    may be None: no bound on that side) with a ValidationError naming the field. An
    unset date passes: whether it must be set is the field's `required`."""
    field = records._fields[name]
    for record in records:
        value = record[name]
        if value is False or value is None:
            continue
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationError(_range_message(record, field, value, low, high))


def _show(env, field, value):
    if field.type == "date":
        return format_date(env, value)
    if field.type == "datetime":
        return format_datetime(env, value)
    return str(value)


def _range_message(record, field, value, low, high):
    env = record.env
    values = {
        "field": field._description_string(env),
        "value": _show(env, field, value),
        "low": low is not None and _show(env, field, low),
        "high": high is not None and _show(env, field, high),
    }
    dates = field.type in ("date", "datetime")
    if low is not None and high is not None:
        return env._("%(field)s must be between %(low)s and %(high)s, not %(value)s.", **values)
    if low is not None:
        if dates:
            return env._("%(field)s must be %(low)s or later, not %(value)s.", **values)
        return env._("%(field)s must be %(low)s or more, not %(value)s.", **values)
    if dates:
        return env._("%(field)s must be %(high)s or earlier, not %(value)s.", **values)
    return env._("%(field)s must be %(high)s or less, not %(value)s.", **values)
