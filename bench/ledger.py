"""A reproducible receivables ledger: debtors, posted customer invoices, real payments.

Everything is drawn from one seeded random generator, relative to a fixed "today", so
that the same size and seed always give the same ledger (`plan_ledger`). Two writers of
the same plan:

- `generate` (the ORM): invoices created in batches (`create([...])` then
  `action_post()` on the batch) and payments reconciled by Odoo's own
  `_reconcile_plan`, one plan per batch; about 1,000 invoices a minute.
- `generate_sql` (set-based): the rows Odoo writes for those records (posted invoices
  and their lines, posted payments and their entries, partial and full
  reconciliations, residuals, payment states) written by a few `INSERT ... SELECT FROM
  unnest(...)` statements per chunk of invoices; `digest` and `check` show that both give the
  same ledger (`bench/run --check-ledger`).

Shape of the ledger (per invoice):
- 25 % paid in full, 15 % partially paid (20 to 80 %), 60 % unpaid;
- of the invoices left open (partially paid or unpaid), 80 % are past due at an age
  drawn uniformly from 1 to 365 days and 20 % fall due in the coming days, so that
  about 60 % of all invoices are overdue;
- the due date comes from a real payment term (immediate, 15, 21, 30 or 45 days).
"""

import datetime
import logging
import random
import time
from decimal import Decimal

from odoo import Command, models
from odoo.tools import SQL

_logger = logging.getLogger("bench.ledger")

TERMS = [
    ("account.account_payment_term_immediate", 0),
    ("account.account_payment_term_15days", 15),
    ("account.account_payment_term_21days", 21),
    ("account.account_payment_term_30days", 30),
    ("account.account_payment_term_45days", 45),
]
BATCH = 500


