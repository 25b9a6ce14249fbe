"""What the five dimensions read about the medical institutions in a scope, as plain frames (each `on` a date).

Scope is applied in every statement (scope_predicate), so a run for one county reads nothing of its
neighbours. Only records dated before `until` are read: a run for past months reads what was known then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data import models, self_inspection
from data.models import (Alert, Complaint, Device, Entity, EntityGrade, Inspection, Penalty, Prescription,
                         PrescriptionHit, SelfInspection)
from data.queries.base import scope_predicate
from data.queries.filters import Scope

REGION_COLUMNS = list(models.REGION_COLUMNS)


@dataclass(frozen=True)
class Records:
    """entities: entity_id, licence_expiry, region codes · inspections: entity_id, on, non_compliant · penalties:
    entity_id, on · complaints: entity_id, on, substantiated · alerts: entity_id, on, rule, scene (of the device;
    None for a prescription case) · rx_hits: entity_id, on (the prescription's day) · grades: entity_id, on, grade ·
    self_inspections: data/self_inspection.RECORD_COLUMNS."""

    entities: pd.DataFrame
    inspections: pd.DataFrame
    penalties: pd.DataFrame
    complaints: pd.DataFrame
    alerts: pd.DataFrame
    rx_hits: pd.DataFrame
    grades: pd.DataFrame
    self_inspections: pd.DataFrame


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


def load(conn: Connection, scope: Scope, until: dt.date) -> Records:
    """The records of the medical institutions in scope dated before `until`."""
    ent = Entity.__table__
    medical = (ent.c.specialty == "medical", scope_predicate(ent, scope))
    chosen = select(ent.c.id).where(*medical)
    ins, pen, com, ale, dev, gra = (Inspection.__table__, Penalty.__table__, Complaint.__table__, Alert.__table__,
                                    Device.__table__, EntityGrade.__table__)
    rx, hit = Prescription.__table__, PrescriptionHit.__table__
    raised = func.date(ale.c.raised_at)
    received = func.date(com.c.received_at)
    midnight = dt.datetime.combine(until, dt.time(), tzinfo=dt.UTC)  # the dates above are UTC dates
    return Records(
        entities=_frame(conn, select(ent.c.id, ent.c.licence_expiry, *(ent.c[c] for c in REGION_COLUMNS))
                        .where(*medical).order_by(ent.c.id), ["entity_id", "licence_expiry", *REGION_COLUMNS]),
        inspections=_frame(conn, select(ins.c.entity_id, ins.c.inspected_on, ins.c.result == "non_compliant")
                           .where(ins.c.entity_id.in_(chosen), scope_predicate(ins, scope), ins.c.inspected_on < until),
                           ["entity_id", "on", "non_compliant"]).astype({"non_compliant": bool}),
        penalties=_frame(conn, select(pen.c.entity_id, pen.c.decided_on)
                         .where(pen.c.entity_id.in_(chosen), scope_predicate(pen, scope), pen.c.decided_on < until),
                         ["entity_id", "on"]),
        complaints=_frame(conn, select(com.c.entity_id, received, com.c.substantiated)
                          .where(com.c.entity_id.in_(chosen), scope_predicate(com, scope), com.c.received_at < midnight),
                          ["entity_id", "on", "substantiated"]),
        alerts=_frame(conn, select(ale.c.entity_id, raised, ale.c.rule, dev.c.scene)
                      .select_from(ale.outerjoin(dev, dev.c.id == ale.c.device_id))
                      .where(ale.c.entity_id.in_(chosen), scope_predicate(ale, scope), ale.c.raised_at < midnight),
                      ["entity_id", "on", "rule", "scene"]),
        rx_hits=_frame(conn, select(rx.c.entity_id, rx.c.issued_on)
                       .select_from(hit.join(rx, rx.c.id == hit.c.prescription_id))
                       .where(rx.c.entity_id.in_(chosen), rx.c.issued_on < until), ["entity_id", "on"]),
        grades=_frame(conn, select(gra.c.entity_id, gra.c.graded_on, gra.c.grade)
                      .where(gra.c.entity_id.in_(chosen), gra.c.graded_on < until), ["entity_id", "on", "grade"]),
        self_inspections=_frame(conn, select(*(SelfInspection.__table__.c[c] for c in self_inspection.RECORD_COLUMNS))
                                .where(SelfInspection.entity_id.in_(chosen)), self_inspection.RECORD_COLUMNS),
    )
