"""Administrative penalties by region (number of cases and amounts) and by entity."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data.models import Entity, Penalty
from data.queries import regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

ENTITY_COLUMNS = ["id", "name", "specialty", "lon", "lat", "county_adcode", "penalties", "penalty_amount"]


@cached_query
def by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, penalties, penalty_amount (yuan) per child region, from the rollups."""
    return summary.child_totals(store, filters, scope, ("penalties", "penalty_amount"))


@cached_query
def by_entity(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """ENTITY_COLUMNS of the located entities of `filters.region` with a penalty decided in the period.

    A county's raw rows (the rollups stop at the county); the specialty is the case's, like the rollups'."""
    region = regions.get_region(store, filters.region, scope)
    if region.level not in regions.LEVEL_COLUMN:
        raise ValueError(f"penalised entities are listed per province, city or county, not per {region.level}")
    pen, ent = Penalty.__table__, Entity.__table__
    conditions = [pen.c[regions.LEVEL_COLUMN[region.level]] == filters.region, scope_predicate(pen, scope),
                  pen.c.decided_on.between(filters.period.start, filters.period.end),
                  ent.c.lon.is_not(None), ent.c.lat.is_not(None)]
    if filters.specialty:
        conditions.append(pen.c.specialty == filters.specialty)
    query = (select(ent.c.id, ent.c.name, ent.c.specialty, ent.c.lon, ent.c.lat, ent.c.county_adcode,
                    func.count().label("penalties"), func.sum(pen.c.amount).label("penalty_amount"))
             .select_from(pen.join(ent, ent.c.id == pen.c.entity_id)).where(*conditions)
             .group_by(ent.c.id, ent.c.name, ent.c.specialty, ent.c.lon, ent.c.lat, ent.c.county_adcode)
             .order_by(ent.c.id))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=ENTITY_COLUMNS)
    frame["penalties"] = frame["penalties"].astype(int)
    frame["penalty_amount"] = frame["penalty_amount"].astype(float)
    return frame
