"""Region × month × specialty summaries, so province and city views never scan raw rows.

One row per (county, month, specialty) holds the counts every overview asks for: inspections and
non-compliant ones, penalties and their amounts, complaints. Months are calendar months in China
time (a complaint received at 20:00 UTC on 31 May belongs to June). `refresh` recomputes the rows of
the given counties from the raw tables inside the caller's transaction, so a write and its rollup
commit together; ingest calls it for the counties it touched and bumps the data version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, Date, Integer, Select, Table, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import func
from sqlalchemy.sql.expression import FunctionElement

from data.models import Complaint, Inspection, Penalty, RollupRegionMonth

CHINA_UTC_OFFSET_HOURS = 8


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


Conditions = Callable[[Table, ColumnElement], list[ColumnElement[bool]]]


def sources(conditions: Conditions) -> list[Select]:
    """One SELECT per raw table yielding the rollup's key and measure columns, each filtered by
    `conditions(table, date_of_record)` (so predicates reach the tables' own indexes)."""
    zero = literal(0)
    insp, pen, comp = Inspection.__table__, Penalty.__table__, Complaint.__table__

    def select_from(table, when: ColumnElement, *measures) -> Select:
        keys = [table.c.county_adcode, table.c.city_adcode, table.c.province_adcode, month_start(when).label("month"),
                table.c.specialty]
        return select(*keys, *measures).where(
            table.c.county_adcode.is_not(None), table.c.specialty.is_not(None), *conditions(table, when))

    return [
        select_from(insp, insp.c.inspected_on, literal(1).label("inspections"),
                    func.cast(insp.c.result == "non_compliant", Integer).label("non_compliant"),
                    zero.label("penalties"), zero.label("penalty_amount"), zero.label("complaints")),
        select_from(pen, pen.c.decided_on, zero, zero, literal(1), pen.c.amount, zero),
        select_from(comp, china_date(comp.c.received_at), zero, zero, zero, zero, literal(1)),
    ]


def refresh(conn: Connection, counties: Iterable[str] | None = None) -> int:
    """Recompute the rollup rows of `counties` (all when None); returns the number of rows written."""
    table = RollupRegionMonth.__table__
    codes = sorted(set(counties)) if counties is not None else None
    delete = table.delete()
    conn.execute(delete if codes is None else delete.where(table.c.county_adcode.in_(codes)))
    rows = union_all(*sources(lambda t, _when: [] if codes is None else [t.c.county_adcode.in_(codes)])).subquery()
    summary = select(
        rows.c.county_adcode, rows.c.month, rows.c.specialty,
        func.min(rows.c.city_adcode), func.min(rows.c.province_adcode),
        func.sum(rows.c.inspections), func.sum(rows.c.non_compliant), func.sum(rows.c.penalties),
        func.sum(rows.c.penalty_amount), func.sum(rows.c.complaints),
    ).group_by(rows.c.county_adcode, rows.c.month, rows.c.specialty)
    result = conn.execute(table.insert().from_select(
        ["county_adcode", "month", "specialty", "city_adcode", "province_adcode", *MEASURES], summary))
    return result.rowcount
