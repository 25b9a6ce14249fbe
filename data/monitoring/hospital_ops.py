"""Hospital operations feeds (scene hospital_ops): each new day against the hospital's own baseline, and the
area-wide fever-clinic surge. Run by ingest on every batch, inside its transaction.

A feed is a device like any other: daily counts (one reading per indicator at the day's 00:00 China
time) or hourly ones (summed to their day). A day is scored when it is complete: at once for a
daily feed, and for an hourly feed once its 23:00 hour or a later day has arrived, so a morning's
half-day is never compared with a whole day's baseline. The scoring is data/monitoring/seasonal.py,
the area rule data/monitoring/fever_surge.py; this module reads the history they need and turns
their answers into occurrences for the alert lifecycle.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data.models import Device, Entity, Reading
from data.monitoring import alerts, fever_surge, seasonal
from data.monitoring.rules import Occurrence, Rule
from data.monitoring.seasonal import day_start, local_day

SCENE = "hospital_ops"
DAY_S = 86_400


def touched_days(fresh, devices: dict[str, dict]) -> dict[str, set[pd.Timestamp]]:
    """Per feed, the days a batch may have completed: its readings' days, and for an hourly feed the day before."""
    out: dict[str, set[pd.Timestamp]] = defaultdict(set)
    for v in fresh:
        device = devices[v.device_id]
        if device["scene"] != SCENE:
            continue
        day = local_day(v.at)
        out[v.device_id].add(day)
        if device["interval_s"] < DAY_S:
            out[v.device_id].add(day - pd.Timedelta(days=1))
    return out


def history(conn: Connection, device_ids: list[str], first: pd.Timestamp, last: pd.Timestamp,
            indicator: str | None = None) -> pd.DataFrame:
    """device_id, indicator, measured_at, value of these feeds from day `first` to day `last` (China days)."""
    table = Reading.__table__
    query = select(table.c.device_id, table.c.indicator, table.c.measured_at, table.c.value).where(
        table.c.device_id.in_(device_ids), table.c.measured_at >= day_start(first),
        table.c.measured_at < day_start(last + pd.Timedelta(days=1)))
    if indicator is not None:
        query = query.where(table.c.indicator == indicator)
    frame = pd.DataFrame(conn.execute(query).all(), columns=["device_id", "indicator", "measured_at", "value"])
    frame["measured_at"] = pd.to_datetime(frame["measured_at"], utc=True)
    return frame


def complete_days(readings: pd.DataFrame, intervals: dict[str, int]) -> set[tuple[str, pd.Timestamp]]:
    """(feed, day) pairs whose day is complete: a daily feed's every day, an hourly feed's once 23:00 or a later day came."""
    if readings.empty:
        return set()
    local = readings["measured_at"].dt.tz_convert(seasonal.CHINA).dt.tz_localize(None)
    frame = pd.DataFrame({"device_id": readings["device_id"], "day": local.dt.normalize(), "hour": local.dt.hour})
    per_day = frame.groupby(["device_id", "day"])["hour"].max().reset_index()
    latest = per_day.groupby("device_id")["day"].transform("max")
    daily = per_day["device_id"].map(intervals) >= DAY_S
    done = per_day[daily | (per_day["hour"] == 23) | (per_day["day"] < latest)]
    return set(zip(done["device_id"], done["day"]))


def _scored(conn: Connection, days: dict[str, set[pd.Timestamp]], intervals: dict[str, int], baseline: seasonal.Baseline,
            indicator: str | None = None) -> pd.DataFrame:
    """seasonal.score of these feeds' complete days among `days`, from the history the baseline needs."""
    wanted = {(d, day) for d, ds in days.items() for day in ds}
    if not wanted:
        return seasonal.score(pd.DataFrame(), baseline)
    first = min(day for _, day in wanted) - pd.Timedelta(days=baseline.history_days)
    last = max(day for _, day in wanted)
    readings = history(conn, sorted(days), first, last, indicator)
    done = complete_days(readings, intervals) & wanted
    scored = seasonal.score(seasonal.daily_totals(readings), baseline)
    return scored[[pair in done for pair in zip(scored["device_id"], scored["day"])]]