def _chunks(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_ledger(debtors, invoices, today, seed):
    """The ledger as plain data: (partner specs, invoice specs), no database access."""
    rng = random.Random(seed)
    cities = ["Brussels", "Lyon", "Porto", "Leeds", "Graz", "Turin", "Ghent", "Utrecht"]
    partners = [
        {
            "name": f"Debtor {index:06d}",
            "is_company": True,
            "email": f"ar{index:06d}@debtor{index:06d}.example.com",
            "street": f"{rng.randint(1, 250)} Market Street",
            "zip": f"{rng.randint(1000, 9999)}",
            "city": rng.choice(cities),
        }
        for index in range(debtors)
    ]
    specs = []
    for _index in range(invoices):
        term_xmlid, term_days = rng.choice(TERMS)
        draw = rng.random()
        status = "paid" if draw < 0.25 else "partial" if draw < 0.40 else "open"
        if status != "paid" and term_days and rng.random() < 0.20:
            due = today + datetime.timedelta(days=rng.randint(1, term_days - 1))
        else:
            due = today - datetime.timedelta(days=rng.randint(1, 365))
        invoice_date = due - datetime.timedelta(days=term_days)
        lines = [
            (rng.randint(1, 10), round(rng.uniform(20.0, 900.0), 2))
            for _line in range(rng.choice((1, 1, 2, 3)))
        ]
        total = round(sum(quantity * price for quantity, price in lines), 2)
        if status == "paid":
            latest = min(today, due + datetime.timedelta(days=20))
            pay_date = invoice_date + datetime.timedelta(
                days=rng.randint(0, max(0, (latest - invoice_date).days))
            )
            pay_amount = total
        elif status == "partial":
            pay_date = invoice_date + datetime.timedelta(
                days=rng.randint(0, max(0, (today - invoice_date).days))
            )
            pay_amount = round(total * rng.uniform(0.2, 0.8), 2)
        else:
            pay_date, pay_amount = None, 0.0
        specs.append(
            {
                "partner": rng.randrange(debtors),
                "term": term_xmlid,
                "invoice_date": invoice_date,
                "lines": lines,
                "pay_date": pay_date,
                "pay_amount": pay_amount,
            }
        )
    # Posted in date order, as a real ledger is: sequence numbers follow dates.
    specs.sort(key=lambda spec: spec["invoice_date"])
    return partners, specs


def _create_partners(env, partner_specs):
    Partner = env["res.partner"]
    partners = Partner.browse()
    for chunk in _chunks(partner_specs, 2000):
        partners |= Partner.create(chunk)
    return partners


def generate(env, debtors, invoices, today, seed):
    """Create the ledger in `env`'s company; returns a summary dict."""
    started = time.perf_counter()
    partner_specs, specs = plan_ledger(debtors, invoices, today, seed)
    company = env.company
    company.write({"email": "credit@bench.example.com"})
    partners = _create_partners(env, partner_specs)
    terms = {xmlid: env.ref(xmlid).id for xmlid, _days in TERMS}
    sale_journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank_journal = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )

    moves = env["account.move"]
    for number, chunk in enumerate(_chunks(specs), 1):
        batch = moves.create(
            [
                {
                    "move_type": "out_invoice",
                    "journal_id": sale_journal.id,
                    "partner_id": partners[spec["partner"]].id,
                    "invoice_date": spec["invoice_date"],
                    "invoice_payment_term_id": terms[spec["term"]],
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting services",
                                "quantity": quantity,
                                "price_unit": price,
                                "tax_ids": [Command.clear()],
                            }
                        )
                        for quantity, price in spec["lines"]
                    ],
                }
                for spec in chunk
            ]
        )
        batch.action_post()
        _reconcile_payments(env, batch, chunk, bank_journal)
        env.cr.commit()
        env.invalidate_all()
        _logger.warning(
            "ledger: %d/%d invoices (%.0f s)",
            min(number * BATCH, len(specs)),
            len(specs),
            time.perf_counter() - started,
        )
    return {
        "debtors": debtors,
        "invoices": invoices,
        "seed": seed,
        "today": today.isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _reconcile_payments(env, invoices, specs, journal):
    """One inbound payment per paid or partially paid invoice of the batch, posted and
    reconciled with its invoice by Odoo, in one create, one post and one plan."""
    pairs = [
        (invoice, spec) for invoice, spec in zip(invoices, specs, strict=True) if spec["pay_date"]
    ]
    if not pairs:
        return
    payments = env["account.payment"].create(
        [
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": invoice.partner_id.id,
                "amount": min(spec["pay_amount"], invoice.amount_total),
                "date": spec["pay_date"],
                "journal_id": journal.id,
                "memo": invoice.name,
            }
            for invoice, spec in pairs
        ]
    )
    payments.action_post()
    plan = []
    for payment, (invoice, _spec) in zip(payments, pairs, strict=True):
        receivable = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        plan.append(receivable)
    env["account.move.line"]._reconcile_plan(plan)


# ----------------------------------------------------------------------
# The same ledger, set-based
# ----------------------------------------------------------------------
SQL_CHUNK = 20_000


class _Numbering:
    """Names of a journal's posted entries as Odoo's sequence mixin makes them (the
    journal's starting format per year, e.g. INV/2026/00001), continuing after the
    last number already used for that prefix."""

    def __init__(self, env, journal, move_type, payment=False):
        self.env, self.journal, self.move_type = env, journal, move_type
        self.payment = payment
        self.formats, self.last = {}, {}

    def next(self, date):
        key = date.year
        if key not in self.formats:
            Move = self.env["account.move"].with_context(is_payment=self.payment)
            draft = Move.new(
                {"journal_id": self.journal.id, "date": date, "move_type": self.move_type}
            )
            fmt, values = draft._get_sequence_format_param(draft._get_starting_sequence())
            # the prefix is what precedes the number (the mixin's sequence_prefix)
            tail = values["seq_length"] + len(values.get("suffix") or "")
            prefix = fmt.format(**{**values, "seq": 0})[:-tail]
            self.formats[key] = (fmt, values, prefix)
            last = self.env.execute_query(
                SQL(
                    "SELECT MAX(sequence_number) FROM account_move"
                    " WHERE journal_id = %s AND sequence_prefix = %s",
                    self.journal.id,
                    prefix,
                )
            )[0][0]
            self.last[key] = last or 0
        fmt, values, prefix = self.formats[key]
        self.last[key] += 1
        return fmt.format(**{**values, "seq": self.last[key]}), prefix, self.last[key]


