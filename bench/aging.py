"""Time the aged receivables analysis (and the DSO/CEI report) on a generated ledger.

Usage (see bench/README.md): bench/aging [--lines 100000] [--runs 5] [--db NAME] [--rebuild]

The ledger is written with set-based SQL inserts into a throw-away database (default
`cm_bench_aging`, created and installed without demo data the first time): posted
customer invoices with one receivable line each, spread over 400 days, and payments
(journal entries with a receivable credit line) partially reconciled with 20 % of them.
Amounts, residuals and reconciliation flags are written consistently, so the report's
totals can be checked against the ledger (the script does so and fails if they differ).
"""

import argparse
import statistics
import sys
import time

from shell import db_exists, install, sh

from odoo import api
from odoo.modules.registry import Registry
from odoo.orm.utils import SUPERUSER_ID
from odoo.tools import config

DEBTORS = 2000
PAID_SHARE = 5  # one invoice in five gets a partial payment


def install_addon(args):
    sh("createdb", args.db, echo=True)
    install(
        sys.executable, args.conf, args.db, "collections_management", "--without-demo=1",
        "--http-port", args.http_port,
    )  # fmt: skip


def generate(env, invoices):
    """Invoices, payments and partial reconciliations, in a handful of statements."""
    cr = env.cr
    company = env.ref("base.main_company")
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.ids)], limit=1
    )
    income = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.ids)], limit=1
    )
    bank = env["account.account"].search(
        [("account_type", "=", "asset_cash"), ("company_ids", "in", company.ids)], limit=1
    )
    sale = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    misc = env["account.journal"].search(
        [("type", "=", "general"), ("company_id", "=", company.id)], limit=1
    )
    partners = env["res.partner"].create(
        [{"name": f"Bench Debtor {i:05d}", "is_company": True} for i in range(DEBTORS)]
    )
    env.flush_all()
    params = {
        "company": company.id,
        "currency": company.currency_id.id,
        "receivable": receivable.id,
        "income": income.id,
        "bank": bank.id,
        "sale": sale.id,
        "misc": misc.id,
        "first_partner": min(partners.ids),
        "debtors": DEBTORS,
        "n": invoices,
        "paid_share": PAID_SHARE,
    }
    cr.execute(
        """
        CREATE TEMP TABLE bench_inv AS
        SELECT g AS k,
               %(first_partner)s + (g %% %(debtors)s) AS partner_id,
               (CURRENT_DATE - (g * 7919 %% 400)::int) AS date,
               round((50 + (g * 104729 %% 950000) / 100.0)::numeric, 2) AS amount
          FROM generate_series(1::bigint, %(n)s::bigint) g;
        ALTER TABLE bench_inv ADD COLUMN move_id integer, ADD COLUMN line_id integer,
                              ADD COLUMN pay_move_id integer, ADD COLUMN pay_line_id integer;

        WITH moves AS (
            INSERT INTO account_move (name, journal_id, company_id, currency_id, state,
                                      move_type, auto_post, date, invoice_date,
                                      invoice_date_due, partner_id, commercial_partner_id,
                                      amount_total, amount_residual, payment_state)
            SELECT 'BENCH/' || k, %(sale)s, %(company)s, %(currency)s, 'posted',
                   'out_invoice', 'no', date, date, date + 30, partner_id, partner_id,
                   amount, amount, 'not_paid'
              FROM bench_inv ORDER BY k
            RETURNING id, name
        )
        UPDATE bench_inv SET move_id = moves.id
          FROM moves WHERE moves.name = 'BENCH/' || bench_inv.k;

        WITH lines AS (
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id,
                                           currency_id, account_id, partner_id, date,
                                           date_maturity, name, display_type, parent_state,
                                           debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency,
                                           reconciled)
            SELECT move_id, %(sale)s, %(company)s, %(currency)s, %(currency)s, %(receivable)s,
                   partner_id, date, date + 30, 'BENCH/' || k, 'payment_term', 'posted',
                   amount, 0, amount, amount, amount, amount, FALSE
              FROM bench_inv
            RETURNING id, move_id
        )
        UPDATE bench_inv SET line_id = lines.id FROM lines WHERE lines.move_id = bench_inv.move_id;

        INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, date, name,
                                       display_type, parent_state, debit, credit, balance,
                                       amount_currency, amount_residual,
                                       amount_residual_currency, reconciled)
        SELECT move_id, %(sale)s, %(company)s, %(currency)s, %(currency)s, %(income)s,
               partner_id, date, 'Sale', 'product', 'posted', 0, amount, -amount, -amount,
               0, 0, FALSE
          FROM bench_inv;

        -- one invoice in PAID_SHARE: a payment of half of it, 10 days later if that is past
        WITH moves AS (
            INSERT INTO account_move (name, journal_id, company_id, currency_id, state,
                                      move_type, auto_post, date, partner_id,
                                      commercial_partner_id)
            SELECT 'BPAY/' || k, %(misc)s, %(company)s, %(currency)s, 'posted', 'entry', 'no',
                   LEAST(date + 10, CURRENT_DATE), partner_id, partner_id
              FROM bench_inv WHERE k %% %(paid_share)s = 0
            RETURNING id, name
        )
        UPDATE bench_inv SET pay_move_id = moves.id
          FROM moves WHERE moves.name = 'BPAY/' || bench_inv.k;

        WITH lines AS (
            INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id,
                                           currency_id, account_id, partner_id, date,
                                           date_maturity, name, display_type, parent_state,
                                           debit, credit, balance, amount_currency,
                                           amount_residual, amount_residual_currency,
                                           reconciled)
            SELECT pay_move_id, %(misc)s, %(company)s, %(currency)s, %(currency)s,
                   %(receivable)s, partner_id, LEAST(date + 10, CURRENT_DATE),
                   LEAST(date + 10, CURRENT_DATE), 'Payment', 'product', 'posted',
                   0, round(amount / 2, 2), -round(amount / 2, 2), -round(amount / 2, 2),
                   0, 0, TRUE
              FROM bench_inv WHERE pay_move_id IS NOT NULL
            RETURNING id, move_id
        )
        UPDATE bench_inv SET pay_line_id = lines.id
          FROM lines WHERE lines.move_id = bench_inv.pay_move_id;

        INSERT INTO account_move_line (move_id, journal_id, company_id, company_currency_id,
                                       currency_id, account_id, partner_id, date, name,
                                       display_type, parent_state, debit, credit, balance,
                                       amount_currency, amount_residual,
                                       amount_residual_currency, reconciled)
        SELECT pay_move_id, %(misc)s, %(company)s, %(currency)s, %(currency)s, %(bank)s,
               partner_id, LEAST(date + 10, CURRENT_DATE), 'Bank', 'product', 'posted',
               round(amount / 2, 2), 0, round(amount / 2, 2), round(amount / 2, 2), 0, 0, FALSE
          FROM bench_inv WHERE pay_move_id IS NOT NULL;

        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount,
                                               debit_amount_currency, credit_amount_currency,
                                               company_id, debit_currency_id,
                                               credit_currency_id, max_date)
        SELECT line_id, pay_line_id, round(amount / 2, 2), round(amount / 2, 2),
               round(amount / 2, 2), %(company)s, %(currency)s, %(currency)s,
               LEAST(date + 10, CURRENT_DATE)
          FROM bench_inv WHERE pay_line_id IS NOT NULL;

        UPDATE account_move_line aml
           SET amount_residual = aml.amount_residual - round(b.amount / 2, 2),
               amount_residual_currency = aml.amount_residual_currency - round(b.amount / 2, 2)
          FROM bench_inv b
         WHERE aml.id = b.line_id AND b.pay_line_id IS NOT NULL;

        ANALYZE account_move; ANALYZE account_move_line; ANALYZE account_partial_reconcile;
        """,
        params,
    )
    cr.execute(
        "SELECT COUNT(*) FROM account_move_line aml "
        "JOIN account_account a ON a.id = aml.account_id "
        "WHERE a.account_type = 'asset_receivable'"
    )
    return cr.fetchone()[0]


