"""Drill-down at province scale: the query behind the manager map, cold and warm, on SQLite and PostgreSQL.

Builds a province-scale demo (300k entities, 20.3M records) per database the first time (measured: 492 s on
SQLite, 488 s on PostgreSQL) and keeps it: var/bench/province.db, and schema `weijian_bench` in the PostgreSQL of
WEIJIAN_BENCH_POSTGRES_URL. Baseline: the same answer from a pandas groupby over the raw rows.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

import pandas as pd
import plotly.io
from sqlalchemy import create_engine, text

from dashboard.settings import Settings
from data import db
from data.demo.build import build, has_entities
from data.queries import inspections
from data.queries.filters import Filters, Period, Scope
from data.store import Store

VAR = Path(os.environ.get("WEIJIAN_VAR_DIR", "var"))
POSTGRES = os.environ.get("WEIJIAN_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
UNTIL = dt.date(2026, 11, 23)
REGION = "410000"
# One specialty, one year, province → city → county, as a manager drills down.
PATH = ("410000", "410100", "410105")
PERIOD = Period(dt.date(2025, 11, 1), dt.date(2026, 10, 31))
PARTIAL_PERIOD = Period(dt.date(2025, 11, 15), dt.date(2026, 11, 23))


def database_urls() -> dict[str, str]:
    schema = "weijian_bench"
    with create_engine(POSTGRES).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    sep = "&" if "?" in POSTGRES else "?"
    return {
        "SQLite": f"sqlite:///{(VAR / 'bench' / 'province.db').resolve()}",
        "PostgreSQL": f"{POSTGRES}{sep}options=-csearch_path%3D{schema}",
    }


def ensure_demo(url: str, log) -> None:
    engine = db.make_engine(url)
    db.upgrade(engine)
    if not has_entities(engine):
        Settings(var_dir=VAR).install_data_keyring()  # the key the app reads the demo with
        log(f"building the province demo in {engine.url.render_as_string(hide_password=True)} (once, ~5 min)")
        build(engine, REGION, "province", seed=1, cache_dir=VAR / "cache", until=UNTIL, progress=lambda _m: None)
    engine.dispose()


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def drill(store: Store, filters_for, scope: Scope) -> float:
    started = time.perf_counter()
    for region in PATH:
        filters = filters_for(region)
        if region == PATH[-1]:
            inspections.entity_results(store, filters, scope)
        else:
            inspections.noncompliance_by_child(store, filters, scope)
    return time.perf_counter() - started


def bench(name: str, url: str, rows: list, repeats: int = 10) -> None:
    scope = Scope.of(REGION)
    for label, period in (("whole months", PERIOD), ("partial months", PARTIAL_PERIOD)):
        cold, warm = [], []
        for _ in range(repeats):
            store = Store.open(url, "simple://")  # an empty cache: cold
            cold.append(drill(store, lambda r, p=period: Filters(r, p, "public_place"), scope))
            warm.append(drill(store, lambda r, p=period: Filters(r, p, "public_place"), scope))
            store.engine.dispose()
        c50, c95 = _percentiles(cold)
        w50, w95 = _percentiles(warm)
        rows.append((f"drill-down 3 levels, {name}, {label}", f"cold p50 {c50 * 1000:.0f} ms p95 {c95 * 1000:.0f} ms",
                     f"warm p50 {w50 * 1000:.1f} ms p95 {w95 * 1000:.1f} ms", ""))
    engine = db.make_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        raw = pd.read_sql(text("SELECT city_adcode, county_adcode, specialty, inspected_on, result FROM inspection"), conn)
    raw["inspected_on"] = pd.to_datetime(raw["inspected_on"])
    year = raw[(raw["inspected_on"] >= pd.Timestamp(PERIOD.start)) & (raw["inspected_on"] <= pd.Timestamp(PERIOD.end))
               & (raw["specialty"] == "public_place")]
    year.groupby("city_adcode")["result"].agg(["size", lambda r: (r == "non_compliant").sum()])
    year[year["city_adcode"] == "410100"].groupby("county_adcode")["result"].size()
    naive = time.perf_counter() - started
    rows.append((f"baseline: pandas groupby over raw rows, {name}", f"{naive * 1000:,.0f} ms", f"{len(raw):,} rows read", ""))
    engine.dispose()


def run(rows: list, log=print) -> None:
    for name, url in database_urls().items():
        ensure_demo(url, log)
        bench(name, url, rows)
        bench_callback(name, url, rows)


def bench_callback(name: str, url: str, rows: list, repeats: int = 20) -> None:
    """The manager page's render callback (query + figure) per level, warm, as the browser would call it."""
    from callbacks import manager
    from dashboard.app import create_app

    from dashboard import auth
    from data import accounts

    app = create_app(Settings(database_url=url, var_dir=VAR, region=REGION))
    with app.server.test_request_context("/"):
        # The callback answers only a logged-in viewer (dashboard/context.py): the demo's province manager.
        with app.server.extensions["weijian"].store.engine.connect() as conn:
            auth.login(accounts.by_username(conn, "demo_manager"))
        for region in PATH:
            state = {"region": region, "period": f"{PERIOD.start:%Y-%m}..{PERIOD.end:%Y-%m}", "specialty": "public_place",
                     "lang": "zh", "layer": "inspection"}
            started = time.perf_counter()
            manager.render(state)
            first = time.perf_counter() - started
            samples = []
            for _ in range(repeats):
                started = time.perf_counter()
                figure, *_ = manager.render(state)
                samples.append(time.perf_counter() - started)
            p50, p95 = _percentiles(samples)
            size = len(plotly.io.to_json(figure, validate=False))
            rows.append((f"render callback {region}, {name}", f"first {first * 1000:.0f} ms",
                         f"warm p50 {p50 * 1000:.0f} ms p95 {p95 * 1000:.0f} ms", f"figure {size / 1024:,.0f} KB"))
