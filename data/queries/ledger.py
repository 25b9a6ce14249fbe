"""The risk ledger as the ledger page, the wall and the CLI read it: entries in scope, their steps, officers.

Scope is checked (the region asked for) and applied in the SQL of every function; an entry elsewhere
is answered like an unknown one.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data.models import Entity, Inspector, RiskLedgerEntry, RiskLedgerEvent
from data.queries import officers as officers_of
from data.queries import regions
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.store import Store

CHINA = dt.timezone(dt.timedelta(hours=8))
COLUMNS = ["id", "entity_id", "entity", "level", "score", "reason", "officer_badge", "officer", "entered_on", "due_on",
           "overdue", "status", "county_adcode"]
STATUSES = ("open", "closed", "all")


def _today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def _conditions(store: Store, scope: Scope, region: str | None) -> list:
    table = RiskLedgerEntry.__table__
    conditions = [scope_predicate(table, scope)]
    if region:
        level = regions.get_region(store, region, scope).level  # checks the scope
        if level in regions.LEVEL_COLUMN:
            conditions.append(table.c[regions.LEVEL_COLUMN[level]] == region)
    return conditions


def entries(store: Store, scope: Scope, *, region: str | None = None, status: str = "open",
            today: dt.date | None = None, limit: int = 1000) -> pd.DataFrame:
    """COLUMNS of the entries under `region` (default: the whole scope), the most urgent first (due date)."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r}: use one of {', '.join(STATUSES)}")
    table, ent, ins = RiskLedgerEntry.__table__, Entity.__table__, Inspector.__table__
    conditions = _conditions(store, scope, region)
    if status != "all":
        conditions.append(table.c.status == status)
    query = (select(table.c.id, table.c.entity_id, ent.c.name.label("entity"), table.c.level, table.c.score, table.c.reason,
                    ins.c.badge_no.label("officer_badge"), ins.c.name.label("officer"), table.c.entered_on,
                    table.c.due_on, table.c.status, table.c.county_adcode)
             .select_from(table.join(ent, ent.c.id == table.c.entity_id).outerjoin(ins, ins.c.id == table.c.officer_id))
             .where(*conditions).order_by(table.c.status.desc(), table.c.due_on, table.c.id).limit(limit))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["overdue"] = (frame["status"] == "open") & (pd.to_datetime(frame["due_on"]) < pd.Timestamp(today or _today()))
    return frame[COLUMNS]


def overdue_count(store: Store, scope: Scope, region: str, today: dt.date | None = None) -> tuple[int, int]:
    """(open entries, overdue entries) under `region`: the wall's tile, aggregates only."""
    table = RiskLedgerEntry.__table__
    conditions = [*_conditions(store, scope, region), table.c.status == "open"]
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).where(*conditions)).scalar_one()
        late = conn.execute(select(func.count()).where(*conditions, table.c.due_on < (today or _today()))).scalar_one()
    return int(total), int(late)


def steps(store: Store, scope: Scope, entry_ids: list[int]) -> pd.DataFrame:
    """entry_id, at, action, actor, note of these entries (those in scope only), oldest first."""
    columns = ["entry_id", "at", "action", "actor", "note"]
    if not entry_ids:
        return pd.DataFrame(columns=columns)
    table, events = RiskLedgerEntry.__table__, RiskLedgerEvent.__table__
    query = (select(events.c.entry_id, events.c.at, events.c.action, events.c.actor, events.c.note)
             .select_from(events.join(table, table.c.id == events.c.entry_id))
             .where(events.c.entry_id.in_(entry_ids), scope_predicate(table, scope)).order_by(events.c.entry_id, events.c.id))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def officers(store: Store, scope: Scope, entry_id: int) -> pd.DataFrame:
    """badge_no and name of the active inspectors of the entry's county, city or province (empty outside scope)."""
    return officers_of.of_case(store, RiskLedgerEntry.__table__, entry_id, scope)
