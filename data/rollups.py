"""Region × month × specialty summaries, so province and city views never scan raw rows.

One row per (county, town, month, specialty) holds the counts every overview asks for: inspections and
non-compliant ones, penalties and their amounts, complaints, and monitoring reports due and received
(device uptime). Months are calendar months in China
time (a complaint received at 20:00 UTC on 31 May belongs to June). `refresh` recomputes the rows of
the given counties from the raw tables inside the caller's transaction, so a write and its rollup
commit together; ingest calls it for the counties it touched and bumps the data version.

Beside them, rollup_region_day holds the record counts per day (same key, the day for the month), so a
period that starts or ends inside a month reads its partial months from there, not from raw rows.

The town is NO_TOWN ('') for records in no imported town (every record of a county without a town level), so
a county's rows are its towns' rows plus that remainder, and coarser views sum over both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Date, Integer, Select, Table, literal, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import func
from sqlalchemy.sql.expression import FunctionElement

from data.bulk import insert_frame
from data.models import (NO_TOWN, Complaint, Device, Inspection, Penalty, Reading, RollupKindMonth,
                         RollupRegionDay, RollupRegionMonth)
from data.vocab import SCENE_SPECIALTY

CHINA_UTC_OFFSET_HOURS = 8  # China has kept UTC+8 without daylight saving since 1991
CHINA = ZoneInfo("Asia/Shanghai")
RECORD_MEASURES = ("inspections", "non_compliant", "penalties", "penalty_amount", "complaints")
# Monitoring reports due (from each device's interval, since its installation or the start of the stored
# readings, whichever is later, until the last stored reading) and received (distinct report times).
DEVICE_MEASURES = ("device_expected", "device_reported")
MEASURES = RECORD_MEASURES + DEVICE_MEASURES
KEY = ("county_adcode", "town_adcode", "month", "specialty")
DAY_KEY = ("county_adcode", "town_adcode", "day", "specialty")
# The type of each record kept in rollup_kind_month: source → the raw table's column that holds it.
KIND_SOURCES = ("inspection", "penalty", "complaint")


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


def town_key(table: Table) -> ColumnElement:
    """A raw table's town code as the rollups key it: NO_TOWN where the record lies in no imported town."""
    return func.coalesce(table.c.town_adcode, literal(NO_TOWN)).label("town_adcode")


def sources(conditions: Conditions, days: tuple[dt.date, dt.date] | None = None,
            measures: Iterable[str] = RECORD_MEASURES, by_day: bool = False) -> list[Select]:
    """One SELECT per raw table that feeds `measures`, yielding the rollup's key and all RECORD_MEASURES.

    Each is filtered by `conditions(table)` and, when given, by the inclusive China-time day range
    `days`, written against each table's own indexed date column. The key's period is the month
    (`month`, its first day), or with `by_day` the day itself (`day`, for rollup_region_day).
    """
    zero = literal(0)
    insp, pen, comp = Inspection.__table__, Penalty.__table__, Complaint.__table__
    wanted = set(measures)

    def select_from(table, day: ColumnElement, in_range: list, *values) -> Select:
        period = day.label("day") if by_day else month_start(day).label("month")
        keys = [table.c.county_adcode, town_key(table), table.c.city_adcode, table.c.province_adcode, period,
                table.c.specialty]
        labelled = [value.label(name) for value, name in zip(values, RECORD_MEASURES, strict=True)]
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


def kind_source(source: str, conditions: Conditions, days: tuple[dt.date, dt.date] | None = None) -> Select:
    """The raw rows of one source as (county, town, city, province, month, specialty, kind), one row per record.

    Filtered like `sources`: by `conditions(table)` and the inclusive China-time day range `days`."""
    if source == "inspection":
        table, kind, day = Inspection.__table__, Inspection.__table__.c.kind, Inspection.__table__.c.inspected_on
        in_range = [day.between(*days)] if days else []
    elif source == "penalty":
        table, kind, day = Penalty.__table__, Penalty.__table__.c.kind, Penalty.__table__.c.decided_on
        in_range = [day.between(*days)] if days else []
    elif source == "complaint":
        table = Complaint.__table__
        kind, day = table.c.category, china_date(table.c.received_at)
        in_range = [table.c.received_at >= china_day_start_utc(days[0]),
                    table.c.received_at < china_day_start_utc(days[1] + dt.timedelta(days=1))] if days else []
    else:
        raise ValueError(f"kind source {source!r} is not one of {', '.join(KIND_SOURCES)}")
    return select(table.c.county_adcode, town_key(table), table.c.city_adcode, table.c.province_adcode,
                  month_start(day).label("month"), table.c.specialty, kind.label("kind")).where(
        table.c.county_adcode.is_not(None), table.c.specialty.is_not(None), *conditions(table), *in_range)


