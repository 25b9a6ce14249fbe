"""Totals per child region: whole months from the rollup table, partial months from raw rows.

A period such as 2026-01-15..2026-11-23 is answered as the rollup sum of February–October plus the
raw rows of 15–31 January and 1–23 November: the answer is exact for any period while a province or
city view reads at most two partial months of raw rows.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import func, select, union_all

from data import rollups
from data.models import RollupRegionMonth
from data.queries import regions
from data.queries.base import scope_predicate
from data.queries.filters import Filters, Period, Scope
from data.store import Store


def split_period(period: Period) -> tuple[tuple[dt.date, dt.date] | None, list[Period]]:
    """(first and last month start covered whole, or None; the partial stretches before and after)."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    month_end = calendar.monthrange(period.end.year, period.end.month)[1]
    last = dt.date(period.end.year, period.end.month, 1)
    if period.end.day != month_end:
        last = _previous_month(last)
    if first > last:
        return None, [period]
    partial = []
    if period.start < first:
        partial.append(Period(period.start, first - dt.timedelta(days=1)))
    after = _next_month(last)
    if period.end >= after:
        partial.append(Period(after, period.end))
    return (first, last), partial


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(first_of_month: dt.date) -> dt.date:
    return (first_of_month - dt.timedelta(days=1)).replace(day=1)


def child_totals(store: Store, filters: Filters, scope: Scope, measures: tuple[str, ...]) -> pd.DataFrame:
    """adcode, name and each measure for every child region of `filters.region` (zeros where none)."""
    kids = regions.children(store, filters.region, scope)
    columns = ["adcode", "name", *measures]
    if kids.empty:
        return pd.DataFrame(columns=columns)
    parent_level = regions.get_region(store, filters.region, scope).level
    child_column = regions.LEVEL_COLUMN[kids["level"].iloc[0]]
    parent_column = regions.LEVEL_COLUMN.get(parent_level)
    months, partial = split_period(filters.period)

    queries = []
    if months:
        table = RollupRegionMonth.__table__
        conditions = [table.c.month.between(*months), scope_predicate(table, scope)]
        if parent_column:
            conditions.append(table.c[parent_column] == filters.region)
        if filters.specialty:
            conditions.append(table.c.specialty == filters.specialty)
        queries.append(select(table.c[child_column].label("adcode"), *(func.sum(table.c[m]).label(m) for m in measures))
                       .where(*conditions).group_by(table.c[child_column]))
    for stretch in partial:
        queries.append(_raw_totals(filters, scope, stretch, child_column, parent_column, measures))

    with store.engine.connect() as conn:
        parts = [pd.DataFrame(conn.execute(q).all(), columns=["adcode", *measures]) for q in queries]
    totals = pd.concat(parts).groupby("adcode")[list(measures)].sum() if parts else pd.DataFrame(columns=measures)
    frame = kids[["adcode", "name"]].merge(totals, left_on="adcode", right_index=True, how="left")
    frame[list(measures)] = frame[list(measures)].fillna(0)
    for measure in measures:
        frame[measure] = frame[measure].astype(float if measure == "penalty_amount" else int)
    return frame[columns].reset_index(drop=True)


def _raw_totals(filters: Filters, scope: Scope, stretch: Period, child_column: str, parent_column: str | None,
                measures: tuple[str, ...]):
    def conditions(table):
        found = [scope_predicate(table, scope)]
        if parent_column:
            found.append(table.c[parent_column] == filters.region)
        if filters.specialty:
            found.append(table.c.specialty == filters.specialty)
        return found

    rows = union_all(*rollups.sources(conditions, (stretch.start, stretch.end), measures)).subquery()
    return select(rows.c[child_column].label("adcode"), *(func.sum(rows.c[m]).label(m) for m in measures)) \
        .group_by(rows.c[child_column])
