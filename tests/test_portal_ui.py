"""A customer on the portal, in the browser: pays with Odoo's demo payment provider,
promises within and beyond the self-service limits, disputes an invoice with a file,
pays a plan instalment; and customer A gets nothing of customer B, by route or RPC.

Each test builds its own customers through the administrator's JSON-RPC, so nothing
depends on what other tests do to the demo debtors."""

import datetime
import itertools
import os
import tempfile
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from .browser_helpers import console_errors, wait
from .odoo_client import OdooClient, RpcError

_serial = itertools.count(1)
TODAY = datetime.date.today()


@pytest.fixture
def admin(odoo_server):
    client = OdooClient(odoo_server.base_url, odoo_server.db)
    client.login("admin", "admin")
    return client


def _customer(admin, amounts, days_late=30):
    """A debtor with posted invoices of `amounts` due `days_late` days ago, its open
    case, and a portal user of its own: (debtor id, case id, login, invoice ids)."""
    name = f"Portal Customer {uuid.uuid4().hex[:6]} {next(_serial)}"
    debtor = admin.call(
        "res.partner", "create", {"name": name, "is_company": True, "email": "ar@example.com"}
    )
    due = TODAY - datetime.timedelta(days=days_late)
    invoice_ids = []
    for amount in amounts:
        invoice = admin.call(
            "account.move",
            "create",
            {
                "move_type": "out_invoice",
                "partner_id": debtor,
                "invoice_date": (due - datetime.timedelta(days=30)).isoformat(),
                "invoice_date_due": due.isoformat(),
                "invoice_line_ids": [
                    [0, 0, {"name": "Goods", "price_unit": amount, "tax_ids": []}]
                ],
            },
        )
        admin.call("account.move", "action_post", [invoice])
        invoice_ids.append(invoice)
    case = admin.call("collection.case", "create", {"partner_id": debtor})
    login = f"customer_{uuid.uuid4().hex[:10]}"
    contact = admin.call(
        "res.partner",
        "create",
        {"name": f"{login} contact", "parent_id": debtor, "email": f"{login}@example.com"},
    )
    admin.call(
        "res.users",
        "create",
        {
            "name": login,
            "login": login,
            "password": login,
            "partner_id": contact,
            "group_ids": [[6, 0, [admin.ref("base.group_portal")]]],
        },
    )
    return debtor, case, login, invoice_ids


def _portal_login(browser, base_url, login):
    browser.get(base_url + "/web/login")
    wait(browser).until(EC.visibility_of_element_located((By.NAME, "login"))).send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(login)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(browser).until(EC.url_contains("/my"))


def _open_page(browser, base_url):
    browser.get(base_url + "/my/collections")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".o_collections_portal")))


def _pay_with_demo_provider(browser):
    """On Odoo's payment form: the demo provider, a successful payment, back to the page."""
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#o_payment_form")))
    radio = browser.find_element(
        By.CSS_SELECTOR, "input[name='o_payment_radio'][data-provider-code='demo']"
    )
    if not radio.is_selected():
        browser.execute_script("arguments[0].click();", radio)
    wait(browser).until(EC.visibility_of_element_located((By.NAME, "customer_input"))).send_keys(
        "4111 1111 1111 1111"
    )
    browser.find_element(By.CSS_SELECTOR, "button[name='o_payment_submit_button']").click()
    # /payment/status polls the transaction, post-processes it, then lands on the page
    wait(browser, 120).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".o_collections_portal"))
    )


def _read(admin, model, ids, fields):
    return admin.call(model, "read", ids, fields=fields)


def test_customer_pays_an_invoice_with_the_demo_provider(odoo_server, admin, browser):
    debtor, case, login, [invoice] = _customer(admin, [480.0])
    _portal_login(browser, odoo_server.base_url, login)
    _open_page(browser, odoo_server.base_url)
    assert "$ 480.00" in browser.find_element(
        By.CSS_SELECTOR, ".o_collections_overdue"
    ).text.replace("\xa0", " ")
    browser.find_element(By.CSS_SELECTOR, ".o_collections_pay_one").click()
    _pay_with_demo_provider(browser)
    [move] = _read(admin, "account.move", [invoice], ["amount_residual", "payment_state"])
    assert move["amount_residual"] == 0.0
    assert move["payment_state"] in ("paid", "in_payment")
    [case_row] = _read(admin, "collection.case", [case], ["is_open"])
    assert case_row["is_open"] is False, "nothing overdue remains: the case resolved by itself"
    assert console_errors(browser) == []
    assert odoo_server.log_errors() == []


