"""A follow-up run shared by real worker processes, and a worker killed mid-batch.

Each worker is a process of its own (tests/run_worker.py) calling the run's cron method
on the database bin/test built, as cron workers on several machines would."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .odoo_client import REPO_DIR

WORKER = Path(__file__).resolve().parent / "run_worker.py"


def _settings():
    conf, db, python = (os.environ.get(n) for n in ("CM_ODOO_CONF", "CM_TEST_DB", "CM_PYTHON"))
    if not (conf and db and python):
        pytest.exit("CM_ODOO_CONF, CM_TEST_DB or CM_PYTHON is not set: run through bin/test", 2)
    return conf, db, python


def _command(*args):
    conf, db, python = _settings()
    return [python, str(WORKER), "--conf", conf, "--db", db, *map(str, args)]


def _run(*args):
    done = subprocess.run(
        _command(*args), capture_output=True, text=True, cwd=REPO_DIR, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _start(*args, log):
    return subprocess.Popen(
        _command(*args), stdout=subprocess.PIPE, stderr=log, text=True, cwd=REPO_DIR
    )


def _wait_for(path, process, timeout=300):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, f"the worker exited with {process.returncode}"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def _check(setup):
    return _run(
        "check",
        "--run",
        setup["run"],
        "--partners",
        *setup["partners"],
        "--restore-batch-size",
        setup["previous_batch_size"],
    )


def _assert_each_debtor_once(result, setup):
    assert result["run_state"] == "done", result
    assert result["states"] == ["sent"], result
    assert set(result["communications_by_partner"].values()) == {1}, result
    assert set(result["mails_by_partner"].values()) == {1}, result
    assert result["mails_linked"] == len(setup["partners"]), result


def test_two_workers_share_one_run(tmp_path):
    setup = _run("setup", "--debtors", 40, "--batch-size", 5, "--tag", "two")
    assert setup["communications"] >= 40, setup
    log = (tmp_path / "workers.log").open("w")
    go = tmp_path / "go"
    workers = [
        _start(
            "work", "--ready", tmp_path / f"ready-{n}", "--go", go, "--batch-delay", 0.3, log=log
        )
        for n in range(2)
    ]
    for n, worker in enumerate(workers):
        _wait_for(tmp_path / f"ready-{n}", worker)
    go.write_text("go")
    reports = []
    for worker in workers:
        out, _err = worker.communicate(timeout=600)
        assert worker.returncode == 0, (tmp_path / "workers.log").read_text()[-3000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    executed = [[cid for batch in report["batches"] for cid in batch] for report in reports]
    # both worked, and no communication went through two of them
    assert all(executed), reports
    assert not set(executed[0]) & set(executed[1]), reports
    _assert_each_debtor_once(_check(setup), setup)


def test_worker_killed_mid_batch_loses_and_repeats_nothing(tmp_path):
    setup = _run("setup", "--debtors", 20, "--batch-size", 5, "--tag", "kill")
    log = (tmp_path / "worker.log").open("w")
    hanging = tmp_path / "hanging"
    worker = _start("work", "--hang-in-batch", 2, "--hanging", hanging, log=log)
    _wait_for(hanging, worker)
    # the second batch is executed but not committed: the process dies there
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    killed = json.loads(hanging.read_text())
    halfway = _run(
        "check", "--run", setup["run"], "--partners", *setup["partners"], "--killed", *killed
    )
    # the first batch is committed, the killed one is left as it was
    assert halfway["run_state"] == "running", halfway
    assert halfway["killed"] == [["draft", False]] * len(killed), halfway
    assert sum(halfway["mails_by_partner"].values()) < len(setup["partners"]), halfway
    # the next cron pass completes the run
    report = _run("work")
    assert report["batches"], report
    _assert_each_debtor_once(_check(setup), setup)


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
