from .access import (
    ADMIN,
    COLLECTOR,
    MANAGER,
    check_group,
    check_system_values,
    requires_group,
    without_system_defaults,
)
from .bounds import (
    GRACE_DAYS,
    HISTORY_YEARS,
    INSTALMENTS,
    LEVEL_DELAY_DAYS,
    LIMITATION_YEARS,
    PERIOD_DAYS,
    PLAN_YEARS,
    check_range,
    check_value,
    clamp,
    shift,
    years_around,
)
from .sql import (
    insert_messages,
    insert_rows,
    link_each,
    upsert_rows,
    with_defaults,
    write_each,
)