CENT = Decimal("0.01")


def _money(value):
    """An amount as Odoo stores it: exact, two decimals."""
    return Decimal(repr(value)).quantize(CENT)


def generate_sql(env, debtors, invoices, today, seed, chunk=SQL_CHUNK):
    """The ledger of `generate`, from the same plan, written set-based by `chunk`
    invoices; returns a summary."""
    started = time.perf_counter()
    partner_specs, specs = plan_ledger(debtors, invoices, today, seed)
    company = env.company
    company.write({"email": "credit@bench.example.com"})
    partners = _create_partners(env, partner_specs)
    env.flush_all()
    _logger.warning("ledger: %d debtors (%.0f s)", len(partners), time.perf_counter() - started)
    sale = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    method_line = bank.inbound_payment_method_line_ids[:1]
    params = {
        "uid": env.uid,
        "company": company.id,
        "currency": company.currency_id.id,
        "sale": sale.id,
        "bank": bank.id,
        "income": sale.default_account_id.id,
        "receivable": partners[:1].property_account_receivable_id.id,
        # as a payment created in Community gets it
        "outstanding": env["account.payment"]
        .new({"journal_id": bank.id, "payment_type": "inbound", "partner_type": "customer"})
        ._get_outstanding_account("inbound")
        .id,
        "method_line": method_line.id,
        "method": method_line.payment_method_id.id,
        "payment_label": f"{method_line.name}: ",
        "today": today,
    }
    terms = {xmlid: (env.ref(xmlid).id, days) for xmlid, days in TERMS}
    invoice_names = _Numbering(env, sale, "out_invoice")
    payment_names = _Numbering(env, bank, "entry", payment=True)
    names = [invoice_names.next(spec["invoice_date"]) for spec in specs]
    # Payments are numbered in the order of their dates, as posting them one by one would.
    paid = sorted((spec["pay_date"], index) for index, spec in enumerate(specs) if spec["pay_date"])
    payment_numbers = {index: payment_names.next(date) for date, index in paid}
    for start in range(0, len(specs), chunk):
        indexes = range(start, min(start + chunk, len(specs)))
        _insert_chunk(env, params, specs, indexes, partners, terms, names, payment_numbers)
        env.cr.commit()
        _logger.warning(
            "ledger: %d/%d invoices (%.0f s)",
            indexes[-1] + 1,
            len(specs),
            time.perf_counter() - started,
        )
    # customer_rank: one per invoice and per customer payment posted, as posting does
    env.cr.execute(
        """
        UPDATE res_partner partner SET customer_rank = partner.customer_rank + counts.count
          FROM (SELECT partner_id, COUNT(*) AS count FROM account_move
                 WHERE state = 'posted' GROUP BY partner_id) counts
         WHERE counts.partner_id = partner.id AND partner.id = ANY(%s)
        """,
        [partners.ids],
    )
    env.invalidate_all()
    return {
        "debtors": debtors,
        "invoices": invoices,
        "seed": seed,
        "today": today.isoformat(),
        "method": "sql",
        "seconds": round(time.perf_counter() - started, 1),
    }


