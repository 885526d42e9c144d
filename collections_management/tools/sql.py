"""Set-based writes where the ORM would need a statement per record.

Both helpers keep the raw SQL / ORM boundary: the fields they write are flushed first
(a pending ORM write would otherwise overwrite the statement later) and invalidated
after (the cache would otherwise keep the old values)."""

from odoo.tools import SQL


def write_each(model, fnames, rows):
    """Give each record its own values of `fnames` in one UPDATE.

    `rows` are tuples (record id, value of the first field, value of the second...);
    values are what the database stores (ids for many2one fields), cast to the type of
    their column."""
    if not rows:
        return
    fields = [model._fields[fname] for fname in fnames]
    model.flush_model(fnames)
    model.env.execute_query(
        SQL(
            "UPDATE %(table)s AS t SET %(assignments)s FROM (VALUES %(rows)s) AS v(id, %(columns)s)"
            " WHERE t.id = v.id",
            table=SQL.identifier(model._table),
            assignments=SQL(", ").join(
                SQL("%s = v.%s", SQL.identifier(fname), SQL.identifier(fname)) for fname in fnames
            ),
            rows=SQL(", ").join(
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        [
                            SQL("%s", row[0]),
                            *(
                                SQL("%s::%s", value, SQL(field.column_type[1]))
                                for field, value in zip(fields, row[1:], strict=True)
                            ),
                        ]
                    ),
                )
                for row in rows
            ),
            columns=SQL(", ").join(SQL.identifier(fname) for fname in fnames),
        )
    )
    model.browse(row[0] for row in rows).invalidate_recordset(fnames, flush=False)


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
