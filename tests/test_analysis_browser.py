"""The analysis page in a real browser: tabs draw, a click on a specialty bar cross-filters the other charts and
shows as a chip that clears it, the map tab draws the regions. Screenshots in tests/artifacts/ (analysis_*.png)."""

import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from test_browser import (ARTIFACTS, _external_requests, _severe_console_errors, _wait, _wait_text, browser,  # noqa: F401
                          server)

pytestmark = pytest.mark.browser


def _bars(driver, name: str):
    """The bars of the graph `name`, looked up afresh each try: the section re-renders while its callbacks land,
    and an element found before that is stale for good."""
    def drawn(d):
        graph = next((g for g in d.find_elements(By.CSS_SELECTOR, "div.dash-graph")
                      if f'"name":"{name}"' in (g.get_attribute("id") or "")), None)
        return graph.find_elements(By.CSS_SELECTOR, ".bars path") if graph is not None else False
    return _wait(driver, drawn, timeout=60)


def test_the_analysis_page_draws_cross_filters_and_maps(server, browser):  # noqa: F811
    browser.set_window_size(1920, 1080)
    browser.get(server + "/analysis?region=410000&period=2025-07..2026-06&tab=inspections")
    _wait_text(browser, "analysis-section", "监督检查 · 按区域", timeout=120)
    bars = _bars(browser, "inspections-specialty")
    ActionChains(browser).move_to_element(bars[-1]).click().perform()  # the top bar: most inspections
    _wait_text(browser, "analysis-active-filters", "专业:", timeout=120)
    _wait_text(browser, "analysis-active-filters", "清除筛选")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "analysis_inspections.png"))

    chip = _wait(browser, lambda d: next((b for b in d.find_elements(By.CSS_SELECTOR, "#analysis-active-filters button")
                                          if b.text.startswith("专业")), False))
    chip.click()
    _wait(browser, lambda d: "专业:" not in d.find_element(By.ID, "analysis-active-filters").text)

    browser.find_element(By.XPATH, "//*[contains(@class, 'wj-analysis-tab') and normalize-space()='空间分布']").click()
    # The map tab reads every section's regions (cold cache, a shared machine): more time than the default.
    _wait_text(browser, "analysis-section", "各项指标 · 按区域", timeout=120)
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".wj-analysis-map path.choroplethlocation")) == 18,
          timeout=120)
    browser.find_element(By.XPATH, "//*[contains(@class, 'wj-analysis-tab') and normalize-space()='建设项目']").click()
    _wait_text(browser, "analysis-section", "建设项目卫生审查 · 按项目类型", timeout=120)
    _bars(browser, "construction-stage")
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "analysis_construction.png"))
    browser.find_element(By.XPATH, "//*[contains(@class, 'wj-analysis-tab') and normalize-space()='空间分布']").click()
    _wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".wj-analysis-map path.choroplethlocation")) == 18)
    time.sleep(1)
    browser.save_screenshot(str(ARTIFACTS / "analysis_map.png"))
    assert _external_requests(browser) == [] and _severe_console_errors(browser) == []
