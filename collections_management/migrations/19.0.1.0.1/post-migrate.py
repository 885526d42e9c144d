from odoo import SUPERUSER_ID, api, fields

SEQUENCES = [
    "seq_collection_case",
    "seq_collection_run",
    "seq_collection_promise",
    "seq_collection_payment_plan",
    "seq_collection_dispute",
    "seq_collection_agency_placement",
    "seq_collection_legal_action",
    "seq_collection_write_off",
]


def migrate(cr, version):
    """The references are numbered per year (their sequences are not updated by the
    module's data, which is noupdate): this year goes on from the current number, the
    next one starts at 1."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    year = fields.Date.today().year
    for xmlid in SEQUENCES:
        sequence = env.ref(f"collections_management.{xmlid}", raise_if_not_found=False)
        if not sequence or sequence.use_date_range:
            continue
        env["ir.sequence.date_range"].create(
            {
                "sequence_id": sequence.id,
                "date_from": f"{year}-01-01",
                "date_to": f"{year}-12-31",
                "number_next_actual": sequence.number_next_actual,
            }
        )
        sequence.write(
            {
                "use_date_range": True,
                "prefix": (sequence.prefix or "").replace("%(year)s", "%(range_year)s"),
            }
        )
