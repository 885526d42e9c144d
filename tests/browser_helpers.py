"""What the browser tests share: logging in and reading the console."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

# Console noise that no addon causes: the closed network of the test machine.
IGNORED_CONSOLE = ("net::ERR_", "Failed to load resource", "favicon")


def wait(driver, seconds=60):
    return WebDriverWait(driver, seconds)


def login(driver, base_url, login_name, password):
    driver.get(base_url + "/web/login")
    # The form is shown by the page's script once it has loaded.
    wait(driver).until(EC.visibility_of_element_located((By.NAME, "login"))).send_keys(login_name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".o_main_navbar")))


def console_errors(driver):
    """Severe console messages since the last call, less the machine's network noise."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
        and not any(noise in entry["message"] for noise in IGNORED_CONSOLE)
    ]


def wait_for_view(driver):
    """Waits until an action's view is rendered, failing on Odoo's error dialog."""
    wait(driver).until(
        EC.presence_of_element_located(
            (By.CSS_SELECTOR, ".o_action_manager .o_view_controller, .o_error_dialog")
        )
    )
    errors = driver.find_elements(By.CSS_SELECTOR, ".o_error_dialog")
    assert not errors, "Odoo showed an error dialog: " + errors[0].text[:2000]
