"""Wall memory: the JS heap of `/wall` over 1,000 refresh cycles in headless Chromium, after a forced GC.

    .venv/bin/python bench/wall_memory.py [--cycles 1000] [--interval 2] [--every 100]

Why: the wall runs unattended for weeks and redraws its KPI tiles, three Plotly figures and the alert
feed on every tick. A page that keeps a little of each refresh (detached DOM, listeners, Plotly state)
grows until the wall PC's tab crashes, and no short test shows it. The requirement: the page must not
grow its memory.

How: the app is served in-process (werkzeug, threaded, a free port on 127.0.0.1) over a county-scale
demo of Henan, built once into $WEIJIAN_VAR_DIR/bench/wall-county.db (default var/) with the boundary
cache in $WEIJIAN_VAR_DIR/cache. Debian's chromium (headless, 1920x1080, offline flags) logs in as the
demo's province manager and opens /wall?region=410000&interval=N. A refresh cycle is one change of
#wall-updated ("更新于 HH:MM:SS", written only by a successful server refresh), polled every 0.2 s. At
cycle 0 and every --every cycles, a moment after the refresh has drawn, the DevTools protocol forces a
full garbage collection (HeapProfiler.collectGarbage) and reads the used JS heap (Runtime.getHeapUsage)
and the DOM counters (Memory.getDOMCounters); the heap before that GC is shown too. The first cycles
warm up (compiled code, caches), so the summary also gives the growth from the first sample after
cycle 0 to the end. Takes about cycles x interval seconds.

The page is read through the DevTools protocol's Runtime.evaluate, by value, never WebDriver's
execute_script: chromedriver leaves every execute_script result in a DevTools handle that is never
released (about 110 bytes a call, 1 KB a cycle at this polling rate), which would show up here as the
page's own growth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import BaseWSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.app import create_app  # noqa: E402
from dashboard.settings import Settings  # noqa: E402
from data import accounts, db  # noqa: E402
from data.demo.build import DEMO_PASSWORD, build, has_entities  # noqa: E402

VAR = Path(os.environ.get("WEIJIAN_VAR_DIR", "var"))
REGION = "410000"
USER = "demo_manager"  # the demo's manager of REGION
UNTIL = dt.date(2026, 6, 30)  # the demo of tests/conftest.py
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# As in tests/test_browser.py: a closed network, no background calls home.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1920,1080", "--lang=zh-CN"]
POLL_S = 0.2
MB = 1024 * 1024
UPDATED = "(document.getElementById('wall-updated') || {}).textContent || ''"
DRAWN = ("document.querySelectorAll('#wall-kpis .wj-kpi').length === 7"
         " && document.querySelectorAll('#wall-map path.choroplethlocation').length > 0")
BODY = "document.body ? document.body.innerText.slice(0, 300) : ''"


class BenchFailed(RuntimeError):
    """The measurement could not be taken (no refresh, no browser): the reason is the message."""


def demo_database() -> str:
    """The county-scale demo's URL, built the first time (the build is one transaction: all or nothing), and
    again when an older build has no demo accounts to log in with."""
    path = (VAR / "bench" / "wall-county.db").resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.connect() as conn:
        ready = has_entities(engine) and accounts.by_username(conn, USER) is not None
    if not ready:
        Settings(var_dir=VAR).install_data_keyring()  # the key the app reads the demo with
        print(f"building the county demo of {REGION} in {path} (once)", file=sys.stderr, flush=True)
        build(engine, REGION, "county", seed=7, cache_dir=VAR / "cache", until=UNTIL, replace=True,
              progress=lambda _m: None)
    engine.dispose()
    return url


def serve(url: str) -> BaseWSGIServer:
    """The app on a free port of 127.0.0.1, in a daemon thread; the caller shuts the server down."""
    app = create_app(Settings(database_url=url, var_dir=VAR, region=REGION))
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def browser() -> webdriver.Chrome:
    if not Path(CHROMIUM).exists() or not Path(CHROMEDRIVER).exists():
        raise BenchFailed("Debian's chromium and chromium-driver are not installed (`make browser-deps`)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(1920, 1080)
    driver.execute_cdp_cmd("HeapProfiler.enable", {})
    return driver


def evaluate(driver: webdriver.Chrome, expression: str):
    """The value of a JavaScript expression in the page, by value: nothing stays behind in the page's heap."""
    return driver.execute_cdp_cmd("Runtime.evaluate", {"expression": expression, "returnByValue": True})["result"].get("value")


def sample(driver: webdriver.Chrome, cycle: int, elapsed: float) -> dict:
    """Heap before and after a forced full GC, and the DOM counters after it."""
    before = driver.execute_cdp_cmd("Runtime.getHeapUsage", {})["usedSize"]
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    heap = driver.execute_cdp_cmd("Runtime.getHeapUsage", {})
    counters = driver.execute_cdp_cmd("Memory.getDOMCounters", {})
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return {"cycle": cycle, "elapsed": elapsed, "before": before / MB, "used": heap["usedSize"] / MB,
            "total": heap["totalSize"] / MB, "nodes": counters["nodes"], "listeners": counters["jsEventListeners"],
            "errors": errors}