def anomalies(conn: Connection, fresh, devices: dict[str, dict], rules: dict[str, Rule]) -> list[Occurrence]:
    """ops_anomaly occurrences for the feeds' newly complete days: raised when anomalous, cleared when not."""
    rule = rules.get("ops_anomaly")
    days = touched_days(fresh, devices)
    if rule is None or not days:
        return []
    scored = _scored(conn, days, {d: devices[d]["interval_s"] for d in days}, seasonal.Baseline.from_params(rule.params))
    scored = scored.sort_values([*seasonal.KEYS, "day"])
    before = scored.groupby(seasonal.KEYS)["anomalous"].shift()  # NaN on a series' first day of the batch
    scored = scored[scored["anomalous"] | (before != False)]  # noqa: E712 - raised, or the day that may end an episode
    return [Occurrence(r.device_id, "ops_anomaly", r.indicator, day_start(r.day), bool(r.anomalous), float(r.count),
                       None, {"baseline": float(r.baseline), "z": float(r.z), "weeks": int(r.weeks),
                              "day": f"{r.day:%Y-%m-%d}"} if r.anomalous else {})
            for r in scored.itertuples()]


def surges(conn: Connection, fresh, devices: dict[str, dict], rules: dict[str, Rule], now: dt.datetime) -> dict[str, int]:
    """Raise or clear the area alerts of the areas whose hospitals sent the rule's indicator in this batch."""
    rule, anomaly = rules.get("fever_surge"), rules.get("ops_anomaly")
    if rule is None or anomaly is None:
        return {}
    surge = fever_surge.SurgeRule.from_params(rule.params)
    days = touched_days([v for v in fresh if v.indicator == surge.indicator], devices)
    areas = {devices[d][surge.column] for d in days} - {None}
    if not areas:
        return {}
    feeds = area_feeds(conn, surge.column, sorted(areas))
    window = {day for ds in days.values() for day in ds}
    spread = {day - pd.Timedelta(days=k) for day in window for k in range(surge.days)}
    scored = _scored(conn, {d: spread for d in feeds.index}, feeds["interval_s"].to_dict(),
                     seasonal.Baseline.from_params(anomaly.params), surge.indicator)
    scored = scored.assign(**{surge.column: scored["device_id"].map(feeds[surge.column])})
    found = fever_surge.areas(scored, surge, pd.DatetimeIndex(sorted(window)))
    names = feeds["entity"].to_dict()
    occurrences = [Occurrence(r.area, "fever_surge", surge.indicator, day_start(r.day), bool(r.surge), float(len(r.hospitals)),
                              None, _surge_detail(r, surge, names)) for r in found.itertuples()]
    return alerts.apply_area(conn, occurrences, rules, area_codes(feeds, surge.column), now)


def _surge_detail(row, surge: fever_surge.SurgeRule, names: dict[str, str]) -> dict:
    return {"hospital_count": len(row.hospitals), "day": f"{row.day:%Y-%m-%d}",
            "first_day": f"{row.day - pd.Timedelta(days=surge.days - 1):%Y-%m-%d}",
            "hospitals": "、".join(names[d] for d in row.hospitals), "devices": list(row.hospitals)}


def area_feeds(conn: Connection, column: str, areas: list[str]) -> pd.DataFrame:
    """The active hospital feeds of these areas, indexed by device id: area codes, interval, hospital name."""
    query = (select(Device.id, Device.interval_s, *Device.region_columns(),
                    Entity.name.label("entity"))
             .join(Entity, Entity.id == Device.entity_id)
             .where(Device.scene == SCENE, Device.active.is_(True), Device.__table__.c[column].in_(areas)))
    return pd.DataFrame(conn.execute(query).mappings().all()).set_index("id")


def area_codes(feeds: pd.DataFrame, column: str) -> dict[str, dict]:
    """Area code → the alert's region codes (county None for a city-wide area, town None for both)."""
    out = {}
    for area, rows in feeds.groupby(column):
        first = rows.iloc[0]
        out[area] = {"province_adcode": first["province_adcode"], "city_adcode": first["city_adcode"],
                     "county_adcode": first["county_adcode"] if column == "county_adcode" else None,
                     "town_adcode": None}
    return out