def _insert_chunk(env, params, specs, indexes, partners, terms, names, payment_numbers):
    """Invoices `indexes` of the plan, their payments and reconciliations, in a few
    statements: a temporary table of the chunk (one row per invoice with every id drawn
    from the tables' sequences), then one INSERT ... SELECT per table."""
    cr = env.cr
    columns = {key: [] for key in (
        "k", "partner", "term", "invoice_date", "due", "total", "name", "prefix", "number",
        "pay_date", "paid", "pay_name", "pay_prefix", "pay_number",
    )}  # fmt: skip
    lines = {key: [] for key in ("k", "quantity", "price", "subtotal")}
    for index in indexes:
        spec = specs[index]
        term_id, term_days = terms[spec["term"]]
        total = Decimal("0.00")
        for quantity, price in spec["lines"]:
            subtotal = (quantity * _money(price)).quantize(CENT)
            total += subtotal
            for key, value in zip(lines, (index, quantity, price, subtotal), strict=True):
                lines[key].append(value)
        paid = min(_money(spec["pay_amount"]), total) if spec["pay_date"] else Decimal("0.00")
        pay_name, pay_prefix, pay_number = payment_numbers.get(index, (None, None, None))
        values = (
            index, partners[spec["partner"]].id, term_id, spec["invoice_date"],
            spec["invoice_date"] + datetime.timedelta(days=term_days), total, *names[index],
            spec["pay_date"], paid, pay_name, pay_prefix, pay_number,
        )  # fmt: skip
        for key, value in zip(columns, values, strict=True):
            columns[key].append(value)
    cr.execute(
        """
        CREATE TEMP TABLE bench_chunk ON COMMIT DROP AS
        SELECT chunk.*, partner.name AS partner_name,
               chunk.total - chunk.paid AS residual,
               CASE WHEN chunk.paid = chunk.total THEN 'paid'
                    WHEN chunk.paid > 0 THEN 'partial' ELSE 'not_paid' END AS payment_state,
               nextval('account_move_id_seq') AS move_id,
               nextval('account_move_line_id_seq') AS line_id,
               CASE WHEN chunk.paid > 0 THEN nextval('account_payment_id_seq') END AS payment_id,
               CASE WHEN chunk.paid > 0 THEN nextval('account_move_id_seq') END AS pay_move_id,
               CASE WHEN chunk.paid > 0 THEN nextval('account_move_line_id_seq') END
                   AS liquidity_id,
               CASE WHEN chunk.paid > 0 THEN nextval('account_move_line_id_seq') END
                   AS counterpart_id,
               CASE WHEN chunk.paid > 0 THEN nextval('account_partial_reconcile_id_seq') END
                   AS partial_id,
               CASE WHEN chunk.paid > 0 AND chunk.paid = chunk.total
                    THEN nextval('account_full_reconcile_id_seq') END AS full_id
          FROM (SELECT * FROM unnest(
                    %s::int[], %s::int[], %s::int[], %s::date[], %s::date[], %s::numeric[],
                    %s::varchar[], %s::varchar[], %s::int[], %s::date[], %s::numeric[],
                    %s::varchar[], %s::varchar[], %s::int[]
                ) AS chunk(k, partner_id, term_id, invoice_date, due, total, name, prefix,
                           number, pay_date, paid, pay_name, pay_prefix, pay_number)
                ORDER BY k) chunk
          JOIN res_partner partner ON partner.id = chunk.partner_id;
        CREATE TEMP TABLE bench_chunk_line ON COMMIT DROP AS
        SELECT * FROM unnest(%s::int[], %s::numeric[], %s::float8[], %s::numeric[])
            AS line(k, quantity, price, subtotal);
        """,
        [*columns.values(), *lines.values()],
    )
    cr.execute(
        """
        INSERT INTO account_full_reconcile (id, create_uid, write_uid, create_date, write_date)
        SELECT full_id, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk WHERE full_id IS NOT NULL;

        INSERT INTO account_move (
            id, name, sequence_prefix, sequence_number, journal_id, company_id, currency_id,
            state, move_type, auto_post, date, invoice_date, invoice_date_due,
            invoice_payment_term_id, partner_id, commercial_partner_id, partner_shipping_id,
            invoice_user_id, invoice_partner_display_name, payment_reference, payment_state,
            invoice_currency_rate, amount_untaxed, amount_tax, amount_total, amount_residual,
            amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
            amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
            always_tax_exigible, checked, posted_before, made_sequence_gap,
            is_manually_modified, create_uid, write_uid, create_date, write_date)
        SELECT move_id, name, prefix, number, %(sale)s, %(company)s, %(currency)s,
               'posted', 'out_invoice', 'no', invoice_date, invoice_date, due,
               term_id, partner_id, partner_id, partner_id,
               %(uid)s, partner_name, name, payment_state,
               1.0, total, 0.00, total, residual,
               total, total, 0.00,
               total, total, residual,
               FALSE, TRUE, TRUE, FALSE,
               TRUE, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk;

        INSERT INTO account_move_line (
            move_id, move_name, journal_id, company_id, company_currency_id, currency_id,
            account_id, partner_id, parent_state, display_type, sequence, name, date,
            invoice_date, quantity, price_unit, discount, price_subtotal, price_total,
            debit, credit, balance, amount_currency, amount_residual,
            amount_residual_currency, reconciled, is_storno, no_followup, deductible_amount,
            create_uid, write_uid, create_date, write_date)
        SELECT chunk.move_id, chunk.name, %(sale)s, %(company)s, %(currency)s, %(currency)s,
               %(income)s, chunk.partner_id, 'posted', 'product', 100, 'Consulting services',
               chunk.invoice_date,
               chunk.invoice_date, line.quantity, line.price, 0.00, line.subtotal, line.subtotal,
               0.00, line.subtotal, -line.subtotal, -line.subtotal, 0.00,
               0.00, FALSE, FALSE, FALSE, 100,
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk_line line JOIN bench_chunk chunk ON chunk.k = line.k
      ORDER BY line.k;

        INSERT INTO account_move_line (
            id, move_id, move_name, journal_id, company_id, company_currency_id, currency_id,
            account_id, partner_id, parent_state, display_type, sequence, name, date,
            invoice_date, date_maturity, quantity, price_unit, discount, price_subtotal,
            price_total, discount_amount_currency, discount_balance,
            debit, credit, balance, amount_currency, amount_residual,
            amount_residual_currency, reconciled, full_reconcile_id, matching_number,
            is_storno, no_followup, deductible_amount,
            create_uid, write_uid, create_date, write_date)
        SELECT line_id, move_id, name, %(sale)s, %(company)s, %(currency)s, %(currency)s,
               %(receivable)s, partner_id, 'posted', 'payment_term', 12000, name, invoice_date,
               invoice_date, due, 0.00, 0.00, 0.00, 0.00,
               0.00, 0.00, 0.00,
               total, 0.00, total, total, residual,
               residual, residual = 0.00, full_id,
               COALESCE(full_id::varchar, 'P' || partial_id),
               FALSE, FALSE, 100,
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk;

        -- the payment's entry and the payment refer to each other: one statement, whose
        -- foreign keys are checked at its end
        WITH entries AS (
            INSERT INTO account_move (
                id, name, sequence_prefix, sequence_number, journal_id, company_id,
                currency_id, origin_payment_id, state, move_type, auto_post, date, ref,
                invoice_date_due, partner_id, commercial_partner_id,
                invoice_partner_display_name, payment_state, invoice_currency_rate,
                amount_untaxed, amount_tax, amount_total, amount_residual,
                amount_untaxed_signed, amount_untaxed_in_currency_signed, amount_tax_signed,
                amount_total_signed, amount_total_in_currency_signed, amount_residual_signed,
                always_tax_exigible, checked, posted_before, made_sequence_gap,
                is_manually_modified, create_uid, write_uid, create_date, write_date)
            SELECT pay_move_id, pay_name, pay_prefix, pay_number, %(bank)s, %(company)s,
                   %(currency)s, payment_id, 'posted', 'entry', 'no', pay_date, name,
                   %(today)s, partner_id, partner_id,
                   partner_name, 'not_paid', 0.00,
                   0.00, 0.00, paid, 0.00,
                   0.00, 0.00, 0.00,
                   paid, paid, 0.00,
                   TRUE, TRUE, TRUE, FALSE,
                   FALSE, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM bench_chunk WHERE payment_id IS NOT NULL
        )
        INSERT INTO account_payment (
            id, move_id, name, journal_id, company_id, currency_id, partner_id,
            payment_method_line_id, payment_method_id, outstanding_account_id,
            destination_account_id, state, payment_type, partner_type, memo, date, amount,
            amount_company_currency_signed, is_reconciled, is_matched,
            create_uid, write_uid, create_date, write_date)
        SELECT payment_id, pay_move_id, pay_name, %(bank)s, %(company)s, %(currency)s,
               partner_id, %(method_line)s, %(method)s, %(outstanding)s,
               %(receivable)s, CASE WHEN residual = 0.00 THEN 'paid' ELSE 'in_process' END,
               'inbound', 'customer', name, pay_date, paid,
               paid, TRUE, FALSE,
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk WHERE payment_id IS NOT NULL;

        INSERT INTO account_move_line (
            id, move_id, move_name, payment_id, journal_id, company_id, company_currency_id,
            currency_id, account_id, partner_id, parent_state, display_type, sequence, ref,
            name, date, date_maturity, quantity, price_unit, discount, price_subtotal,
            price_total, debit, credit, balance, amount_currency, amount_residual,
            amount_residual_currency, reconciled, full_reconcile_id, matching_number,
            is_storno, no_followup, deductible_amount,
            create_uid, write_uid, create_date, write_date)
        SELECT line.id, pay_move_id, pay_name, payment_id, %(bank)s, %(company)s, %(currency)s,
               %(currency)s, line.account_id, partner_id, 'posted', 'product', 100, name,
               %(payment_label)s || name, pay_date, pay_date, 1.00, 0.00, 0.00, line.amount,
               line.amount, GREATEST(line.amount, 0.00), GREATEST(-line.amount, 0.00), line.amount,
               line.amount, line.residual,
               line.residual, line.reconciled, line.full_id, line.matching_number,
               FALSE, FALSE, 100,
               %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk,
       LATERAL (VALUES (liquidity_id, %(outstanding)s, paid, paid, FALSE, NULL::int, NULL),
                       (counterpart_id, %(receivable)s, -paid, 0.00, TRUE, full_id,
                        COALESCE(full_id::varchar, 'P' || partial_id)))
            AS line(id, account_id, amount, residual, reconciled, full_id, matching_number)
         WHERE payment_id IS NOT NULL
      ORDER BY line.id;

        INSERT INTO account_partial_reconcile (
            id, debit_move_id, credit_move_id, full_reconcile_id, debit_currency_id,
            credit_currency_id, company_id, max_date, amount, debit_amount_currency,
            credit_amount_currency, create_uid, write_uid, create_date, write_date)
        SELECT partial_id, line_id, counterpart_id, full_id, %(currency)s,
               %(currency)s, %(company)s, GREATEST(invoice_date, pay_date), paid, paid,
               paid, %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
          FROM bench_chunk WHERE partial_id IS NOT NULL;

        DROP TABLE bench_chunk, bench_chunk_line;
        """,
        params,
    )


