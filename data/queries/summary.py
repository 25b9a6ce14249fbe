"""Totals per child region: whole months from the rollup table, partial months from raw rows.

A period such as 2026-01-15..2026-11-23 is answered as the rollup sum of February–October plus the
raw rows of 15–31 January and 1–23 November: the answer is exact for any period while a province or
city view reads at most two partial months of raw rows. Monitoring reports (device uptime) exist per
month only, so for them every month the period touches counts whole.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
from sqlalchemy import func, select, union_all

from data import rollups
from data.models import RollupRegionMonth
from data.queries import regions
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
            queries.append((records, _raw_totals(grouping, filters, scope, stretch, records)))
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


def _raw_totals(grouping: regions.ChildGrouping, filters: Filters, scope: Scope, stretch: Period,
                measures: tuple[str, ...]):
    rows = union_all(*rollups.sources(lambda table: grouping.conditions(table, filters, scope),
                                      (stretch.start, stretch.end), measures)).subquery()
    child = rows.c[grouping.child_column]
    return select(child.label("adcode"), *(func.sum(rows.c[m]).label(m) for m in measures)).group_by(child)
