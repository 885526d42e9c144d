"""Bounds of the numbers and dates users enter, in one wording for every model: the
error names the field, the value and the range allowed.

Constraint methods call `check_range`; code that computes with a bounded value calls
`clamp` with the same bounds, so a row stored before its bounds were checked cannot
make it fail (a date 9,000 years on overflows)."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo.exceptions import ValidationError
from odoo.tools import format_date, format_datetime

# (lowest, highest) of the numbers of days, years or instalments users set. A bound is
# what a sane setting never reaches, not a rule of law: a limitation period is at most
# 30 years in the jurisdictions we know, a delay or grace period is counted in days.
GRACE_DAYS = (0, 365)  # grace of promises and instalments
PERIOD_DAYS = (0, 365)  # deadlines, call windows, validation periods
LEVEL_DELAY_DAYS = (-365, 3650)  # a courtesy reminder a year ahead to ten years late
LIMITATION_YEARS = (1, 30)
INSTALMENTS = (1, 120)  # ten years of monthly instalments
# How far from today a date users enter may be, in years: history imported from an
# earlier system goes back HISTORY_YEARS; what is planned goes at most PLAN_YEARS ahead.
HISTORY_YEARS = 10
PLAN_YEARS = 5


def clamp(value, bounds):
    """`value` (a number, unset is 0) brought into `bounds`, a pair (low, high)."""
    low, high = bounds
    return min(max(value or 0, low), high)


def shift(value, **delta):
    """The date (or datetime) `value` moved by a relativedelta of one direction
    (`days=3`, `years=-6`), stopping at the first or last day Python knows instead of
    overflowing."""
    try:
        return value + relativedelta(**delta)
    except (OverflowError, ValueError):
        forward = sum(delta.values()) > 0
        if isinstance(value, datetime):
            return datetime.max if forward else datetime.min
        return date.max if forward else date.min


def years_around(today, back=HISTORY_YEARS, ahead=PLAN_YEARS):
    """(lowest, highest) date `back` years before and `ahead` years after `today`."""
    return shift(today, years=-back), shift(today, years=ahead)


def check_range(records, name, low=None, high=None):
    """Refuse a value of field `name` of `records` below `low` or above `high` (either
    may be None: no bound on that side) with a ValidationError naming the field. An
    unset date passes: whether it must be set is the field's `required`."""
    for record in records:
        check_value(record, name, record[name], low, high)


def check_value(record, name, value, low=None, high=None):
    """`check_range` of a value about to be written on `record` (or on a new record of
    its model when `record` is empty)."""
    if value is False or value is None:
        return
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValidationError(_range_message(record, record._fields[name], value, low, high))


def _show(env, field, value):
    if field.type == "date":
        return format_date(env, value)
    if field.type == "datetime":
        return format_datetime(env, value)
    return str(value)


def _range_message(record, field, value, low, high):
    env = record.env
    values = {
        "field": f"{field._description_string(env)} ({record.display_name})"
        if record and record.display_name
        else field._description_string(env),
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
