from . import (
    account_move_reversal,
    collection_aged_receivable_wizard,
    collection_case_reassign,
    collection_contact_log,
    collection_credit_limit_wizard,
    collection_credit_override,
    collection_prediction_backtest,
    collection_prediction_backtest_line,
    collection_statement_wizard,
    collection_write_off_wizard,
)
