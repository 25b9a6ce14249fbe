"""Licence expiry reminders (许可证到期提醒): which entities' licences expire within the reminder thresholds.

The thresholds are data, not code: dataset_meta `licence_reminder_days` (seeded "90,30,7" by migration 0012;
a province may set others). An entity falls in the tightest threshold its days-to-expiry fit: 7 days left is
in the 7-day bucket, 8 in the 30-day one, 90 in the 90-day one, 91 in none. An expiry already passed is
`expired`. Queries apply the viewer's scope in SQL and check the region first.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data import db
from data.models import Entity
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.queries.regions import LEVEL_COLUMN
from data.store import Store
from geo import hierarchy

THRESHOLDS_KEY = "licence_reminder_days"
DEFAULT_THRESHOLDS = "90,30,7"
EXPIRED = "expired"


def thresholds(conn: Connection) -> tuple[int, ...]:
    """The reminder thresholds in days, largest first."""
    text = db.get_meta(conn, THRESHOLDS_KEY) or DEFAULT_THRESHOLDS
    try:
        days = sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True)
    except ValueError:
        raise ValueError(f"dataset_meta {THRESHOLDS_KEY} {text!r}: expected whole days separated by commas") from None
    if not days or days[-1] < 0:
        raise ValueError(f"dataset_meta {THRESHOLDS_KEY} {text!r}: needs at least one threshold ≥ 0 days")
    return tuple(days)


def bucket(days_left: pd.Series, limits: tuple[int, ...]) -> pd.Series:
    """'expired', the tightest threshold (as text: '7', '30', '90') the days left fit in, or None."""
    out = pd.Series([None] * len(days_left), index=days_left.index, dtype=object)
    for limit in limits:  # largest first: tighter thresholds overwrite
        out[(days_left >= 0) & (days_left <= limit)] = str(limit)
    out[days_left < 0] = EXPIRED
    return out


def _conditions(table, region: str, scope: Scope) -> list:
    scope.check(region)
    level = hierarchy.get_region(region).level
    conditions = [scope_predicate(table, scope)]
    if level in LEVEL_COLUMN:
        conditions.append(table.c[LEVEL_COLUMN[level]] == region)
    return conditions


def due(store: Store, region: str, scope: Scope, today: dt.date) -> pd.DataFrame:
    """Entities of the region whose licence expired or expires within the largest threshold, soonest first:
    id, name, specialty, subtype, county_adcode, licence_no, licence_expiry, days_left, bucket."""
    table = Entity.__table__
    with store.engine.connect() as conn:
        limits = thresholds(conn)
        query = (select(table.c.id, table.c.name, table.c.specialty, table.c.subtype, table.c.county_adcode,
                        table.c.licence_no, table.c.licence_expiry)
                 .where(*_conditions(table, region, scope), table.c.licence_expiry.is_not(None),
                        table.c.licence_expiry <= today + dt.timedelta(days=limits[0]))
                 .order_by(table.c.licence_expiry, table.c.id))
        frame = pd.DataFrame(conn.execute(query).all(), columns=["id", "name", "specialty", "subtype", "county_adcode",
                                                                 "licence_no", "licence_expiry"])
    frame["licence_expiry"] = pd.to_datetime(frame["licence_expiry"]).dt.date
    frame["days_left"] = [(d - today).days for d in frame["licence_expiry"]]
    frame["bucket"] = bucket(frame["days_left"], limits)
    frame.attrs["thresholds"] = limits
    return frame


def counts(frame: pd.DataFrame) -> dict[str, int]:
    """Entities per bucket of a `due` answer (every threshold and 'expired', zeros included): the wall's KPI."""
    found = frame["bucket"].value_counts()
    return {key: int(found.get(key, 0)) for key in (EXPIRED, *(str(d) for d in reversed(frame.attrs["thresholds"])))}
