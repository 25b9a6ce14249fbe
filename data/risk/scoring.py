"""A scoring run: score every entity in scope, store the history row, set entity.risk_level, fill the ledger.

One transaction (the caller's): scores, levels, new ledger entries and the audit entry commit together
or not at all. `weijian risk score` and the demo build call `recompute`; like every writer of a
transaction, the caller bumps the data version once for all of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.bulk import insert_frame, next_id
from data.models import Entity, RiskScore
from data.queries.filters import Scope
from data.risk import features, history, ledger, params, score

CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class RunReport:
    scored: int
    levels: dict[str, int]
    entered: int  # new ledger entries
    model_version: int


def china_today(now: dt.datetime) -> dt.date:
    return now.astimezone(CHINA).date()


def scores_for(conn: Connection, scope: Scope, as_of: dt.date, model: params.Model) -> pd.DataFrame:
    """score, level, factors per entity in scope (index entity_id) and the region codes, from records before `as_of`."""
    found = history.load(conn, scope)
    scored = score.score(features.compute(found, as_of, model.features), model)
    return scored.join(found.entities.set_index("entity_id")[list(history.REGION_COLUMNS)])


def recompute(conn: Connection, scope: Scope, *, actor: str, now: dt.datetime, as_of: dt.date | None = None) -> RunReport:
    """Score the entities in scope as of `as_of` (default: today, China time), store and apply the result."""
    as_of = as_of or china_today(now)
    model = params.current(conn)
    scored = scores_for(conn, scope, as_of, model)
    first_id = next_id(conn, RiskScore.__table__)
    rows = scored.reset_index().assign(scored_at=now, as_of=as_of, model_version=model.version)
    rows.insert(0, "id", range(first_id, first_id + len(rows)))
    insert_frame(conn, RiskScore.__table__, rows)
    table = Entity.__table__
    statement = update(table).where(table.c.id == bindparam("entity")).values(risk_level=bindparam("level"))
    if len(rows):
        conn.execute(statement, [{"entity": int(e), "level": lv} for e, lv in zip(rows["entity_id"], rows["level"])])
    entered = ledger.enter_high_risk(conn, rows, actor=actor, now=now, due_days=model.due_days)
    counts = {level: int((rows["level"] == level).sum()) for level in vocab.RISK_LEVELS}
    audit.append(conn, actor=actor, action="risk_score", target=",".join(sorted(scope.roots)),
                 detail={"as_of": as_of.isoformat(), "scored": len(rows), "levels": counts, "entered": entered,
                         "model_version": model.version}, now=now)
    return RunReport(scored=len(rows), levels=counts, entered=entered, model_version=model.version)
