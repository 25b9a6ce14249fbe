"""The alert feed: the newest alerts of a region, with whether each is overdue (for inbox, wall and CLI)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import and_, func, select

from data import vocab
from data.models import Alert, AlertEvent, Entity, Region
from data.queries import officers as officers_of
from data.queries import regions
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.store import Store

COLUMNS = ["id", "raised_at", "device_id", "entity_id", "entity", "rule", "indicator", "value", "severity", "level", "status",
           "active", "occurrences", "due_at", "overdue", "message", "county_adcode", "city_adcode"]


def _named(table, ent):
    """The alert table joined to what names it: its entity, or for an area alert (a fever-clinic surge: no
    entity) its area, the county or else the city, so every screen lists it by a name."""
    area = Region.__table__.alias("area")
    joined = table.outerjoin(ent, ent.c.id == table.c.entity_id).outerjoin(area, and_(
        table.c.entity_id.is_(None), area.c.adcode == func.coalesce(table.c.county_adcode, table.c.city_adcode)))
    return joined, func.coalesce(ent.c.name, area.c.name).label("entity")


def feed(store: Store, scope: Scope, region: str, *, status: str = "unclosed", limit: int = 50,
         now: dt.datetime | None = None, device_id: str | None = None) -> pd.DataFrame:
    """Alerts under `region` (checked against the scope), newest first.

    `status`: "unclosed" (not closed or dismissed), "all", or one status. Overdue: past its due time
    and not yet handled. Not cached: a feed is read for its newest rows, and a wall wants them now.
    """
    scope.check(region)
    now = now or dt.datetime.now(dt.UTC)
    table, ent = Alert.__table__, Entity.__table__
    level = regions.get_region(store, region, scope).level
    conditions = [scope_predicate(table, scope)]
    if level in regions.LEVEL_COLUMN:
        conditions.append(table.c[regions.LEVEL_COLUMN[level]] == region)
    if device_id is not None:
        conditions.append(table.c.device_id == device_id)
    if status == "unclosed":
        conditions.append(table.c.status.in_(vocab.ALERT_UNCLOSED))
    elif status != "all":
        conditions.append(table.c.status == status)
    joined, name = _named(table, ent)
    query = (select(*(table.c[c] for c in COLUMNS if c not in ("entity", "overdue")), name)
             .select_from(joined)
             .where(*conditions).order_by(table.c.raised_at.desc(), table.c.id.desc()).limit(limit))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    for column in ("raised_at", "due_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["overdue"] = frame["status"].isin(("open", "dispatched")) & (frame["due_at"] < pd.Timestamp(now))
    return frame[COLUMNS]


def trail(store: Store, scope: Scope, alert_ids: list[int]) -> pd.DataFrame:
    """alert_id, at, action, actor, from_status, to_status, note of these alerts (those in scope only)."""
    if not alert_ids:
        return pd.DataFrame(columns=["alert_id", "at", "action", "actor", "from_status", "to_status", "note"])
    table, events = Alert.__table__, AlertEvent.__table__
    query = (select(events.c.alert_id, events.c.at, events.c.action, events.c.actor, events.c.from_status,
                    events.c.to_status, events.c.note)
             .select_from(events.join(table, table.c.id == events.c.alert_id))
             .where(events.c.alert_id.in_(alert_ids), scope_predicate(table, scope))
             .order_by(events.c.alert_id, events.c.id))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(),
                             columns=["alert_id", "at", "action", "actor", "from_status", "to_status", "note"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def officers(store: Store, scope: Scope, alert_id: int) -> pd.DataFrame:
    """badge_no and name of the active officers who may be sent this alert (of its county, city or province)."""
    return officers_of.of_case(store, Alert.__table__, alert_id, scope)


def one(store: Store, scope: Scope, alert_id: int) -> dict | None:
    """One alert with its entity name, if it is in scope."""
    table, ent = Alert.__table__, Entity.__table__
    with store.engine.connect() as conn:
        joined, name = _named(table, ent)
        row = conn.execute(select(table, name).select_from(joined).where(
            table.c.id == alert_id, scope_predicate(table, scope))).mappings().first()
    return dict(row) if row is not None else None
