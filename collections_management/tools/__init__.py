from .access import (
    ADMIN,
    COLLECTOR,
    MANAGER,
    check_group,
    check_system_values,
    requires_group,
    without_system_defaults,
)
from .sql import link_each, write_each
