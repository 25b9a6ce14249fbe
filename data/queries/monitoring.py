"""Monitoring devices and their state: normal, over a limit, or offline (from their open alerts)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, func, select

from data.models import Alert, Device, Entity
from data.queries import regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

STATES = ("normal", "over_limit", "offline")


@cached_query
def devices(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """id, scene, entity, lon, lat, county_adcode and state of every device in the region.

    A device is offline when an offline alert is open or acknowledged, over_limit when an over-limit
    alert is, otherwise normal. The period does not apply: this is the state now.
    """
    region = regions.get_region(store, filters.region, scope)
    dev, ent, alert = Device.__table__, Entity.__table__, Alert.__table__
    unresolved = alert.c.status.in_(("open", "acknowledged"))
    flags = (
        select(alert.c.device_id,
               func.max(case((alert.c.rule == "offline", 1), else_=0)).label("offline"),
               func.max(case((alert.c.rule == "over_limit", 1), else_=0)).label("over_limit"))
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
        select(dev.c.id, dev.c.scene, ent.c.name.label("entity"), dev.c.lon, dev.c.lat, dev.c.county_adcode,
               state.label("state"))
        .select_from(dev.join(ent, ent.c.id == dev.c.entity_id).outerjoin(flags, and_(flags.c.device_id == dev.c.id)))
        .where(*conditions)
        .order_by(dev.c.id)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "scene", "entity", "lon", "lat", "county_adcode", "state"])


@cached_query
def uptime_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, device_expected, device_reported and uptime (received / due) per child region."""
    frame = summary.child_totals(store, filters, scope, ("device_expected", "device_reported"))
    frame["uptime"] = (frame["device_reported"] / frame["device_expected"].where(frame["device_expected"] > 0)).clip(
        upper=1.0).round(4)
    return frame
