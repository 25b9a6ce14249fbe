"""The administrators' pages in Chromium under the strict CSP: the auditor's /audit (with a bad date filter
refused) and the security administrator's display tokens (issue, shown once, revoke).
Screenshots: tests/artifacts/audit.png, audit_bad_date.png, displays.png."""

import pytest
from conftest import ADMIN_PASSWORD
from selenium.webdriver.common.by import By

import test_browser
from test_browser import ARTIFACTS, _external_requests, _severe_console_errors, _wait, chromium, log_in

server = test_browser.server

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_browser():
    """Its own Chromium: logging in as an administrator must not log out the manager of the other browser tests."""
    driver = chromium()
    yield driver
    driver.quit()


def test_audit_viewer_and_display_tokens_in_a_browser(admin_app, server, fresh_browser):
    driver = fresh_browser
    log_in(driver, server, "auditor2", ADMIN_PASSWORD)
    driver.get(server + "/audit?action=login")
    rows = _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr"))
    assert rows and "哈希链完整" in driver.find_element(By.TAG_NAME, "body").text
    driver.save_screenshot(str(ARTIFACTS / "audit.png"))
    since = driver.find_element(By.NAME, "since")
    driver.execute_script("arguments[0].type = 'text'; arguments[0].value = '2026-02-30'", since)  # as a URL could
    driver.find_element(By.CSS_SELECTOR, "form.wj-filters button[type=submit]").click()
    problem = _wait(driver, lambda d: d.find_elements(By.ID, "audit-problem"))
    assert "“2026-02-30”不是日期" in problem[0].text
    assert not driver.find_elements(By.CSS_SELECTOR, "#audit-table tbody tr")
    driver.save_screenshot(str(ARTIFACTS / "audit_bad_date.png"))
    driver.get(server + "/logout")

    log_in(driver, server, "secadmin2", ADMIN_PASSWORD)
    driver.get(server + "/admin/displays")
    _wait(driver, lambda d: d.find_elements(By.ID, "display-issue"))
    driver.find_element(By.ID, "display-label").send_keys("浏览器测试大屏")
    driver.find_element(By.ID, "display-region").clear()
    driver.find_element(By.ID, "display-region").send_keys("410100")
    driver.find_element(By.ID, "display-ip").send_keys("127.0.0.1")
    driver.find_element(By.ID, "display-issue-button").click()
    url = _wait(driver, lambda d: d.find_elements(By.ID, "display-url"))[0].text
    assert "/display/" in url
    driver.save_screenshot(str(ARTIFACTS / "displays.png"))
    row = [r for r in driver.find_elements(By.CSS_SELECTOR, "#display-table tbody tr") if "浏览器测试大屏" in r.text][-1]
    row.find_element(By.CSS_SELECTOR, "button[id^=revoke-]").click()
    _wait(driver, lambda d: not d.find_elements(By.ID, "display-url"))  # after the redirect: the token is gone
    row = [r for r in driver.find_elements(By.CSS_SELECTOR, "#display-table tbody tr") if "浏览器测试大屏" in r.text][-1]
    assert not row.find_elements(By.TAG_NAME, "button")  # revoked: nothing left to revoke
    # The console also holds the expected 403 of "/" (administrators read no data) and the 400 of the bad date.
    assert not _external_requests(driver) and not [e for e in _severe_console_errors(driver) if "Refused" in e]
