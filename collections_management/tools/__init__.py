from .sql import link_each, write_each
