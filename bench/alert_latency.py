"""Time from a reading's arrival to its alert on the wall, measured in a real browser.

    .venv/bin/python bench/alert_latency.py [--probes 10] [--intervals 2,30]

Builds a county-scale demo database (temporary), serves the app in-process, logs Chromium in as the
demo manager and opens /wall with each refresh interval. Each probe posts one over-limit PM2.5 reading
of "now" through POST /api/v1/readings for a device without an unclosed alert, then waits until the
device's entity heads the wall's alert feed. Reports p50/p95/max per interval. Each probe is posted
just after the previous one showed, i.e. just after a refresh: the figures are the worst case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.app import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from data import db, vocab  # noqa: E402
from data.demo.build import DEMO_PASSWORD, build  # noqa: E402
from data.models import Alert, Device, Entity  # noqa: E402
from data.monitoring import devices  # noqa: E402

# Read through JS: Dash replaces the feed's elements on every refresh, so a held element goes stale.
FIRST_FEED_ITEM = "const li = document.querySelector('#wall-feed li'); return li ? li.textContent : '';"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1920,1080"]


def _probe_devices(engine, count: int) -> list[tuple[str, str, str]]:
    """(device id, token, entity name) of public-air devices with no unclosed PM2.5 alert."""
    busy = select(Alert.device_id).where(Alert.status.in_(vocab.ALERT_UNCLOSED), Alert.indicator == "pm25")
    with engine.begin() as conn:
        rows = conn.execute(select(Device.id, Entity.name).join(Entity, Entity.id == Device.entity_id).where(
            Device.scene == "public_air", Device.id.not_in(busy)).order_by(Device.id)).all()
        if len(rows) < count:
            raise SystemExit(f"only {len(rows)} public-air devices free for probes; ask for fewer")
        return [(r.id, devices.issue_token(conn, r.id, rotate=True), r.name) for r in rows[:count]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probes", type=int, default=10, help="Probes per interval.")
    parser.add_argument("--intervals", default="2,30", help="Wall refresh intervals to measure, seconds.")
    args = parser.parse_args()
    intervals = [int(i) for i in args.intervals.split(",")]
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    tmp = Path(tempfile.mkdtemp(prefix="wj-latency-"))
    url = f"sqlite:///{tmp / 'demo.db'}"
    settings = Settings(database_url=url, var_dir=tmp)
    settings.install_data_keyring()  # the key the app below reads the personal columns with
    engine = db.make_engine(url)
    db.upgrade(engine)
    build(engine, "410000", "city", seed=3, cache_dir=ROOT / "var" / "cache",
          until=dt.date.today(), progress=lambda _m: None)
    probes = _probe_devices(engine, args.probes * len(intervals))
    app = create_app(settings)
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    client = app.server.test_client()

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    results = {}
    try:
        driver.get(base + "/login")
        driver.find_element(By.ID, "username").send_keys("demo_manager")
        driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.ID, "login").click()
        for interval in intervals:
            driver.get(base + f"/wall?region=410000&interval={interval}")
            WebDriverWait(driver, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#wall-feed li"))
            lags = []
            for device_id, token, entity in [probes.pop() for _ in range(args.probes)]:
                body = [{"device_id": device_id, "indicator": "pm25", "value": 300.0, "unit": "µg/m³",
                         "measured_at": dt.datetime.now(dt.UTC).isoformat()}]
                started = time.perf_counter()
                answer = client.post("/api/v1/readings", data=json.dumps(body), content_type="application/json",
                                     headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 200 and answer.get_json()["accepted"] == 1, answer.get_data(as_text=True)
                WebDriverWait(driver, interval * 3 + 30, poll_frequency=0.1).until(
                    lambda d, name=entity: name in d.execute_script(FIRST_FEED_ITEM))
                lags.append(time.perf_counter() - started)
            results[interval] = lags
    finally:
        driver.quit()
        httpd.shutdown()
    print(f"{'wall refresh':>13}{'probes':>8}{'p50 s':>8}{'p95 s':>8}{'max s':>8}")
    for interval, lags in results.items():
        print(f"{interval:>11} s{len(lags):>8}{np.median(lags):>8.1f}{np.percentile(lags, 95):>8.1f}{max(lags):>8.1f}")


if __name__ == "__main__":
    main()