def open_wall(base: str, driver: webdriver.Chrome, interval: int) -> None:
    """Log in, open the wall and wait for its first refresh.

    The wall is opened after the login, not through the login's `next`: that keeps only the URL's first
    parameter (`next=/wall?region=…&interval=…` is not encoded), and the wall would tick every 30 s."""
    try:
        driver.get(f"{base}/login")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.ID, "username"))
        driver.find_element(By.ID, "username").send_keys(USER)
        driver.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        driver.find_element(By.ID, "login").click()
        WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)
        driver.get(f"{base}/wall?region={REGION}&interval={interval}")
        WebDriverWait(driver, 120).until(lambda d: evaluate(d, UPDATED) and evaluate(d, DRAWN))
    except WebDriverException:
        raise BenchFailed(f"the wall never drew its first refresh at {driver.current_url}: #wall-updated is "
                          f"{evaluate(driver, UPDATED)!r}, the page says {evaluate(driver, BODY)!r}") from None


def measure(driver: webdriver.Chrome, cycles: int, interval: int, every: int, stall_s: float) -> list[dict]:
    """Count the open wall's refreshes, sample at cycle 0 and every `every` cycles; prints each row as taken."""
    settle_s = interval * 0.4  # let Plotly finish drawing the refresh before the GC
    time.sleep(settle_s)
    last, started = evaluate(driver, UPDATED), time.monotonic()
    samples = [sample(driver, 0, 0.0)]
    print(_row(samples[-1]), flush=True)
    cycle, changed_at = 0, time.monotonic()
    while cycle < cycles:
        time.sleep(POLL_S)
        text = evaluate(driver, UPDATED)
        if text == last:
            if time.monotonic() - changed_at > stall_s:
                raise BenchFailed(f"no refresh of the wall for {stall_s:.0f} s after cycle {cycle} "
                                  f"(#wall-updated stays {last!r}); see the server's log above")
            continue
        last, changed_at, cycle = text, time.monotonic(), cycle + 1
        if cycle % every == 0 or cycle == cycles:
            time.sleep(settle_s)
            samples.append(sample(driver, cycle, time.monotonic() - started))
            print(_row(samples[-1]), flush=True)
    return samples


HEADER = (f"{'cycle':>6}{'elapsed s':>11}{'heap before GC MB':>19}{'heap used MB':>14}{'heap total MB':>15}"
          f"{'DOM nodes':>11}{'listeners':>11}{'console errors':>16}")


def _row(s: dict) -> str:
    return (f"{s['cycle']:>6}{s['elapsed']:>11.0f}{s['before']:>19.2f}{s['used']:>14.2f}{s['total']:>15.2f}"
            f"{s['nodes']:>11,}{s['listeners']:>11,}{len(s['errors']):>16}")


def _growth(first: dict, last: dict) -> str:
    growth = last["used"] - first["used"]
    per_100 = growth / (last["cycle"] - first["cycle"]) * 100 if last["cycle"] > first["cycle"] else 0.0
    return (f"{first['used']:.2f} MB at cycle {first['cycle']} → {last['used']:.2f} MB at cycle {last['cycle']}: "
            f"{growth:+.2f} MB ({growth / first['used']:+.1%}), {per_100:+.3f} MB per 100 cycles")


def summary(samples: list[dict], interval: int) -> str:
    first, last = samples[0], samples[-1]
    steps = [b["used"] - a["used"] for a, b in zip(samples, samples[1:])]
    monotonic = bool(steps) and all(step > 0 for step in steps)
    warm = f"; after warm-up {_growth(samples[1], last)}" if len(samples) > 2 else ""
    return (f"JS heap after GC: {_growth(first, last)}{warm}.\n"
            f"Grew monotonically: {'yes' if monotonic else 'no'} ({sum(s > 0 for s in steps)} of {len(steps)} steps up, "
            f"largest step {max(steps, default=0.0):+.2f} MB). "
            f"DOM nodes {first['nodes']:,} → {last['nodes']:,}, JS event listeners {first['listeners']:,} → "
            f"{last['listeners']:,}; {last['cycle']} refreshes in {last['elapsed']:.0f} s "
            f"(ticks every {interval} s would give {last['elapsed'] / interval:.0f}); "
            f"console errors: {sum(len(s['errors']) for s in samples)}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000, help="Refresh cycles to watch.")
    parser.add_argument("--interval", type=int, default=2, help="The wall's refresh interval in seconds (minimum 2).")
    parser.add_argument("--every", type=int, default=100, help="Sample the heap every this many cycles.")
    args = parser.parse_args()
    if args.interval < 2 or args.cycles < 1 or args.every < 1:
        parser.error("--interval must be at least 2 (the wall's minimum), --cycles and --every at least 1")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not one line per request
    logging.basicConfig(level=logging.WARNING, format="server: %(levelname)s %(name)s: %(message)s")

    try:
        httpd = serve(demo_database())
        try:
            driver = browser()
            try:
                print(f"/wall?region={REGION}&interval={args.interval}, {args.cycles} cycles, Chromium "
                      f"{driver.capabilities.get('browserVersion', '?')}, heap sampled after a forced GC")
                print(HEADER, flush=True)
                open_wall(f"http://127.0.0.1:{httpd.server_port}", driver, args.interval)
                samples = measure(driver, args.cycles, args.interval, args.every, stall_s=max(30.0, 10.0 * args.interval))
            finally:
                driver.quit()
        finally:
            httpd.shutdown()
            httpd.server_close()
    except (BenchFailed, WebDriverException) as exc:
        sys.exit(f"wall_memory failed: {exc}")
    print(summary(samples, args.interval))
    for message in sorted({m for s in samples for m in s["errors"]}):
        print(f"console error: {message}")


if __name__ == "__main__":
    main()
