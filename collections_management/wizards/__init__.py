from . import (
    collection_aged_receivable_wizard,
    collection_case_reassign,
    collection_write_off_wizard,
)
