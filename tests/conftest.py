"""Fixtures for the outside-in tests: a real server on a database built by bin/test."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .odoo_client import REPO_DIR, OdooClient, OdooServer


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the outside-in tests through bin/test", returncode=2)
    return value


@pytest.fixture(scope="session")
def odoo_server():
    log_dir = Path(os.environ.get("CM_LOG_DIR", REPO_DIR / ".local" / "test-logs"))
    server = OdooServer(
        config_path=_required_env("CM_ODOO_CONF"),
        db=_required_env("CM_TEST_DB"),
        python=_required_env("CM_PYTHON"),
        log_path=log_dir / "outside-in-server.log",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(odoo_server):
    return OdooClient(odoo_server.base_url, odoo_server.db)


@pytest.fixture
def browser():
    """Headless Debian chromium through chromedriver, with the console log captured."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="cm-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