# ----------------------------------------------------------------------
# Comparing two ledgers, and Odoo's own consistency checks on one
# ----------------------------------------------------------------------
def digest(env, today):
    """What the follow-up runs read of a ledger, keyed by invoice number and debtor name:
    per invoice its debtor, dates, amounts and payment state, the payments reconciled
    with it; per debtor the overdue open aggregate at `today`; per account the totals."""
    invoices = {
        name: values
        for name, *values in env.execute_query(
            SQL(
                """
                SELECT move.name, partner.name, move.invoice_date::text, move.date::text,
                       move.invoice_date_due::text, line.date_maturity::text,
                       move.amount_total::text, move.amount_residual::text,
                       move.payment_state, line.amount_residual::text, line.reconciled,
                       (SELECT array_agg(ARRAY[payment.date::text, payment.amount::text,
                                               payment.state, partial.amount::text]
                                         ORDER BY payment.date, payment.amount)
                          FROM account_partial_reconcile partial
                          JOIN account_move_line pay_line ON pay_line.id = partial.credit_move_id
                          JOIN account_payment payment ON payment.id = pay_line.payment_id
                         WHERE partial.debit_move_id = line.id)
                  FROM account_move move
                  JOIN res_partner partner ON partner.id = move.partner_id
                  JOIN account_move_line line
                    ON line.move_id = move.id AND line.display_type = 'payment_term'
                 WHERE move.move_type = 'out_invoice'
                """
            )
        )
    }
    overdue = {
        name: values
        for name, *values in env.execute_query(
            SQL(
                """
                SELECT partner.name, SUM(aml.amount_residual)::text, MIN(aml.date_maturity)::text,
                       COUNT(*)
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN res_partner partner ON partner.id = aml.partner_id
                 WHERE account.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted' AND NOT aml.reconciled
                   AND aml.amount_residual > 0 AND aml.date_maturity < %s
              GROUP BY partner.name
                """,
                today,
            )
        )
    }
    accounts = {
        code: values
        for code, *values in env.execute_query(
            SQL(
                """
                SELECT account.account_type || ' ' || account.id, SUM(aml.debit)::text,
                       SUM(aml.credit)::text, SUM(aml.amount_residual)::text, COUNT(*)
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
              GROUP BY account.id
                """
            )
        )
    }
    counts = dict(
        env.execute_query(
            SQL(
                """
                SELECT 'moves ' || move_type || ' ' || payment_state, COUNT(*)
                  FROM account_move GROUP BY 1
                UNION ALL SELECT 'payments ' || state, COUNT(*) FROM account_payment GROUP BY 1
                UNION ALL SELECT 'partials', COUNT(*) FROM account_partial_reconcile
                UNION ALL SELECT 'full reconciles', COUNT(*) FROM account_full_reconcile
                UNION ALL SELECT 'debtors', COUNT(*) FROM res_partner WHERE name LIKE 'Debtor %%'
                UNION ALL SELECT 'customer rank', SUM(customer_rank) FROM res_partner
                """
            )
        )
    )
    return {
        "invoices": invoices,
        "overdue": overdue,
        "accounts": accounts,
        "counts": counts,
        "columns": _filled_columns(env),
    }


