# The mixins first, in this order: a model can only inherit one registered before it.
from . import collection_report_mixin

# isort: split
from . import collection_receivable_ledger

# isort: split
from . import (
    collection_aged_receivable,
    collection_collector_performance,
    collection_dashboard,
    collection_payment_prediction,
    collection_promise_report,
    collection_receivable_kpi,
    collection_statement_report,
)
