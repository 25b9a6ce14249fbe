"""The manager page in a real browser: Debian's chromium through chromedriver, offline.

Screenshots land in tests/artifacts/ (git-ignored): look at them.
"""

import shutil
from pathlib import Path
import threading
import time

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from data.demo.build import DEMO_PASSWORD



pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parent / "artifacts"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# The flags a closed network needs: no background calls home, no component updates.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1920,1080", "--lang=zh-CN"]


@pytest.fixture(scope="module")
def server(demo_app):
    httpd = make_server("127.0.0.1", 0, demo_app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def chromium():
    """A headless Chromium with the closed-network flags and the browser console recorded."""
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.fail("Debian's chromium and chromium-driver are not installed: run `make test`, which installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1920, 1080)
    ARTIFACTS.mkdir(exist_ok=True)
    return driver


def log_in(driver, server: str, username: str, password: str = DEMO_PASSWORD) -> None:
    driver.get(server + "/")  # anonymous: sent to the login page
    _wait(driver, lambda d: d.find_elements(By.ID, "username"))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    _wait(driver, lambda d: "/login" not in d.current_url)  # the session cookie is set before the next get()


@pytest.fixture(scope="module")
def browser(server):
    """Chromium, logged in as the demo's province manager (cookies hold for every server on 127.0.0.1)."""
    driver = chromium()
    driver.get(server + "/")
    _wait(driver, lambda d: d.find_elements(By.ID, "username"))
    driver.save_screenshot(str(ARTIFACTS / "login.png"))
    log_in(driver, server, "demo_manager")
    _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#manager-map"))
    yield driver
    driver.quit()


# Dash re-renders components after callbacks: an element found a moment ago may be replaced.
RERENDERED = (StaleElementReferenceException, NoSuchElementException)


def _wait(driver, condition, timeout=30):
    return WebDriverWait(driver, timeout, ignored_exceptions=RERENDERED).until(condition)


def _regions(driver, count=None, timeout=30):
    def ready(d):
        paths = d.find_elements(By.CSS_SELECTOR, "#manager-map path.choroplethlocation")
        return paths if paths and (count is None or len(paths) == count) else False
    return _wait(driver, ready, timeout)


def _click_region(driver, index: int, count: int) -> None:
    """Click the index-th region (locations are ordered by adcode) once `count` regions are drawn."""
    def click(d):
        ActionChains(d).move_to_element(_regions(d, count)[index]).click().perform()
        return True
    _wait(driver, click)


def _wait_text(driver, element_id, text, timeout=30):
    try:
        _wait(driver, lambda d: text in d.find_element(By.ID, element_id).text, timeout)
    except TimeoutException:
        raise AssertionError(f"#{element_id} never showed {text!r}: {driver.find_element(By.ID, element_id).text!r}") from None


def _external_requests(driver) -> list[str]:
    names = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return [n for n in names if not n.startswith(("http://127.0.0.1", "data:", "blob:"))]


def _severe_console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_drill_down_from_province_to_city_to_county(server, browser):
    browser.get(server + "/")
    _regions(browser, count=18)
    _wait_text(browser, "manager-map-title", "河南省")
    _wait_text(browser, "manager-ranking-title", "下级区域")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_province.png"))

    _click_region(browser, 0, 18)  # 410100 郑州市, first by code
    _wait(browser, lambda d: "region=410100" in d.current_url)
    _regions(browser, count=12)
    _wait_text(browser, "manager-breadcrumb", "郑州市")
    _wait_text(browser, "manager-map-title", "郑州市")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_city.png"))

    _click_region(browser, 3, 12)  # 410105 金水区
    _wait(browser, lambda d: "region=410105" in d.current_url)
    _wait_text(browser, "manager-map-title", "金水区")
    points = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#manager-map .scattergeo path.point"))
    assert len(points) > 10
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_county.png"))

    # The breadcrumb goes back up.
    _wait(browser, lambda d: d.find_element(By.LINK_TEXT, "河南省").click() or True)
    _regions(browser, count=18)
    _wait_text(browser, "manager-map-title", "河南省")

    assert _external_requests(browser) == []
    assert _severe_console_errors(browser) == []


def test_url_filters_and_the_english_switch(server, browser):
    browser.get(server + "/?region=410100&period=2026-01..2026-06&specialty=medical")
    _regions(browser, count=12)
    _wait_text(browser, "manager-computed-at", "2026-01-01 – 2026-06-30")
    assert "医疗卫生" in browser.find_element(By.CSS_SELECTOR, ".wj-filters").text
    _wait(browser, lambda d: d.find_element(By.LINK_TEXT, "English").click() or True)
    _wait_text(browser, "manager-ranking-title", "Non-compliant inspections by sub-region")
    assert "lang=en" in browser.current_url
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_city_en.png"))
    assert _severe_console_errors(browser) == []


def test_a_crafted_url_outside_scope_shows_a_refusal(server, browser):
    browser.get(server + "/?region=320600")
    _wait(browser, lambda d: "无权查看该区域" in d.find_element(By.TAG_NAME, "body").text)
    assert not browser.find_elements(By.CSS_SELECTOR, "#manager-map path.choroplethlocation")


def test_monitoring_layer_device_page_and_alert_inbox(server, browser, demo_app):
    """Devices layer in a county → click a device → its page with limit bands → the alert inbox."""
    from dashboard import context
    from data.queries import alerts as alert_queries
    from data.queries.filters import Scope

    with demo_app.server.test_request_context("/"):  # what the pages should show, through the same queries
        feed = alert_queries.feed(context.store(), Scope.of("410000"), "410000", status="all", limit=500)
    device_id = feed[feed["rule"] == "sustained"]["device_id"].iloc[0]
    browser.get(server + f"/device/{device_id}?days=30")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wj-series .js-plotly-plot .shapelayer path"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "限值" in body and "持续超标" in body
    browser.save_screenshot(str(ARTIFACTS / "device.png"))

    browser.get(server + "/alerts")
    _wait(browser, lambda d: "未办结" in d.find_element(By.TAG_NAME, "body").text)
    assert browser.find_elements(By.CSS_SELECTOR, "table.wj-table tbody tr.wj-alert")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.wj-alert .wj-button"))[0].click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#alert-panel .wj-steps .wj-button"))
    assert "处置说明" in browser.find_element(By.ID, "alert-panel").text
    browser.save_screenshot(str(ARTIFACTS / "alerts.png"))

    browser.get(server + "/?region=410000&layer=monitoring")
    _regions(browser, 18)
    _wait_text(browser, "manager-map-title", "超标与离线设备分布")
    browser.save_screenshot(str(ARTIFACTS / "manager_monitoring.png"))
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []


