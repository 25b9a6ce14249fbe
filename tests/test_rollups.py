"""Rollups give the raw-row answer for any filters; a write followed by refresh changes the numbers."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from data import db, rollups, vocab
from data.cache import QueryCache
from data.demo.build import build
from data.queries import inspections, monitoring, summary
from data.queries.filters import Filters, Period, Scope
from data.store import Store

UNTIL = dt.date(2026, 6, 30)
START = UNTIL - dt.timedelta(days=730)
SCOPE = Scope.of("320600")


@pytest.fixture(scope="module")
def store(module_database_url, cache_dir):
    engine = db.make_engine(module_database_url)
    build(engine, "320600", "county", seed=8, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    yield Store(engine, QueryCache("simple://"))
    engine.dispose()


@pytest.fixture(scope="module")
def raw(store):
    """Every record as (county, city, china-time date, specialty, measures), read straight from the tables."""
    with store.engine.connect() as conn:
        insp = pd.read_sql(text("SELECT county_adcode, city_adcode, specialty, inspected_on AS day, result FROM inspection"), conn)
        pen = pd.read_sql(text("SELECT county_adcode, city_adcode, specialty, decided_on AS day, amount FROM penalty"), conn)
        comp = pd.read_sql(text("SELECT county_adcode, city_adcode, specialty, received_at FROM complaint "
                                "WHERE county_adcode IS NOT NULL"), conn)
    insp["day"] = pd.to_datetime(insp["day"]).dt.date
    pen["day"] = pd.to_datetime(pen["day"]).dt.date
    comp["day"] = pd.to_datetime(comp["received_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.date
    return insp, pen, comp


def _expected(raw, filters: Filters) -> pd.DataFrame:
    insp, pen, comp = raw
    def pick(frame):
        frame = frame[(frame["day"] >= filters.period.start) & (frame["day"] <= filters.period.end)]
        return frame[frame["specialty"] == filters.specialty] if filters.specialty else frame
    i, p, c = pick(insp), pick(pen), pick(comp)
    return pd.DataFrame({
        "inspections": i.groupby("county_adcode").size(),
        "non_compliant": i[i["result"] == "non_compliant"].groupby("county_adcode").size(),
        "penalties": p.groupby("county_adcode").size(),
        "penalty_amount": p.groupby("county_adcode")["amount"].sum().astype(float),
        "complaints": c.groupby("county_adcode").size(),
    }).fillna(0)


days = st.integers(min_value=0, max_value=(UNTIL - START).days + 40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=days, b=days, specialty=st.one_of(st.none(), st.sampled_from(vocab.SPECIALTIES)))
def test_rollup_totals_equal_raw_rows_for_any_period(store, raw, a, b, specialty):
    start, end = sorted((START + dt.timedelta(days=a), START + dt.timedelta(days=b)))
    filters = Filters("320600", Period(start, end), specialty)
    got = summary.child_totals(store, filters, SCOPE, rollups.RECORD_MEASURES).set_index("adcode")
    expected = _expected(raw, filters).reindex(got.index).fillna(0)
    for measure in rollups.RECORD_MEASURES:
        assert got[measure].astype(float).round(2).tolist() == expected[measure].astype(float).round(2).tolist(), measure


@pytest.fixture(scope="module")
def raw_kinds(store):
    """(source, kind, county, china-time day, specialty) of every record, straight from the tables."""
    with store.engine.connect() as conn:
        parts = [
            pd.read_sql(text("SELECT 'inspection' AS source, kind, county_adcode, specialty, inspected_on AS day "
                             "FROM inspection"), conn),
            pd.read_sql(text("SELECT 'penalty' AS source, kind, county_adcode, specialty, decided_on AS day FROM penalty"), conn),
            pd.read_sql(text("SELECT 'complaint' AS source, category AS kind, county_adcode, specialty, received_at "
                             "FROM complaint WHERE county_adcode IS NOT NULL AND specialty IS NOT NULL"), conn),
        ]
    parts[2]["day"] = pd.to_datetime(parts[2].pop("received_at"), utc=True).dt.tz_convert("Asia/Shanghai").dt.date
    for part in parts[:2]:
        part["day"] = pd.to_datetime(part["day"]).dt.date
    return pd.concat(parts, ignore_index=True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(a=days, b=days, specialty=st.one_of(st.none(), st.sampled_from(vocab.SPECIALTIES)),
       county=st.sampled_from([None, "320612"]))
def test_monthly_and_kind_totals_equal_raw_rows_for_any_period(store, raw, raw_kinds, a, b, specialty, county):
    start, end = sorted((START + dt.timedelta(days=a), START + dt.timedelta(days=b)))
    filters = Filters(county or "320600", Period(start, end), specialty)
    kinds = raw_kinds[(raw_kinds["day"] >= start) & (raw_kinds["day"] <= end)]
    kinds = kinds[kinds["specialty"] == specialty] if specialty else kinds
    kinds = kinds[kinds["county_adcode"] == county] if county else kinds
    for source in rollups.KIND_SOURCES:
        got = summary.kind_totals(store, filters, SCOPE, source).set_index("kind")["records"].to_dict()
        assert got == kinds[kinds["source"] == source].groupby("kind").size().to_dict(), source
    insp = raw[0][(raw[0]["day"] >= start) & (raw[0]["day"] <= end)]
    insp = insp[insp["specialty"] == specialty] if specialty else insp
    insp = insp[insp["county_adcode"] == county] if county else insp
    monthly = summary.totals_by(store, filters, SCOPE, "month", ("inspections", "non_compliant"))
    expected = insp.groupby(insp["day"].map(lambda d: d.replace(day=1))).size()
    got = monthly.set_index("month")["inspections"]
    assert got[got > 0].to_dict() == expected.to_dict()


def test_split_period_into_whole_and_partial_months():
    months, partial = summary.split_period(Period(dt.date(2026, 1, 15), dt.date(2026, 11, 23)))
    assert months == (dt.date(2026, 2, 1), dt.date(2026, 10, 1))
    assert partial == [Period(dt.date(2026, 1, 15), dt.date(2026, 1, 31)), Period(dt.date(2026, 11, 1), dt.date(2026, 11, 23))]
    assert summary.split_period(Period(dt.date(2026, 3, 2), dt.date(2026, 3, 30))) == (None, [Period(dt.date(2026, 3, 2), dt.date(2026, 3, 30))])
    assert summary.split_period(Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))) == ((dt.date(2024, 2, 1), dt.date(2024, 2, 1)), [])


def test_a_new_inspection_shows_after_refresh_without_restart(store):
    """What ingest does: write, refresh the touched county's rollup, bump the version — in one transaction."""
    filters = Filters("320600", Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)), "school")
    before = inspections.noncompliance_by_child(store, filters, SCOPE).set_index("adcode")
    kinds_before = summary.kind_totals(store, Filters("320612", filters.period, "school"), SCOPE, "inspection")
    with store.engine.connect() as conn:
        entity = conn.execute(text("SELECT id, county_adcode, city_adcode, province_adcode FROM entity "
                                   "WHERE county_adcode = '320612' AND specialty = 'school' LIMIT 1")).one()
    with store.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO inspection (entity_id, specialty, inspected_on, kind, result, county_adcode, city_adcode, province_adcode) "
            "VALUES (:e, 'school', '2026-06-15', 'routine', 'non_compliant', :county, :city, :province)"),
            {"e": entity.id, "county": entity.county_adcode, "city": entity.city_adcode, "province": entity.province_adcode})
        written = rollups.refresh(conn, ["320612"])
        db.bump_data_version(conn)
        # The count refresh reports is the rows it wrote, on both databases (psycopg's rowcount of INSERT … SELECT is -1).
        stored = sum(conn.execute(text(f"SELECT count(*) FROM {t} WHERE county_adcode = '320612'")).scalar_one()
                     for t in ("rollup_region_month", "rollup_kind_month", "rollup_region_day"))
        assert written == stored > 0
    after = inspections.noncompliance_by_child(store, filters, SCOPE).set_index("adcode")
    kinds_before = kinds_before.set_index("kind")["records"]
    kinds_after = summary.kind_totals(store, Filters("320612", filters.period, "school"), SCOPE, "inspection")
    assert kinds_after.set_index("kind")["records"].get("routine", 0) == kinds_before.get("routine", 0) + 1
    assert after.loc["320612", "non_compliant"] == before.loc["320612", "non_compliant"] + 1
    assert after.loc["320612", "inspections"] == before.loc["320612", "inspections"] + 1
    assert after.drop("320612")["inspections"].tolist() == before.drop("320612")["inspections"].tolist()