def test_customer_promises_within_and_beyond_the_limits(odoo_server, admin, browser):
    debtor, case, login, invoices = _customer(admin, [1000.0])
    [policy] = admin.call(
        "collection.policy",
        "search_read",
        [("company_id", "=", admin.ref("base.main_company"))],
        fields=["portal_promise_max_days", "portal_promise_min_share"],
        limit=1,
    )
    admin.call("res.partner", "write", [debtor], {"collection_policy_id": policy["id"]})
    max_days = policy["portal_promise_max_days"]
    _portal_login(browser, odoo_server.base_url, login)

    def promise(amount, days):
        _open_page(browser, odoo_server.base_url)
        form = browser.find_element(By.CSS_SELECTOR, ".o_collections_promise_form")
        amount_input = form.find_element(By.NAME, "amount")
        amount_input.clear()
        amount_input.send_keys(str(amount))
        date = (TODAY + datetime.timedelta(days=days)).isoformat()
        browser.execute_script(
            "arguments[0].value = arguments[1];", form.find_element(By.NAME, "date_promised"), date
        )
        form.find_element(By.CSS_SELECTOR, ".o_collections_promise_submit").click()
        return (
            wait(browser)
            .until(
                EC.presence_of_element_located(
                    (By.CSS_SELECTOR, ".o_collections_message, .o_collections_error")
                )
            )
            .text
        )

    assert "recorded" in promise(1000, min(max_days, 5))
    assert "answer" in promise(1000, max_days + 20)
    promises = admin.call(
        "collection.promise",
        "search_read",
        [("partner_id", "=", debtor)],
        fields=["state", "channel", "amount"],
        order="id",
    )
    assert [(p["state"], p["channel"]) for p in promises] == [
        ("open", "portal"),
        ("requested", "portal"),
    ]
    contacts = admin.call(
        "collection.contact",
        "search_read",
        [("partner_id", "=", debtor), ("channel", "=", "portal")],
        fields=["direction", "outcome"],
    )
    assert {(c["direction"], c["outcome"]) for c in contacts} == {("inbound", "promise")}
    # more than is owed: a clear error, nothing recorded
    assert "more than you owe" in promise(5000, 3)
    assert len(admin.call("collection.promise", "search", [("partner_id", "=", debtor)])) == 2
    assert console_errors(browser) == []


def test_customer_disputes_an_invoice_with_a_file(odoo_server, admin, browser):
    debtor, case, login, [invoice] = _customer(admin, [700.0])
    _portal_login(browser, odoo_server.base_url, login)
    _open_page(browser, odoo_server.base_url)
    form = browser.find_element(By.CSS_SELECTOR, ".o_collections_dispute_form")
    form.find_element(By.NAME, "amount").send_keys("150")
    Select(form.find_element(By.NAME, "reason_id")).select_by_index(0)
    form.find_element(By.NAME, "description").send_keys("Two tents arrived torn.")
    with tempfile.NamedTemporaryFile("wb", suffix=".png", delete=False) as photo:
        photo.write(b"\x89PNG\r\n\x1a\n torn tent")
    try:
        form.find_element(By.NAME, "attachments").send_keys(photo.name)
        form.find_element(By.CSS_SELECTOR, ".o_collections_dispute_submit").click()
        wait(browser).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, ".o_collections_message"))
        )
    finally:
        os.unlink(photo.name)
    [dispute] = admin.call(
        "collection.dispute",
        "search_read",
        [("move_id", "=", invoice)],
        fields=["state", "amount", "activity_ids", "message_ids"],
    )
    assert dispute["state"] == "open" and dispute["amount"] == 150.0
    assert dispute["activity_ids"], "the owner has something to do"
    attachments = admin.call(
        "ir.attachment",
        "search_read",
        [("res_model", "=", "collection.dispute"), ("res_id", "=", dispute["id"])],
        fields=["name"],
    )
    assert [a["name"] for a in attachments] == [os.path.basename(photo.name)]
    # the customer sees the dispute, its status and its messages (Odoo's portal chatter)
    assert "in dispute" in browser.find_element(By.CSS_SELECTOR, ".o_collections_status").text
    browser.find_element(By.CSS_SELECTOR, ".o_collections_dispute a").click()
    wait(browser).until(
        EC.text_to_be_present_in_element(
            (By.CSS_SELECTOR, "#discussion"), "Two tents arrived torn."
        )
    )
    assert browser.find_element(By.CSS_SELECTOR, ".o_collections_dispute_state").text == "Open"
    assert console_errors(browser) == []