class Failing:
    """WSGI middleware: answers 500 to the requests `hit` picks (by path) while `failing` is set."""

    def __init__(self, app, hit):
        self.app, self.hit, self.failing = app, hit, False

    def __call__(self, environ, start_response):
        if self.failing and self.hit(environ["PATH_INFO"]):
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"backend down"]
        return self.app(environ, start_response)


def serve_failing(demo_app, hit):
    """(base URL, middleware) of the demo app on a free port, behind a Failing middleware; stop with shutdown()."""
    middleware = Failing(demo_app.server.wsgi_app, hit)
    httpd = make_server("127.0.0.1", 0, middleware, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}", middleware, httpd


def test_complaint_inbox_flags_overdue_cases_and_opens_the_step_panel(server, browser):
    """/complaints?status=overdue: only late cases, each flagged; "处理" opens the panel of the steps it allows."""
    browser.get(server + "/complaints?status=overdue")
    rows = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "table.wj-table tbody tr.wj-complaint"))
    assert all("已超时" in row.text for row in rows)
    assert "投诉" in browser.find_element(By.CSS_SELECTOR, ".wj-summary").text
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "tr.wj-complaint .wj-button"))[0].click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#complaint-panel .wj-steps .wj-button"))
    assert "办理说明" in browser.find_element(By.ID, "complaint-panel").text
    browser.save_screenshot(str(ARTIFACTS / "complaints.png"))
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []


@pytest.fixture(scope="module")
def flaky_server(demo_app):
    """The backend in trouble: Dash callbacks answer 500 while `failing` is set."""
    url, middleware, httpd = serve_failing(demo_app, lambda path: path.endswith("/_dash-update-component"))
    yield url, middleware
    httpd.shutdown()