FILLED_BY = {  # table: the kind of row whose filled columns are compared
    "account_move": SQL("t.move_type"),
    "account_move_line": SQL(
        "(SELECT move_type FROM account_move WHERE id = t.move_id) || ' ' || t.display_type"
        " || ' ' || (SELECT account_type FROM account_account WHERE id = t.account_id)"
    ),
    "account_payment": SQL("t.state"),
    "account_partial_reconcile": SQL("CASE WHEN t.full_reconcile_id IS NULL THEN 'partial' END"),
    "account_full_reconcile": SQL("'full'"),
    "account_move__account_payment": SQL("'link'"),
}


def _filled_columns(env):
    """Per table and kind of row, the columns holding a value in some row: the set-based
    writer leaves no column empty that Odoo fills, and fills none that Odoo leaves empty."""
    filled = {}
    for table, kind in FILLED_BY.items():
        columns = [
            name
            for (name,) in env.execute_query(
                SQL(
                    "SELECT column_name FROM information_schema.columns"
                    " WHERE table_name = %s ORDER BY ordinal_position",
                    table,
                )
            )
        ]
        counts = SQL(", ").join(SQL("COUNT(%s)", SQL.identifier("t", name)) for name in columns)
        for row_kind, *row in env.execute_query(
            SQL("SELECT %s, %s FROM %s t GROUP BY 1", kind, counts, SQL.identifier(table))
        ):
            filled[f"{table} {row_kind}"] = [
                name for name, count in zip(columns, row, strict=True) if count
            ]
    return filled


