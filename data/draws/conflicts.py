"""Declared conflicts of interest (回避): an inspector who must never be drawn for an entity.

A manager declares one (inspector by badge number, entity by id, with the reason) and withdraws it when it no
longer holds; the next draw reads the table (runs.exclusions), so the pair is never drawn together. Both the
inspector and the entity must lie in the actor's scope: a county cannot bind another county's officers or
entities. A withdrawal deletes the row; what was declared, by whom and why stays in the audit log
(actions "draw_conflict_declare" and "draw_conflict_withdraw"), written in the same transaction.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data import audit
from data.models import Entity, Inspector, InspectorConflict
from data.queries.base import scope_predicate
from data.queries.filters import OutOfScope, Scope

CHINA = dt.timezone(dt.timedelta(hours=8))
REASON_MAX = InspectorConflict.__table__.c.reason.type.length
COLUMNS = ("inspector_id", "badge_no", "inspector", "entity_id", "entity", "county_adcode", "reason", "declared_on")


class ConflictError(ValueError):
    """A declaration or withdrawal that cannot be made, naming the field: badge, entity or reason."""


def _inspector(conn: Connection, badge: str, scope: Scope):
    table = Inspector.__table__
    row = conn.execute(select(table.c.id, table.c.name, table.c.region_adcode)
                       .where(table.c.badge_no == (badge or "").strip())).first()
    if row is None:
        raise ConflictError(f"badge: no inspector with badge number {badge!r}")
    if not scope.allows(row.region_adcode):
        raise OutOfScope(f"badge: inspector {badge} belongs to region {row.region_adcode}, outside the scope")
    return row


def _entity(conn: Connection, entity_id, scope: Scope):
    table = Entity.__table__
    try:
        key = int(entity_id)
    except (TypeError, ValueError):
        raise ConflictError(f"entity: {entity_id!r} is not an entity number") from None
    row = conn.execute(select(table.c.id, table.c.name, table.c.province_adcode, table.c.city_adcode,
                              table.c.county_adcode).where(table.c.id == key)).first()
    if row is None:
        raise ConflictError(f"entity: no entity number {key}")
    region = row.county_adcode or row.city_adcode or row.province_adcode
    if not scope.allows(region):
        raise OutOfScope(f"entity: entity {key} lies in region {region}, outside the scope")
    return row


def declare(conn: Connection, *, badge: str, entity_id, reason: str, scope: Scope, actor: str, now: dt.datetime,
            ip: str | None = None) -> None:
    """Record that inspector `badge` may not inspect entity `entity_id`, for `reason`; audited. The caller commits."""
    reason = (reason or "").strip()
    if not reason:
        raise ConflictError("reason: say why the inspector must stand aside (e.g. 亲属在该单位任职)")
    if len(reason) > REASON_MAX:
        raise ConflictError(f"reason: at most {REASON_MAX} characters, not {len(reason)}")
    inspector, entity = _inspector(conn, badge, scope), _entity(conn, entity_id, scope)
    table = InspectorConflict.__table__
    if conn.execute(select(table.c.id).where(table.c.inspector_id == inspector.id,
                                             table.c.entity_id == entity.id)).first():
        raise ConflictError(f"badge: inspector {badge} already stands aside for entity {entity.id}")
    conn.execute(table.insert().values(inspector_id=inspector.id, entity_id=entity.id, reason=reason,
                                       declared_on=now.astimezone(CHINA).date()))
    audit.append(conn, actor=actor, action="draw_conflict_declare", target=f"entity:{entity.id}", now=now, ip=ip,
                 detail={"badge": badge.strip(), "inspector": inspector.name, "entity": entity.name, "reason": reason})


def withdraw(conn: Connection, *, badge: str, entity_id, scope: Scope, actor: str, now: dt.datetime,
             ip: str | None = None) -> None:
    """Delete the declared conflict of inspector `badge` and entity `entity_id`; audited with what it said."""
    inspector, entity = _inspector(conn, badge, scope), _entity(conn, entity_id, scope)
    table = InspectorConflict.__table__
    found = conn.execute(select(table.c.id, table.c.reason, table.c.declared_on).where(
        table.c.inspector_id == inspector.id, table.c.entity_id == entity.id)).first()
    if found is None:
        raise ConflictError(f"badge: inspector {badge} has no declared conflict with entity {entity.id}")
    conn.execute(table.delete().where(table.c.id == found.id))
    audit.append(conn, actor=actor, action="draw_conflict_withdraw", target=f"entity:{entity.id}", now=now, ip=ip,
                 detail={"badge": badge.strip(), "inspector": inspector.name, "entity": entity.name,
                         "reason": found.reason, "declared_on": found.declared_on.isoformat()})


def listing(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The declared conflicts of the entities in `scope` (COLUMNS), newest first."""
    conflict, inspector, entity = InspectorConflict.__table__, Inspector.__table__, Entity.__table__
    region = func.coalesce(entity.c.county_adcode, entity.c.city_adcode, entity.c.province_adcode)
    rows = conn.execute(
        select(conflict.c.inspector_id, inspector.c.badge_no, inspector.c.name, conflict.c.entity_id, entity.c.name,
               region, conflict.c.reason, conflict.c.declared_on)
        .join(inspector, inspector.c.id == conflict.c.inspector_id).join(entity, entity.c.id == conflict.c.entity_id)
        .where(scope_predicate(entity, scope))
        .order_by(conflict.c.declared_on.desc(), conflict.c.id.desc())).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(COLUMNS))
