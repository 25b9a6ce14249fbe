"""Complaints by region (counts and a rate per 1,000 entities) and as points for hotspot analysis."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.models import Complaint
from data.queries import entities, regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.rollups import china_date
from data.store import Store


@cached_query
def by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, complaints, entities, per_1000_entities: raw counts mislead where entities are dense."""
    frame = summary.child_totals(store, filters, scope, ("complaints",))
    counts = entities.counts_by_child(store, filters, scope)[["adcode", "entities"]]
    frame = frame.merge(counts, on="adcode", how="left")
    frame["per_1000_entities"] = (1000 * frame["complaints"] / frame["entities"].where(frame["entities"] > 0)).round(2)
    return frame


@cached_query
def points(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """id, lon, lat, received_at, channel, category, status of complaints located in a county (or city, or town)."""
    region = regions.get_region(store, filters.region, scope)
    if region.level not in ("city", "county", "town"):
        raise ValueError("complaint points are listed per city, county or town; use by_child above that")
    table = Complaint.__table__
    day = china_date(table.c.received_at)
    conditions = [table.c[regions.LEVEL_COLUMN[region.level]] == filters.region, scope_predicate(table, scope),
                  day >= filters.period.start, day <= filters.period.end, table.c.lon.is_not(None)]
    if filters.specialty:
        conditions.append(table.c.specialty == filters.specialty)
    query = select(table.c.id, table.c.lon, table.c.lat, table.c.received_at, table.c.channel, table.c.category,
                   table.c.status, table.c.county_adcode).where(*conditions).order_by(table.c.id)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "lon", "lat", "received_at", "channel", "category", "status", "county_adcode"])
