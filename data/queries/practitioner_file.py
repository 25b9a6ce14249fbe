"""One practitioner's file (一人一档): identity, rights, registrations, and the alerts about them.

A practitioner has no region of their own: a viewer sees one only through a registration at an institution
in the viewer's scope (any registration, current or past). An unknown id and one registered only
elsewhere raise the same OutOfScope, with no name in it. Registrations and alerts are filtered by the
scope again in their SQL, so a doctor who also practises in a neighbouring county shows only what is
here. Answers are cached under query name + practitioner + scope + data version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import exists, select

from data import vocab
from data.models import Alert, Entity, Practitioner, PractitionerRegistration
from data.queries.base import cached_record, scope_predicate
from data.queries.entity_file import profile as entity_profile
from data.queries.filters import OutOfScope, Scope
from data.store import Store

PROFILE_COLUMNS = ("id", "licence_no", "name", "kind", "category", "scope", "title", "rx_ordinary", "rx_narcotic",
                   "id_number", "phone")
PERSONAL_COLUMNS = ("id_number", "phone")  # masked on screen unless the role needs them (dashboard/masking.py)
REGISTRATION_COLUMNS = ["entity_id", "institution", "main", "valid_from", "valid_to", "county_adcode"]
ALERT_COLUMNS = ["id", "raised_at", "rule", "status", "occurrences", "message", "entity_id", "institution"]
PRACTITIONER_RULES = (*vocab.RX_RULES, "absent_chief")  # the alert rules that name a practitioner
STAFF_COLUMNS = ["id", "name", "kind", "category", "title", "main", "valid_from", "valid_to"]


def _cached(store: Store, name: str, practitioner_id: int, scope: Scope, compute: Callable[[], Any]) -> Any:
    return cached_record(store, f"{__name__}.{name}", f"practitioner={practitioner_id}", scope, compute)


def _practitioner_id(value) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12:
        raise OutOfScope("no such practitioner in your region")
    return int(text)


def profile(store: Store, practitioner_id, scope: Scope) -> dict:
    """Identity, category, scope, title and rights of a practitioner registered somewhere in `scope`."""
    practitioner_id = _practitioner_id(practitioner_id)
    staff, regs, ents = Practitioner.__table__, PractitionerRegistration.__table__, Entity.__table__
    here = exists().where(regs.c.practitioner_id == staff.c.id, regs.c.entity_id == ents.c.id,
                          scope_predicate(ents, scope))

    def compute() -> dict | None:
        with store.engine.connect() as conn:
            row = conn.execute(select(*(staff.c[c] for c in PROFILE_COLUMNS)).where(
                staff.c.id == practitioner_id, here)).mappings().first()
        return dict(row) if row is not None else None

    found = _cached(store, "profile", practitioner_id, scope, compute)
    if found is None:
        raise OutOfScope("no such practitioner in your region")  # the same answer for unknown and elsewhere
    return found


def registrations(store: Store, practitioner_id, scope: Scope) -> pd.DataFrame:
    """The practitioner's registrations at institutions in scope, main first, newest first."""
    practitioner_id = profile(store, practitioner_id, scope)["id"]
    regs, ents = PractitionerRegistration.__table__, Entity.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(regs.c.entity_id, ents.c.name, regs.c.main, regs.c.valid_from, regs.c.valid_to,
                                       ents.c.county_adcode)
                                .select_from(regs.join(ents, ents.c.id == regs.c.entity_id))
                                .where(regs.c.practitioner_id == practitioner_id, scope_predicate(ents, scope))
                                .order_by(regs.c.main.desc(), regs.c.valid_from.desc(), regs.c.id)).all()
        return pd.DataFrame(rows, columns=REGISTRATION_COLUMNS)

    return _cached(store, "registrations", practitioner_id, scope, compute).copy()


def alerts(store: Store, practitioner_id, scope: Scope) -> pd.DataFrame:
    """The alerts about the practitioner, in scope, newest first: prescription checks and 防挂证 absences (the
    chief physician's check-ins, joined by licence number: data/monitoring/duty.py)."""
    practitioner_id = profile(store, practitioner_id, scope)["id"]
    table, ents = Alert.__table__, Entity.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.raised_at, table.c.rule, table.c.status, table.c.occurrences,
                                       table.c.message, table.c.entity_id, ents.c.name)
                                .select_from(table.outerjoin(ents, ents.c.id == table.c.entity_id))
                                .where(table.c.practitioner_id == practitioner_id, table.c.rule.in_(PRACTITIONER_RULES),
                                       scope_predicate(table, scope))
                                .order_by(table.c.raised_at.desc(), table.c.id.desc())).all()
        frame = pd.DataFrame(rows, columns=ALERT_COLUMNS)
        frame["raised_at"] = pd.to_datetime(frame["raised_at"], utc=True)
        return frame

    return _cached(store, "alerts", practitioner_id, scope, compute).copy()


def at_entity(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """The practitioners registered at an entity in scope (for its file), current ones first."""
    entity_id = entity_profile(store, entity_id, scope)["id"]
    staff, regs = Practitioner.__table__, PractitionerRegistration.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(staff.c.id, staff.c.name, staff.c.kind, staff.c.category, staff.c.title,
                                       regs.c.main, regs.c.valid_from, regs.c.valid_to)
                                .select_from(regs.join(staff, staff.c.id == regs.c.practitioner_id))
                                .where(regs.c.entity_id == entity_id)
                                .order_by(regs.c.valid_to.is_not(None), staff.c.kind, staff.c.id)).all()
        return pd.DataFrame(rows, columns=STAFF_COLUMNS)

    return cached_record(store, f"{__name__}.at_entity", f"entity={entity_id}", scope, compute).copy()
