"""A reproducible receivables ledger: debtors, posted customer invoices, real payments.

Everything is drawn from one seeded random generator, relative to a fixed "today", so
that the same size and seed always give the same ledger. Records are created in batches
(`create([...])` then `action_post()` on the batch) and payments are reconciled by
Odoo's own `_reconcile_plan`, one plan per batch.

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

from odoo import Command

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


def generate(env, debtors, invoices, today, seed):
    """Create the ledger in `env`'s company; returns a summary dict."""
    started = time.perf_counter()
    partner_specs, specs = plan_ledger(debtors, invoices, today, seed)
    company = env.company
    company.write({"email": "credit@bench.example.com"})
    Partner = env["res.partner"]
    partners = Partner.browse()
    for chunk in _chunks(partner_specs, 2000):
        partners |= Partner.create(chunk)
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
