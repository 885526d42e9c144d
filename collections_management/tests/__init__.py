from . import (
    test_assignment,
    test_followup_run,
    test_followup_scale,
    test_letter_report,
    test_payment_plan,
    test_promise,
    test_recovery,
    test_reporting,
    test_security,
    test_statement_report,
)
