"""The import page in a real browser: an officer uploads a slice of the real CNEMC station list, reads the
preview and the report, confirms; a file over the limit is refused with its size. Its own app over an empty
database (the demo database stays as other tests expect it). Screenshot: tests/artifacts/import.png.
"""

import threading

import pytest
from import_fixtures import import_app, stations_slice
from selenium.webdriver.common.by import By
from sqlalchemy import select
from test_browser import ARTIFACTS, _external_requests, _severe_console_errors, _wait, _wait_text, chromium, log_in
from werkzeug.serving import make_server

from data import models

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory, var_dir):
    return import_app(f"sqlite:///{tmp_path_factory.mktemp('import_browser') / 'weijian.db'}", var_dir, import_max_mb=1)


@pytest.fixture(scope="module")
def server(app):
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _choose(driver, dropdown_id: str, label: str) -> None:
    _wait(driver, lambda d: d.find_element(By.ID, dropdown_id).click() or True)
    option = _wait(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option]")
                                           if o.text.strip() == label), False))
    option.click()


def _send_file(driver, upload_id: str, path) -> None:
    driver.find_element(By.CSS_SELECTOR, f"#{upload_id} input[type=file]").send_keys(str(path))


def test_an_officer_uploads_validates_and_confirms(app, server, tmp_path):
    stations = stations_slice(tmp_path)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 400_000)  # 1.6 MB, over this app's 1 MB
    driver = chromium()
    try:
        log_in(driver, server, "officer")
        driver.get(server + "/import")
        _wait(driver, lambda d: d.find_elements(By.ID, "import-upload"))
        _severe_console_errors(driver)  # the manager page of an empty database, before: not this test's
        _send_file(driver, "import-upload", big)
        _wait_text(driver, "import-message", "超过上限 1 MB")

        _choose(driver, "import-profile", "cnemc_stations")
        _send_file(driver, "import-upload", stations)
        _wait_text(driver, "import-message", "19 行")
        _wait_text(driver, "import-preview", "CNEMC-1001A")
        driver.find_element(By.ID, "import-validate").click()
        # The first validation of a test run builds the boundary cache of Henan's counties: give it time.
        _wait_text(driver, "import-report", "不在您的管辖范围内", timeout=240)
        _wait_text(driver, "import-report", "可导入 4 条")
        driver.find_element(By.ID, "import-confirm").click()
        _wait_text(driver, "import-result", "新增 4")
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(ARTIFACTS / "import.png"))
        assert not _external_requests(driver) and not _severe_console_errors(driver)
    finally:
        driver.quit()
    with app.server.extensions["weijian"].store.engine.connect() as conn:
        stored = set(conn.execute(select(models.Entity.credit_code)).scalars())
    assert stored == {"CNEMC-1316A", "CNEMC-1317A", "CNEMC-1318A", "CNEMC-1321A"}