def _kpis(driver):
    return _wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#wall-kpis .wj-kpi")) == 9
                 and d.find_elements(By.CSS_SELECTOR, "#wall-map path.choroplethlocation"))


LOADED_WEB_FONT_SLICES = ("return Array.from(document.fonts).filter(f => f.family.replace(/[\"']/g, '') === 'Noto Sans SC'"
                          " && f.status === 'loaded').length")


def test_wall_at_both_sizes_keeps_data_and_shows_the_delay_when_the_backend_fails(flaky_server, browser):
    url, backend = flaky_server
    browser.get(url + "/wall?region=410000&interval=5")
    _kpis(browser)
    _wait_text(browser, "wall-updated", "更新于")
    no_scroll = "return [document.documentElement.scrollWidth <= window.innerWidth, document.documentElement.scrollHeight <= window.innerHeight]"
    assert browser.execute_script(no_scroll) == [True, True]
    _wait(browser, lambda d: d.execute_script(LOADED_WEB_FONT_SLICES) > 0)  # the CJK font comes from assets/
    browser.save_screenshot(str(ARTIFACTS / "wall_1920.png"))

    backend.failing = True
    try:
        _wait(browser, lambda d: "数据延迟" in d.find_element(By.ID, "wall-stale").text, timeout=40)
        assert len(browser.find_elements(By.CSS_SELECTOR, "#wall-kpis .wj-kpi")) == 9  # the last good data stays
        browser.save_screenshot(str(ARTIFACTS / "wall_stale.png"))
    finally:
        backend.failing = False
    _wait(browser, lambda d: not d.find_element(By.ID, "wall-stale").is_displayed(), timeout=40)
    browser.get_log("browser")  # drain: the renderer logged the 500s, which were the point

    browser.set_window_size(3840, 2160)
    try:
        browser.get(url + "/wall?region=410000&layer=monitoring")
        _kpis(browser)
        assert browser.execute_script(no_scroll) == [True, True]
        browser.save_screenshot(str(ARTIFACTS / "wall_3840.png"))
    finally:
        browser.set_window_size(1920, 1080)
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []


def _bars(driver, graph_id):
    return _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"#{graph_id} .barlayer .point path"))


def _column(driver, col_id) -> list[str]:
    """A grid column's texts in displayed order (AG Grid keeps rows in the DOM in insertion order)."""
    return driver.execute_script(
        "return [...document.querySelectorAll(`#manager-table .ag-cell[col-id='${arguments[0]}']`)]"
        ".map(c => [+c.closest('.ag-row').getAttribute('row-index'), c.innerText])"
        ".sort((a, b) => a[0] - b[0]).map(p => p[1]);", col_id)


