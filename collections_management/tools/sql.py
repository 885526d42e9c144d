"""Set-based writes where the ORM would need a statement per record.

These helpers keep the raw SQL / ORM boundary: the fields they write are flushed first
(a pending ORM write would otherwise overwrite the statement later) and invalidated
after (the cache would otherwise keep the old values)."""

from odoo import fields as odoo_fields
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id


def _column_arrays(fields, columns):
    """One typed array per column (`%s::<type>[]`), for `unnest(...)`: the values of
    many rows travel as one parameter per column, not as one SQL fragment per value."""
    return SQL(", ").join(
        SQL("%s::%s[]", list(column), SQL(field.column_type[1]))
        for field, column in zip(fields, columns, strict=True)
    )


def _invalidate_inverses(model, fields):
    """Invalidate the one2many fields listing the records of `model` through the
    many2one `fields` a raw statement wrote: the cache would not show new links."""
    for field in fields:
        if field.type in ("many2one", "many2one_reference"):
            for inverse in model.pool.field_inverses[field]:
                model.env[inverse.model_name].invalidate_model([inverse.name], flush=False)


def write_each(model, fnames, rows):
    """Give each record its own values of `fnames` in one UPDATE.

    `rows` are tuples (record id, value of the first field, value of the second...);
    values are what the database stores (ids for many2one fields), cast to the type of
    their column. The values travel as one array per column (`unnest`), not as one
    SQL fragment per value."""
    if not rows:
        return
    fields = [model._fields[fname] for fname in fnames]
    model.flush_model(fnames)
    columns = list(zip(*rows, strict=True))
    model.env.execute_query(
        SQL(
            "UPDATE %(table)s AS t SET %(assignments)s"
            " FROM unnest(%(ids)s::int4[], %(arrays)s) AS v(id, %(columns)s) WHERE t.id = v.id",
            table=SQL.identifier(model._table),
            assignments=SQL(", ").join(
                SQL("%s = v.%s", SQL.identifier(fname), SQL.identifier(fname)) for fname in fnames
            ),
            ids=list(columns[0]),
            arrays=_column_arrays(fields, columns[1:]),
            columns=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
        )
    )
    model.browse(columns[0]).invalidate_recordset(fnames, flush=False)


def with_defaults(model, vals_list):
    """`vals_list` completed with the defaults of the fields they leave out: one
    `default_get` per set of fields given (the defaults do not depend on the values),
    not one per record. For the records the system writes with `insert_rows`."""
    defaults = {}
    completed = []
    for vals in vals_list:
        key = frozenset(vals)
        if key not in defaults:
            defaults[key] = model._add_missing_default_values(dict(vals))
        completed.append({**defaults[key], **vals})
    return completed


def link_each(records, fname, targets):
    """Add the target at the same position to each record's many2many `fname`, in
    one INSERT."""
    if not records:
        return
    field = records._fields[fname]
    records.flush_recordset([fname])
    records.env.execute_query(
        SQL(
            "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
            SQL.identifier(field.relation),
            SQL.identifier(field.column1),
            SQL.identifier(field.column2),
            SQL(", ").join(
                SQL("(%s, %s)", record.id, target.id)
                for record, target in zip(records, targets, strict=True)
            ),
        )
    )
    records.invalidate_recordset([fname], flush=False)


def insert_rows(model, fnames, rows):
    """Insert one record per row of `rows` (tuples of the values of `fnames`, as the
    database stores them) in one `INSERT ... SELECT FROM unnest(...)`, and return the
    new records in the order of `rows`.

    For the system's own records only: no default, compute, constraint, access check
    or input check runs, so every required column must be in `fnames`. The one2many
    fields that list the new records (the inverses of the many2one fields written) are
    invalidated, so that the cache shows them."""
    if not rows:
        return model.browse()
    fields = [model._fields[fname] for fname in fnames]
    model.flush_model()
    columns = list(zip(*rows, strict=True))
    ids = sorted(  # ids come from the sequence in the order of the rows
        row[0]
        for row in model.env.execute_query(
            SQL(
                """
                INSERT INTO %(table)s (%(columns)s, create_uid, create_date, write_uid, write_date)
                SELECT %(values)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(arrays)s) WITH ORDINALITY AS v(%(columns)s, position)
              ORDER BY v.position
             RETURNING id
                """,
                table=SQL.identifier(model._table),
                columns=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                values=SQL(", ").join(SQL("v.%s", SQL.identifier(fname)) for fname in fnames),
                arrays=_column_arrays(fields, columns),
                uid=model.env.uid,
                now=model.env.cr.now(),
            )
        )
    )
    _invalidate_inverses(model, fields)
    return model.browse(ids)


