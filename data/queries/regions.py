"""Regions as stored: children of a region and the breadcrumb chain, limited to the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Table, select

from data.models import Region as RegionRow
from geo.hierarchy import Region
from data.queries.base import scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

LEVEL_COLUMN = {"province": "province_adcode", "city": "city_adcode", "county": "county_adcode", "town": "town_adcode"}


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


@dataclass(frozen=True)
class ChildGrouping:
    """How to total records per child region of filters.region: which column to group by, which to filter on."""

    kids: pd.DataFrame  # adcode, name, level of the children
    child_column: str
    parent_column: str | None  # None at the top of the hierarchy: no parent filter

    def conditions(self, table: Table, filters: Filters, scope: Scope) -> list[ColumnElement[bool]]:
        """Rows of `table` in scope, under the region, of the specialty (when one is asked for)."""
        found = [scope_predicate(table, scope)]
        if self.parent_column:
            found.append(table.c[self.parent_column] == filters.region)
        if filters.specialty:
            found.append(table.c.specialty == filters.specialty)
        return found

    def every_child(self, totals: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
        """adcode, name and `measures` for every child: totals (indexed by adcode) with zeros where none."""
        frame = self.kids[["adcode", "name"]].merge(totals.reindex(columns=measures), left_on="adcode",
                                                    right_index=True, how="left")
        frame[measures] = frame[measures].fillna(0)
        return frame.reset_index(drop=True)


def child_grouping(store: Store, filters: Filters, scope: Scope) -> ChildGrouping | None:
    """The grouping for the children of filters.region; None when it has no children (a leaf)."""
    kids = children(store, filters.region, scope)
    if kids.empty:
        return None
    parent_level = get_region(store, filters.region, scope).level
    return ChildGrouping(kids, LEVEL_COLUMN[kids["level"].iloc[0]], LEVEL_COLUMN.get(parent_level))
