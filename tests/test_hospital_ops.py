"""Hospital operations feeds: the seasonal baseline, the fever-clinic surge of an area, through ingest to alerts.

The pure tests run the detectors on the demo generator's year (weekly rhythm, winter flu peak) with the
parameters seeded in rules.yaml; the database tests send counts through the ordinary ingest.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from sqlalchemy import insert, select, update

from data import models
from data.demo import hospital_ops as demo
from data.monitoring import fever_surge, ingest, rules, seasonal
from data.queries import alerts as alert_queries
from data.queries import hospital_ops as hospital_queries
from data.queries.filters import Filters, Period, Scope
from data.cache import QueryCache
from data.store import Store
import monitoring_fixtures as fx

SEED = yaml.safe_load(rules.SEED.read_text(encoding="utf-8"))
BASELINE = seasonal.Baseline.from_params(SEED["ops_anomaly"]["params"])
SURGE = fever_surge.SurgeRule.from_params(SEED["fever_surge"]["params"])
FIRST, LAST = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
COUNTY = {f"H{i}": "410105" for i in range(5)} | {f"H{i}": "410102" for i in range(5, 10)}


def _year(seed: int = 3) -> pd.DataFrame:
    return demo.daily_counts(np.random.default_rng(seed), sorted(COUNTY), FIRST, LAST)


def _surges(counts: pd.DataFrame) -> pd.DataFrame:
    scored = seasonal.score(seasonal.daily_totals(counts), BASELINE)
    scored = scored.assign(county_adcode=scored["device_id"].map(COUNTY))
    return fever_surge.areas(scored, SURGE, pd.date_range(FIRST + dt.timedelta(days=35), LAST, freq="D"))


def test_a_normal_season_with_its_winter_peak_and_weekends_raises_nothing():
    counts = _year()
    local = counts["measured_at"].dt.tz_convert("Asia/Shanghai")
    fever = counts[counts["indicator"] == "fever_clinic"].groupby(local.dt.month)["value"].mean()
    assert fever[1] > 1.6 * fever[7]  # the season is there: January's fever clinics far busier than July's
    outpatient = counts[counts["indicator"] == "outpatient"].groupby(local.dt.day_of_week)["value"].mean()
    assert outpatient[6] < 0.7 * outpatient[2]  # and the weekend dip
    scored = seasonal.score(seasonal.daily_totals(counts), BASELINE)
    assert scored["weeks"].max() == BASELINE.weeks
    assert not scored["anomalous"].any(), scored[scored["anomalous"]]
    assert not _surges(counts)["surge"].any()


def test_a_planted_surge_across_hospitals_of_one_county_is_one_area_signal_there():
    days = list(pd.date_range("2026-01-12", "2026-01-14"))  # at the top of the flu season
    counts = demo.plant(_year(), ["H0", "H1", "H2", "H3"], days, 3.0)
    found = _surges(counts)
    hit = found[found["surge"]]
    assert set(hit["area"]) == {"410105"}
    assert set(hit["day"]) >= set(days) and hit["day"].max() < days[-1] + pd.Timedelta(days=SURGE.days)
    assert set(hit.loc[hit["day"] == days[-1], "hospitals"].iloc[0]) == {"H0", "H1", "H2", "H3"}


def test_one_hospitals_spike_is_its_own_anomaly_not_the_areas():
    counts = demo.plant(_year(), ["H6"], [pd.Timestamp("2026-03-10")], 3.5)
    scored = seasonal.score(seasonal.daily_totals(counts), BASELINE)
    flagged = scored[scored["anomalous"]]
    assert list(zip(flagged["device_id"], flagged["indicator"], flagged["day"])) == [
        ("H6", "fever_clinic", pd.Timestamp("2026-03-10"))]
    assert not _surges(counts)["surge"].any()


def test_k_minus_one_hospitals_are_not_an_area_signal():
    days = [pd.Timestamp("2026-03-10")]
    counts = demo.plant(_year(), ["H0", "H1"][: SURGE.min_hospitals - 1], days, 3.0)
    assert not _surges(counts)["surge"].any()


def test_bad_parameters_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown parameters.*'wekks'"):
        seasonal.Baseline.from_params({"wekks": 4})
    with pytest.raises(ValueError, match="level 'province'"):
        fever_surge.SurgeRule.from_params({"level": "province"})


# --- through the ingest, on SQLite and PostgreSQL -------------------------------------------------------

FEEDS = {"HO-1": (4, fx.CODES), "HO-2": (6, fx.CODES), "HO-3": (7, fx.CODES), "HO-4": (8, fx.OTHER)}
START = dt.date(2026, 3, 1)


def _feeds(engine) -> None:
    fx.populate(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Entity), [
            {"id": i, "credit_code": f"12410105MA4123{i:02d}00", "name": f"金水第{i}医院", "specialty": "medical",
             "subtype": "hospital", "lon": 113.68, "lat": 34.76, **codes}
            for i, codes in ((6, fx.CODES), (7, fx.CODES), (8, fx.OTHER))])
        conn.execute(insert(models.Device), [
            {"id": device_id, "entity_id": entity_id, "scene": "hospital_ops", "lon": 113.68, "lat": 34.76,
             "interval_s": 86_400, "installed_on": dt.date(2025, 1, 1), "active": True, **codes}
            for device_id, (entity_id, codes) in FEEDS.items()])


def _items(counts: pd.DataFrame) -> list[dict]:
    stamps = counts["measured_at"].dt.tz_convert("Asia/Shanghai").map(pd.Timestamp.isoformat)
    return [{"device_id": d, "indicator": i, "measured_at": t, "value": v, "unit": "人次"}
            for d, i, t, v in zip(counts["device_id"], counts["indicator"], stamps, counts["value"])]


def test_a_surge_sent_through_ingest_raises_one_area_alert_with_the_countys_codes(engine):
    _feeds(engine)
    counts = demo.daily_counts(np.random.default_rng(5), sorted(FEEDS), START, START + dt.timedelta(days=41))
    surge_days = list(pd.date_range(START + dt.timedelta(days=39), START + dt.timedelta(days=41)))
    counts = demo.plant(counts, ["HO-1", "HO-2", "HO-3"], surge_days, 3.0)
    local = counts["measured_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.normalize()
    now = dt.datetime(2026, 4, 15, tzinfo=dt.UTC)
    quiet = ingest.ingest(engine, _items(counts[local < surge_days[0]]), now=now)
    assert quiet.accepted == int((local < surge_days[0]).sum()) and not quiet.rejected
    assert quiet.alerts["raised"] == 0  # five quiet weeks: nothing
    for day in surge_days:  # then a day at a time, as the hospitals send them
        result = ingest.ingest(engine, _items(counts[local == day]), now=now)
        assert not result.rejected
    with engine.connect() as conn:
        found = pd.DataFrame(conn.execute(select(models.Alert.__table__)).mappings().all())
    area = found[found["rule"] == "fever_surge"]
    assert len(area) == 1  # one alert for the area, repeated days update it
    assert area.iloc[0][["device_id", "entity_id"]].isna().all()
    assert tuple(area.iloc[0][["province_adcode", "city_adcode", "county_adcode"]]) == ("410000", "410100", "410105")
    assert "3 家医院" in area.iloc[0]["message"]
    hospitals = found[found["rule"] == "ops_anomaly"]
    assert set(hospitals["device_id"]) == {"HO-1", "HO-2", "HO-3"} and set(hospitals["indicator"]) == {"fever_clinic"}
    store = Store(engine, QueryCache("simple://"))
    county_feed = alert_queries.feed(store, Scope.of("410105"), "410105", now=now)
    assert "fever_surge" in set(county_feed["rule"])
    assert alert_queries.feed(store, Scope.of("410102"), "410102", now=now).query("rule == 'fever_surge'").empty
    assert hospital_queries.surge_areas(store, Scope.of("410100"), "410100") == ["410105"]
    totals = hospital_queries.day_totals(store, Filters(region="410100", period=Period(START, surge_days[-1].date())),
                                         Scope.of("410100"))
    fever = totals.set_index("indicator").loc["fever_clinic"]
    assert fever["day"] == surge_days[-1].date() and fever["hospitals"] == 4
    assert fever["total"] == counts[(local == surge_days[-1]) & (counts["indicator"] == "fever_clinic")]["value"].sum()
    assert fever["total"] > 1.8 * fever["baseline"]
    outside = hospital_queries.day_totals(store, Filters(region="410102", period=Period(START, surge_days[-1].date())),
                                          Scope.of("410102"))
    assert outside.set_index("indicator").loc["fever_clinic", "hospitals"] == 1  # the other county's one feed


def test_an_hourly_feed_is_scored_only_once_its_day_is_complete(engine):
    _feeds(engine)
    with engine.begin() as conn:
        conn.execute(update(models.Device).where(models.Device.id == "HO-4").values(interval_s=3600))
        conn.execute(update(models.AlertRule).where(models.AlertRule.key == "ops_anomaly").values(
            params=json.dumps({**SEED["ops_anomaly"]["params"], "min_weeks": 1, "weeks": 1})))
    week_ago, today = "2026-04-01", "2026-04-08"
    hours = [{"device_id": "HO-4", "indicator": "fever_clinic", "measured_at": f"{day}T{h:02d}:00:00+08:00",
              "value": 2 if day == week_ago else 30, "unit": "人次"} for day in (week_ago, today) for h in range(24)]
    now = dt.datetime(2026, 4, 9, tzinfo=dt.UTC)
    ingest.ingest(engine, hours[:24 + 12], now=now)  # the day a week before, and half of today
    assert _anomalies(engine) == []  # half a day is never compared with a whole day
    ingest.ingest(engine, hours[24 + 12:], now=now)  # 23:00 arrives: today is complete
    assert _anomalies(engine) == [("HO-4", 720.0)]


def _anomalies(engine) -> list[tuple[str, float]]:
    table = models.Alert.__table__
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table.c.device_id, table.c.value).where(table.c.rule == "ops_anomaly"))]


def test_rule_set_refuses_parameters_the_detector_cannot_run_with(tmp_path, var_dir, monkeypatch):
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings
    from data import db

    url = f"sqlite:///{tmp_path / 'rules.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["rule", "set", "fever_surge", "--params", '{"min_hospitals": 1}', "--as", "省卫健委"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code != 0 and "min_hospitals must be ≥ 2" in result.output
    with engine.connect() as conn:
        stored = conn.execute(select(models.AlertRule.params).where(models.AlertRule.key == "fever_surge")).scalar()
    assert json.loads(stored) == SEED["fever_surge"]["params"]
