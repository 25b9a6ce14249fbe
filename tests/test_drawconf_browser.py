"""The draws page's conflicts of interest and weights editor in a real browser, as the demo's province manager:
the callbacks are wired (tests/test_drawconf.py tests what they do). Screenshot: tests/artifacts/drawconf.png."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import delete, func, select

from data.models import DrawWeight, Entity, Inspector, InspectorConflict
from test_browser import (ARTIFACTS, _external_requests, _severe_console_errors, _wait, _wait_text,  # noqa: F401
                          browser, server)  # the module's fixtures, shared here

pytestmark = pytest.mark.browser


def _type(element, value: str) -> None:
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(value)  # typed over the selection: React sees the change


def test_a_manager_declares_withdraws_and_reweighs_on_the_page(demo_app, server, browser):  # noqa: F811
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        badge = conn.execute(select(Inspector.badge_no).where(Inspector.region_adcode == "410105")).scalars().first()
        entity = conn.execute(select(Entity.id).where(Entity.county_adcode == "410105")).scalars().first()
        version = conn.execute(select(func.max(DrawWeight.version))).scalar_one()
    try:
        browser.get(server + "/draws")
        for field, value in (("drawconf-badge", badge), ("drawconf-entity", str(entity)), ("drawconf-reason", "浏览器测试：亲属任职")):
            _type(_wait(browser, lambda d, field=field: d.find_element(By.ID, field)), value)
        browser.find_element(By.ID, "drawconf-declare").click()
        _wait_text(browser, "drawconf-message", "已声明回避")
        _wait_text(browser, "drawconf-list", "浏览器测试：亲属任职")
        cell = browser.find_element(By.CSS_SELECTOR, "input[id*='very_high']")
        _type(cell, "4.5")
        browser.find_element(By.ID, "drawconf-weights-save").click()
        _wait_text(browser, "drawconf-weights-message", f"已保存为第 {version + 1} 版")
        _wait_text(browser, "drawconf-weights-title", f"当前第 {version + 1} 版")
        browser.execute_script("document.getElementById('drawconf-badge').scrollIntoView()")
        browser.save_screenshot(str(ARTIFACTS / "drawconf.png"))
        browser.find_element(By.ID, "drawconf-withdraw").click()
        _wait_text(browser, "drawconf-message", "已撤销回避")
        assert "浏览器测试：亲属任职" not in browser.find_element(By.ID, "drawconf-list").text
        assert not _external_requests(browser) and not _severe_console_errors(browser)
    finally:
        with engine.begin() as conn:  # the demo is shared by the session
            conn.execute(delete(DrawWeight).where(DrawWeight.version > version))
            conn.execute(delete(InspectorConflict).where(InspectorConflict.reason == "浏览器测试：亲属任职"))