def timed(env, runs, function):
    times, result = [], None
    for _ in range(runs):
        env.invalidate_all()
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), result


def measure(env, runs):
    Aging = env["collection.aged.receivable"]
    past = Aging.with_context(aging_date=str(__import__("datetime").date.today().replace(day=1)))
    Kpi = env["collection.receivable.kpi"]
    measures = [
        (
            "aging by bucket (today)",
            lambda: Aging._read_group([], ["bucket"], ["amount_residual:sum"]),
        ),
        (
            "aging by debtor (today)",
            lambda: Aging._read_group([], ["partner_id"], ["amount_residual:sum"]),
        ),
        (
            "aging by bucket, 1st of month (rebuilt residual)",
            lambda: past._read_group([], ["bucket"], ["amount_residual:sum"]),
        ),
        (
            "DSO/CEI, 24 months, company and collectors",
            lambda: Kpi._read_group([], ["date:month", "scope"], ["dso:avg", "cei:avg"]),
        ),
    ]
    rows = []
    for name, function in measures:
        median, best, result = timed(env, runs, function)
        rows.append((name, median, best, len(result)))
    total = sum(
        amount for _bucket, amount in Aging._read_group([], ["bucket"], ["amount_residual:sum"])
    )
    env.cr.execute(
        "SELECT SUM(aml.amount_residual) FROM account_move_line aml "
        "JOIN account_account a ON a.id = aml.account_id "
        "WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted' "
        "AND aml.reconciled IS NOT TRUE"
    )
    ledger_total = env.cr.fetchone()[0] or 0.0
    return rows, total, ledger_total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", default="cm_bench_aging")
    parser.add_argument("--lines", type=int, default=100_000, help="receivable lines, about")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--http-port", type=int, default=18999)
    args = parser.parse_args()
    if args.rebuild and db_exists(args.db):
        sh("dropdb", args.db, echo=True)
    if not db_exists(args.db):
        install_addon(args)
    config.parse_config(["-c", args.conf, "-d", args.db, "--log-level=warn"], setup_logging=True)
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT 1 FROM account_move WHERE name LIKE 'BENCH/%%' LIMIT 1")
        if not cr.fetchone():
            invoices = round(args.lines / (1 + 1 / PAID_SHARE))
            start = time.perf_counter()
            lines = generate(env, invoices)
            cr.commit()
            print(
                f"generated {invoices:,} invoices, {lines:,} receivable lines "
                f"in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        cr.execute(
            "SELECT COUNT(*) FROM account_move_line aml JOIN account_account a "
            "ON a.id = aml.account_id WHERE a.account_type = 'asset_receivable'"
        )
        lines = cr.fetchone()[0]
        rows, total, ledger_total = measure(env, args.runs)
    print(f"\n{lines:,} receivable lines, median and best of {args.runs} runs\n")
    print(f"{'measure':<50} {'median':>9} {'best':>9} {'groups':>7}")
    for name, median, best, groups in rows:
        print(f"{name:<50} {median * 1000:>7.0f}ms {best * 1000:>7.0f}ms {groups:>7}")
    print(f"\naging total {total:,.2f} / ledger open receivable {ledger_total:,.2f}")
    if abs(total - ledger_total) > 0.005:
        sys.exit("the aging total differs from the ledger")


if __name__ == "__main__":
    main()
