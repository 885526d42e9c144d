from . import collection_case_reassign, collection_write_off_wizard
