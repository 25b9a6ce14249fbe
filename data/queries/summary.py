"""Totals per child region, per month, per specialty and per type: whole months from the month rollups,
partial months from the day rollups (by type: from raw rows).

A period such as 2026-01-15..2026-11-23 is answered as the month rollups of February–October plus the
day rollups of 15–31 January and 1–23 November: exact for any period, and no province or city view reads
raw rows. Totals by type (inspection kind, penalty kind, complaint category) have no day rollup and read
their partial months from raw rows, under the region. Monitoring reports (device uptime) exist per month
only, so for them every month the period touches counts whole.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data import rollups
from data.models import RollupKindMonth, RollupRegionDay, RollupRegionMonth
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
    grouping = regions.child_grouping(store, filters, scope)
    columns = ["adcode", "name", *measures]
    if grouping is None:
        return pd.DataFrame(columns=columns)
    months, partial = split_period(filters.period)
    table = RollupRegionMonth.__table__
    child = table.c[grouping.child_column]

    def from_rollup(first_month: dt.date, last_month: dt.date, wanted: tuple[str, ...]):
        return (select(child.label("adcode"), *(func.sum(table.c[m]).label(m) for m in wanted))
                .where(table.c.month.between(first_month, last_month), *grouping.conditions(table, filters, scope))
                .group_by(child))

    records = tuple(m for m in measures if m in rollups.RECORD_MEASURES)
    devices = tuple(m for m in measures if m in rollups.DEVICE_MEASURES)
    queries = []
    if records and months:
        queries.append((records, from_rollup(*months, records)))
    for stretch in partial:
        if records:
            queries.append((records, _day_totals(grouping, filters, scope, stretch, records)))
    if devices:
        # Monitoring reports are kept per month only: every month the period touches counts whole.
        queries.append((devices, from_rollup(filters.period.start.replace(day=1), filters.period.end.replace(day=1), devices)))

    with store.engine.connect() as conn:
        parts = [pd.DataFrame(conn.execute(q).all(), columns=["adcode", *wanted]) for wanted, q in queries]
    totals = pd.concat(parts).groupby("adcode").sum() if parts else pd.DataFrame(columns=measures)
    frame = grouping.every_child(totals, list(measures))
    for measure in measures:
        frame[measure] = frame[measure].astype(float if measure == "penalty_amount" else int)
    return frame[columns]


def _day_totals(grouping: regions.ChildGrouping, filters: Filters, scope: Scope, stretch: Period,
                measures: tuple[str, ...]):
    table = RollupRegionDay.__table__
    child = table.c[grouping.child_column]
    return (select(child.label("adcode"), *(func.sum(table.c[m]).label(m) for m in measures))
            .where(table.c.day.between(stretch.start, stretch.end), *grouping.conditions(table, filters, scope))
            .group_by(child))


def region_conditions(store: Store, filters: Filters, scope: Scope):
    """table → its rows in scope, inside filters.region (at any level), of the specialty when one is asked for."""
    level = regions.get_region(store, filters.region, scope).level

    def conditions(table) -> list:
        found = [scope_predicate(table, scope)]
        if level in regions.LEVEL_COLUMN:
            found.append(table.c[regions.LEVEL_COLUMN[level]] == filters.region)
        if filters.specialty:
            found.append(table.c.specialty == filters.specialty)
        return found

    return conditions


def totals_by(store: Store, filters: Filters, scope: Scope, group: str, measures: tuple[str, ...]) -> pd.DataFrame:
    """`group` ("month" or "specialty") and each record measure, totalled over the whole of filters.region.

    Groups without any record of the region are missing (others may show zeros for the measures asked);
    callers fill the rest, since they know which groups they show."""
    if group not in ("month", "specialty") or not set(measures) <= set(rollups.RECORD_MEASURES):
        raise ValueError(f"totals by {group!r} of {measures!r}: group by month or specialty, of record measures")
    conditions = region_conditions(store, filters, scope)
    months, partial = split_period(filters.period)
    table = RollupRegionMonth.__table__
    queries = []
    if months:
        queries.append(select(table.c[group], *(func.sum(table.c[m]).label(m) for m in measures))
                       .where(table.c.month.between(*months), *conditions(table)).group_by(table.c[group]))
    days = RollupRegionDay.__table__
    by = rollups.month_start(days.c.day).label("month") if group == "month" else days.c[group]
    for stretch in partial:
        queries.append(select(by, *(func.sum(days.c[m]).label(m) for m in measures))
                       .where(days.c.day.between(stretch.start, stretch.end), *conditions(days)).group_by(by))
    with store.engine.connect() as conn:
        parts = [pd.DataFrame(conn.execute(q).all(), columns=[group, *measures]) for q in queries]
    frame = pd.concat(parts) if parts else pd.DataFrame(columns=[group, *measures])
    if group == "month":  # SQLite answers the raw rows' month as text, the rollup's as a date
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame = frame.groupby(group, as_index=False)[list(measures)].sum()
    for measure in measures:
        frame[measure] = frame[measure].astype(float if measure == "penalty_amount" else int)
    return frame


def kind_totals(store: Store, filters: Filters, scope: Scope, source: str) -> pd.DataFrame:
    """kind and records of one source (inspection kind, penalty kind or complaint category) in filters.region.

    Only the kinds that have records appear."""
    if source not in rollups.KIND_SOURCES:
        raise ValueError(f"kind source {source!r} is not one of {', '.join(rollups.KIND_SOURCES)}")
    conditions = region_conditions(store, filters, scope)
    months, partial = split_period(filters.period)
    table = RollupKindMonth.__table__
    queries = []
    if months:
        queries.append(select(table.c.kind, func.sum(table.c.records))
                       .where(table.c.source == source, table.c.month.between(*months), *conditions(table))
                       .group_by(table.c.kind))
    for stretch in partial:
        rows = rollups.kind_source(source, conditions, (stretch.start, stretch.end)).subquery()
        queries.append(select(rows.c.kind, func.count()).group_by(rows.c.kind))
    with store.engine.connect() as conn:
        parts = [pd.DataFrame(conn.execute(q).all(), columns=["kind", "records"]) for q in queries]
    frame = pd.concat(parts) if parts else pd.DataFrame(columns=["kind", "records"])
    frame = frame.groupby("kind", as_index=False)["records"].sum()
    frame["records"] = frame["records"].astype(int)
    return frame
