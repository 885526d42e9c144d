"""Side-by-side benchmark: our follow-up run against OCA's credit control run.

Driven by bench/run (which sources bin/lib.sh). Every measure runs in a worker process
of its own (bench/worker.py) on a fresh clone (`createdb -T`) of a template database
that holds the generated ledger; see bench/README.md.
"""

import argparse
import ast
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from shell import db_exists, install, log, sh

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
WORKER = BENCH_DIR / "worker.py"
CACHE = Path(os.environ["CM_CACHE"])
ADDONS_CACHE = CACHE / "bench-addons"
OCA_ADDON = "account_credit_control"
OCA_REQUIREMENT = "odoo-addon-account-credit-control==19.0.*"
SIZES = {
    "small": (200, 2_000),
    "default": (2_000, 20_000),
    "large": (20_000, 200_000),
}
SEED = 20240601
PREFIX = "cm_bench_"


# ----------------------------------------------------------------------
# Databases: only ever names starting with cm_bench_
# ----------------------------------------------------------------------
def filestore(name):
    return CACHE / "bench-filestore" / "filestore" / name


def drop_db(name):
    assert name.startswith(PREFIX), name
    sh("dropdb", "--if-exists", name)
    shutil.rmtree(filestore(name), ignore_errors=True)


def clone_db(template, name, autovacuum=True):
    """A fresh copy of `template` (database and filestore). Without autovacuum, the
    clone's statistics stay as the template left them unless we ANALYZE ourselves."""
    drop_db(name)
    sh("createdb", "-T", template, name)
    if filestore(template).exists():
        shutil.copytree(filestore(template), filestore(name))
    if not autovacuum:
        psql(
            name,
            """DO $$ DECLARE t record; BEGIN
                 FOR t IN SELECT relname FROM pg_class c JOIN pg_namespace n
                          ON n.oid = c.relnamespace
                          WHERE n.nspname = 'public' AND c.relkind = 'r' LOOP
                   EXECUTE format('ALTER TABLE %I SET (autovacuum_enabled = false)',
                                  t.relname);
                 END LOOP; END $$;""",
        )


def psql(db, sql):
    sh("psql", "-q", "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql, stdout=subprocess.DEVNULL)


# ----------------------------------------------------------------------
# Odoo: the OCA addon, the config, the workers
# ----------------------------------------------------------------------
def ensure_oca_addon(python):
    """Download OCA's wheel once into the cache and unpack the addon next to it."""
    wheels = ADDONS_CACHE / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob("odoo_addon_account_credit_control-19.0*.whl"))
    if not found:
        log(f"downloading {OCA_REQUIREMENT} from PyPI")
        sh(python, "-m", "pip", "download", "--no-deps", "-q", "-d", wheels, OCA_REQUIREMENT)
        found = sorted(wheels.glob("odoo_addon_account_credit_control-19.0*.whl"))
    wheel = found[-1]
    addons = ADDONS_CACHE / "addons"
    target = addons / OCA_ADDON
    stamp = addons / f".{OCA_ADDON}.wheel"
    if not target.exists() or not stamp.exists() or stamp.read_text() != wheel.name:
        shutil.rmtree(target, ignore_errors=True)
        prefix = f"odoo/addons/{OCA_ADDON}/"
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.namelist():
                if member.startswith(prefix) and not member.endswith("/"):
                    destination = addons / OCA_ADDON / member[len(prefix) :]
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    destination.write_bytes(archive.read(member))
        stamp.write_text(wheel.name)
    manifest = (target / "__manifest__.py").read_text()
    depends = ast.literal_eval(manifest)["depends"]
    assert set(depends) <= {"base", "account", "mail"}, depends
    return wheel.name, addons


