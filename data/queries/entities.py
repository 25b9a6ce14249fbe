"""Supervised entities by region: how many, and their hygiene grades."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data.models import Entity
from data.queries import regions
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

GRADE_COLUMNS = ("grade_a", "grade_b", "grade_c", "ungraded")


def counts_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, entities and entities per grade for each child region (the period does not apply:
    entities are counted as registered now)."""
    kids = regions.children(store, filters.region, scope)
    columns = ["adcode", "name", "entities", *GRADE_COLUMNS]
    if kids.empty:
        return pd.DataFrame(columns=columns)
    table = Entity.__table__
    parent_level = regions.get_region(store, filters.region, scope).level
    child = table.c[regions.LEVEL_COLUMN[kids["level"].iloc[0]]]
    conditions = [scope_predicate(table, scope)]
    if parent_level in regions.LEVEL_COLUMN:
        conditions.append(table.c[regions.LEVEL_COLUMN[parent_level]] == filters.region)
    if filters.specialty:
        conditions.append(table.c.specialty == filters.specialty)
    grade = table.c.grade
    query = select(
        child.label("adcode"), func.count().label("entities"),
        *(func.sum(case((grade == g, 1), else_=0)).label(f"grade_{g.lower()}") for g in ("A", "B", "C")),
        func.sum(case((grade.is_(None), 1), else_=0)).label("ungraded"),
    ).where(*conditions).group_by(child)
    with store.engine.connect() as conn:
        counts = pd.DataFrame(conn.execute(query).all(), columns=["adcode", "entities", *GRADE_COLUMNS])
    frame = kids[["adcode", "name"]].merge(counts, on="adcode", how="left")
    frame[["entities", *GRADE_COLUMNS]] = frame[["entities", *GRADE_COLUMNS]].fillna(0).astype(int)
    return frame[columns]


by_child = cached_query(counts_by_child)
