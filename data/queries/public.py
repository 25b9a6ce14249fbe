"""What the public page of a venue shows, looked up by its QR token: no scope, so only public facts.

This is the one query without a viewer's scope: anyone holding the printed code may read it. It
therefore returns a fixed, short list of columns (name, address, specialty, grade, the current credit
grade and the day it was assessed, the latest inspection) and never the legal representative, the phone,
the credit code or the credit grade's breakdown. Not cached: a revoked token must stop working at once,
and revoking does not bump the data version (it changes no record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from data import db, public_tokens
from data.models import CreditAssessment, Entity, EntityGrade, Inspection
from data.store import Store


@dataclass(frozen=True)
class PublicCard:
    name: str
    address: str | None
    specialty: str
    subtype: str
    grade: str | None
    graded_on: dt.date | None
    last_inspected_on: dt.date | None
    last_result: str | None
    credit_grade: str | None
    credit_assessed_at: dt.datetime | None  # UTC


def card(store: Store, token: str) -> PublicCard | None:
    """The venue's public facts, or None for a malformed, unknown or revoked token."""
    ent, grade, ins, credit = Entity.__table__, EntityGrade.__table__, Inspection.__table__, CreditAssessment.__table__
    with store.engine.connect() as conn:
        entity_id = public_tokens.entity_of(conn, token)
        if entity_id is None:
            return None
        row = conn.execute(select(ent.c.name, ent.c.address, ent.c.specialty, ent.c.subtype, ent.c.grade)
                           .where(ent.c.id == entity_id)).one()
        graded_on = conn.execute(select(grade.c.graded_on).where(grade.c.entity_id == entity_id)
                                 .order_by(grade.c.graded_on.desc()).limit(1)).scalar() if row.grade else None
        last = conn.execute(select(ins.c.inspected_on, ins.c.result).where(ins.c.entity_id == entity_id)
                            .order_by(ins.c.inspected_on.desc(), ins.c.id.desc()).limit(1)).first()
        assessed = conn.execute(select(credit.c.grade, credit.c.assessed_at).where(credit.c.entity_id == entity_id)
                                .order_by(credit.c.assessed_at.desc(), credit.c.id.desc()).limit(1)).first()
    return PublicCard(row.name, row.address, row.specialty, row.subtype, row.grade, graded_on,
                      last.inspected_on if last else None, last.result if last else None,
                      assessed.grade if assessed else None, db.as_utc(assessed.assessed_at) if assessed else None)
