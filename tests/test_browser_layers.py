"""Switching map layers in a real browser: the manager page's layer dropdown and the wall's layer buttons.

Screenshots at 1920×1080 in tests/artifacts/ (layer_grade.png, layer_penalty.png, …): look at them.
"""

import time

import pytest
from selenium.webdriver.common.by import By

from test_browser import (ARTIFACTS, _external_requests, _regions, _severe_console_errors, _wait, _wait_text,
                          browser, server)  # noqa: F401 - the module's fixtures, shared here
from test_layers import engine, risk_levels, saved_risk_levels, without_risk_levels  # noqa: F401 - risk levels set by hand

pytestmark = pytest.mark.browser


def _choose(driver, dropdown_id: str, label: str) -> None:
    """Open a dcc.Dropdown and pick the option showing `label`."""
    _wait(driver, lambda d: d.find_element(By.ID, dropdown_id).click() or True)
    option = _wait(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                                           if o.text.strip() == label), False))
    option.click()


def _legend(driver) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#manager-map .legend .traces text.legendtext")]


def test_switching_layers_on_the_manager_page(server, browser):  # noqa: F811
    browser.get(server + "/?region=410000&period=2025-07..2026-06")
    _regions(browser, count=18)
    _wait_text(browser, "manager-map-title", "不合格检查分布")

    _choose(browser, "manager-layer", "行政处罚")
    _wait(browser, lambda d: "layer=penalty" in d.current_url)
    _wait_text(browser, "manager-map-title", "行政处罚案件分布")
    _wait_text(browser, "manager-ranking-title", "下级区域行政处罚案件排名")
    _wait_text(browser, "manager-summary", "罚没金额 ¥")
    _regions(browser, count=18)
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_penalty.png"))

    _choose(browser, "manager-layer", "量化分级")
    _wait(browser, lambda d: "layer=grade" in d.current_url)
    _wait_text(browser, "manager-map-title", "C级单位占比")
    _wait_text(browser, "manager-summary", "未评级")
    _regions(browser)
    colourbar = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#manager-map .colorbar .cbaxis text"))
    assert any(t.text.endswith("%") for t in colourbar)
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_grade.png"))

    # The demo build's scoring run wrote risk levels: the dropdown offers the risk layer.
    browser.find_element(By.ID, "manager-layer").click()
    options_text = [o.text for o in _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=option]"))]
    assert "风险分级" in options_text and "量化分级" in options_text
    browser.find_element(By.TAG_NAME, "body").send_keys("\ue00c")  # Escape closes it

    # Inside a county: entities by grade with a legend of the four classes; penalised entities by amount.
    browser.get(server + "/?region=410102&period=2024-07..2026-06&layer=grade")
    _wait_text(browser, "manager-map-title", "监管对象量化分级")
    _wait(browser, lambda d: len(_legend(d)) == 4)
    assert [t.split(" (")[0] for t in _legend(browser)] == ["未评级", "A级", "B级", "C级"]
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_grade_county.png"))
    browser.get(server + "/?region=411481&period=2024-07..2026-06&layer=penalty")
    _wait_text(browser, "manager-map-title", "被处罚单位")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#manager-map .scattergeo path.point"))
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_penalty_county.png"))
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []


def test_the_wall_layer_buttons_switch_the_map_and_kiosk_mode_hides_them(server, browser):  # noqa: F811
    browser.get(server + "/wall?region=410000&interval=30")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-map path.choroplethlocation"))
    buttons = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-layers a"))
    assert [b.text for b in buttons] == ["监督检查", "行政处罚", "量化分级", "投诉举报", "在线监测", "风险分级", "五维监管"]
    assert all(b.value_of_css_property("font-size") == "20px" for b in buttons)
    next(b for b in buttons if b.text == "量化分级").click()
    _wait(browser, lambda d: "layer=grade" in d.current_url)
    _wait_text(browser, "wall-map-title", "C级单位占比")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-map path.choroplethlocation"))
    no_scroll = "return [document.documentElement.scrollWidth <= window.innerWidth, document.documentElement.scrollHeight <= window.innerHeight]"
    assert browser.execute_script(no_scroll) == [True, True]
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "wall_layers.png"))

    browser.get(server + "/wall?region=410000&layer=penalty&kiosk=1")
    _wait_text(browser, "wall-map-title", "行政处罚案件分布")
    assert not browser.find_elements(By.ID, "wall-layers")
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []


def test_the_risk_layer_appears_once_entities_have_risk_levels(server, browser, risk_levels):  # noqa: F811
    browser.get(server + "/?region=410102&layer=risk")
    _wait_text(browser, "manager-map-title", "监管对象风险分级")
    _wait(browser, lambda d: len(_legend(d)) == 4)  # every entity of 郑州 assessed: no empty "未评估" entry
    assert [t.split(" (")[0] for t in _legend(browser)] == ["低风险", "一般风险", "较大风险", "重大风险"]
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_risk_county.png"))
    browser.get(server + "/?region=410000&layer=risk")
    _wait_text(browser, "manager-map-title", "较大及以上风险占比")
    _regions(browser)
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "layer_risk.png"))
    assert _severe_console_errors(browser) == []
