"""Smoke test: a real server, a JSON-RPC login, the Collections app in chromium."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .browser_helpers import console_errors, login, wait, wait_for_view

APP_XMLID = "collections_management.menu_collections_root"


def test_jsonrpc_login_sees_installed_addon(client):
    session = client.login("admin", "admin")
    assert session["uid"], "admin could not log in"
    [module] = client.call(
        "ir.module.module",
        "search_read",
        [("name", "=", "collections_management")],
        fields=["state"],
    )
    assert module["state"] == "installed"
    # Accounting administrators are Collections Administrators through the implied chain.
    admin_group = client.ref("collections_management.group_collections_admin")
    [user] = client.call("res.users", "read", [session["uid"]], fields=["all_group_ids"])
    assert admin_group in user["all_group_ids"]


def test_collections_app_opens_in_browser(odoo_server, client, browser):
    login(browser, odoo_server.base_url, "admin", "admin")
    wait(browser).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".o_navbar_apps_menu button"))
    ).click()
    app = wait(browser).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, f".o_app[data-menu-xmlid='{APP_XMLID}']"))
    )
    assert app.text.strip() == "Collections"
    app.click()
    wait(browser).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".o_menu_brand"), "Collections")
    )
    wait_for_view(browser)
    assert console_errors(browser) == []

    # Every screen of the app opens without an error, in the browser and on the server.
    client.login("admin", "admin")
    root = client.ref("collections_management.menu_collections_root")
    menus = client.call(
        "ir.ui.menu",
        "search_read",
        [("id", "child_of", root), ("action", "!=", False)],
        fields=["complete_name", "action"],
    )
    assert menus, "the Collections app has no screen"
    for menu in menus:
        action_id = int(menu["action"].split(",")[1])
        browser.get(f"{odoo_server.base_url}/odoo/action-{action_id}")
        wait_for_view(browser)
        assert console_errors(browser) == [], f"console errors on {menu['complete_name']}"
    assert odoo_server.log_errors() == []
