"""Credit grades as pages read them: an entity's assessments (its history; the latest is its current grade)."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import select

from data.models import CreditAssessment
from data.queries import entity_file
from data.queries.base import cached_record, scope_predicate
from data.queries.filters import Scope
from data.store import Store

COLUMNS = ["assessed_at", "as_of", "score", "grade", "breakdown", "criteria_version"]


def assessments(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """COLUMNS of every credit assessment of the entity, oldest first; breakdown as {indicator: points deducted}.

    The entity is checked against the scope (OutOfScope otherwise), and the rows are read under it again."""
    entity_id = entity_file.profile(store, entity_id, scope)["id"]
    table = CreditAssessment.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(*(table.c[c] for c in COLUMNS))
                                .where(table.c.entity_id == entity_id, scope_predicate(table, scope))
                                .order_by(table.c.assessed_at, table.c.id)).all()
        frame = pd.DataFrame(rows, columns=COLUMNS)
        frame["assessed_at"] = pd.to_datetime(frame["assessed_at"], utc=True)
        frame["breakdown"] = [json.loads(b) for b in frame["breakdown"]]
        return frame

    return cached_record(store, f"{__name__}.assessments", f"entity={entity_id}", scope, compute).copy()