def test_charts_cross_filter_the_page_the_grid_sorts_and_the_table_exports(server, browser, tmp_path):
    from dashboard import i18n
    from data import vocab

    browser.get(server + "/?region=410100&period=2025-07..2026-06")
    _regions(browser, count=12)
    _wait_text(browser, "manager-trend-title", "按月趋势")
    _wait_text(browser, "manager-table-title", "下级区域统计")
    assert len(_bars(browser, "manager-trend")) == 12
    _wait(browser, lambda d: len(_column(d, "name")) == 12)
    summary_before = browser.find_element(By.ID, "manager-summary").text
    browser.execute_script("document.querySelector('.wj-charts').scrollIntoView()")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_charts.png"))

    # The grid sorts: by inspections, ascending, then descending.
    header = browser.find_element(By.CSS_SELECTOR, "#manager-table .ag-header-cell[col-id='inspections'] .ag-header-cell-label")
    header.click()
    numbers = lambda d: [int(t.replace(",", "")) for t in _column(d, "inspections") if t]  # noqa: E731
    _wait(browser, lambda d: numbers(d) == sorted(numbers(d)) and len(numbers(d)) == 12)
    header.click()
    _wait(browser, lambda d: numbers(d) == sorted(numbers(d), reverse=True) and len(numbers(d)) == 12)

    # The export downloads the table (an .xlsx named in Chinese) through the browser.
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "manager-export").click()
    _wait(browser, lambda d: [p for p in tmp_path.iterdir() if p.suffix == ".xlsx"])
    assert any("监督统计_郑州市" in p.name for p in tmp_path.iterdir())

    # A click on the top specialty bar filters the page by that specialty: URL, dropdown, map, table follow.
    ActionChains(browser).move_to_element(_bars(browser, "manager-by-specialty")[-1]).click().perform()
    _wait(browser, lambda d: "specialty=" in d.current_url)
    picked = browser.current_url.split("specialty=")[1].split("&")[0]
    assert picked in vocab.SPECIALTIES
    _wait(browser, lambda d: i18n.specialty_label(picked, "zh") in d.find_element(By.CSS_SELECTOR, ".wj-filters").text)
    _regions(browser, count=12)
    _wait(browser, lambda d: d.find_element(By.ID, "manager-summary").text not in ("", summary_before))
    browser.execute_script("document.querySelector('.wj-charts').scrollIntoView()")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_charts_filtered.png"))

    # A click on a month narrows the period to it.
    ActionChains(browser).move_to_element(_bars(browser, "manager-trend")[5]).click().perform()
    _wait(browser, lambda d: "period=2025-12..2025-12" in d.current_url)
    assert f"specialty={picked}" in browser.current_url
    _wait_text(browser, "manager-computed-at", "2025-12-01 – 2025-12-31")
    _wait(browser, lambda d: len(_bars(d, "manager-trend")) == 1)

    # In a county the table lists its entities with their last results; English headers with lang=en.
    browser.get(server + "/?region=410105&period=2025-07..2026-06&lang=en")
    _wait_text(browser, "manager-table-title", "Entities and their last results")
    _wait(browser, lambda d: len(_column(d, "name")) == 15)  # the first page
    assert "Last result" in browser.find_element(By.ID, "manager-table").text
    browser.execute_script("document.querySelector('.wj-table-panel').scrollIntoView()")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "manager_county_table_en.png"))
    assert _external_requests(browser) == []
    assert _severe_console_errors(browser) == []
