"""Regions as stored: children of a region and the breadcrumb chain, limited to the viewer's scope."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data.models import Region as RegionRow
from geo.hierarchy import Region
from data.queries.filters import Scope
from data.store import Store

LEVEL_COLUMN = {"province": "province_adcode", "city": "city_adcode", "county": "county_adcode"}


def get_region(store: Store, adcode: str, scope: Scope) -> Region:
    scope.check(adcode)
    with store.engine.connect() as conn:
        region = _fetch(conn, adcode)
    if region is None:
        raise KeyError(f"region {adcode} is not in the database")
    return region


def _fetch(conn, adcode: str) -> Region | None:
    row = conn.execute(
        select(RegionRow.adcode, RegionRow.name, RegionRow.level, RegionRow.parent_adcode).where(RegionRow.adcode == adcode)
    ).one_or_none()
    return None if row is None else Region(*row)


def children(store: Store, adcode: str, scope: Scope) -> pd.DataFrame:
    """adcode, name, level of the direct children of `adcode` (empty for a leaf)."""
    scope.check(adcode)
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(RegionRow.adcode, RegionRow.name, RegionRow.level)
            .where(RegionRow.parent_adcode == adcode)
            .order_by(RegionRow.adcode)
        ).all()
    return pd.DataFrame(rows, columns=["adcode", "name", "level"])


def chain(store: Store, adcode: str, scope: Scope) -> list[Region]:
    """From the first region in scope down to `adcode`: the breadcrumb."""
    scope.check(adcode)
    regions: list[Region] = []
    code: str | None = adcode
    with store.engine.connect() as conn:
        while code is not None:
            region = _fetch(conn, code)
            if region is None:
                break
            regions.append(region)
            if region.adcode in scope.roots:
                break
            code = region.parent_adcode
    return regions[::-1]
