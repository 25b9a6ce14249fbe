"""The draws page and the licence list in a real browser: a manager runs a seeded draw and reads its 公示 list.

Screenshots in tests/artifacts/ (draws.png, licences.png, wall_licences.png): look at them.
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from test_browser import (ARTIFACTS, _external_requests, _severe_console_errors, _wait, _wait_text,  # noqa: F401
                          browser, server)  # the module's fixtures, shared here

pytestmark = pytest.mark.browser


def test_a_manager_runs_a_draw_and_reads_the_list(server, browser):  # noqa: F811
    browser.get(server + "/draws")
    for field, value in (("draw-count", "8"), ("draw-region", "410100"), ("draw-seed", "424242")):
        box = _wait(browser, lambda d, field=field: d.find_element(By.ID, field))
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(value)  # typed over the selection: React sees the change (clear() it would not)
    browser.find_element(By.ID, "draw-run").click()
    _wait(browser, lambda d: "run=" in d.current_url)
    _wait_text(browser, "draw-summary", "随机种子 424242（指定）")
    _wait_text(browser, "draw-summary", "郑州市")
    browser.execute_script("window.scrollTo(0, 0)")
    rows = browser.find_elements(By.CSS_SELECTOR, ".wj-panel table.wj-table")[0].find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 8 and all("、" in r.find_elements(By.TAG_NAME, "td")[7].text for r in rows)
    browser.save_screenshot(str(ARTIFACTS / "draws.png"))
    assert not _external_requests(browser) and not _severe_console_errors(browser)

    browser.get(server + "/licences?region=410100")
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".wj-licences-page table.wj-table tbody tr"))
    assert "天内到期" in browser.find_element(By.CSS_SELECTOR, ".wj-summary").text
    browser.save_screenshot(str(ARTIFACTS / "licences.png"))

    browser.get(server + "/wall?region=410000")
    _wait_text(browser, "wall-kpis", "许可证 90 天内到期")
    browser.save_screenshot(str(ARTIFACTS / "wall_licences.png"))
