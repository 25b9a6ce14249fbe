"""Region × month × specialty summaries, so province and city views never scan raw rows.

One row per (county, month, specialty) holds the counts every overview asks for: inspections and
non-compliant ones, penalties and their amounts, complaints. Months are calendar months in China
time (a complaint received at 20:00 UTC on 31 May belongs to June). `refresh` recomputes the rows of
the given counties from the raw tables inside the caller's transaction, so a write and its rollup
commit together; ingest calls it for the counties it touched and bumps the data version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, Integer, Select, Table, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import func
from sqlalchemy.sql.expression import FunctionElement

from data.models import Complaint, Inspection, Penalty, RollupRegionMonth

CHINA_UTC_OFFSET_HOURS = 8  # China has kept UTC+8 without daylight saving since 1991
CHINA = ZoneInfo("Asia/Shanghai")
MEASURES = ("inspections", "non_compliant", "penalties", "penalty_amount", "complaints")



class month_start(FunctionElement):
    """First day of the calendar month of a DATE expression."""

    type = Date()
    inherit_cache = True


class china_date(FunctionElement):
    """The calendar date in China time of a UTC TIMESTAMP."""

    type = Date()
    inherit_cache = True


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, 'start of month')"


@compiles(month_start, "postgresql")
def _month_start_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return f"CAST(date_trunc('month', {compiler.process(column, **kw)}) AS DATE)"


@compiles(china_date, "sqlite")
def _china_date_sqlite(element, compiler, **kw):
    (column,) = element.clauses
    return f"date({compiler.process(column, **kw)}, '+{CHINA_UTC_OFFSET_HOURS} hours')"


@compiles(china_date, "postgresql")
def _china_date_postgresql(element, compiler, **kw):
    (column,) = element.clauses
    return f"CAST(({compiler.process(column, **kw)} AT TIME ZONE 'Asia/Shanghai') AS DATE)"


Conditions = Callable[[Table], list[ColumnElement[bool]]]
SOURCE_MEASURES = {"inspection": ("inspections", "non_compliant"), "penalty": ("penalties", "penalty_amount"),
                   "complaint": ("complaints",)}


def china_day_start_utc(day: dt.date) -> dt.datetime:
    """00:00 China time of `day`, in UTC (so a range on a UTC timestamp column can use its index)."""
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.timezone.utc)


def sources(conditions: Conditions, days: tuple[dt.date, dt.date] | None = None,
            measures: Iterable[str] = MEASURES) -> list[Select]:
    """One SELECT per raw table that feeds `measures`, yielding the rollup's key and all MEASURES columns.

    Each is filtered by `conditions(table)` and, when given, by the inclusive China-time day range
    `days`, written against each table's own indexed date column.
    """
    zero = literal(0)
    insp, pen, comp = Inspection.__table__, Penalty.__table__, Complaint.__table__
    wanted = set(measures)

    def select_from(table, day: ColumnElement, in_range: list, *values) -> Select:
        keys = [table.c.county_adcode, table.c.city_adcode, table.c.province_adcode, month_start(day).label("month"),
                table.c.specialty]
        labelled = [value.label(name) for value, name in zip(values, MEASURES, strict=True)]
        return select(*keys, *labelled).where(
            table.c.county_adcode.is_not(None), table.c.specialty.is_not(None), *conditions(table),
            *(in_range if days else []))

    first, last = days or (None, None)
    selects = {
        "inspection": lambda: select_from(
            insp, insp.c.inspected_on, [insp.c.inspected_on.between(first, last)],
            literal(1), func.cast(insp.c.result == "non_compliant", Integer), zero, zero, zero),
        "penalty": lambda: select_from(
            pen, pen.c.decided_on, [pen.c.decided_on.between(first, last)], zero, zero, literal(1), pen.c.amount, zero),
        "complaint": lambda: select_from(
            comp, china_date(comp.c.received_at),
            [comp.c.received_at >= china_day_start_utc(first),
             comp.c.received_at < china_day_start_utc(last + dt.timedelta(days=1))] if days else [],
            zero, zero, zero, zero, literal(1)),
    }
    return [build() for name, build in selects.items() if wanted & set(SOURCE_MEASURES[name])]


def refresh(conn: Connection, counties: Iterable[str] | None = None) -> int:
    """Recompute the rollup rows of `counties` (all when None); returns the number of rows written."""
    table = RollupRegionMonth.__table__
    codes = sorted(set(counties)) if counties is not None else None
    delete = table.delete()
    conn.execute(delete if codes is None else delete.where(table.c.county_adcode.in_(codes)))
    rows = union_all(*sources(lambda t: [] if codes is None else [t.c.county_adcode.in_(codes)])).subquery()
    summary = select(
        rows.c.county_adcode, rows.c.month, rows.c.specialty,
        func.min(rows.c.city_adcode), func.min(rows.c.province_adcode),
        func.sum(rows.c.inspections), func.sum(rows.c.non_compliant), func.sum(rows.c.penalties),
        func.sum(rows.c.penalty_amount), func.sum(rows.c.complaints),
    ).group_by(rows.c.county_adcode, rows.c.month, rows.c.specialty)
    result = conn.execute(table.insert().from_select(
        ["county_adcode", "month", "specialty", "city_adcode", "province_adcode", *MEASURES], summary))
    return result.rowcount