# Stored computed fields whose values the set-based writer must give as Odoo computes
# them (not the ones set by create or posting: debit, credit and balance are the
# entry's, the outstanding account is set at a payment's creation in Community).
RECOMPUTED = {
    "account.move": [
        "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
        "amount_untaxed_signed", "amount_total_signed", "amount_residual_signed",
        "amount_total_in_currency_signed", "payment_state", "invoice_date_due",
        "commercial_partner_id", "invoice_partner_display_name", "sequence_prefix",
        "sequence_number", "payment_reference", "always_tax_exigible",
    ],
    "account.move.line": [
        "amount_residual", "amount_residual_currency", "reconciled", "price_subtotal",
        "price_total", "date_maturity", "matching_number", "parent_state", "move_name",
        "company_currency_id",
    ],
    "account.payment": [
        "name", "state", "is_reconciled", "is_matched", "destination_account_id",
        "amount_company_currency_signed", "payment_method_id",
    ],
    "res.partner": ["commercial_partner_id", "complete_name"],
}  # fmt: skip


def _values(records, fname):
    values = {}
    for record in records:
        value = record[fname]
        values[record.id] = value.ids if isinstance(value, models.BaseModel) else value
    return values


def check(env):
    """Odoo's own view of the ledger, in a transaction rolled back at the end: the
    entries balanced, the stored computed fields as Odoo recomputes them, the partner
    ledger equal to the open invoices, a new invoice numbered after the last one, and a
    payment registered on open invoices through Odoo reconciling them."""
    result = {}
    Move = env["account.move"]
    moves = Move.search([])
    result["moves"] = len(moves)
    result["unbalanced_moves"] = len(Move._get_unbalanced_moves({"records": moves}) or [])
    # the partner ledger of the receivable account (balance and open amount per debtor,
    # through the ORM) against the open amounts of the invoices
    ledger_rows = env["account.move.line"]._read_group(
        [("account_id.account_type", "=", "asset_receivable"), ("parent_state", "=", "posted")],
        ["partner_id"],
        ["balance:sum", "amount_residual:sum"],
    )
    open_rows = dict(
        Move._read_group(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")],
            ["partner_id"],
            ["amount_residual:sum"],
        )
    )
    currency = env.company.currency_id
    result["partner_ledger"] = {
        "debtors": len(ledger_rows),
        "balance": round(sum(row[1] for row in ledger_rows), 2),
        "open": round(sum(row[2] for row in ledger_rows), 2),
        "open_invoices": round(sum(open_rows.values()), 2),
        "debtors_differing": sum(
            1
            for partner, balance, residual in ledger_rows
            if not currency.is_zero(balance - residual)
            or not currency.is_zero(residual - open_rows.get(partner, 0.0))
        ),
    }
    # a new invoice posted through Odoo takes the next number
    last = Move.search(
        [("move_type", "=", "out_invoice")],
        order="sequence_prefix desc, sequence_number desc",
        limit=1,
    )
    partner = last.partner_id
    invoice = Move.create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": last.invoice_date,
            "invoice_line_ids": [
                Command.create({"name": "Check", "quantity": 1, "price_unit": 100, "tax_ids": []})
            ],
        }
    )
    invoice.action_post()
    result["new_invoice"] = [last.name, invoice.name]
    # a payment registered through Odoo on an unpaid and a partially paid invoice
    registered = {}
    for state in ("not_paid", "partial"):
        target = Move.search(
            [
                ("move_type", "=", "out_invoice"),
                ("payment_state", "=", state),
                ("id", "!=", invoice.id),
            ],
            limit=1,
        )
        residual = target.amount_residual
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=target.ids)
            .create({"payment_date": target.invoice_date_due})
        )
        wizard.action_create_payments()
        line = target.line_ids.filtered(lambda line: line.display_type == "payment_term")
        registered[state] = {
            "invoice": target.name,
            "residual_before": residual,
            "payment_state": target.payment_state,
            "amount_residual": target.amount_residual,
            "reconciled": line.reconciled,
            "matching_number": line.matching_number,
        }
    result["registered_payments"] = registered
    recomputed = {}
    for model, fnames in RECOMPUTED.items():
        records = env[model].with_context(active_test=False).search([])
        if model == "res.partner":
            records = records.filtered(lambda partner: partner.name.startswith("Debtor "))
        fields = records._fields
        fnames = [fname for fname in fnames if fields[fname].store and fields[fname].compute]
        env.invalidate_all()
        before = {fname: _values(records, fname) for fname in fnames}
        for fname in fnames:
            env.add_to_compute(records._fields[fname], records)
        records.flush_model()
        env.invalidate_all()
        changed = {}
        for fname in fnames:
            after = _values(records, fname)
            wrong = [rid for rid in records.ids if after[rid] != before[fname][rid]]
            if wrong:
                changed[fname] = {
                    "records": len(wrong),
                    "example": [wrong[0], str(before[fname][wrong[0]]), str(after[wrong[0]])],
                }
        recomputed[model] = {"records": len(records), "fields": len(fnames), "changed": changed}
    result["recomputed"] = recomputed
    env.cr.rollback()
    return result
