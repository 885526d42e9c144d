"""Credit control on a sales order, in the browser: a salesperson is refused, a manager
overrides with a reason."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .browser_helpers import console_errors, login, wait, wait_for_view

CUSTOMER = "Redwood Retail Ltd."


def _open_order(browser, base_url, action, order_id):
    browser.get(f"{base_url}/odoo/action-{action}/{order_id}")
    wait_for_view(browser)


def test_held_customer_order_refused_then_overridden(odoo_server, client, browser):
    client.login("admin", "admin")
    [order] = client.call(
        "sale.order",
        "search_read",
        [("partner_id.name", "=", CUSTOMER), ("state", "=", "draft")],
        fields=["id", "name"],
        limit=1,
    )
    action = client.ref("sale.action_quotations")

    # the salesperson is refused, with the reason and who can release it
    login(browser, odoo_server.base_url, "csales", "csales")
    _open_order(browser, odoo_server.base_url, action, order["id"])
    banner = wait(browser).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "div[name='collection_credit_refused']"))
    )
    assert "Cheque returned unpaid" in banner.text
    wait(browser).until(
        EC.element_to_be_clickable(
            (By.CSS_SELECTOR, ".o_form_statusbar button[name='action_confirm']")
        )
    ).click()
    dialog = wait(browser).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, ".o_error_dialog"))
    )
    assert "Cheque returned unpaid" in dialog.text
    assert "Credit Hold Override" in dialog.text
    [state] = client.call("sale.order", "read", [order["id"]], fields=["state"])
    assert state["state"] == "draft"

    # the manager overrides with a reason: the order is confirmed and the reason logged
    browser.delete_all_cookies()
    login(browser, odoo_server.base_url, "cmanager", "cmanager")
    _open_order(browser, odoo_server.base_url, action, order["id"])
    wait(browser).until(
        EC.element_to_be_clickable(
            (By.CSS_SELECTOR, ".o_form_statusbar button[name='action_confirm']")
        )
    ).click()
    reason = wait(browser).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".modal div[name='reason'] textarea"))
    )
    reason.send_keys("Paid in advance by wire transfer")
    browser.find_element(
        By.CSS_SELECTOR, ".modal .modal-footer button[name='action_confirm']"
    ).click()
    wait(browser).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".modal")))
    [state] = client.call("sale.order", "read", [order["id"]], fields=["state"])
    assert state["state"] == "sale"
    logged = client.call(
        "mail.message",
        "search_read",
        [
            ("model", "=", "sale.order"),
            ("res_id", "=", order["id"]),
            ("body", "ilike", "Paid in advance by wire transfer"),
        ],
        fields=["body", "author_id"],
    )
    assert logged and "Marc Manager" in logged[0]["body"], logged
    assert console_errors(browser) == []
    assert odoo_server.log_errors() == []
