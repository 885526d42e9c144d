"""One measure (or one set-up step) of the benchmark, in a process of its own.

Run by bench.py as `python worker.py TASK --conf F --db D --out result.json [--arg ...]`,
so that each measure starts from a fresh interpreter and its peak RSS is its own.
Every task writes a JSON dict to --out.

Timings use CLOCK_MONOTONIC, which freezegun does not fake; queries are counted with
Odoo's process-wide `odoo.sql_db.sql_counter` (every cursor's `execute`).
"""

import argparse
import cProfile
import datetime
import io
import json
import logging
import pstats
import re
import resource
import socket
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import psutil
from freezegun import freeze_time

from odoo import api, http, sql_db
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.orm.utils import SUPERUSER_ID
from odoo.service import server
from odoo.tools import SQL, config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ledger

_logger = logging.getLogger("bench.worker")

LEVELS = [  # (delay in days, channel): the bench policy's three levels
    (10, "email"),
    (30, "email"),
    (60, "letter"),
]
OCA_TEMPLATE = "account_credit_control.email_template_credit_control_base"
OUR_TEMPLATE = "collections_management.mail_template_reminder"
TASKS = {}


def task(function):
    TASKS[function.__name__.replace("_", "-")] = function
    return function


def clock():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def queries():
    return sql_db.sql_counter


def rss_mb():
    return psutil.Process().memory_info().rss / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryPatterns:
    """Counts executed statements by shape (numbers and strings blanked), to show
    which statement is repeated per record."""

    def __init__(self):
        self.counts = {}

    @contextmanager
    def recording(self):
        original = sql_db.Cursor.execute
        counts = self.counts

        def execute(cursor, query, params=None, log_exceptions=True):
            text = query.code if isinstance(query, SQL) else str(query)
            shape = re.sub(r"\s+", " ", re.sub(r"'[^']*'|\b\d+\b", "?", text)).strip()[:160]
            counts[shape] = counts.get(shape, 0) + 1
            return original(cursor, query, params, log_exceptions)

        sql_db.Cursor.execute = execute
        try:
            yield self
        finally:
            sql_db.Cursor.execute = original

    def top(self, limit=15):
        ranked = sorted(self.counts.items(), key=lambda item: -item[1])[:limit]
        return [{"count": count, "query": shape} for shape, count in ranked]


class Meter:
    """Wall time and queries of one measured block, plus named phases inside it."""

    def __init__(self, profile=None):
        self.phases = {}
        self.profile = profile
        self.result = {}

    @contextmanager
    def measure(self):
        self.result["rss_before_mb"] = round(rss_mb(), 1)
        profiler = cProfile.Profile() if self.profile else None
        patterns = QueryPatterns()
        recording = patterns.recording() if self.profile else nullcontext()
        start_q, start_t = queries(), clock()
        if profiler:
            profiler.enable()
        try:
            with recording:
                yield self
        finally:
            if profiler:
                profiler.disable()
            self.result["seconds"] = clock() - start_t
            self.result["queries"] = queries() - start_q
            self.result["peak_rss_mb"] = round(peak_rss_mb(), 1)
            self.result["phases"] = self.phases
            if profiler:
                profiler.dump_stats(self.profile)
                text = io.StringIO()
                pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
                Path(self.profile).with_suffix(".txt").write_text(text.getvalue())
                self.result["top_queries"] = patterns.top()

    @contextmanager
    def phase(self, name):
        start_q, start_t = queries(), clock()
        try:
            yield
        finally:
            entry = self.phases.setdefault(name, {"seconds": 0.0, "queries": 0, "calls": 0})
            entry["seconds"] += clock() - start_t
            entry["queries"] += queries() - start_q
            entry["calls"] += 1


def wrap_methods(env, meter, spec):
    """Count time and queries of model methods by phase, without touching the addon:
    the registry's classes are patched in this process only."""
    for model_name, method_names in spec.items():
        cls = type(env[model_name])
        for method_name in method_names:
            original = getattr(cls, method_name)

            def wrapper(self, *args, __original=original, __name=method_name, **kwargs):
                with meter.phase(__name):
                    return __original(self, *args, **kwargs)

            setattr(cls, method_name, wrapper)


@contextmanager
def frozen(day):
    """Freeze the clock at noon of `day` (ticking, so durations stay real)."""
    with freeze_time(datetime.datetime.combine(day, datetime.time(12, 0)), tick=True):
        yield


# ----------------------------------------------------------------------
# Ledger facts
# ----------------------------------------------------------------------
def ledger_today(env):
    return datetime.date.fromisoformat(env["ir.config_parameter"].get_param("bench.today"))


