"""The credit grade in a real browser: the entity file's 诚信等级 panel, and the public page on a phone.

Screenshots in tests/artifacts/ (credit_entity.png, credit_public.png): look at them.
"""

import datetime as dt

import pytest
from selenium.webdriver.common.by import By
from sqlalchemy import text

from data import public_tokens
from test_browser import (ARTIFACTS, _external_requests, _severe_console_errors, _wait,  # noqa: F401
                          browser, server)  # the module's fixtures, shared here

pytestmark = pytest.mark.browser


def test_the_credit_grade_on_the_entity_file_and_the_public_page(server, browser, demo_app):  # noqa: F811
    with demo_app.server.extensions["weijian"].store.engine.begin() as conn:
        entity_id, grade = conn.execute(text(
            "SELECT entity_id, grade FROM credit_assessment WHERE grade = 'C' ORDER BY score, entity_id LIMIT 1")).one()
        token = public_tokens.ensure(conn, entity_id, dt.datetime.now(dt.UTC))
    browser.get(server + f"/entity/{entity_id}")
    panel = _wait(browser, lambda d: d.find_element(By.ID, "credit-panel"))
    browser.execute_script("arguments[0].scrollIntoView()", panel)
    assert "失信" in panel.text and "扣分指标" in panel.text and "诚信等级历史" in panel.text
    assert browser.find_elements(By.CSS_SELECTOR, "#credit-breakdown tbody tr")
    browser.save_screenshot(str(ARTIFACTS / "credit_entity.png"))
    assert _severe_console_errors(browser) == [] and _external_requests(browser) == []

    browser.set_window_size(390, 844)
    try:
        browser.get(server + f"/public/{token}")
        badge = _wait(browser, lambda d: d.find_element(By.ID, "public-credit"))
        assert badge.text == grade and badge.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        browser.save_screenshot(str(ARTIFACTS / "credit_public.png"))
    finally:
        browser.set_window_size(1920, 1080)
