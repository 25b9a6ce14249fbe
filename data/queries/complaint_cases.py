"""Complaint cases for the handling inbox: the region's complaints with their step, due dates, overdue flag,
assignee and repeat link; their handling trail; one case; the officers it may be passed to.

Not cached, like the alert feed: an inbox is read to act on, and must show the step just taken.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data.complaints import workflow
from data.models import Complaint, ComplaintEvent, Entity, Inspector
from data.queries import officers as officers_of
from data.queries import regions
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.store import Store

COLUMNS = ["id", "received_at", "channel", "category", "entity_id", "entity", "address", "status", "assignee",
           "step_due_on", "due_on", "extended", "overdue", "repeat_of_id", "repeats", "county_adcode"]
TRAIL = ["complaint_id", "at", "action", "actor", "from_status", "to_status", "note"]


def feed(store: Store, scope: Scope, region: str, *, status: str = "unclosed", overdue_only: bool = False,
         limit: int = 200, today: dt.date | None = None) -> pd.DataFrame:
    """Complaints under `region` (checked against the scope), newest first.

    `status`: "unclosed", "all" or one status. `repeats` counts the complaints that repeat this one
    (directly); `overdue`: unclosed and past the case's or the current step's due date.
    """
    scope.check(region)
    today = today or workflow.china_day(dt.datetime.now(dt.UTC))
    table, ent, person = Complaint.__table__, Entity.__table__, Inspector.__table__
    level = regions.get_region(store, region, scope).level
    conditions = [scope_predicate(table, scope)]
    if level in regions.LEVEL_COLUMN:
        conditions.append(table.c[regions.LEVEL_COLUMN[level]] == region)
    if status == "unclosed":
        conditions.append(table.c.status.in_(workflow.UNCLOSED))
    elif status != "all":
        conditions.append(table.c.status == status)
    if overdue_only:
        conditions += [table.c.status.in_(workflow.UNCLOSED),
                       (table.c.due_on < today) | (table.c.step_due_on < today)]
    later = Complaint.__table__.alias("later")
    repeated = select(func.count()).select_from(later).where(later.c.repeat_of_id == table.c.id).scalar_subquery()
    query = (select(table.c.id, table.c.received_at, table.c.channel, table.c.category, table.c.entity_id,
                    ent.c.name.label("entity"), table.c.address, table.c.status, person.c.badge_no.label("assignee"),
                    table.c.step_due_on, table.c.due_on, table.c.extended, table.c.repeat_of_id,
                    repeated.label("repeats"), table.c.county_adcode)
             .select_from(table.outerjoin(ent, ent.c.id == table.c.entity_id)
                          .outerjoin(person, person.c.id == table.c.assignee_id))
             .where(*conditions).order_by(table.c.received_at.desc(), table.c.id.desc()).limit(limit))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    frame["overdue"] = workflow.overdue(frame["status"], frame["due_on"], frame["step_due_on"], today)
    return frame[COLUMNS]


def counts(store: Store, scope: Scope, region: str, today: dt.date | None = None) -> dict[str, int]:
    """unclosed, overdue and repeat (unclosed complaints that repeat an earlier one) under `region`: for KPIs."""
    scope.check(region)
    today = today or workflow.china_day(dt.datetime.now(dt.UTC))
    table = Complaint.__table__
    level = regions.get_region(store, region, scope).level
    conditions = [scope_predicate(table, scope), table.c.status.in_(workflow.UNCLOSED)]
    if level in regions.LEVEL_COLUMN:
        conditions.append(table.c[regions.LEVEL_COLUMN[level]] == region)
    late = (table.c.due_on < today) | (table.c.step_due_on < today)
    query = select(func.count(), func.count().filter(late), func.count(table.c.repeat_of_id)).where(*conditions)
    with store.engine.connect() as conn:
        unclosed, overdue, repeat = conn.execute(query).one()
    return {"unclosed": int(unclosed), "overdue": int(overdue), "repeat": int(repeat)}


def trail(store: Store, scope: Scope, complaint_ids: list[int]) -> pd.DataFrame:
    """The handling steps of these complaints (those in scope only), in order."""
    if not complaint_ids:
        return pd.DataFrame(columns=TRAIL)
    table, events = Complaint.__table__, ComplaintEvent.__table__
    query = (select(*(events.c[c] for c in TRAIL))
             .select_from(events.join(table, table.c.id == events.c.complaint_id))
             .where(events.c.complaint_id.in_(complaint_ids), scope_predicate(table, scope))
             .order_by(events.c.complaint_id, events.c.id))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all(), columns=TRAIL)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def one(store: Store, scope: Scope, complaint_id: int) -> dict | None:
    """One complaint with its entity name, if it is in scope."""
    table, ent = Complaint.__table__, Entity.__table__
    with store.engine.connect() as conn:
        row = conn.execute(select(table, ent.c.name.label("entity")).select_from(
            table.outerjoin(ent, ent.c.id == table.c.entity_id)).where(
            table.c.id == complaint_id, scope_predicate(table, scope))).mappings().first()
    return dict(row) if row is not None else None


def officers(store: Store, scope: Scope, complaint_id: int) -> pd.DataFrame:
    """badge_no and name of the active officers the complaint may be passed to."""
    return officers_of.of_case(store, Complaint.__table__, complaint_id, scope)
