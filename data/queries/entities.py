"""Supervised entities by region: how many, and their hygiene grades."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data.models import Entity
from data.queries import regions
from data.queries.base import cached_query
from data.queries.filters import Filters, Scope
from data.store import Store

GRADE_COLUMNS = ("grade_a", "grade_b", "grade_c", "ungraded")


def counts_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, entities and entities per grade for each child region (the period does not apply:
    entities are counted as registered now)."""
    grouping = regions.child_grouping(store, filters, scope)
    columns = ["adcode", "name", "entities", *GRADE_COLUMNS]
    if grouping is None:
        return pd.DataFrame(columns=columns)
    table = Entity.__table__
    child = table.c[grouping.child_column]
    grade = table.c.grade
    query = select(
        child.label("adcode"), func.count().label("entities"),
        *(func.sum(case((grade == g, 1), else_=0)).label(f"grade_{g.lower()}") for g in ("A", "B", "C")),
        func.sum(case((grade.is_(None), 1), else_=0)).label("ungraded"),
    ).where(*grouping.conditions(table, filters, scope)).group_by(child)
    with store.engine.connect() as conn:
        counts = pd.DataFrame(conn.execute(query).all(), columns=["adcode", "entities", *GRADE_COLUMNS])
    frame = grouping.every_child(counts.set_index("adcode"), ["entities", *GRADE_COLUMNS])
    frame[["entities", *GRADE_COLUMNS]] = frame[["entities", *GRADE_COLUMNS]].astype(int)
    return frame[columns]


by_child = cached_query(counts_by_child)
