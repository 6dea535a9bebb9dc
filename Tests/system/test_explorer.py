"""The explorer page in headless Chromium, through real nginx and the emulator, with no network but 127.0.0.1."""
import os
import shutil

import pytest

from accounts import new_account, register
from system_http import ROOT, send
from stack import Stack

ARTIFACTS = os.path.join(ROOT, ".build", "test-artifacts")


@pytest.fixture(scope="module")
def explorer_stack(binary):
    running = Stack(binary, instances=1).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which("chromedriver") or not shutil.which("chromium"):
        pytest.fail("chromium and chromium-driver are needed (scripts/install-deps.sh installs them)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium must not look for drivers on the internet
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900",
                     # Every host name fails to resolve except the loopback address: the page must need nothing else.
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                     "--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def wait(driver, condition, seconds=10):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, seconds).until(lambda d: condition(d))


def test_sign_in_run_a_query_and_see_the_result(explorer_stack, browser, record_property):
    from selenium.webdriver.common.by import By
    email, password = new_account()
    register(explorer_stack.port, email, password)

    browser.get(explorer_stack.url)
    wait(browser, lambda d: "Query" in d.find_element(By.ID, "schema").text)
    browser.find_element(By.ID, "identifier").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    wait(browser, lambda d: d.find_element(By.ID, "who").text == f"Signed in as {email}")

    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("{ me { email } }")
    browser.find_element(By.ID, "run").click()
    wait(browser, lambda d: email in d.find_element(By.ID, "result").text)
    assert browser.find_element(By.ID, "status").text.startswith("200")
    assert '"me"' in browser.find_element(By.ID, "result").text
    assert browser.find_element(By.CSS_SELECTOR, "#query-highlight .t-field").text in ("me", "email")
    assert "{ me { email } }" in browser.find_element(By.ID, "history").text

    os.makedirs(ARTIFACTS, exist_ok=True)
    browser.save_screenshot(os.path.join(ARTIFACTS, "explorer.png"))

    # Everything the page loaded came from 127.0.0.1, and the whole page is small.
    entries = browser.execute_script(
        "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
        ".map(e => ({name: e.name, size: e.transferSize || e.encodedBodySize, duration: e.duration}))")
    assert entries and all(e["name"].startswith("http://127.0.0.1:") for e in entries), entries
    transferred = sum(e["size"] for e in entries if not e["name"].endswith("/graphql") or e is entries[0])
    record_property("explorer_bytes", transferred)
    load_ms = browser.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd")
    print(f"\nexplorer: {transferred} bytes transferred for the page and its files, load event at {load_ms:.0f} ms")
    assert transferred < 300_000
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe  # a CSP violation or a failed load would show here

    browser.find_element(By.ID, "sign-out").click()
    wait(browser, lambda d: d.find_element(By.ID, "sign-in").is_displayed())


def test_an_account_with_a_second_factor_signs_in_with_its_code(explorer_stack, browser):
    from selenium.webdriver.common.by import By

    from accounts import gql
    from test_account_lifecycle import totp
    email, password = new_account()
    token = register(explorer_stack.port, email, password)["data"]["registerUser"]["sessionToken"]
    secret = gql(explorer_stack.port, "mutation { setupTotp { secret } }", headers={"X-Session-Token": token})["data"]["setupTotp"]["secret"]
    assert gql(explorer_stack.port, "mutation($c: String!) { enableTotp(code: $c) }", {"c": totp(secret)},
               headers={"X-Session-Token": token})["data"]["enableTotp"] is True

    browser.get(explorer_stack.url)
    wait(browser, lambda d: d.find_element(By.ID, "sign-in").is_displayed())
    browser.find_element(By.ID, "identifier").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#sign-in button").click()
    wait(browser, lambda d: d.find_element(By.ID, "second-factor").is_displayed())
    browser.find_element(By.ID, "totp-code").send_keys(totp(secret))
    browser.find_element(By.CSS_SELECTOR, "#second-factor button").click()
    wait(browser, lambda d: d.find_element(By.ID, "who").text == f"Signed in as {email}")
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, lambda d: d.find_element(By.ID, "sign-in").is_displayed())


def test_a_forgotten_password_is_recovered_by_a_mailed_code(explorer_stack, browser):
    from selenium.webdriver.common.by import By

    from test_account_codes import code
    email, password = new_account()
    register(explorer_stack.port, email, password)
    browser.get(explorer_stack.url)
    wait(browser, lambda d: d.find_element(By.ID, "forgot").is_displayed())
    browser.find_element(By.ID, "forgot").click()
    browser.find_element(By.ID, "recovery-email").clear()
    browser.find_element(By.ID, "recovery-email").send_keys(email)
    browser.find_element(By.ID, "recovery-submit").click()
    wait(browser, lambda d: d.find_element(By.ID, "recovery-code").is_displayed())
    browser.find_element(By.ID, "recovery-code").send_keys(code(explorer_stack, email, "recovery_code_valid"))
    browser.find_element(By.ID, "recovery-password").send_keys("A-recovered-passphrase-3")
    browser.find_element(By.ID, "recovery-submit").click()
    wait(browser, lambda d: d.find_element(By.ID, "who").text == f"Signed in as {email}")
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, lambda d: d.find_element(By.ID, "sign-in").is_displayed())


def test_the_page_is_served_with_a_strict_policy(explorer_stack):
    response = send(explorer_stack.port, "GET", None, {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status == 200 and response.header("content-type").startswith("text/html")
    policy = response.header("content-security-policy")
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert b"https://" not in response.body and b"http://" not in response.body
    script = send(explorer_stack.port, "GET", None, {}, path="/graphql/explorer/explorer.js")
    assert script.status == 200 and script.header("content-type").startswith("text/javascript")
    again = send(explorer_stack.port, "GET", None, {"if-none-match": script.header("etag")},
                 path="/graphql/explorer/explorer.js")
    assert again.status == 304
    for path in ("/graphql/explorer/../../etc/passwd", "/graphql/explorer/missing.js", "/graphql/other"):
        assert send(explorer_stack.port, "GET", None, {}, path=path).status == 404


def test_browsers_asking_for_a_query_still_get_graphql(explorer_stack):
    response = send(explorer_stack.port, "GET", None, {"accept": "text/html,*/*;q=0.8"}, query={"query": "{ hello }"})
    assert response.status == 200 and response.json() == {"data": {"hello": "Hello, world!"}}


def test_the_explorer_can_be_switched_off(binary):
    stack = Stack(binary, instances=1, worker_args=["--no-explorer"]).start()
    try:
        page = send(stack.port, "GET", None, {"accept": "text/html"})
        assert page.status == 406  # only GraphQL over HTTP: nothing it can answer in HTML
        assert send(stack.port, "GET", None, {}, path="/graphql/explorer/explorer.js").status == 404
    finally:
        stack.stop()


def test_the_explorer_says_when_introspection_is_off(binary, browser):
    from selenium.webdriver.common.by import By
    production = Stack(binary, instances=1, worker_args=["--profile", "production"]).start()
    try:
        browser.get(production.url)
        wait(browser, lambda d: "Introspection is off" in d.find_element(By.ID, "schema").text)
        editor = browser.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys("{ hello }")
        browser.find_element(By.ID, "run").click()
        wait(browser, lambda d: "Hello, world!" in d.find_element(By.ID, "result").text)
    finally:
        production.stop()