def overdue_invoice_count(env, day):
    """Posted customer invoices with an open receivable due before `day`."""
    return env.execute_query(
        SQL(
            """
            SELECT COUNT(DISTINCT aml.move_id)
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN account_account account ON account.id = aml.account_id
             WHERE account.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual > 0
               AND aml.date_maturity < %s
               AND move.move_type = 'out_invoice'
            """,
            day,
        )
    )[0][0]


@task
def generate(env, args):
    today = datetime.date.fromisoformat(args.today)
    env["ir.config_parameter"].set_param("bench.today", today.isoformat())
    if args.method == "sql":
        summary = ledger.generate_sql(
            env, args.debtors, args.invoices, today, args.seed, args.chunk or ledger.SQL_CHUNK
        )
    else:
        summary = ledger.generate(env, args.debtors, args.invoices, today, args.seed)
    env.cr.commit()
    summary["overdue_invoices"] = overdue_invoice_count(env, today)
    summary["open_invoices"] = env.execute_query(
        SQL(
            "SELECT payment_state, COUNT(*) FROM account_move"
            " WHERE move_type = 'out_invoice' GROUP BY payment_state"
        )
    )
    return summary


@task
def ledger_digest(env, args):
    """The ledger as the runs read it, to compare two ways of generating it."""
    return ledger.digest(env, ledger_today(env))


@task
def ledger_check(env, args):
    """Odoo's consistency checks on the ledger (rolled back)."""
    return ledger.check(env)


@task
def facts(env, args):
    today = ledger_today(env)
    return {
        "today": today.isoformat(),
        "overdue_day1": overdue_invoice_count(env, today),
        "overdue_day2": overdue_invoice_count(env, today + datetime.timedelta(days=1)),
        "debtors": env["res.partner"].search_count([("name", "=like", "Debtor %")]),
        "invoices": env["account.move"].search_count([("move_type", "=", "out_invoice")]),
    }


# ----------------------------------------------------------------------
# OCA account_credit_control
# ----------------------------------------------------------------------
@task
def oca_setup(env, args):
    company = env.company
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    template = env.ref(OCA_TEMPLATE)
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench: 10 / 30 / 60 days",
            "company_id": company.id,
            "account_ids": [Command.set(receivable.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": f"{delay} days ({channel})",
                        "level": number,
                        "computation_mode": "net_days",
                        "delay_days": delay,
                        "email_template_id": template.id,
                        "channel": channel,
                        "custom_text": f"Reminder after {delay} days.",
                        "custom_mail_text": f"<p>Reminder after {delay} days.</p>",
                    }
                )
                for number, (delay, channel) in enumerate(LEVELS, 1)
            ],
        }
    )
    company.credit_policy_id = policy
    env["ir.config_parameter"].set_param("bench.oca_policy_id", policy.id)
    return {"policy_id": policy.id, "receivable_accounts": receivable.ids}


