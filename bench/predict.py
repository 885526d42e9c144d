"""Time the payment predictions and print their backtest on the generated ledger.

Usage (see bench/README.md): bench/predict [--size small|default] [--weeks 12] [--keep]

Clones the ledger template `cm_bench_<size>_tpl` (made by `bench/run`) into
`cm_bench_predict_<size>`, installs `collections_management` without demo data, then,
at the ledger's date (`bench.today`):
- computes the debtors' payment behaviour (the nightly job),
- reads the predictions of all the open receivable items (with their reasons) and the
  13-week cash-in forecast,
- replays the predictions as of each of the last `--weeks` weeks (the backtest),
and prints the time and query count of each step and the backtest's figures.
It only creates and drops the database `cm_bench_predict_<size>` (dropped at the end
unless `--keep`).
"""

import argparse
import datetime
import sys
import time

from freezegun import freeze_time
from shell import install, sh

from odoo import api
from odoo.modules.registry import Registry
from odoo.orm.utils import SUPERUSER_ID
from odoo.sql_db import close_db
from odoo.tools import config


def prepare(args):
    sh("dropdb", "--if-exists", args.db, echo=True)
    sh("createdb", "-T", f"cm_bench_{args.size}_tpl", args.db, echo=True)
    install(
        sys.executable, args.conf, args.db, "collections_management",
        "--without-demo=1", "--no-http",
    )  # fmt: skip


def measure(env, label, function):
    env.flush_all()
    env.invalidate_all()
    start_count = env.cr.sql_log_count
    started = time.perf_counter()
    result = function()
    env.flush_all()
    elapsed = time.perf_counter() - started
    queries = env.cr.sql_log_count - start_count
    print(f"{label:<48} {elapsed * 1000:>9.0f} ms {queries:>6} queries", flush=True)
    return result


def run(args):
    config.parse_config(["-c", args.conf])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        today = datetime.date.fromisoformat(
            env["ir.config_parameter"].get_param("bench.today") or datetime.date.today().isoformat()
        )
        company = env.ref("base.main_company")
        print(f"ledger of {args.size}, today {today}", flush=True)
        # the clock ticks from the ledger's date: the timings are real
        with freeze_time(today.isoformat(), tick=True):
            Behaviour = env["collection.payment.behaviour"]
            Prediction = env["collection.payment.prediction"]
            Backtest = env["collection.prediction.backtest"]
            measure(
                env,
                "payment behaviour (nightly, all debtors)",
                lambda: Behaviour._compute_for_company(company),
            )
            debtors = Behaviour.search_count([("partner_id", "!=", False)])
            rows = measure(
                env,
                "predictions of all open items, with reasons",
                lambda: [
                    (row.predicted_date, row.reason) for row in Prediction.search_fetch([], [])
                ],
            )
            forecast = measure(
                env,
                "cash-in forecast by period",
                lambda: Prediction._read_group(
                    [("predicted_date", "!=", False)],
                    ["period_date:day"],
                    ["amount_expected:sum"],
                ),
            )
            dates = Backtest._dates(args.weeks, today)
            backtest = measure(
                env,
                f"backtest ({args.weeks} weekly dates)",
                lambda: Backtest._backtest(company, dates),
            )
        paid, mae, error = Backtest._summary(backtest)
        print(f"debtors with a behaviour: {debtors}; open items predicted: {len(rows)}")
        print(f"forecast periods: {len(forecast)}")
        print(
            f"backtest: {paid} items paid after their date checked; mean absolute error "
            f"{mae:.1f} days; weekly forecast error {error:.1f} %"
        )
        for row in backtest:
            print(
                f"  {row['date']}: open {row['open_count']:>6}, paid since "
                f"{row['paid_count']:>5}, predicted week {row['predicted_amount']:>12,.2f}, "
                f"received week {row['actual_amount']:>12,.2f}"
            )
        cr.rollback()
    close_db(args.db)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conf", required=True)
    parser.add_argument("--size", default="small", choices=("small", "default", "large"))
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    args.db = f"cm_bench_predict_{args.size}"
    prepare(args)
    try:
        run(args)
    finally:
        if not args.keep:
            sh("dropdb", "--if-exists", args.db, echo=True)


if __name__ == "__main__":
    main()
