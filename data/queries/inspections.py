"""Inspection results by region and by entity."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data.models import Entity, Inspection
from data.queries import regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

BY_REGION_COLUMNS = ["adcode", "name", "inspections", "non_compliant", "rate"]


def _period_and_specialty(filters: Filters):
    table = Inspection.__table__
    conditions = [table.c.inspected_on >= filters.period.start, table.c.inspected_on <= filters.period.end]
    if filters.specialty:
        conditions.append(table.c.specialty == filters.specialty)
    return conditions


@cached_query
def noncompliance_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Inspections and non-compliant inspections in each child region of `filters.region`.

    Every child appears, with zeros where nothing happened; a leaf region gives an empty frame.
    Read from the rollups (data/queries/summary.py), never from raw rows for whole months.
    """
    frame = summary.child_totals(store, filters, scope, ("inspections", "non_compliant"))
    frame["rate"] = (frame["non_compliant"] / frame["inspections"].where(frame["inspections"] > 0)).round(4)
    return frame[BY_REGION_COLUMNS]


@cached_query
def entity_results(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """Entities located in `filters.region` with their inspections and non-compliant ones in the period."""
    region = regions.get_region(store, filters.region, scope)
    if region.level not in regions.LEVEL_COLUMN:
        raise ValueError(f"entity points are listed per province, city or county, not per {region.level}")
    ent = Entity.__table__
    insp = Inspection.__table__
    column = regions.LEVEL_COLUMN[region.level]
    counts = (
        select(
            insp.c.entity_id,
            func.count().label("inspections"),
            func.sum(case((insp.c.result == "non_compliant", 1), else_=0)).label("non_compliant"),
        )
        # An inspection carries its entity's codes (as the rollups count it): only the region's rows are read.
        .where(*_period_and_specialty(filters), insp.c[column] == filters.region)
        .group_by(insp.c.entity_id)
        .subquery()
    )
    conditions = [ent.c[column] == filters.region, scope_predicate(ent, scope)]
    if filters.specialty:
        conditions.append(ent.c.specialty == filters.specialty)
    query = (
        select(
            ent.c.id, ent.c.name, ent.c.specialty, ent.c.subtype, ent.c.grade, ent.c.address, ent.c.lon, ent.c.lat,
            func.coalesce(counts.c.inspections, 0).label("inspections"),
            func.coalesce(counts.c.non_compliant, 0).label("non_compliant"),
        )
        .select_from(ent.outerjoin(counts, counts.c.entity_id == ent.c.id))
        .where(*conditions)
        .order_by(ent.c.id)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame(rows, columns=["id", "name", "specialty", "subtype", "grade", "address", "lon", "lat",
                                       "inspections", "non_compliant"])