@task
def oca_run(env, args):
    """Time OCA's run (credit.control.run.generate_credit_lines) for day 1 or day 2."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    policy = env["credit.control.policy"].browse(
        int(env["ir.config_parameter"].get_param("bench.oca_policy_id"))
    )
    result = {"day": args.day, "date": day.isoformat(), "overdue": overdue_invoice_count(env, day)}
    env.cr.commit()
    meter = Meter(args.profile)
    with frozen(day), meter.measure():
        run = env["credit.control.run"].create(
            {"date": day, "company_id": env.company.id, "policy_ids": [Command.set(policy.ids)]}
        )
        run.generate_credit_lines()
        env.flush_all()
        env.cr.commit()
    result.update(meter.result)
    result["lines"] = len(run.line_ids)
    if args.emails:
        # OCA's email step on the day's lines, as a user does it: the lines to email
        # are marked to be sent (credit.control.marker), then credit.control.emailer
        # makes one communication per debtor and level and posts its email.
        email_meter = Meter(args.profile and args.profile.replace(".prof", "-emails.prof"))
        # like ours: the invoices listed in the body, no PDF attached (OCA's template
        # attaches a summary report rendered by wkhtmltopdf per email)
        levels = policy.level_ids.filtered(lambda level: level.channel == "email")
        levels.mail_show_invoice_detail = True
        levels.email_template_id.report_template_ids = False
        env.cr.commit()
        mails_before = env["mail.mail"].search_count([])
        # queued only, as ours are (no SMTP connection during the measure)
        env = env(context=dict(env.context, mail_notify_force_send=False))
        with frozen(day), email_meter.measure():
            lines = run.line_ids.filtered(lambda line: line.channel == "email")
            marker = env["credit.control.marker"].create(
                {"name": "to_be_sent", "line_ids": [Command.set(lines.ids)]}
            )
            marker.mark_lines()
            emailer = env["credit.control.emailer"].create({"line_ids": [Command.set(lines.ids)]})
            emailer.email_lines()
            env.flush_all()
            env.cr.commit()
        result["email_seconds"] = email_meter.result["seconds"]
        result["email_queries"] = email_meter.result["queries"]
        result["email_peak_rss_mb"] = email_meter.result["peak_rss_mb"]
        result["emails_queued"] = env["mail.mail"].search_count([]) - mails_before
        result["email_lines"] = len(lines)
    result["lines_by_level"] = {
        str(level): count
        for level, count in env["credit.control.line"]._read_group(
            [("run_id", "=", run.id)], ["level"], ["__count"]
        )
    }
    if args.mark_sent:
        # What a user does before the next day's run: the day's lines are sent.
        run.line_ids.with_context(tracking_disable=True).write({"state": "sent", "date_sent": day})
        env.cr.commit()
    return result


# ----------------------------------------------------------------------
# collections_management
# ----------------------------------------------------------------------
@task
def ours_setup(env, args):
    company = env.company
    template = env.ref(OUR_TEMPLATE)
    policy = env["collection.policy"].create(
        {
            "name": "Bench: 10 / 30 / 60 days",
            "company_id": company.id,
            "allow_level_skip": bool(args.skip_levels),
            "level_ids": [
                Command.create(
                    {
                        "name": f"{delay} days ({channel})",
                        "delay": delay,
                        "mode": "automatic",
                        "send_email": channel == "email",
                        "mail_template_id": template.id if channel == "email" else False,
                        "send_letter": channel == "letter",
                        "letter_title": "Final reminder" if channel == "letter" else False,
                    }
                )
                for delay, channel in LEVELS
            ],
        }
    )
    company.collection_policy_id = policy
    return {"policy_id": policy.id, "batch_size": company.collection_batch_size}


OUR_PHASES = {
    "collection.case": ["_sync_cases"],
    "collection.run": ["_fetch_candidate_invoices", "_partners_in_other_runs"],
    "collection.communication": [
        "create",
        "_queue_emails",
        "_create_followup_activities",
        "_advance_levels",
        "_log_on_chatter",
    ],
    "mail.template": ["_generate_template"],
    "mail.mail": ["create"],
}


@task
def ours_preview(env, args):
    """(a): the run's preview, rolled back afterwards."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    result = {"day": args.day, "date": day.isoformat(), "overdue": overdue_invoice_count(env, day)}
    env.cr.commit()
    meter = Meter(args.profile)
    wrap_methods(env, meter, OUR_PHASES)
    with frozen(day), meter.measure():
        run = env["collection.run"].create({"company_id": env.company.id})
        communications = run._compute_proposals()
        env.flush_all()
    result.update(meter.result)
    result["communications"] = len(communications)
    result["invoices_listed"] = len(communications.line_ids)
    env.cr.rollback()
    return result


@task
def ours_run(env, args):
    """(b): preview, then every batch executed and committed, as the cron does."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    result = {"day": args.day, "date": day.isoformat(), "overdue": overdue_invoice_count(env, day)}
    env.cr.commit()
    meter = Meter(args.profile)
    wrap_methods(env, meter, OUR_PHASES)
    batches = 0
    with frozen(day), meter.measure():
        with meter.phase("preview"):
            run = env["collection.run"].create({"company_id": env.company.id})
            run._compute_proposals()
            run.state = "running"
            env.flush_all()
            env.cr.commit()
        with meter.phase("batches"):
            while run._process_batch():
                batches += 1
                env.flush_all()
                env.cr.commit()
            run._finish()
            env.flush_all()
            env.cr.commit()
    result.update(meter.result)
    Communication = env["collection.communication"]
    result["batches"] = batches
    result["communications"] = Communication.search_count([("run_id", "=", run.id)])
    result["emails_queued"] = Communication.search_count(
        [("run_id", "=", run.id), ("mail_id", "!=", False)]
    )
    result["letters_to_render"] = Communication.search_count(
        [("run_id", "=", run.id), ("letter_state", "=", "to_render")]
    )
    result["invoices_listed"] = env["collection.communication.line"].search_count(
        [("communication_id.run_id", "=", run.id)]
    )
    result["by_state"] = dict(
        Communication._read_group([("run_id", "=", run.id)], ["state"], ["__count"])
    )
    batch_seconds = meter.phases["batches"]["seconds"]
    result["debtors_per_second_executed"] = (
        result["communications"] / batch_seconds if batch_seconds else None
    )
    return result


@task
def ours_prepare(env, args):
    """A run previewed and left running, as the daily cron leaves it for its workers."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    with frozen(day):
        run = env["collection.run"].create({"company_id": env.company.id, "trigger": "cron"})
        run._compute_proposals()
        run.state = "running"
        env.flush_all()
        env.cr.commit()
    return {"run": run.id, "communications": len(run.communication_ids)}


