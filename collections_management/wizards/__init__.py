from . import collection_case_reassign
