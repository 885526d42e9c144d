"""The Apps menu shows each addon's description page, built from its readme/ fragments."""

import html
import re
from pathlib import Path

import pytest

from .odoo_client import REPO_DIR


@pytest.mark.parametrize(
    "addon",
    ["collections_management", "collections_management_sale", "collections_management_spreadsheet"],
)
def test_apps_show_the_description_from_readme(client, addon):
    client.login("admin", "admin")
    [module] = client.call(
        "ir.module.module",
        "search_read",
        [("name", "=", addon)],
        fields=["description_html", "icon", "state"],
    )
    assert module["state"] == "installed"
    first_line = (Path(REPO_DIR) / addon / "readme" / "DESCRIPTION.md").read_text().split("\n")[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", module["description_html"]))
    assert first_line.replace("*", "").rstrip(":.") in text
    assert "Contributors" in text
    assert module["icon"] == f"/{addon}/static/description/icon.png"