def refresh(conn: Connection, counties: Iterable[str] | None = None) -> int:
    """Recompute the rollup tables' rows of `counties` (all when None); returns the number of rows written."""
    codes = sorted(set(counties)) if counties is not None else None
    return _refresh_region_month(conn, codes) + _refresh_kind_month(conn, codes) + refresh_days(conn, codes)


def refresh_days(conn: Connection, codes: list[str] | None) -> int:
    """rollup_region_day of the counties `codes` (all when None), summed in the database: INSERT … SELECT."""
    table = RollupRegionDay.__table__
    delete = table.delete()
    conn.execute(delete if codes is None else delete.where(table.c.county_adcode.in_(codes)))
    rows = union_all(*sources(lambda t: [] if codes is None else [t.c.county_adcode.in_(codes)], by_day=True)).subquery()
    key = [rows.c[k] for k in DAY_KEY]
    summary = select(*key, func.min(rows.c.city_adcode), func.min(rows.c.province_adcode),
                     *(func.sum(rows.c[m]) for m in RECORD_MEASURES)).group_by(*key)
    conn.execute(table.insert().from_select([*DAY_KEY, "city_adcode", "province_adcode", *RECORD_MEASURES], summary))
    # Counted afterwards: psycopg reports rowcount -1 for this INSERT … SELECT (SQLite reports the rows).
    written = select(func.count()).select_from(table)
    return conn.execute(written if codes is None else written.where(table.c.county_adcode.in_(codes))).scalar_one()


def _refresh_kind_month(conn: Connection, codes: list[str] | None) -> int:
    table = RollupKindMonth.__table__
    delete = table.delete()
    conn.execute(delete if codes is None else delete.where(table.c.county_adcode.in_(codes)))
    written = 0
    for source in KIND_SOURCES:
        rows = kind_source(source, lambda t: [] if codes is None else [t.c.county_adcode.in_(codes)]).subquery()
        summary = select(
            *(rows.c[k] for k in KEY), literal(source).label("source"), rows.c.kind,
            func.min(rows.c.city_adcode).label("city_adcode"), func.min(rows.c.province_adcode).label("province_adcode"),
            func.count().label("records"),
        ).group_by(*(rows.c[k] for k in KEY), rows.c.kind)
        frame = pd.DataFrame(conn.execute(summary).all(), columns=[*KEY, "source", "kind", "city_adcode", "province_adcode",
                                                                    "records"])
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
        written += insert_frame(conn, table, frame)
    return written


def _refresh_region_month(conn: Connection, codes: list[str] | None) -> int:
    table = RollupRegionMonth.__table__
    delete = table.delete()
    conn.execute(delete if codes is None else delete.where(table.c.county_adcode.in_(codes)))
    rows = union_all(*sources(lambda t: [] if codes is None else [t.c.county_adcode.in_(codes)])).subquery()
    summary = select(
        *(rows.c[k] for k in KEY),
        func.min(rows.c.city_adcode).label("city_adcode"), func.min(rows.c.province_adcode).label("province_adcode"),
        *(func.sum(rows.c[m]).label(m) for m in RECORD_MEASURES),
    ).group_by(*(rows.c[k] for k in KEY))
    records = pd.DataFrame(conn.execute(summary).all(), columns=[*KEY, "city_adcode", "province_adcode", *RECORD_MEASURES])
    records["penalty_amount"] = records["penalty_amount"].astype(float)
    combined = pd.concat([records, device_uptime(conn, codes)], ignore_index=True)
    if combined.empty:
        return 0
    combined[list(MEASURES)] = combined[list(MEASURES)].fillna(0)
    merged = combined.groupby(list(KEY), as_index=False).agg(
        city_adcode=("city_adcode", "first"), province_adcode=("province_adcode", "first"),
        **{m: (m, "sum") for m in MEASURES})
    for measure in MEASURES:
        if measure != "penalty_amount":
            merged[measure] = merged[measure].astype(int)
    return insert_frame(conn, table, merged)


