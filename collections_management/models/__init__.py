# The abstract models first: the models below build on them.
from . import collection_access_mixin, collection_numbered_mixin

# isort: split
from . import collection_case_document

# isort: split
from . import collection_arrangement_mixin

# isort: split
from . import (
    account_move,
    account_partial_reconcile,
    base,
    collection_agency_placement,
    collection_agency_remittance,
    collection_assignment_rule,
    collection_case,
    collection_case_assignment,
    collection_communication,
    collection_communication_line,
    collection_contact,
    collection_contact_guard,
    collection_credit_hold,
    collection_credit_limit_change,
    collection_dispute,
    collection_dispute_reason,
    collection_dunning_fee,
    collection_hold,
    collection_inconvenient_time,
    collection_interest_claim,
    collection_interest_rate,
    collection_invoice_state,
    collection_legal_action,
    collection_level,
    collection_level_fee,
    collection_limitation_period,
    collection_payment_behaviour,
    collection_payment_plan,
    collection_payment_plan_line,
    collection_policy,
    collection_promise,
    collection_run,
    collection_stage,
    collection_target,
    collection_write_off,
    ir_actions_report,
    mail_mail,
    mail_render_mixin,
    mail_template,
    res_company,
    res_config_settings,
    res_partner,
    res_users,
    sms_sms,
    template_reset_mixin,
)