def test_device_uptime_counts_reports_due_and_received(store):
    """Reports due enumerated tick by tick (independently of the rollup's arithmetic) and received."""
    with store.engine.connect() as conn:
        devices = pd.read_sql(text("SELECT id, scene, county_adcode, installed_on, interval_s FROM device"), conn)
        readings = pd.read_sql(text("SELECT device_id, measured_at FROM reading"), conn)
    stamps = pd.to_datetime(readings["measured_at"], utc=True)
    first, last = stamps.min(), stamps.max()
    due = []
    for device in devices.itertuples():
        installed = pd.Timestamp(device.installed_on).tz_localize("Asia/Shanghai").tz_convert("UTC")
        ticks = pd.date_range(max(installed, first), last, freq=pd.Timedelta(seconds=device.interval_s))
        due.append(pd.DataFrame({"county": device.county_adcode, "specialty": vocab.SCENE_SPECIALTY[device.scene],
                                 "month": ticks.tz_convert("Asia/Shanghai").strftime("%Y-%m")}))
    expected = pd.concat(due).groupby(["county", "specialty"]).size()
    local = stamps.dt.tz_convert("Asia/Shanghai")
    received = readings.assign(stamp=stamps).drop_duplicates(["device_id", "stamp"]).merge(
        devices, left_on="device_id", right_on="id")
    received = received.assign(specialty=received["scene"].map(vocab.SCENE_SPECIALTY)).groupby(
        ["county_adcode", "specialty"]).size()
    assert local.dt.strftime("%Y-%m").nunique() >= 1
    with store.engine.connect() as conn:
        rollup = pd.read_sql(text("SELECT county_adcode, specialty, SUM(device_expected) AS due, "
                                  "SUM(device_reported) AS got FROM rollup_region_month "
                                  "GROUP BY county_adcode, specialty HAVING SUM(device_expected) > 0"), conn)
    rollup = rollup.set_index(["county_adcode", "specialty"])
    assert rollup["due"].sort_index().tolist() == expected.sort_index().tolist()
    assert rollup["got"].sort_index().tolist() == received.reindex(rollup.index).fillna(0).sort_index().tolist()
    uptime = monitoring.uptime_by_child(store, Filters("320600", Period(UNTIL - dt.timedelta(days=40), UNTIL)), SCOPE)
    assert uptime["uptime"].between(0.5, 1).all()