def device_uptime(conn: Connection, counties: list[str] | None) -> pd.DataFrame:
    """Reports due and received per county, town, month (China time) and specialty of the devices' scenes."""
    dev, reading = Device.__table__, Reading.__table__
    columns = [*KEY, "city_adcode", "province_adcode", *DEVICE_MEASURES]
    where = [dev.c.county_adcode.is_not(None)] + ([dev.c.county_adcode.in_(counties)] if counties is not None else [])
    devices = pd.DataFrame(conn.execute(select(
        dev.c.id, dev.c.scene, dev.c.county_adcode, town_key(dev), dev.c.city_adcode, dev.c.province_adcode,
        dev.c.installed_on, dev.c.interval_s).where(*where)).all(),
        columns=["id", "scene", "county_adcode", "town_adcode", "city_adcode", "province_adcode", "installed_on",
                 "interval_s"])
    first, last = conn.execute(select(func.min(reading.c.measured_at), func.max(reading.c.measured_at))).one()
    if devices.empty or first is None:
        return pd.DataFrame(columns=columns)
    first, last = (pd.Timestamp(t).tz_localize("UTC") if pd.Timestamp(t).tzinfo is None else pd.Timestamp(t).tz_convert("UTC")
                   for t in (first, last))

    # Reports due: split each device's active span at China-time month starts.
    interval = pd.to_timedelta(devices["interval_s"], unit="s")
    installed = pd.to_datetime(devices["installed_on"]).dt.tz_localize(CHINA).dt.tz_convert("UTC")
    active_from = installed.where(installed > first, first)
    # The last tick counts, and no tick after it: a daily device is not due a report the day after the last
    # reading of all (counting up to `last + interval` did that, whenever `last` fell inside a day).
    active_to = pd.Series(last + pd.Timedelta(seconds=1), index=devices.index)
    keep = active_from < active_to
    devices, active_from, active_to, interval = devices[keep], active_from[keep], active_to[keep], interval[keep]
    local_from, local_to = active_from.dt.tz_convert(CHINA), (active_to - pd.Timedelta(seconds=1)).dt.tz_convert(CHINA)
    m0 = (local_from.dt.year * 12 + local_from.dt.month - 1).to_numpy()
    m1 = (local_to.dt.year * 12 + local_to.dt.month - 1).to_numpy()
    repeat = np.repeat(np.arange(len(devices)), m1 - m0 + 1)
    months = m0[repeat] + pd.Series(repeat).groupby(repeat).cumcount().to_numpy()
    month_start_local = _month_starts(months)
    seg_start = np.maximum(month_start_local.tz_convert("UTC"), active_from.to_numpy()[repeat])
    seg_end = np.minimum(_month_starts(months + 1).tz_convert("UTC"), active_to.to_numpy()[repeat])
    due = np.ceil((seg_end - seg_start) / interval.to_numpy()[repeat]).clip(min=0)
    expected = pd.DataFrame({"id": devices["id"].to_numpy()[repeat], "month": month_start_local.date, "device_expected": due})

    # Reports received: distinct report times per device and month.
    month = month_start(china_date(reading.c.measured_at)).label("month")
    received = pd.DataFrame(conn.execute(
        select(reading.c.device_id, month, func.count(func.distinct(reading.c.measured_at)))
        .select_from(reading.join(dev, dev.c.id == reading.c.device_id)).where(*where)
        .group_by(reading.c.device_id, month)).all(), columns=["id", "month", "device_reported"])
    received["month"] = pd.to_datetime(received["month"]).dt.date

    per_device = expected.merge(received, on=["id", "month"], how="outer").fillna({"device_expected": 0, "device_reported": 0})
    per_device = per_device.merge(devices[["id", "scene", "county_adcode", "town_adcode", "city_adcode",
                                           "province_adcode"]], on="id")
    per_device["specialty"] = per_device["scene"].map(SCENE_SPECIALTY)
    return per_device.groupby(list(KEY), as_index=False).agg(
        city_adcode=("city_adcode", "first"), province_adcode=("province_adcode", "first"),
        device_expected=("device_expected", "sum"), device_reported=("device_reported", "sum"))[columns]


def _month_starts(month_index: np.ndarray) -> pd.DatetimeIndex:
    """00:00 China time on the first day of each month, given as year * 12 + month - 1."""
    years, months = np.divmod(month_index, 12)
    return pd.to_datetime(pd.DataFrame({"year": years, "month": months + 1, "day": 1})).dt.tz_localize(CHINA).array