MESSAGE_FIELDS = (
    "model", "res_id", "record_company_id", "message_type", "subtype_id", "is_internal",
    "author_id", "email_from", "reply_to", "subject", "body",
)  # fmt: skip


def insert_messages(env, vals_list):
    """Insert mail.message rows in one statement and return them, in order.

    `vals_list` are dicts of MESSAGE_FIELDS (missing ones are empty; `message_id` and
    `email_add_signature` as mail.message sets them unless given). For the bodies
    this module renders itself (QWeb escapes what they print): they are stored as
    they are, without the sanitizer's pass over each one. The chatters of the
    documents are invalidated like `mail.message.create` does."""
    now = odoo_fields.Datetime.now()
    names = [*MESSAGE_FIELDS, "message_id", "date", "email_add_signature"]
    rows = [
        (
            *(vals.get(name) for name in MESSAGE_FIELDS),
            vals.get("message_id")
            or generate_tracking_message_id(f"{vals['res_id']}-{vals['model']}"),
            now,
            vals.get("email_add_signature", True),
        )
        for vals in vals_list
    ]
    messages = insert_rows(env["mail.message"].sudo(), names, rows)
    for model in {vals["model"] for vals in vals_list}:
        env[model].invalidate_model(
            ["message_ids", "message_needaction", "message_needaction_counter"], flush=False
        )
    return messages


def upsert_rows(model, key, fnames, rows):
    """Give each row of `rows` (tuples of the values of `fnames`, as the database
    stores them; `key`, a unique column, among `fnames`) its record in one
    `INSERT ... ON CONFLICT (key) DO UPDATE`: new keys are inserted, existing ones
    updated, and the records that already hold the values are left alone (no new row
    version). Written in one statement whatever the number of rows.

    For the system's narrow tables (`_log_access = False`): no default, compute,
    constraint or access check runs, so every required column must be in `fnames`.
    The fields written and the one2many fields listing the records are invalidated."""
    if not rows:
        return
    assert not model._log_access, f"{model._name} logs access: use the ORM or insert_rows"
    fields = [model._fields[fname] for fname in fnames]
    updated = [fname for fname in fnames if fname != key]
    # one row per key: a statement may not update a record twice (the last row wins)
    position = fnames.index(key)
    rows = list({row[position]: row for row in rows}.values())
    model.flush_model(fnames)
    columns = list(zip(*rows, strict=True))
    table = SQL.identifier(model._table)
    model.env.execute_query(
        SQL(
            """
            INSERT INTO %(table)s AS t (%(columns)s)
            SELECT %(values)s FROM unnest(%(arrays)s) AS v(%(columns)s)
                ON CONFLICT (%(key)s) DO UPDATE SET %(assignments)s
             WHERE (%(current)s) IS DISTINCT FROM (%(excluded)s)
            """,
            table=table,
            columns=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
            values=SQL(", ").join(SQL("v.%s", SQL.identifier(fname)) for fname in fnames),
            arrays=_column_arrays(fields, columns),
            key=SQL.identifier(key),
            assignments=SQL(", ").join(
                SQL("%s = EXCLUDED.%s", SQL.identifier(fname), SQL.identifier(fname))
                for fname in updated
            ),
            current=SQL(", ").join(SQL("t.%s", SQL.identifier(fname)) for fname in updated),
            excluded=SQL(", ").join(SQL("EXCLUDED.%s", SQL.identifier(fname)) for fname in updated),
        )
    )
    model.invalidate_model(fnames, flush=False)
    _invalidate_inverses(model, fields)
