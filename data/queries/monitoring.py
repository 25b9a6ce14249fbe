"""Monitoring devices and their state: normal, over a limit, or offline (from their open alerts)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, func, select

from data import vocab
from data.models import Alert, Device, Entity, Reading
from data.monitoring import limits
from data.queries import regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, OutOfScope, Scope
from data.store import Store

STATES = ("normal", "over_limit", "offline")


@cached_query
def devices(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """id, scene, entity, lon, lat, city/county/town codes and state of every device in the region.

    A device is offline while an offline alert's condition holds, over_limit while an over-limit (or
    sustained, or medical-waste mismatch) condition does, otherwise normal, whatever stage the
    officers' handling of the alert has reached. The period does not apply: this is the state now.
    """
    region = regions.get_region(store, filters.region, scope)
    dev, ent, alert = Device.__table__, Entity.__table__, Alert.__table__
    unresolved = and_(alert.c.active.is_(True), alert.c.status.in_(vocab.ALERT_UNCLOSED))
    over = alert.c.rule.in_(("over_limit", "sustained", "waste_mismatch"))
    flags = (
        select(alert.c.device_id,
               func.max(case((alert.c.rule == "offline", 1), else_=0)).label("offline"),
               func.max(case((over, 1), else_=0)).label("over_limit"))
        .where(unresolved, alert.c.device_id.is_not(None))
        .group_by(alert.c.device_id)
        .subquery()
    )
    conditions = [scope_predicate(dev, scope)]
    if region.level in regions.LEVEL_COLUMN:
        conditions.append(dev.c[regions.LEVEL_COLUMN[region.level]] == filters.region)
    if filters.specialty:
        conditions.append(ent.c.specialty == filters.specialty)
    state = case((flags.c.offline == 1, "offline"), (flags.c.over_limit == 1, "over_limit"), else_="normal")
    query = (
        select(dev.c.id, dev.c.scene, ent.c.name.label("entity"), dev.c.lon, dev.c.lat, dev.c.city_adcode,
               dev.c.county_adcode, dev.c.town_adcode, state.label("state"), dev.c.last_seen_at)
        .select_from(dev.join(ent, ent.c.id == dev.c.entity_id).outerjoin(flags, and_(flags.c.device_id == dev.c.id)))
        .where(*conditions)
        .order_by(dev.c.id)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "scene", "entity", "lon", "lat", "city_adcode", "county_adcode", "town_adcode",
                                       "state", "last_seen_at"])


@cached_query
def state_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Per child region: devices, how many are over a limit or offline now, and uptime over the period."""
    grouping = regions.child_grouping(store, filters, scope)
    if grouping is None:
        raise ValueError(f"region {filters.region} has no child regions")
    now = devices(store, filters, scope)
    counts = pd.crosstab(now[grouping.child_column], now["state"]).reindex(columns=list(STATES), fill_value=0)
    counts["devices"] = counts.sum(axis=1)
    frame = grouping.every_child(counts, ["devices", *STATES])
    uptime = uptime_by_child(store, filters, scope)[["adcode", "device_expected", "device_reported", "uptime"]]
    frame = frame.merge(uptime, on="adcode", how="left")
    frame["attention"] = frame["over_limit"] + frame["offline"]
    for measure in ("devices", *STATES, "attention"):
        frame[measure] = frame[measure].astype(int)
    return frame


def device_detail(store: Store, device_id: str, scope: Scope) -> dict:
    """One device with its entity and scene, checked against the scope (OutOfScope otherwise)."""
    dev, ent = Device.__table__, Entity.__table__
    with store.engine.connect() as conn:
        row = conn.execute(select(dev, ent.c.name.label("entity"), ent.c.subtype, ent.c.address).select_from(
            dev.join(ent, ent.c.id == dev.c.entity_id)).where(dev.c.id == device_id)).mappings().first()
    code = row and (row["county_adcode"] or row["city_adcode"] or row["province_adcode"])
    if row is None or not code or not scope.allows(code):
        raise OutOfScope(f"device {device_id!r} is not in your region")  # the same answer: no probing for ids
    return {k: v for k, v in row.items() if k != "token_hash"}


def device_readings(store: Store, device_id: str, scope: Scope, since, until) -> pd.DataFrame:
    """indicator, measured_at (UTC), value of one device between two instants, after the scope check."""
    device_detail(store, device_id, scope)
    reading = Reading.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(select(reading.c.indicator, reading.c.measured_at, reading.c.value).where(
            reading.c.device_id == device_id, reading.c.measured_at >= since, reading.c.measured_at <= until)
            .order_by(reading.c.indicator, reading.c.measured_at)).all()
    frame = pd.DataFrame(rows, columns=["indicator", "measured_at", "value"])
    frame["measured_at"] = pd.to_datetime(frame["measured_at"], utc=True)
    return frame


@cached_query
def uptime_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, device_expected, device_reported and uptime (received / due) per child region."""
    frame = summary.child_totals(store, filters, scope, ("device_expected", "device_reported"))
    frame["uptime"] = (frame["device_reported"] / frame["device_expected"].where(frame["device_expected"] > 0)).clip(
        upper=1.0).round(4)
    return frame


def device_limits(store: Store, device: dict) -> dict:
    """indicator → the Limit in force for this device (its entity subtype's, else its scene's)."""
    with store.engine.connect() as conn:
        in_force = limits.current(conn)
    indicators = {ind for (scene, ind, _sub) in in_force if scene == device["scene"]}
    return {ind: limits.lookup(in_force, device["scene"], ind, device["subtype"] or "") for ind in sorted(indicators)}
