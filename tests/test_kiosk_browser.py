"""The kiosk in a real browser: it rotates by itself, shows no cursor and no controls, masks, refuses what is
outside the viewer's scope and reloads itself after a failure. Screenshots: tests/artifacts/kiosk_*.png."""

import time

import pytest
from selenium.webdriver.common.by import By

import test_browser
from kiosk_fixtures import ID_NUMBER, OFFICER, PHONE, public_case
from test_browser import ARTIFACTS, _external_requests, _severe_console_errors, _wait

server, browser = test_browser.server, test_browser.browser  # the logged-in Chromium of the manager page's tests

pytestmark = pytest.mark.browser

# Everything in the frame that a person could operate, or that shows a pointer.
CONTROLS = "button, input, select, textarea, a[href], .dash-dropdown, .Select, .modebar-btn"
NO_CURSOR = """const doc = arguments[0] ? document.querySelector('iframe.wj-kiosk-active').contentDocument : document;
return Array.from(doc.querySelectorAll('html, body, body *')).filter(e => getComputedStyle(e).cursor !== 'none').length;"""
VISIBLE_CONTROLS = """const doc = arguments[0] ? document.querySelector('iframe.wj-kiosk-active').contentDocument : document;
return Array.from(doc.querySelectorAll(arguments[1])).filter(e => e.getClientRects().length).length;"""


@pytest.fixture(scope="module")
def case(demo_app):
    with public_case(demo_app) as found:
        yield found


@pytest.fixture
def full_hd(browser):
    """The viewport exactly 1920×1080 (a window of that size keeps less for the page), as on a lobby screen."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    yield browser
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _shown(driver) -> str | None:
    """The index of the view on screen, as the kiosk's script records it."""
    return driver.execute_script("return document.body.dataset.kioskView || null")


def _frame_text(driver) -> str:
    return driver.execute_script("return document.querySelector('iframe.wj-kiosk-active').contentDocument.body.innerText")


def _start(driver, url):
    driver.get(url)
    driver.execute_script("window.sessionStorage.clear()")  # no back-off left over from an earlier test


def test_the_kiosk_rotates_by_itself(server, browser):
    _start(browser, server + "/kiosk?views=wall,alerts&interval=2")
    seen = []
    deadline = time.monotonic() + 40
    while seen[-3:] != ["0", "1", "0"] and time.monotonic() < deadline:
        view = _shown(browser)
        if view is not None and (not seen or seen[-1] != view):
            seen.append(view)
        time.sleep(0.1)
    assert seen[-3:] == ["0", "1", "0"], seen
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []


def test_kiosk_views_have_no_cursor_no_controls_and_masked_names(server, browser, case, full_hd):
    _start(browser, server + "/kiosk?views=wall,alerts&interval=15")
    _wait(browser, lambda d: _shown(d) == "0")
    _wait(browser, lambda d: d.execute_script(
        "return document.querySelector('iframe.wj-kiosk-active').contentDocument"
        ".querySelectorAll('#wall-kpis .wj-kpi, #wall-map path.choroplethlocation').length > 7"))
    time.sleep(1.2)  # the cross-fade
    assert browser.execute_script("return [innerWidth, innerHeight]") == [1920, 1080]
    browser.save_screenshot(str(ARTIFACTS / "kiosk_wall.png"))
    wall = _frame_text(browser)
    assert "智慧卫监指挥中心" in wall and "已脱敏" in wall
    assert "139****5678" in wall and PHONE not in wall  # the case's clinic is in the feed, masked

    _wait(browser, lambda d: _shown(d) == "1", timeout=30)
    time.sleep(1.2)
    browser.save_screenshot(str(ARTIFACTS / "kiosk_alerts.png"))
    inbox = _frame_text(browser)
    assert "预警处置" in inbox and "已脱敏" in inbox and "王**" in inbox
    assert OFFICER not in inbox and PHONE not in inbox and ID_NUMBER not in inbox and case["badge"] not in inbox

    for inside in (False, True):
        assert browser.execute_script(NO_CURSOR, inside) == 0
        assert browser.execute_script(VISIBLE_CONTROLS, inside, CONTROLS) == 0
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []


def test_a_view_outside_the_scope_is_refused_and_an_unknown_one_reported(server, browser, full_hd):
    _start(browser, server + "/kiosk?views=region:320600,clock&interval=30")
    _wait(browser, lambda d: _shown(d) == "0")
    assert "无权查看该区域" in _frame_text(browser)
    assert "已跳过无法识别的视图：clock" in browser.find_element(By.ID, "kiosk-notice").text
    time.sleep(1.2)
    browser.save_screenshot(str(ARTIFACTS / "kiosk_refusal.png"))
    assert browser.execute_script(NO_CURSOR, True) == 0
    assert _severe_console_errors(browser) == []


@pytest.fixture(scope="module")
def failing_page(demo_app):
    """The inbox page itself answers 500 while `failing` is set."""
    url, middleware, httpd = test_browser.serve_failing(demo_app, lambda path: path == "/alerts")
    yield url, middleware
    httpd.shutdown()


def _mark(driver) -> None:
    driver.execute_script("window.__beforeReload = true")


def _reloaded(driver) -> bool:
    return driver.execute_script("return window.__beforeReload === undefined")


def test_the_kiosk_reloads_after_a_failing_view_or_a_script_error(failing_page, browser):
    url, backend = failing_page
    _start(browser, url + "/kiosk?views=wall,alerts&interval=2")
    assert browser.execute_script("return [0, 1, 2, 3, 10].map(dash_clientside.kiosk.backoffMs)") == [
        5000, 10000, 20000, 40000, 300000]
    _wait(browser, lambda d: _shown(d) == "0")
    _mark(browser)
    backend.failing = True
    try:
        _wait(browser, lambda d: "5 秒后重新加载" in d.find_element(By.ID, "kiosk-failed").text)
        started = time.monotonic()
        _wait(browser, _reloaded, timeout=15)
        assert time.monotonic() - started < 7  # the first back-off is 5 s
    finally:
        backend.failing = False
    _wait(browser, lambda d: _shown(d) == "1", timeout=30)  # a whole round: the back-off is forgotten
    assert browser.execute_script("return window.sessionStorage.getItem('wj-kiosk-failures')") is None

    _mark(browser)
    # The view's window reports a script error (the CSP forbids eval, so the error is dispatched, as the browser would).
    browser.execute_script("const w = document.querySelector('iframe.wj-kiosk-active').contentWindow;"
                           "w.dispatchEvent(new w.ErrorEvent('error', {message: 'view broke'}));")
    _wait(browser, lambda d: "5 秒后重新加载" in d.find_element(By.ID, "kiosk-failed").text)
    _wait(browser, _reloaded, timeout=15)
    _wait(browser, lambda d: _shown(d) == "0")
    browser.get_log("browser")  # drain: the 500s and the thrown error were the point
