"""One entity's file (一户一档): its identity, grade history, and one timeline of everything recorded about it.

The entity must be in the viewer's scope: an unknown id and an id outside the scope raise the same
OutOfScope, with no name in it, so the answer tells nothing about entities elsewhere. The record
queries apply the scope again in their SQL (a complaint filed in a neighbouring county stays there).
Answers are cached under query name + entity + scope + data version, like every other query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import literal, null, select

from data.models import Alert, Complaint, Device, Entity, EntityGrade, Inspection, Penalty
from data.personal import PERSONAL_COLUMNS, reveal, sealed
from data.queries.base import cached_record, scope_predicate
from data.queries.filters import OutOfScope, Scope
from data.store import Store

PROFILE_COLUMNS = ("id", "name", "credit_code", "specialty", "subtype", "address", "lon", "lat", "licence_no",
                   "licence_expiry", "grade", "legal_representative", "contact_phone", "province_adcode",
                   "city_adcode", "county_adcode")
TIMELINE_COLUMNS = ["at", "whole_day", "event", "kind", "outcome", "amount", "reference", "detail"]
EVENTS = ("inspection", "penalty", "complaint", "alert")
CHINA = "Asia/Shanghai"


def _cached(store: Store, name: str, entity_id: int, scope: Scope, compute: Callable[[], Any]) -> Any:
    return cached_record(store, f"{__name__}.{name}", f"entity={entity_id}", scope, compute)


def _entity_id(value) -> int:
    """An id from a URL or a callback: anything that is not a plain positive number is refused like an unknown id."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise OutOfScope("no such entity in your region")
    return int(text)


def profile(store: Store, entity_id, scope: Scope) -> dict:
    """Identity, licence, current grade, legal representative and region codes of one entity in scope."""
    entity_id = _entity_id(entity_id)
    table = Entity.__table__

    def compute() -> dict | None:
        with store.engine.connect() as conn:
            row = conn.execute(select(*(sealed(table, c) if c in PERSONAL_COLUMNS["entity"] else table.c[c]
                                        for c in PROFILE_COLUMNS)).where(
                table.c.id == entity_id, scope_predicate(table, scope))).mappings().first()
        return dict(row) if row is not None else None

    # Cached as stored (personal columns encrypted), decrypted for this request only: the cache holds no plaintext.
    found = reveal(_cached(store, "profile", entity_id, scope, compute), "entity")
    code = found and (found["county_adcode"] or found["city_adcode"] or found["province_adcode"])
    if found is None or not code or not scope.allows(code):
        raise OutOfScope("no such entity in your region")  # the same answer for unknown and elsewhere
    return found


def grades(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """graded_on, grade, score, grader of every hygiene grading of the entity, oldest first."""
    entity_id = profile(store, entity_id, scope)["id"]
    table = EntityGrade.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(table.c.graded_on, table.c.grade, table.c.score, table.c.grader)
                                .where(table.c.entity_id == entity_id).order_by(table.c.graded_on, table.c.id)).all()
        frame = pd.DataFrame(rows, columns=["graded_on", "grade", "score", "grader"])
        frame["graded_on"] = pd.to_datetime(frame["graded_on"]).dt.date
        return frame

    return _cached(store, "grades", entity_id, scope, compute).copy()


def timeline(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """Inspections, penalties, complaints and alerts of the entity, newest first, in one frame.

    at: UTC instant (a day's record at 00:00 China time, with whole_day set); event: one of EVENTS;
    kind: the inspection kind, penalty kind, complaint channel or alert rule; outcome: the inspection
    result or the case's status; amount: a fine's amount; reference: the case number or the device;
    detail: the findings, the complaint's category (not its free text) or the alert's indicator.
    """
    entity_id = profile(store, entity_id, scope)["id"]

    def compute() -> pd.DataFrame:
        ins, pen, com, ale = Inspection.__table__, Penalty.__table__, Complaint.__table__, Alert.__table__
        queries = {
            "inspection": select(ins.c.inspected_on.label("at"), ins.c.kind, ins.c.result.label("outcome"),
                                 null().label("amount"), null().label("reference"), ins.c.findings.label("detail"))
            .where(ins.c.entity_id == entity_id, scope_predicate(ins, scope)),
            "penalty": select(pen.c.decided_on.label("at"), pen.c.kind, pen.c.status.label("outcome"), pen.c.amount,
                              pen.c.case_no.label("reference"), null().label("detail"))
            .where(pen.c.entity_id == entity_id, scope_predicate(pen, scope)),
            "complaint": select(com.c.received_at.label("at"), com.c.channel.label("kind"), com.c.status.label("outcome"),
                                null().label("amount"), null().label("reference"), com.c.category.label("detail"))
            .where(com.c.entity_id == entity_id, scope_predicate(com, scope)),
            "alert": select(ale.c.raised_at.label("at"), ale.c.rule.label("kind"), ale.c.status.label("outcome"),
                            null().label("amount"), ale.c.device_id.label("reference"), ale.c.indicator.label("detail"))
            .where(ale.c.entity_id == entity_id, scope_predicate(ale, scope)),
        }
        parts = []
        with store.engine.connect() as conn:
            for event, query in queries.items():
                frame = pd.DataFrame(conn.execute(query.add_columns(literal(event).label("event"))).all(),
                                     columns=["at", "kind", "outcome", "amount", "reference", "detail", "event"])
                whole_day = event in ("inspection", "penalty")
                if whole_day:
                    frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize(CHINA).dt.tz_convert("UTC")
                else:
                    frame["at"] = pd.to_datetime(frame["at"], utc=True)
                frame["whole_day"] = whole_day
                parts.append(frame)
        frame = pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)
        frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
        frame["detail"] = frame["detail"].where(frame["detail"].astype(bool), None)  # an alert without indicator
        return frame.sort_values("at", ascending=False, kind="stable", ignore_index=True)[TIMELINE_COLUMNS]

    return _cached(store, "timeline", entity_id, scope, compute).copy()


def devices(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """id, scene, last_seen_at of the entity's monitoring devices in scope."""
    entity_id = profile(store, entity_id, scope)["id"]
    table = Device.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.scene, table.c.last_seen_at).where(
                table.c.entity_id == entity_id, scope_predicate(table, scope)).order_by(table.c.id)).all()
        frame = pd.DataFrame(rows, columns=["id", "scene", "last_seen_at"])
        frame["last_seen_at"] = pd.to_datetime(frame["last_seen_at"], utc=True)
        return frame

    return _cached(store, "devices", entity_id, scope, compute).copy()


def licence_state(expiry: dt.date | None, today: dt.date, warn_days: int = 90) -> str:
    """'expired', 'expiring' (within warn_days), 'valid', or 'none' when no expiry is recorded."""
    if expiry is None:
        return "none"
    if expiry < today:
        return "expired"
    return "expiring" if (expiry - today).days <= warn_days else "valid"
