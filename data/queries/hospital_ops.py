"""The hospitals of a region as the wall shows them: the latest day's totals per indicator against their
baselines, and the hospitals anomalous now.

Totals add up the region's hospital feeds (scene hospital_ops) for the latest complete day up to the
period's end; the baseline is the sum of each hospital's own seasonal baseline for that day (the
ops_anomaly rule's parameters, data/monitoring/seasonal.py), so "+40 %" means above what these
hospitals usually see on this weekday at this time of year. Scope applies to the feeds read.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import func, select

from data import db
from data.models import AlertRule, Device, Reading
from data.monitoring import hospital_ops, seasonal
from data.monitoring.limits import seed_rows
from data.queries import alerts
from data.queries.base import cached_query
from data.queries.filters import Filters, Scope
from data.queries.wall import _region_condition
from data.store import Store

INDICATORS = tuple(row["indicator"] for row in seed_rows() if row["scene"] == hospital_ops.SCENE)
TOTAL_COLUMNS = ["indicator", "day", "total", "baseline", "hospitals"]
ANOMALOUS_COLUMNS = ["entity", "county_adcode", "indicator", "value", "raised_at"]


@cached_query
def day_totals(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """indicator, day, total, baseline (None where no hospital has enough history), hospitals (feeds reporting)
    for the latest day with reports up to the period's end; empty when the region has no hospital feed."""
    device = Device.__table__
    with store.engine.connect() as conn:
        feeds = pd.DataFrame(conn.execute(select(device.c.id, device.c.interval_s).where(
            device.c.scene == hospital_ops.SCENE, device.c.active.is_(True),
            *_region_condition(device, store, filters.region, scope))).all(), columns=["id", "interval_s"])
        if feeds.empty:
            return pd.DataFrame(columns=TOTAL_COLUMNS)
        params = conn.execute(select(AlertRule.params).where(AlertRule.key == "ops_anomaly")).scalar()
        baseline = seasonal.Baseline.from_params(json.loads(params) if params else {})
        reading = Reading.__table__
        latest = conn.execute(select(func.max(reading.c.measured_at)).where(
            reading.c.device_id.in_(feeds["id"].tolist()),
            reading.c.measured_at < seasonal.day_start(filters.period.end + dt.timedelta(days=1)))).scalar()
        if latest is None:
            return pd.DataFrame(columns=TOTAL_COLUMNS)
        last = seasonal.local_day(db.as_utc(latest))
        readings = hospital_ops.history(conn, feeds["id"].tolist(), last - pd.Timedelta(days=baseline.history_days + 7), last)
    done = hospital_ops.complete_days(readings, dict(zip(feeds["id"], feeds["interval_s"])))
    scored = seasonal.score(seasonal.daily_totals(readings), baseline)
    scored = scored[[pair in done for pair in zip(scored["device_id"], scored["day"])]]
    if scored.empty:
        return pd.DataFrame(columns=TOTAL_COLUMNS)
    day = scored["day"].max()
    today = scored[scored["day"] == day]
    out = today.groupby("indicator").agg(total=("count", "sum"), baseline=("baseline", lambda b: b.sum(min_count=1)),
                                         hospitals=("device_id", "nunique")).reindex(list(INDICATORS)).reset_index()
    out["day"] = day.date()
    return out[TOTAL_COLUMNS]


def anomalous(store: Store, scope: Scope, region: str, now: dt.datetime | None = None) -> pd.DataFrame:
    """entity, county_adcode, indicator, value, raised_at of the region's hospitals anomalous now
    (an unclosed ops_anomaly alert whose condition is active), newest first."""
    feed = alerts.feed(store, scope, region, status="unclosed", limit=100_000, now=now)
    feed = feed[(feed["rule"] == "ops_anomaly") & feed["active"].astype(bool)]
    return feed[ANOMALOUS_COLUMNS].reset_index(drop=True)


def area_alerts(store: Store, scope: Scope, region: str) -> pd.DataFrame:
    """The region's unclosed fever-surge alerts (alert feed rows), newest first: the wall puts them on top."""
    feed = alerts.feed(store, scope, region, status="unclosed", limit=100_000)
    return feed[feed["rule"] == "fever_surge"].reset_index(drop=True)


def surge_areas(store: Store, scope: Scope, region: str) -> list[str]:
    """The area codes (county, or city for a city-wide rule) of the region's active fever-surge alerts."""
    feed = area_alerts(store, scope, region)
    feed = feed[feed["active"].astype(bool)]
    return sorted({county or city for county, city in zip(feed["county_adcode"], feed["city_adcode"])})
