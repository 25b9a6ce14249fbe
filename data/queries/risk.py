"""Risk scores as pages read them: an entity's latest score with its factors, and the back-test figures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from data.models import RiskScore
from data.queries import entity_file
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.risk import backtest, history, params
from data.store import Store


def latest(store: Store, entity_id, scope: Scope) -> dict | None:
    """score, level, factors ({feature: points}, largest first), as_of, scored_at, model_version of the entity's
    latest score; None when it was never scored. The entity is checked against the scope (OutOfScope otherwise)."""
    entity_id = entity_file.profile(store, entity_id, scope)["id"]
    table = RiskScore.__table__
    key = store.cache.make_key(f"{__name__}.latest", f"entity={entity_id}", scope.key(), f"v{store.data_version()}")

    def compute() -> dict | None:
        with store.engine.connect() as conn:
            row = conn.execute(select(table.c.score, table.c.level, table.c.factors, table.c.as_of, table.c.scored_at,
                                      table.c.model_version)
                               .where(table.c.entity_id == entity_id, scope_predicate(table, scope))
                               .order_by(table.c.scored_at.desc(), table.c.id.desc()).limit(1)).mappings().first()
        return None if row is None else {**row, "factors": json.loads(row["factors"])}

    return store.cache.get_or_compute(key, compute)[0]


def backtest_table(store: Store, scope: Scope, source: str, datasets: Path | None = None) -> pd.DataFrame:
    """backtest.COLUMNS per quarter for the database's entities in scope (`database`) or the NYC file (`nyc`).

    Cached under source + scope + data version: a back-test reads every inspection."""
    key = store.cache.make_key(f"{__name__}.backtest", source, scope.key(), f"v{store.data_version()}")

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            model = params.current(conn)
            if source == "nyc":
                if datasets is None or not (datasets / backtest.NYC_FILE).exists():
                    return pd.DataFrame(columns=backtest.COLUMNS)
                case = backtest.nyc_case(datasets / backtest.NYC_FILE)
            else:
                case = backtest.database_case(history.load(conn, scope))
        return backtest.run(case, model)

    return store.cache.get_or_compute(key, compute)[0].copy()
