from . import account_move_reversal, collection_case_reassign, collection_contact_log
