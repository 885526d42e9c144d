"""A follow-up run's worker in a process of its own, for the outside-in tests.

    python tests/run_worker.py --conf F --db D setup --debtors 40 --batch-size 5
    python tests/run_worker.py --conf F --db D work [--ready R --go G] [--hang-in-batch N]
    python tests/run_worker.py --conf F --db D check --run RUN_ID

Each command prints one JSON line. `setup` makes debtors with overdue invoices (a
policy of their own with one email level), the company's batch size, and a run with
its proposals, left `running` as the daily cron leaves it. `work` is a cron worker:
it calls `collection.run._cron_process_runs` as the scheduler does, and reports the
communications it executed; with `--hang-in-batch N` it stops inside its Nth batch,
after the batch's work and before its commit, and waits to be killed. `check` reports
what the run recorded and sent, per debtor, and restores the batch size.
"""

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from odoo import api
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.orm.utils import SUPERUSER_ID
from odoo.tools import config

TEMPLATE = "collections_management.mail_template_reminder"


def setup(env, args):
    company = env.company
    today = datetime.date.today()
    tag = f"{args.tag}-{int(time.time())}"
    policy = env["collection.policy"].create(
        {
            "name": f"Workers {tag}",
            "company_id": company.id,
            "level_ids": [
                Command.create(
                    {
                        "name": f"Reminder {tag}",
                        "delay": 10,
                        "mode": "automatic",
                        "send_email": True,
                        "mail_template_id": env.ref(TEMPLATE).id,
                    }
                )
            ],
        }
    )
    partners = env["res.partner"].create(
        [
            {
                "name": f"Worker debtor {tag} {number}",
                "email": f"worker-{tag}-{number}@example.com",
                "is_company": True,
                "tz": "UTC",
            }
            for number in range(args.debtors)
        ]
    )
    partners.with_company(company).collection_policy_id = policy
    invoices = env["account.move"].create(
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today - datetime.timedelta(days=60),
                "invoice_date_due": today - datetime.timedelta(days=40 + number % 5),
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "Service", "price_unit": 100.0, "tax_ids": []})
                ],
            }
            for partner in partners
            for number in range(2)
        ]
    )
    invoices.action_post()
    previous_batch_size = company.collection_batch_size
    company.collection_batch_size = args.batch_size
    run = env["collection.run"].create({"company_id": company.id})
    run._compute_proposals()
    run.state = "running"
    env.cr.commit()
    return {
        "run": run.id,
        "partners": partners.ids,
        "communications": len(run.communication_ids),
        "previous_batch_size": previous_batch_size,
    }


def work(env, args):
    executed = []
    Communication = type(env["collection.communication"])
    execute = Communication._execute

    def recording_execute(self):
        executed.append(self.ids)
        result = execute(self)
        if args.batch_delay:
            time.sleep(args.batch_delay)
        if args.hang_in_batch and len(executed) == args.hang_in_batch:
            # the batch is done but not committed: wait here to be killed
            self.env.flush_all()
            Path(args.hanging).write_text(json.dumps(self.ids))
            time.sleep(3600)
        return result

    Communication._execute = recording_execute
    if args.ready:
        Path(args.ready).write_text("ready")
        deadline = time.monotonic() + 120
        while not Path(args.go).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    started = time.monotonic()
    env["collection.run"]._cron_process_runs()
    env.cr.commit()
    return {"batches": executed, "seconds": time.monotonic() - started}


def check(env, args):
    run = env["collection.run"].browse(args.run)
    partners = env["res.partner"].browse(args.partners)
    communications = env["collection.communication"].search(
        [("partner_id", "in", partners.ids), ("date", "=", run.date)]
    )
    mails = env["mail.mail"].sudo().search([("recipient_ids", "in", partners.ids)])
    result = {
        "run_state": run.state,
        "pending": run.pending_count,
        "communications_by_partner": {
            str(partner.id): len(communications.filtered(lambda c, p=partner: c.partner_id == p))
            for partner in partners
        },
        "states": sorted(set(communications.mapped("state"))),
        "mails_by_partner": {
            str(partner.id): len(mails.filtered(lambda m, p=partner: p in m.recipient_ids))
            for partner in partners
        },
        "mails_linked": len(communications.mail_id),
        "killed": [
            [communication.state, bool(communication.mail_id)]
            for communication in env["collection.communication"].browse(args.killed)
        ],
    }
    if args.restore_batch_size:
        env.company.collection_batch_size = args.restore_batch_size
    env.cr.commit()
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conf", required=True)
    parser.add_argument("--db", required=True)
    commands = parser.add_subparsers(dest="command", required=True)
    setup_parser = commands.add_parser("setup")
    setup_parser.add_argument("--debtors", type=int, default=40)
    setup_parser.add_argument("--batch-size", type=int, default=5)
    setup_parser.add_argument("--tag", default="w")
    work_parser = commands.add_parser("work")
    work_parser.add_argument("--ready")
    work_parser.add_argument("--go")
    work_parser.add_argument("--batch-delay", type=float, default=0.0)
    work_parser.add_argument("--hang-in-batch", type=int, default=0)
    work_parser.add_argument("--hanging")
    check_parser = commands.add_parser("check")
    check_parser.add_argument("--run", type=int, required=True)
    check_parser.add_argument("--partners", type=int, nargs="+", required=True)
    check_parser.add_argument("--restore-batch-size", type=int, default=0)
    check_parser.add_argument("--killed", type=int, nargs="*", default=[])
    args = parser.parse_args()
    config.parse_config(
        ["-c", args.conf, "-d", args.db, "--log-level=warn", "--log-handler=py.warnings:ERROR"],
        setup_logging=True,
    )
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(context=env["res.users"].context_get())
        command = {"setup": setup, "work": work, "check": check}[args.command]
        result = command(env, args)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