def test_entity_file_and_its_public_page_on_a_phone(server, browser, demo_app):
    """The entity file at 1920×1080 with its timeline, readings and QR code; the code, read off the screen,
    opens the public page, shown at 390×844 (a phone)."""
    import cv2
    import numpy as np
    import pandas as pd
    from sqlalchemy import text

    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        entity_id = int(pd.read_sql(text(
            "SELECT a.entity_id, COUNT(i.id) AS n FROM alert a JOIN inspection i ON i.entity_id = a.entity_id "
            "WHERE a.rule = 'sustained' AND a.entity_id IN (SELECT entity_id FROM penalty) "
            "GROUP BY a.entity_id ORDER BY n DESC, a.entity_id LIMIT 1"), conn)["entity_id"].iloc[0])
        phone = conn.execute(text("SELECT contact_phone FROM entity WHERE id = :i"), {"i": entity_id}).scalar()
    browser.get(server + f"/entity/{entity_id}")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#entity-timeline .scatterlayer .point"))
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wj-series .js-plotly-plot .shapelayer path"))
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "一户一档" in body and "量化分级记录" in body and "行政处罚" in body and phone in body
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "entity.png"))
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1920, height)
    try:
        time.sleep(1)
        browser.save_screenshot(str(ARTIFACTS / "entity_full.png"))
    finally:
        browser.set_window_size(1920, 1080)

    image = browser.find_element(By.ID, "entity-qr-image")
    shot = cv2.imdecode(np.frombuffer(image.screenshot_as_png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    framed = cv2.copyMakeBorder(shot, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    # OpenCV's Aruco-based detector: the classic one misses about 3 % of clean codes of this size.
    url, *_ = cv2.QRCodeDetectorAruco().detectAndDecode(framed)
    assert url == browser.find_element(By.CSS_SELECTOR, ".wj-qr-url").text and url.startswith(server + "/public/")
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []

    browser.set_window_size(390, 844)
    try:
        browser.get(url)
        _wait(browser, lambda d: d.find_elements(By.ID, "public-name"))
        text_shown = browser.find_element(By.TAG_NAME, "body").text
        assert "最近一次监督检查" in text_shown and "信用等级" in text_shown and phone not in text_shown
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        browser.save_screenshot(str(ARTIFACTS / "public.png"))
        assert _severe_console_errors(browser) == [] and _external_requests(browser) == []
    finally:
        browser.set_window_size(1920, 1080)


def test_risk_ledger_close_out_refused_and_the_back_test_page(server, browser):
    """The ledger: 处置 on an entry opens its panel; 销账 without a follow-up inspection shows the refusal.
    The back-test page draws both charts."""
    browser.get(server + "/ledger")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wj-ledger-table tbody tr"))
    browser.find_elements(By.CSS_SELECTOR, ".wj-ledger-table button.wj-button")[0].click()
    _wait(browser, lambda d: d.find_elements(By.ID, "ledger-text"))
    next(b for b in browser.find_elements(By.CSS_SELECTOR, "#ledger-panel button") if b.text == "销账").click()
    _wait(browser, lambda d: "no follow-up inspection" in d.find_element(By.ID, "ledger-message").text)
    time.sleep(0.5)
    browser.save_screenshot(str(ARTIFACTS / "ledger.png"))
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []
    browser.get(server + "/analysis/risk")
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .scatterlayer .trace")) >= 4)
    time.sleep(0.5)
    browser.save_screenshot(str(ARTIFACTS / "analysis_risk.png"))
    assert "前25%·风险排序" in browser.find_element(By.TAG_NAME, "body").text
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []


def test_a_prescription_alert_leads_to_the_doctor_and_back_to_the_institution(server, browser, demo_app):
    """A doctor with prescription alerts: their file (personal data masked for a province manager) → the
    institution's file → its practitioners panel → back to the doctor."""
    import pandas as pd
    from sqlalchemy import text

    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        doctor = pd.read_sql(text(
            "SELECT p.id, p.name, p.phone, a.entity_id FROM alert a JOIN practitioner p ON p.id = a.practitioner_id "
            "ORDER BY a.occurrences DESC, a.id LIMIT 1"), conn).iloc[0]
    browser.get(server + f"/practitioner/{doctor['id']}")
    _wait(browser, lambda d: "处方点评与防挂证预警" in d.find_element(By.TAG_NAME, "body").text)
    body = browser.find_element(By.TAG_NAME, "body").text
    assert doctor["name"] in body and doctor["phone"] not in body and doctor["phone"][-4:] in body
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "practitioner.png"))
    browser.find_element(By.CSS_SELECTOR, f"a[href^='/entity/{doctor['entity_id']}']").click()
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#entity-practitioners a"))
    browser.find_element(By.CSS_SELECTOR, f"#entity-practitioners a[href^='/practitioner/{doctor['id']}?']").click()
    _wait(browser, lambda d: "执业注册" in d.find_element(By.TAG_NAME, "body").text)
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []


def test_wall_hospitals_panel_and_the_fever_surge_outlined_on_the_map(server, browser):
    """The demo's pilot city: the hospitals' panel with the latest day against its baseline, the planted surge's
    hospitals listed as anomalous, the county outlined on the map and named in the alert feed."""
    browser.get(server + "/wall?region=410100&interval=60")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-hospitals .wj-hospitals-table tr"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#wall-hospitals .wj-hospitals-table tr")
    assert len(rows) == 1 + 8 and "发热门诊人次" in browser.find_element(By.ID, "wall-hospitals").text
    assert browser.find_elements(By.CSS_SELECTOR, "#wall-hospitals .wj-hospitals-high")  # the surge's fever row
    assert len(browser.find_elements(By.CSS_SELECTOR, "#wall-hospitals .wj-hospitals-list li")) >= 3
    _wait(browser, lambda d: "发热门诊聚集性异常" in d.find_element(By.ID, "wall-feed").text)
    first = browser.find_element(By.CSS_SELECTOR, "#wall-feed li").text
    assert "中原区" in first and "发热门诊聚集性异常" in first  # the area's alert on top of the feed
    _wait(browser, lambda d: "发热门诊聚集性异常" in d.find_element(By.ID, "wall-map").text)  # the outline's legend
    browser.save_screenshot(str(ARTIFACTS / "wall_hospitals.png"))
