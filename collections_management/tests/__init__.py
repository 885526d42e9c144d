from . import (
    test_assignment,
    test_contact_guards,
    test_disputes,
    test_followup_run,
    test_followup_scale,
    test_letter_report,
    test_security,
    test_worklist,
)
