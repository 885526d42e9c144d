"""A small JSON-RPC client and server launcher for the outside-in tests."""

import configparser
import itertools
import os
import socket
import subprocess
import time
from pathlib import Path

import requests

REPO_DIR = Path(__file__).resolve().parent.parent


class RpcError(Exception):
    """An error answered by the server, with Odoo's own message."""


class OdooClient:
    """Talks to a running server the way the web client does: JSON-RPC over HTTP."""

    _ids = itertools.count(1)

    def __init__(self, base_url, db):
        self.base_url = base_url
        self.db = db
        self.http = requests.Session()
        self.uid = None

    def rpc(self, path, params):
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(self._ids), "params": params}
        response = self.http.post(self.base_url + path, json=payload, timeout=120)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            data = body["error"].get("data", {})
            raise RpcError(data.get("message") or body["error"].get("message"))
        return body["result"]

    def login(self, login, password):
        result = self.rpc(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
        )
        self.uid = result["uid"]
        return result

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def ref(self, xmlid):
        """The database id of a record known by its external id."""
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        assert rows, f"no record with external id {xmlid}"
        return rows[0]["res_id"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """An Odoo server process on a free loopback port, serving one database."""

    def __init__(self, config_path, db, python, log_path):
        self.config_path = config_path
        self.db = db
        self.python = python
        self.log_path = Path(log_path)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def addons_path(self):
        parser = configparser.ConfigParser()
        parser.read(self.config_path)
        return parser["options"]["addons_path"]

    def start(self, timeout=180):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                self.python,
                "-c",
                "import odoo.cli, sys; sys.argv[0] = 'odoo'; odoo.cli.main()",
                "-c",
                self.config_path,
                "-d",
                self.db,
                "--db-filter",
                f"^{self.db}$",
                "--http-interface",
                "127.0.0.1",
                "--http-port",
                str(self.port),
                "--max-cron-threads",
                "0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"Odoo exited with {self.process.returncode}: see {self.log_path}"
                )
            try:
                if requests.get(self.base_url + "/web/login", timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"Odoo did not answer on {self.base_url} within {timeout}s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_errors(self):
        """Lines the server logged at ERROR or CRITICAL level, less the concurrent-update
        conflicts that Odoo retries by itself (two requests of the web client racing)."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        errors = []
        for index, line in enumerate(lines):
            if " ERROR " not in line and " CRITICAL " not in line:
                continue
            following = " ".join(lines[index + 1 : index + 4])
            if "odoo.sql_db: bad query" in line and "could not serialize access" in following:
                continue
            errors.append(line)
        return errors
