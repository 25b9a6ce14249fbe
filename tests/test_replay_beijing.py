"""Replay 12 real Beijing stations (hourly PM2.5, 2013-2017, with real gaps) through POST /api/v1/readings.

The alerts the rules raise are compared, per station, with an independent pandas computation over the
same files: over-limit episodes (> 75 µg/m³, GB 37488-2019), sustained episodes (3 readings or 3 hours;
the province's edit of the 30-minute default, which hourly data would make meaningless) and offline
episodes (no report for more than 3 × the hourly interval). Read from ../shared/datasets, never copied.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from shared_datasets import DATASETS
from sqlalchemy import func, insert, select, update

from data import models
from data.monitoring import devices
from data.monitoring.ingest import MAX_BATCH

DATASET = DATASETS / "beijing_air_quality"
LIMIT = 75.0
SUSTAINED = {"min_readings": 3, "min_seconds": 3 * 3600}
OFFLINE_AFTER = pd.Timedelta(hours=3)


def _station_series(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, usecols=["year", "month", "day", "hour", "PM2.5"], na_values=["NA"])
    local = pd.to_datetime(frame[["year", "month", "day", "hour"]]).dt.tz_localize("Asia/Shanghai")
    return pd.DataFrame({"at": local, "pm25": frame["PM2.5"]}).dropna().reset_index(drop=True)


def _expected(series: pd.DataFrame) -> dict[str, int]:
    """The independent computation: episodes on the series of received readings."""
    over = series["pm25"] > LIMIT
    episode = (over & ~over.shift(fill_value=False)).cumsum()
    runs = series[over].groupby(episode[over])["at"].agg(["size", "first", "last"])
    sustained = (runs["size"] >= SUSTAINED["min_readings"]) | (
        (runs["last"] - runs["first"]).dt.total_seconds() >= SUSTAINED["min_seconds"])
    gaps = series["at"].diff() > OFFLINE_AFTER
    return {"over_limit": len(runs), "sustained": int(sustained.sum()), "offline": int(gaps.sum())}


@pytest.fixture(scope="module")
def stations() -> dict[str, pd.DataFrame]:
    coords = pd.read_csv(DATASET / "station_coordinates.csv")
    files = {p.name.split("_")[2]: p for p in DATASET.glob("PRSA_Data_*.csv.gz")}
    assert set(files) == set(coords["station"]), "the dataset's stations changed"
    return {name: _station_series(files[name]) for name in sorted(files)}


@pytest.fixture(scope="module")
def replay(module_database_url, stations, tmp_path_factory):
    """Register one public-air device per station, then post every station's readings in batches of 1,000."""
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from data import db

    engine = db.make_engine(module_database_url)
    db.upgrade(engine)
    coords = pd.read_csv(DATASET / "station_coordinates.csv").set_index("station")
    codes = {"province_adcode": "110000", "city_adcode": "110100", "county_adcode": "110101"}
    tokens = {}
    with engine.begin() as conn:
        conn.execute(update(models.AlertRule).where(models.AlertRule.key == "sustained")
                     .values(params=json.dumps(SUSTAINED), updated_by="test"))
        for i, name in enumerate(stations, start=1):
            lon, lat = float(coords.loc[name, "lon"]), float(coords.loc[name, "lat"])
            conn.execute(insert(models.Entity).values(
                id=i, credit_code=f"1211000040000{i:04d}X"[:18], name=f"{coords.loc[name, 'cnemc_name']}监测点",
                specialty="public_place", subtype="venue", lon=lon, lat=lat, **codes))
            conn.execute(insert(models.Device).values(
                id=f"BJ-{coords.loc[name, 'cnemc_code']}", entity_id=i, scene="public_air", lon=lon, lat=lat,
                interval_s=3600, installed_on=dt.date(2013, 1, 1), active=True, **codes))
            tokens[name] = devices.issue_token(conn, f"BJ-{coords.loc[name, 'cnemc_code']}")
    http = create_app(Settings(database_url=module_database_url, var_dir=tmp_path_factory.mktemp("var"))).server.test_client()
    totals = {"accepted": 0, "rejected": 0}
    for name, series in stations.items():
        device_id = f"BJ-{coords.loc[name, 'cnemc_code']}"
        items = [{"device_id": device_id, "indicator": "pm25", "measured_at": at.isoformat(), "value": float(v),
                  "unit": "µg/m³"} for at, v in zip(series["at"], series["pm25"])]
        for start in range(0, len(items), 1000):
            answer = http.post("/api/v1/readings", data=json.dumps(items[start:start + 1000]),
                               headers={"Authorization": f"Bearer {tokens[name]}"}, content_type="application/json")
            assert answer.status_code == 200, answer.get_data(as_text=True)
            body = answer.get_json()
            totals["accepted"] += body["accepted"]
            totals["rejected"] += body["rejected"]
    yield engine, coords, totals
    engine.dispose()


def test_every_reading_is_taken(replay, stations):
    _engine, _coords, totals = replay
    assert totals == {"accepted": sum(len(s) for s in stations.values()), "rejected": 0}
    assert 1000 <= MAX_BATCH


def test_alert_counts_per_station_match_an_independent_computation(replay, stations):
    engine, coords, _totals = replay
    with engine.connect() as conn:
        stored = conn.execute(select(models.Alert.device_id, models.Alert.rule, func.sum(models.Alert.occurrences))
                              .group_by(models.Alert.device_id, models.Alert.rule)).all()
    got = {(device, rule): int(n) for device, rule, n in stored}
    mismatches = []
    for name, series in stations.items():
        device_id = f"BJ-{coords.loc[name, 'cnemc_code']}"
        for rule, expected in _expected(series).items():
            if got.get((device_id, rule), 0) != expected:
                mismatches.append((name, rule, got.get((device_id, rule), 0), expected))
    assert mismatches == []
    assert sum(n for (_d, rule), n in got.items() if rule == "over_limit") > 1000  # Beijing 2013-17: many episodes


def test_replaying_again_changes_nothing(replay, stations):
    engine, coords, _totals = replay
    name = next(iter(stations))
    series = stations[name].head(2000)
    from data.monitoring import ingest

    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(models.AlertEvent)).scalar_one()
    items = [{"device_id": f"BJ-{coords.loc[name, 'cnemc_code']}", "indicator": "pm25", "measured_at": at.isoformat(),
              "value": float(v), "unit": "µg/m³"} for at, v in zip(series["at"], series["pm25"])]
    result = ingest.ingest(engine, items)
    assert (result.accepted, result.duplicates) == (0, 2000)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.AlertEvent)).scalar_one() == before
