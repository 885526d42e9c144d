"""A collector records a promise to pay from a case, in the browser."""

import datetime

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from .browser_helpers import console_errors, login, wait, wait_for_view


def test_collector_records_a_promise_from_the_case(odoo_server, client, browser):
    client.login("admin", "admin")
    [case] = client.call(
        "collection.case",
        "search_read",
        [("partner_id.name", "=", "Bluebird Logistics Inc."), ("is_open", "=", True)],
        fields=["id", "user_id"],
    )
    assert not client.call("collection.promise", "search", [("case_id", "=", case["id"])])
    action = client.ref("collections_management.collection_case_action")

    login(browser, odoo_server.base_url, "collector", "collector")
    browser.get(f"{odoo_server.base_url}/odoo/action-{action}/{case['id']}")
    wait_for_view(browser)
    wait(browser).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "button[name='action_new_promise']"))
    ).click()

    promised = datetime.date.today() + datetime.timedelta(days=10)
    date_input = wait(browser).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, ".modal div[name='date_promised'] input"))
    )
    date_input.click()
    date_input.send_keys(promised.strftime("%m/%d/%Y"), Keys.TAB)
    browser.find_element(By.CSS_SELECTOR, ".modal .o_form_button_save").click()
    wait(browser).until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".modal")))

    promises = client.call(
        "collection.promise",
        "search_read",
        [("case_id", "=", case["id"])],
        fields=["state", "date_promised", "move_ids", "amount", "user_id"],
    )
    assert len(promises) == 1, promises
    [promise] = promises
    assert promise["state"] == "open"
    assert promise["date_promised"] == promised.isoformat()
    assert promise["move_ids"], "the case's overdue invoices are covered by default"
    assert promise["amount"] > 0
    [case] = client.call("collection.case", "read", [case["id"]], fields=["stage_id"])
    assert case["stage_id"][1] == "Promise to Pay"
    assert console_errors(browser) == []
    assert odoo_server.log_errors() == []