def test_customer_pays_a_plan_instalment(odoo_server, admin, browser):
    debtor, case, login, invoices = _customer(admin, [900.0])
    plan = admin.call(
        "collection.payment.plan",
        "create",
        {
            "partner_id": debtor,
            # agreed on the day the payment is dated: the admin's default day may be
            # another one (Brussels is a day ahead of UTC from 23:00)
            "date": TODAY.isoformat(),
            "instalment_count": 3,
            "frequency": "monthly",
            "date_first": (TODAY + datetime.timedelta(days=5)).isoformat(),
        },
    )
    admin.call("collection.payment.plan", "action_propose_on_portal", [plan])
    _portal_login(browser, odoo_server.base_url, login)
    _open_page(browser, odoo_server.base_url)
    browser.find_element(By.CSS_SELECTOR, ".o_collections_plan_accept button").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".o_collections_message")))
    [row] = _read(admin, "collection.payment.plan", [plan], ["state"])
    assert row["state"] == "active"
    browser.find_element(By.CSS_SELECTOR, ".o_collections_plan_pay").click()
    _pay_with_demo_provider(browser)
    [move] = _read(admin, "account.move", invoices, ["amount_residual"])
    assert move["amount_residual"] == 600.0, "one instalment of 300.00 paid"
    admin.call("collection.payment.plan", "action_check_payments", [plan])
    [row] = _read(admin, "collection.payment.plan", [plan], ["amount_paid"])
    assert row["amount_paid"] == 300.0
    assert console_errors(browser) == []
    assert odoo_server.log_errors() == []


def test_customer_a_gets_nothing_of_customer_b(odoo_server, admin):
    """Customer A, logged in, asks every portal route with B's ids and tokens: 403 or
    404 and nothing of B; A's JSON-RPC search_read on every collections model is
    refused or empty."""
    _debtor_a, case_a, login_a, _invoices_a = _customer(admin, [100.0])
    debtor_b, case_b, _login_b, [invoice_b] = _customer(admin, [200.0])
    [b] = _read(admin, "res.partner", [debtor_b], ["name"])
    plan_b = admin.call(
        "collection.payment.plan",
        "create",
        {
            "partner_id": debtor_b,
            "instalment_count": 2,
            "date_first": (TODAY + datetime.timedelta(days=5)).isoformat(),
        },
    )
    admin.call("collection.payment.plan", "action_propose_on_portal", [plan_b])
    comm_b = admin.call(
        "collection.communication", "search", [("partner_id", "!=", False)], limit=1
    )
    client_a = OdooClient(odoo_server.base_url, odoo_server.db)
    client_a.login(login_a, login_a)
    base = odoo_server.base_url
    token_b = "0" * 36  # a token A could guess; B's real one never reached A
    urls = [
        f"/my/collections/{case_b}",
        f"/my/collections/{case_b}?access_token={token_b}",
        f"/my/collections/{case_b}/statement",
        f"/my/collections/{case_b}/invoice/{invoice_b}",
        f"/my/collections/{case_a}/invoice/{invoice_b}",
        f"/my/collections/{case_b}/pay?invoice_ids={invoice_b}",
        f"/my/collections/{case_b}/plan/{plan_b}/agreement",
        f"/my/collections/{case_a}/plan/{plan_b}/agreement",
        f"/my/collections/{case_a}/plan/{plan_b}/pay",
        f"/my/collections/{case_b}/optout/email",
        *(f"/my/collections/{case_a}/letter/{comm}" for comm in comm_b),
    ]
    for url in urls:
        response = client_a.http.get(base + url, timeout=120, allow_redirects=False)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert b["name"] not in response.text, url
    page = client_a.http.get(f"{base}/my/collections", timeout=120).text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    for path in ("promise", "dispute", f"plan/{plan_b}/accept", "optout/email"):
        response = client_a.http.post(
            f"{base}/my/collections/{case_b}/{path}",
            data={"csrf_token": csrf, "invoice_ids": invoice_b, "amount": "1"},
            timeout=120,
            allow_redirects=False,
        )
        assert response.status_code in (403, 404), (path, response.status_code)
        assert b["name"] not in response.text, path
    for query in (f"invoice_ids={invoice_b}", f"plan_id={plan_b}"):
        with pytest.raises(RpcError):
            client_a.rpc(f"/my/collections/{case_a}/transaction?{query}", {"amount": 1.0})
    assert not admin.call("collection.promise", "search", [("partner_id", "=", debtor_b)])
    assert not admin.call("collection.dispute", "search", [("partner_id", "=", debtor_b)])
    # JSON-RPC on every collections model
    models = admin.call(
        "ir.model",
        "search_read",
        [("model", "=like", "collection.%"), ("transient", "=", False)],
        fields=["model"],
    )
    for row in models:
        try:
            records = client_a.call(
                row["model"], "search_read", [], fields=["display_name"], limit=5
            )
        except RpcError:
            continue
        assert records == [], row["model"]
