"""Smoke test: a real server, a JSON-RPC login, the Collections app in chromium."""

import pytest
from selenium.common.exceptions import TimeoutException
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


@pytest.mark.parametrize("login_name", ["collector", "cmanager"])
def test_every_screen_and_first_record_open_for_each_role(odoo_server, client, browser, login_name):
    """What a collector and a manager can reach opens without an access error: each
    screen of their menus, and the first record of each list."""
    client.login("admin", "admin")
    root = client.ref("collections_management.menu_collections_root")
    client.login(login_name, login_name)
    # the menus the web client shows this user: filtered by the user's groups
    menus = [
        {"complete_name": menu["name"], "action_id": menu["actionID"]}
        for menu in client.call("ir.ui.menu", "load_web_menus", [], False).values()
        if menu.get("appID") == root
        and menu.get("actionModel") == "ir.actions.act_window"
        and menu["id"] != root
    ]
    assert menus, f"{login_name} sees no screen of the Collections app"
    login(browser, odoo_server.base_url, login_name, login_name)
    forms_opened = 0
    for menu in menus:
        browser.get(f"{odoo_server.base_url}/odoo/action-{menu['action_id']}")
        wait_for_view(browser)
        rows = browser.find_elements(By.CSS_SELECTOR, ".o_list_view .o_data_row .o_data_cell")
        if rows:
            browser.execute_script("arguments[0].click();", rows[0])
            try:
                wait(browser).until(
                    EC.presence_of_element_located(
                        (By.CSS_SELECTOR, ".o_form_view, .o_selected_row, .o_error_dialog")
                    )
                )
            except TimeoutException:
                pytest.fail(f"the first record of {menu['complete_name']} did not open")
            wait_for_view(browser)
            forms_opened += bool(browser.find_elements(By.CSS_SELECTOR, ".o_form_view"))
        assert console_errors(browser) == [], f"console errors on {menu['complete_name']}"
    assert forms_opened >= 10, f"only {forms_opened} records opened for {login_name}"
    assert odoo_server.log_errors() == []
