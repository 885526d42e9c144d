"""What a debtor gets in the post: a letter and a statement of the demo database, printed
by a real server (wkhtmltopdf loading the report's style sheets from it over HTTP), read
back as text with poppler's pdftotext."""

import re
import subprocess

import pytest

LETTER_REPORT = "collections_management.report_collection_letter"
STATEMENT_REPORT = "collections_management.report_collection_statement"


def pdftotext(raw):
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=raw, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def admin(odoo_server, client):
    client.login("admin", "admin")
    # The server prints through wkhtmltopdf, which fetches the style sheets from
    # report.url (bin/run points it at its own port likewise).
    client.call("ir.config_parameter", "set_param", "report.url", odoo_server.base_url)
    return client


def print_pdf(client, report, record_id):
    response = client.http.get(f"{client.base_url}/report/pdf/{report}/{record_id}", timeout=180)
    response.raise_for_status()
    assert response.headers["Content-Type"] == "application/pdf"
    return pdftotext(response.content)


def assert_letterhead(text, company, debtor):
    for expected in (company["name"], company["street"], company["city"], debtor["name"]):
        assert expected in text
    assert debtor["street"] in text, "the debtor's address"
    assert text.index(company["street"]) < text.index(
        debtor["street"]
    ), "the sender's address heads the page, above the debtor's"
    assert re.search(r"Page 1 / \d+", text), "the footer numbers the pages"


def test_demo_letter_and_statement_carry_the_letterhead(admin):
    letters = admin.call(
        "collection.communication",
        "search_read",
        [("level_id.send_letter", "=", True)],
        fields=["partner_id", "company_id", "amount_total"],
        limit=1,
        order="id",
    )
    assert letters, "the demo database has letters to print"
    [letter] = letters
    [company] = admin.call(
        "res.company", "read", [letter["company_id"][0]], fields=["name", "street", "city"]
    )
    [debtor] = admin.call(
        "res.partner", "read", [letter["partner_id"][0]], fields=["name", "street"]
    )

    text = print_pdf(admin, LETTER_REPORT, letter["id"])
    assert_letterhead(text, company, debtor)
    assert "Page 1 / 1" in text, "a one-page letter"
    assert f"{letter['amount_total']:,.2f}" in text

    text = print_pdf(admin, STATEMENT_REPORT, debtor["id"])
    assert_letterhead(text, company, debtor)
    assert "Statement of Account" in text
