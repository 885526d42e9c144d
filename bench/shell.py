"""What the bench scripts share: running commands, looking up databases and installing
an addon into one, by the Odoo of this venv (`python -c odoo.cli.main()`)."""

import subprocess
import sys
import time

ODOO_CLI = 'import odoo.cli, sys; sys.argv[0] = "odoo"; odoo.cli.main()'


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sh(*command, check=True, echo=False, **kwargs):
    command = [str(part) for part in command]
    if echo:
        print("$", " ".join(command), flush=True)
    return subprocess.run(command, check=check, **kwargs)


def db_exists(name):
    out = sh(
        "psql", "-d", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip() == "1"


def install(python, conf, db, module, *options):
    """Install `module` into the existing database `db` and stop."""
    log(f"installing {module} on {db}")
    sh(
        python, "-c", ODOO_CLI, "-c", conf, "-d", db, "-i", module,
        "--stop-after-init", "--log-level=warn", *options,
    )  # fmt: skip