def write_config(odoo_root, oca_addons):
    RESULTS.mkdir(exist_ok=True)
    conf = RESULTS / "odoo-bench.conf"
    addons_path = ",".join([f"{odoo_root}/odoo/addons", str(REPO_DIR), str(oca_addons)])
    conf.write_text(
        "[options]\n"
        f"addons_path = {addons_path}\n"
        f"data_dir = {CACHE / 'bench-filestore'}\n"
        "with_demo = False\n"
        "http_enable = False\n"
        "max_cron_threads = 0\n"
    )
    return conf


class Odoo:
    def __init__(self, python, conf):
        self.python = python
        self.conf = conf

    def install(self, db, module):
        install(self.python, self.conf, db, module)

    def work(self, task, db, **options):
        out = RESULTS / f"tmp-{task}-{os.getpid()}.json"
        command = [self.python, WORKER, task, "--conf", self.conf, "--db", db, "--out", out]
        for key, value in options.items():
            if value is True:
                command.append(f"--{key.replace('_', '-')}")
            elif value not in (None, False):
                command += [f"--{key.replace('_', '-')}", value]
        sh(*command)
        result = json.loads(out.read_text())
        out.unlink()
        return result


# ----------------------------------------------------------------------
# Templates
# ----------------------------------------------------------------------
def generate_ledger(odoo, name, size, method, today, chunk=None):
    """The ledger of `size` written by `method` (sql or orm) into a new database `name`,
    cloned from the base template; returns the generation summary."""
    debtors, invoices = SIZES[size]
    log(f"generating the {size} ledger ({method}): {debtors} debtors, {invoices} invoices")
    clone_db(f"{PREFIX}base_tpl", f"{name}_wip")
    summary = odoo.work(
        "generate", f"{name}_wip", debtors=debtors, invoices=invoices,
        seed=SEED, today=today, method=method, chunk=chunk,
    )  # fmt: skip
    log(f"ledger generated in {summary['seconds']} s: {summary}")
    psql(f"{name}_wip", "VACUUM ANALYZE")
    sh("psql", "-q", "-d", "postgres", "-c", f"ALTER DATABASE {name}_wip RENAME TO {name}")
    if filestore(f"{name}_wip").exists():
        shutil.rmtree(filestore(name), ignore_errors=True)
        filestore(f"{name}_wip").rename(filestore(name))
    (RESULTS / f"{name}.summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def ensure_base(odoo):
    base = f"{PREFIX}base_tpl"
    if not db_exists(base):
        sh("createdb", base)
        odoo.install(base, "account")


def ensure_templates(odoo, size, rebuild, oca_addons, method="sql", oca_wanted=True):
    ledger = f"{PREFIX}{size}_tpl"
    oca, ours = f"{PREFIX}{size}_oca_tpl", f"{PREFIX}{size}_ours_tpl"
    if rebuild:
        for name in (ledger, oca, ours):
            drop_db(name)
    ensure_base(odoo)
    if not db_exists(ledger):
        generate_ledger(odoo, ledger, size, method, datetime.date.today().isoformat())
    for name, module, setup in (
        *([(oca, OCA_ADDON, "oca-setup")] if oca_wanted else []),
        (ours, "collections_management", "ours-setup"),
    ):
        # A template installed from other sources than today's is rebuilt.
        stamp = RESULTS / f"{name}.source-hash"
        source = source_hash(oca_addons if module == OCA_ADDON else REPO_DIR / module)
        if db_exists(name) and (not stamp.exists() or stamp.read_text() != source):
            log(f"{module} changed since {name} was built: rebuilding it")
            drop_db(name)
        if not db_exists(name):
            clone_db(ledger, f"{name}_wip")
            odoo.install(f"{name}_wip", module)
            odoo.work(setup, f"{name}_wip")
            psql(f"{name}_wip", "VACUUM ANALYZE")
            sh("psql", "-q", "-d", "postgres", "-c", f"ALTER DATABASE {name}_wip RENAME TO {name}")
            if filestore(f"{name}_wip").exists():
                filestore(f"{name}_wip").rename(filestore(name))
            stamp.write_text(source)
    return ledger, oca, ours


def compare_ledgers(first, second, limit=5):
    """Differences between two digests (empty when the ledgers are the same)."""
    differences = []
    for part in ("invoices", "overdue", "accounts", "counts", "columns"):
        left, right = first[part], second[part]
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                differences.append(f"{part} {key}: {left.get(key)} != {right.get(key)}")
    return {
        "invoices": len(first["invoices"]),
        "debtors_overdue": len(first["overdue"]),
        "differences": len(differences),
        "first_differences": differences[:limit],
    }


def check_ledger(odoo, size, rebuild):
    """The ledger of `size` written both ways from the same plan and date (databases
    cm_bench_cmp_<size>_orm and cm_bench_cmp_<size>_sql, kept for the next check unless
    --rebuild; the set-based one written in three chunks): what the runs read of them
    compared, and Odoo's checks on each."""
    names = {method: f"{PREFIX}cmp_{size}_{method}" for method in ("orm", "sql")}
    if rebuild:
        for name in names.values():
            drop_db(name)
    ensure_base(odoo)
    today = datetime.date.today().isoformat()
    if db_exists(names["orm"]):
        today = sh(
            "psql", "-d", names["orm"], "-tAc",
            "SELECT value FROM ir_config_parameter WHERE key = 'bench.today'",
            capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
    report = {"size": size, "today": today, "generation": {}, "checks": {}}
    for method, name in names.items():
        if not db_exists(name):
            # several chunks, so that the check covers what crosses them (numbering, ids)
            generate_ledger(odoo, name, size, method, today, chunk=SIZES[size][1] // 3 + 1)
        summary = RESULTS / f"{name}.summary.json"
        if summary.exists():
            report["generation"][method] = json.loads(summary.read_text())
    digests = {method: odoo.work("ledger-digest", name) for method, name in names.items()}
    report["comparison"] = compare_ledgers(digests["orm"], digests["sql"])
    for method, name in names.items():
        report["checks"][method] = odoo.work("ledger-check", name)
    (RESULTS / f"{size}-ledger-check.json").write_text(json.dumps(report, indent=2, default=str))
    comparison = report["comparison"]
    print(
        f"{size} ledger, ORM and set-based from the same plan (today {today}): "
        f"{comparison['invoices']} invoices, {comparison['debtors_overdue']} debtors "
        f"overdue, {comparison['differences']} differences"
    )
    for line in comparison["first_differences"]:
        print(f"  {line}")
    failed = bool(comparison["differences"])
    for method, result in report["checks"].items():
        changed = {
            model: values["changed"]
            for model, values in result["recomputed"].items()
            if values["changed"]
        }
        payments = result["registered_payments"]
        ledger_ok = (
            result["partner_ledger"]["debtors_differing"] == 0
            and result["partner_ledger"]["balance"] == result["partner_ledger"]["open_invoices"]
        )
        paid_ok = all(p["payment_state"] == "paid" and p["reconciled"] for p in payments.values())
        ok = not result["unbalanced_moves"] and not changed and ledger_ok and paid_ok
        failed |= not ok
        print(
            f"{method}: {'OK' if ok else 'FAILED'}: {result['moves']} entries, "
            f"{result['unbalanced_moves']} unbalanced; stored computed fields recomputed "
            f"by Odoo: {changed or 'all equal'}; partner ledger {result['partner_ledger']}; "
            f"next invoice {result['new_invoice'][1]} after {result['new_invoice'][0]}; "
            f"payments registered through Odoo: "
            + ", ".join(
                f"{state} {p['invoice']} -> {p['payment_state']} ({p['matching_number']})"
                for state, p in payments.items()
            )
        )
    log(f"written to {RESULTS / f'{size}-ledger-check.json'}")
    return not failed


def source_hash(folder):
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        # Tests and docs do not change what is installed or measured.
        parts = set(path.relative_to(folder).parts)
        if path.is_file() and not {"__pycache__", "tests", "docs"} & parts:
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------
def with_emails(result):
    """OCA's line generation followed by its email step, as one measure."""
    return {
        **result,
        "seconds": result["seconds"] + result["email_seconds"],
        "queries": result["queries"] + result["email_queries"],
        "peak_rss_mb": max(result["peak_rss_mb"], result["email_peak_rss_mb"]),
    }


def run_workers(odoo, db, count):
    """`count` worker processes on one run left running by the cron: they load Odoo,
    say they are ready, start together and share the run's batches. The measure is
    from the first start to the last end."""
    prepared = odoo.work("ours-prepare", db, day=1)
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    go = RESULTS / f"tmp-go-{stamp}"
    processes = []
    for number in range(count):
        ready = RESULTS / f"tmp-ready-{stamp}-{number}"
        out = RESULTS / f"tmp-worker-{stamp}-{number}.json"
        command = [
            odoo.python, WORKER, "ours-work", "--conf", odoo.conf, "--db", db, "--out", out,
            "--ready", ready, "--go", go,
        ]  # fmt: skip
        processes.append((subprocess.Popen([str(part) for part in command]), ready, out))
    for process, ready, _out in processes:
        while not ready.exists():
            if process.poll() is not None:
                raise RuntimeError(f"a worker exited with {process.returncode}")
            time.sleep(0.05)
    go.write_text("go")
    reports = []
    for process, ready, out in processes:
        if process.wait() != 0:
            raise RuntimeError(f"a worker exited with {process.returncode}")
        reports.append(json.loads(out.read_text()))
        out.unlink()
        ready.unlink()
    go.unlink()
    done = sum(report["communications"] for report in reports)
    if done != prepared["communications"]:
        raise RuntimeError(f"{done} communications executed of {prepared['communications']}")
    seconds = max(r["end"] for r in reports) - min(r["start"] for r in reports)
    return {
        "seconds": seconds,
        "queries": None,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in reports),
        "communications": done,
        "batches": sum(r["batches"] for r in reports),
        "batches_by_worker": [r["batches"] for r in reports],
        "debtors_per_second_executed": done / seconds if seconds else None,
    }


def measure(
    odoo, size, oca_tpl, ours_tpl, runs, letter_limit, profile, workers, letters, stale, oca=True
):
    run_db = f"{PREFIX}{size}_run"
    samples = {}

    def keep(name, result):
        samples.setdefault(name, []).append(result)
        log(
            f"  {name}: {result.get('seconds', 0):.3f} s, {result.get('queries')} queries, "
            f"peak RSS {result.get('peak_rss_mb')} MB"
        )

    def prof(name, repeat):
        return str(RESULTS / f"{size}-{name}.prof") if profile and repeat == 0 else None

    for repeat in range(runs):
        if oca:
            log(f"run {repeat + 1}/{runs}: OCA account_credit_control")
        for analyze in ((True, False) if stale else (True,)) if oca else ():
            clone_db(oca_tpl, run_db, autovacuum=False)
            day1 = odoo.work(
                "oca-run", run_db, day=1, mark_sent=True, emails=analyze,
                profile=prof("oca1", repeat),
            )  # fmt: skip
            if analyze:
                keep("oca_day1", day1)
                keep("oca_day1_emails", with_emails(day1))
                psql(run_db, "ANALYZE")
            day2 = odoo.work(
                "oca-run", run_db, day=2, emails=analyze, profile=prof(f"oca2{analyze}", repeat)
            )
            keep("oca_day2" if analyze else "oca_day2_stale", day2)
            if analyze:
                keep("oca_day2_emails", with_emails(day2))
        log(f"run {repeat + 1}/{runs}: collections_management")
        for analyze in (True, False) if stale else (True,):
            clone_db(ours_tpl, run_db, autovacuum=False)
            if analyze:
                keep("floor_day1", odoo.work("floor", run_db, day=1))
                keep(
                    "ours_a_day1",
                    odoo.work("ours-preview", run_db, day=1, profile=prof("a1", repeat)),
                )
            day1 = odoo.work("ours-run", run_db, day=1, profile=prof("b1", repeat))
            if analyze:
                keep("ours_b_day1", day1)
                psql(run_db, "ANALYZE")
                keep("floor_day2", odoo.work("floor", run_db, day=2))
                keep("ours_a_day2", odoo.work("ours-preview", run_db, day=2))
            keep(
                "ours_b_day2" if analyze else "ours_b_day2_stale",
                odoo.work("ours-run", run_db, day=2, profile=prof(f"b2{analyze}", repeat)),
            )
        for count in (1, 2) if workers else ():
            log(f"run {repeat + 1}/{runs}: {count} worker process(es) on one run")
            clone_db(ours_tpl, run_db, autovacuum=False)
            keep(f"ours_workers_{count}", run_workers(odoo, run_db, count))
        if not letters:
            continue
        log(f"run {repeat + 1}/{runs}: letters")
        clone_db(ours_tpl, run_db, autovacuum=False)
        psql(run_db, "UPDATE collection_policy SET allow_level_skip = TRUE")
        odoo.work("ours-run", run_db, day=1)
        keep("ours_c_letters", odoo.work("ours-letters", run_db, letter_limit=letter_limit))
    drop_db(run_db)
    return samples


def median_of(results, key):
    values = [r[key] for r in results if r.get(key) is not None]
    return statistics.median(values) if values else None


def summarize(samples, facts):
    rows = {}
    for name, results in samples.items():
        row = {
            "seconds": median_of(results, "seconds"),
            "seconds_all": [round(r["seconds"], 4) for r in results],
            "queries": median_of(results, "queries"),
            "queries_all": [r["queries"] for r in results],
            "peak_rss_mb": median_of(results, "peak_rss_mb"),
            "rss_before_mb": median_of(results, "rss_before_mb"),
        }
        overdue = (
            results[0].get("overdue") or facts["overdue_day2" if "day2" in name else "overdue_day1"]
        )
        row["overdue_invoices"] = overdue
        row["queries_per_overdue_invoice"] = (
            row["queries"] / overdue if overdue and row["queries"] is not None else None
        )
        for key in (
            "lines", "communications", "emails_queued", "letters_to_render", "batches",
            "invoices_listed", "letters_rendered", "letters_waiting", "debtors",
            "debtors_per_second_executed", "letters_failed", "batch_size", "email_seconds",
            "email_lines",
        ):  # fmt: skip
            if results[0].get(key) is not None:
                row[key] = median_of(results, key)
        row["phases"] = results[0].get("phases")
        rows[name] = row
    ratios = {}
    for oca, ours in PAIRS.items():
        if oca in rows and ours in rows:
            ratios[f"{oca} / {ours}"] = {
                "seconds": rows[oca]["seconds"] / rows[ours]["seconds"],
                "queries": rows[oca]["queries"] / rows[ours]["queries"],
            }
    for ours, floor in (("ours_a_day1", "floor_day1"), ("ours_a_day2", "floor_day2")):
        if ours in rows and floor in rows:
            ratios[f"{ours} / {floor}"] = {
                "seconds": rows[ours]["seconds"] / rows[floor]["seconds"]
            }
    if "ours_workers_1" in rows and "ours_workers_2" in rows:
        ratios["ours_workers_1 / ours_workers_2"] = {
            "seconds": rows["ours_workers_1"]["seconds"] / rows["ours_workers_2"]["seconds"]
        }
    return rows, ratios


# OCA's measure: the one of ours it is compared with
PAIRS = {
    "oca_day1": "ours_b_day1",
    "oca_day1_emails": "ours_b_day1",
    "oca_day2": "ours_b_day2",
    "oca_day2_emails": "ours_b_day2",
    "oca_day2_stale": "ours_b_day2_stale",
}
LABELS = {
    "floor_day1": "floor: one SQL aggregate, day 1",
    "ours_a_day1": "ours (a) preview, day 1",
    "ours_b_day1": "ours (b) decide+record, day 1",
    "oca_day1": "OCA run, day 1",
    "oca_day1_emails": "OCA run + its emails, day 1",
    "floor_day2": "floor: one SQL aggregate, day 2",
    "ours_a_day2": "ours (a) preview, day 2",
    "ours_b_day2": "ours (b) decide+record, day 2",
    "oca_day2": "OCA run, day 2",
    "oca_day2_emails": "OCA run + its emails, day 2",
    "ours_b_day2_stale": "ours (b) day 2, stale stats",
    "oca_day2_stale": "OCA run, day 2, stale stats",
    "ours_c_letters": "ours (c) letters",
    "ours_workers_1": "ours (b) batches of a run, 1 worker process",
    "ours_workers_2": "ours (b) batches of a run, 2 worker processes",
}


def table(size, rows, ratios):
    lines = [
        f"| {size} | median s | queries | queries / overdue inv. | peak RSS MB | OCA / ours (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    pairs = PAIRS
    for name, label in LABELS.items():
        if name not in rows:
            continue
        row = rows[name]
        ratio = ""
        if name in pairs and pairs[name] in rows:
            ratio = f"{rows[name]['seconds'] / rows[pairs[name]]['seconds']:.1f}x"
        if name == "ours_c_letters":
            done, failed = row.get("letters_rendered") or 0, row.get("letters_failed") or 0
            label += f" ({done:.0f} rendered, {failed:.0f} failed)"
        qpi = row["queries_per_overdue_invoice"]
        queries = "" if row["queries"] is None else f"{row['queries']:.0f}"
        qpi = "" if qpi is None else f"{qpi:.3f}"
        if name.startswith("ours_workers"):
            ratio = f"{row['communications']:.0f} debtors"
            if name == "ours_workers_2" and "ours_workers_1" in rows:
                speed_up = rows["ours_workers_1"]["seconds"] / row["seconds"]
                ratio += f", speed-up {speed_up:.2f}x"
        lines.append(
            f"| {label} | {row['seconds']:.3f} | {queries} | "
            f"{qpi} | {row['peak_rss_mb']:.0f} | {ratio} |"
        )
    if "ours_b_day1" in rows:
        row = rows["ours_b_day1"]
        lines.append("")
        lines.append(
            f"ours (b) day 1: {row.get('communications', 0):.0f} debtors, "
            f"{row.get('emails_queued', 0):.0f} emails queued, "
            f"{row.get('invoices_listed', 0):.0f} invoices listed, "
            f"{row.get('batches', 0):.0f} batch(es); executing the batches ran at "
            f"{row.get('debtors_per_second_executed') or 0:.0f} debtors/s"
        )
    if "ours_c_letters" in rows:
        row = rows["ours_c_letters"]
        count = (row.get("letters_rendered") or 0) + (row.get("letters_failed") or 0)
        if count:
            lines.append(
                f"ours (c): {count:.0f} letters in batches of {row.get('batch_size')}: "
                f"{row['seconds'] / count * 1000:.0f} ms per letter "
                f"(of {row.get('letters_waiting', 0):.0f} waiting)"
            )
    return "\n".join(lines)


def targets(rows, ratios, other_size_rows=None):
    checks = {}
    for oca, times in (
        ("oca_day1", 20), ("oca_day2", 20), ("oca_day1_emails", 40), ("oca_day2_emails", 40),
    ):  # fmt: skip
        key = f"{oca} / {PAIRS[oca]}"
        if key in ratios:
            checks[f"(b) >= {times}x faster than {oca}"] = ratios[key]["seconds"] >= times
    for day in ("day1", "day2"):
        key = f"ours_a_{day} / floor_{day}"
        if key in ratios:
            checks[f"(a) within 10x of the SQL floor ({day})"] = ratios[key]["seconds"] <= 10
    if "ours_workers_1 / ours_workers_2" in ratios:
        checks["two workers >= 1.6x one"] = (
            ratios["ours_workers_1 / ours_workers_2"]["seconds"] >= 1.6
        )
    if "ours_b_day1" in rows:
        rate = rows["ours_b_day1"].get("debtors_per_second_executed")
        checks["email queueing >= 200 debtors/s (day 1 batches)"] = bool(rate and rate >= 200)
    return checks


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    pg = subprocess.run(
        ["psql", "-d", "postgres", "-tAc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "postgresql": pg,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the templates")
    parser.add_argument(
        "--letter-limit", type=int, default=None,
        help="render at most this many letters in (c) (default: all at small, 200 above)",
    )  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="cProfile the first run")
    parser.add_argument("--no-letters", action="store_true", help="leave out (c) letters")
    parser.add_argument(
        "--no-stale", action="store_true", help="leave out day 2 with stale statistics"
    )
    parser.add_argument(
        "--no-workers", action="store_true", help="leave out the one/two worker processes"
    )
    parser.add_argument(
        "--no-oca", action="store_true",
        help="leave out OCA's measures (and its template), e.g. at large size",
    )  # fmt: skip
    parser.add_argument(
        "--ledger", choices=("sql", "orm"), default="sql",
        help="how a missing ledger template is written (default: set-based SQL)",
    )  # fmt: skip
    parser.add_argument(
        "--check-ledger", action="store_true",
        help="write the ledger of --size both ways into cm_bench_cmp_* databases, compare "
        "them and run Odoo's checks on both; no measure",
    )  # fmt: skip
    args = parser.parse_args()
    python, odoo_root = os.environ["PYTHON"], os.environ["ODOO_ROOT"]
    letter_limit = args.letter_limit
    if letter_limit is None:
        letter_limit = 0 if args.size == "small" else 200
    wheel, oca_addons = ensure_oca_addon(python)
    odoo = Odoo(python, write_config(odoo_root, oca_addons))
    if args.check_ledger:
        sys.exit(0 if check_ledger(odoo, args.size, args.rebuild) else 1)
    started = time.time()
    _ledger, oca_tpl, ours_tpl = ensure_templates(
        odoo, args.size, args.rebuild, oca_addons, args.ledger, oca_wanted=not args.no_oca
    )
    facts = odoo.work("facts", ours_tpl if args.no_oca else oca_tpl)
    log(f"ledger: {facts}")
    samples = measure(
        odoo, args.size, oca_tpl, ours_tpl, args.runs, letter_limit, args.profile,
        workers=not args.no_workers, letters=not args.no_letters, stale=not args.no_stale,
        oca=not args.no_oca,
    )  # fmt: skip
    rows, ratios = summarize(samples, facts)
    checks = targets(rows, ratios)
    text = table(args.size, rows, ratios)
    print(text)
    for key, value in ratios.items():
        print(f"ratio {key}: " + ", ".join(f"{k} {v:.1f}x" for k, v in value.items()))
    for key, value in checks.items():
        print(f"target {'MET   ' if value else 'MISSED'} {key}")
    report = {
        "size": args.size,
        "runs": args.runs,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "oca_wheel": wheel,
        "revision": subprocess.run(
            ["git", "-C", REPO_DIR, "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
        ).stdout.strip(),  # fmt: skip
        "ledger": facts,
        "rows": rows,
        "ratios": ratios,
        "targets": checks,
        "samples": samples,
        "table": text,
        "wall_seconds": round(time.time() - started),
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"{args.size}-{stamp}.json", f"{args.size}-latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, default=str))
    log(f"results written to {RESULTS / f'{args.size}-{stamp}.json'}")


if __name__ == "__main__":
    main()
