"""The manager page over the imported NYC hierarchy in a real browser: the boroughs, then a click into Brooklyn
draws its 69 NTAs. Screenshots land in tests/artifacts/ (git-ignored): custom_nyc.png, custom_brooklyn.png."""

import threading
import time

import pytest
from test_browser import ARTIFACTS, _click_region, _regions, _severe_console_errors, _wait, _wait_text, chromium, log_in
from test_custom_boundaries import PASSWORD, _import_nyc_and_sf
from werkzeug.serving import make_server

from data import db
from geo import custom

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def nyc_server(tmp_path_factory, cache_dir, var_dir):
    from dashboard.app import create_app
    from dashboard.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('nyc') / 'nyc.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    _import_nyc_and_sf(engine, cache_dir)
    engine.dispose()
    app = create_app(Settings(database_url=url, var_dir=var_dir, region="NYC", login_rate_limit="10000 per minute"))
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    custom.clear()


def test_nyc_map_drills_from_boroughs_to_brooklyn_ntas(nyc_server):
    driver = chromium()
    try:
        log_in(driver, nyc_server, "nyc_manager", PASSWORD)
        driver.get(nyc_server + "/?region=NYC&period=2008-01..2026-12")
        _regions(driver, count=5)
        _wait_text(driver, "manager-map-title", "New York City")
        time.sleep(1)
        driver.save_screenshot(str(ARTIFACTS / "custom_nyc.png"))

        _click_region(driver, 2, 5)  # borough 3, Brooklyn (third by code)
        _wait(driver, lambda d: "region=3" in d.current_url)
        _regions(driver, count=69)
        _wait_text(driver, "manager-map-title", "Brooklyn")
        _wait_text(driver, "manager-breadcrumb", "Brooklyn")
        time.sleep(1)
        driver.save_screenshot(str(ARTIFACTS / "custom_brooklyn.png"))
        assert not _severe_console_errors(driver)
    finally:
        driver.quit()
