from .bounds import check_range, clamp
from .sql import link_each, write_each
