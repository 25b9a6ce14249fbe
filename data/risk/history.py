"""Read the risk model's History (data/risk/features.py) of the entities in a region and scope from the database.

Scope is applied in every SQL statement (scope_predicate), so a scoring run for one county reads
and writes nothing of its neighbours.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data import models, self_inspection
from data.models import Alert, Complaint, Entity, EntityGrade, Inspection, Penalty, SelfInspection
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.risk.features import History

def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(query).all(), columns=columns)


REGION_COLUMNS = models.REGION_COLUMNS


def entities(conn: Connection, scope: Scope) -> pd.DataFrame:
    """entity_id, specialty and region codes of the entities in scope (a scoring run's scope is its region)."""
    ent = Entity.__table__
    return _frame(conn, select(ent.c.id, ent.c.specialty, *(ent.c[c] for c in REGION_COLUMNS))
                  .where(scope_predicate(ent, scope)).order_by(ent.c.id), ["entity_id", "specialty", *REGION_COLUMNS])


def load(conn: Connection, scope: Scope) -> History:
    """Everything the features read, for the entities in scope."""
    ents = entities(conn, scope)
    ent = Entity.__table__
    chosen = select(ent.c.id).where(scope_predicate(ent, scope))
    ins, pen, com, ale, gra = (Inspection.__table__, Penalty.__table__, Complaint.__table__, Alert.__table__,
                               EntityGrade.__table__)
    return History(
        entities=ents,
        inspections=_frame(conn, select(ins.c.entity_id, ins.c.inspected_on, ins.c.result == "non_compliant")
                           .where(ins.c.entity_id.in_(chosen), scope_predicate(ins, scope)),
                           ["entity_id", "on", "non_compliant"]).astype({"non_compliant": bool}),
        penalties=_frame(conn, select(pen.c.entity_id, pen.c.decided_on, pen.c.amount, pen.c.kind)
                         .where(pen.c.entity_id.in_(chosen), scope_predicate(pen, scope)),
                         ["entity_id", "on", "amount", "kind"]),
        complaints=_frame(conn, select(com.c.entity_id, func.date(com.c.received_at), com.c.substantiated,
                                       com.c.repeat_of_id.is_not(None))
                          .where(com.c.entity_id.in_(chosen), scope_predicate(com, scope)),
                          ["entity_id", "on", "substantiated", "repeat"]).astype({"repeat": bool}),
        alerts=_frame(conn, select(ale.c.entity_id, func.date(ale.c.raised_at))
                      .where(ale.c.entity_id.in_(chosen), scope_predicate(ale, scope)), ["entity_id", "on"]),
        grades=_frame(conn, select(gra.c.entity_id, gra.c.graded_on, gra.c.grade).where(gra.c.entity_id.in_(chosen)),
                      ["entity_id", "on", "grade"]),
        self_inspections=_frame(conn, select(*(SelfInspection.__table__.c[c] for c in self_inspection.RECORD_COLUMNS))
                                .where(SelfInspection.entity_id.in_(chosen)), self_inspection.RECORD_COLUMNS),
    )