@task
def ours_work(env, args):
    """One cron worker on the running run (`_cron_process_runs`), started together with
    the others: it says it is ready, waits for the go, and reports when it started and
    ended on the machine's monotonic clock (shared by the processes)."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    executed = []
    Communication = type(env["collection.communication"])
    execute = Communication._execute

    def counting_execute(self):
        executed.append(len(self))
        return execute(self)

    Communication._execute = counting_execute
    env.cr.commit()
    Path(args.ready).write_text("ready")
    while not Path(args.go).exists():
        time.sleep(0.01)
    with frozen(day):
        start = clock()
        env["collection.run"]._cron_process_runs()
        env.cr.commit()
        end = clock()
    return {
        "start": start,
        "end": end,
        "batches": len(executed),
        "communications": sum(executed),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def serve_http(env, db):
    """Letters are printed by wkhtmltopdf, which fetches the report's assets over HTTP,
    as it does from a running server's cron: start Odoo's HTTP server in a thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config["http_interface"], config["http_port"] = "127.0.0.1", port
    config["dbfilter"] = f"^{re.escape(db)}$"
    server.ThreadedServer(http.root).http_spawn()
    env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    env.cr.commit()


@task
def ours_letters(env, args):
    """(c): render the letters waiting to be printed, in batches of --letter-batch, up to
    --letter-limit letters (a sample when the full set would take too long)."""
    Communication = env["collection.communication"]
    serve_http(env, args.db)
    todo = Communication.search([("letter_state", "=", "to_render")], order="id")
    total = len(todo)
    if args.letter_limit:
        todo = todo[: args.letter_limit]
    day = ledger_today(env)
    env.cr.commit()
    meter = Meter(args.profile)
    with frozen(day), meter.measure():
        for start in range(0, len(todo), args.letter_batch):
            batch = todo[start : start + args.letter_batch]
            with meter.phase("batch"):
                batch._render_letters()
                env.flush_all()
                env.cr.commit()
    result = meter.result
    result["letters_waiting"] = total
    result["letters_rendered"] = Communication.search_count([("letter_state", "=", "done")])
    result["letters_failed"] = Communication.search_count([("letter_state", "=", "failed")])
    result["batch_size"] = args.letter_batch
    return result


@task
def floor(env, args):
    """The floor: one SQL aggregate over the overdue open receivable lines, by debtor."""
    day = ledger_today(env) + datetime.timedelta(days=args.day - 1)
    query = SQL(
        """
        SELECT aml.partner_id, SUM(aml.amount_residual), MIN(aml.date_maturity), COUNT(*)
          FROM account_move_line aml
          JOIN account_account account ON account.id = aml.account_id
         WHERE aml.company_id = %s
           AND account.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND NOT aml.reconciled
           AND aml.amount_residual > 0
           AND aml.date_maturity < %s
      GROUP BY aml.partner_id
        """,
        env.company.id,
        day,
    )
    env.execute_query(query)  # warm the buffers, as the runs find them
    timings = []
    for _repeat in range(5):
        start = clock()
        rows = env.execute_query(query)
        timings.append(clock() - start)
    timings.sort()
    return {
        "seconds": timings[len(timings) // 2],
        "queries": 1,
        "debtors": len(rows),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--day", type=int, default=1)
    parser.add_argument("--mark-sent", action="store_true")
    parser.add_argument("--emails", action="store_true")
    parser.add_argument("--ready")
    parser.add_argument("--go")
    parser.add_argument("--skip-levels", action="store_true")
    parser.add_argument("--profile")
    parser.add_argument("--letter-batch", type=int, default=50)
    parser.add_argument("--letter-limit", type=int, default=0)
    parser.add_argument("--debtors", type=int)
    parser.add_argument("--invoices", type=int)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--today")
    parser.add_argument("--method", choices=("sql", "orm"), default="sql")
    parser.add_argument("--chunk", type=int)
    args = parser.parse_args()
    config.parse_config(
        [
            "-c",
            args.conf,
            "-d",
            args.db,
            "--log-level=warn",
            "--log-handler=py.warnings:ERROR",
        ],
        setup_logging=True,
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(context=env["res.users"].context_get())
        result = TASKS[args.task](env, args)
        cr.commit()
    Path(args.out).write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
