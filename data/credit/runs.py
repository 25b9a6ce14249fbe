"""An assessment run: grade every entity in scope from its records before `as_of`, and store the history rows.

One transaction (the caller's): the assessments and the audit entry commit together or not at all; the
caller bumps the data version. The entity's current grade is its latest assessment (nothing on `entity` is
overwritten), so the history is the table itself. Scope is applied in every statement that reads records
(data/risk/history.load): a county's run reads and writes nothing of its neighbours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Connection

from data import audit
from data.bulk import insert_frame, next_id
from data.credit import criteria as credit_criteria
from data.credit import grading, indicators
from data.models import CreditAssessment
from data.queries.filters import Scope
from data.risk import history
from data.risk.scoring import china_today


@dataclass(frozen=True)
class RunReport:
    assessed: int
    grades: dict[str, int]  # every grade of the criteria, best first, with its count
    criteria_version: int


def assessments_for(conn: Connection, scope: Scope, as_of: dt.date, criteria: credit_criteria.Criteria) -> pd.DataFrame:
    """score, grade, breakdown per entity in scope (index entity_id) and its region codes, from records before `as_of`."""
    found = history.load(conn, scope)
    graded = grading.assess(indicators.compute(found, as_of, criteria.deductions), criteria)
    return graded.join(found.entities.set_index("entity_id")[list(history.REGION_COLUMNS)])


def assess(conn: Connection, scope: Scope, *, actor: str, now: dt.datetime, as_of: dt.date | None = None) -> RunReport:
    """Assess the entities in scope as of `as_of` (default: today, China time) and store the result."""
    as_of = as_of or china_today(now)
    criteria = credit_criteria.current(conn)
    graded = assessments_for(conn, scope, as_of, criteria)
    first_id = next_id(conn, CreditAssessment.__table__)
    rows = graded.reset_index().assign(assessed_at=now, as_of=as_of, criteria_version=criteria.version)
    rows.insert(0, "id", range(first_id, first_id + len(rows)))
    insert_frame(conn, CreditAssessment.__table__, rows)
    counts = {grade: int((rows["grade"] == grade).sum()) for grade, _ in criteria.grades}
    audit.append(conn, actor=actor, action="credit_assess", target=",".join(sorted(scope.roots)),
                 detail={"as_of": as_of.isoformat(), "assessed": len(rows), "grades": counts,
                         "criteria_version": criteria.version}, now=now)
    return RunReport(assessed=len(rows), grades=counts, criteria_version=criteria.version)
