"""Supervised entities by region: how many, their hygiene grades and risk levels, and as points."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select

from data import vocab
from data.models import Entity
from data.queries import regions
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

GRADE_COLUMNS = ("grade_a", "grade_b", "grade_c", "ungraded")
RISK_COLUMNS = (*(f"risk_{level}" for level in vocab.RISK_LEVELS), "risk_unassessed")
POINT_COLUMNS = ["id", "name", "specialty", "subtype", "grade", "risk_level", "lon", "lat", "county_adcode"]


def _counts_per_child(store: Store, filters: Filters, scope: Scope, column: str, values: tuple[str, ...],
                      names: tuple[str, ...]) -> pd.DataFrame:
    """adcode, name, entities and, per child region, how many entities have each of `values` in `column`
    (named by `names`, the last of which counts NULL): every child, zeros where none."""
    grouping = regions.child_grouping(store, filters, scope)
    columns = ["adcode", "name", "entities", *names]
    if grouping is None:
        return pd.DataFrame(columns=columns)
    table = Entity.__table__
    child, value = table.c[grouping.child_column], table.c[column]
    query = select(
        child.label("adcode"), func.count().label("entities"),
        *(func.sum(case((value == v, 1), else_=0)).label(n) for v, n in zip(values, names[:-1], strict=True)),
        func.sum(case((value.is_(None), 1), else_=0)).label(names[-1]),
    ).where(*grouping.conditions(table, filters, scope)).group_by(child)
    with store.engine.connect() as conn:
        counts = pd.DataFrame(conn.execute(query).all(), columns=["adcode", "entities", *names])
    frame = grouping.every_child(counts.set_index("adcode"), ["entities", *names])
    frame[["entities", *names]] = frame[["entities", *names]].astype(int)
    return frame[columns]


def counts_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, entities and entities per grade for each child region (the period does not apply:
    entities are counted as registered now)."""
    return _counts_per_child(store, filters, scope, "grade", vocab.GRADES, GRADE_COLUMNS)


by_child = cached_query(counts_by_child)


@cached_query
def grades_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """by_child plus graded (A + B + C) and share_c (C among the graded; NaN where none is graded)."""
    frame = counts_by_child(store, filters, scope)
    frame["graded"] = frame[["grade_a", "grade_b", "grade_c"]].sum(axis=1).astype(int)
    frame["share_c"] = frame["grade_c"] / frame["graded"].where(frame["graded"] > 0)
    return frame


@cached_query
def risk_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, entities, risk_<level> for each level, risk_unassessed, assessed, and share_high
    (high + very high among the assessed; NaN where none is assessed) per child region, as registered now."""
    frame = _counts_per_child(store, filters, scope, "risk_level", vocab.RISK_LEVELS, RISK_COLUMNS)
    frame["assessed"] = (frame["entities"] - frame["risk_unassessed"]).astype(int)
    high = frame["risk_high"] + frame["risk_very_high"]
    frame["share_high"] = high / frame["assessed"].where(frame["assessed"] > 0)
    return frame


@cached_query
def points(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """POINT_COLUMNS of the located entities of `filters.region` (of the specialty, when one is asked for)."""
    region = regions.get_region(store, filters.region, scope)
    if region.level not in regions.LEVEL_COLUMN:
        raise ValueError(f"entity points are listed per province, city or county, not per {region.level}")
    table = Entity.__table__
    conditions = [table.c[regions.LEVEL_COLUMN[region.level]] == filters.region, scope_predicate(table, scope),
                  table.c.lon.is_not(None), table.c.lat.is_not(None)]
    if filters.specialty:
        conditions.append(table.c.specialty == filters.specialty)
    with store.engine.connect() as conn:
        rows = conn.execute(select(*(table.c[c] for c in POINT_COLUMNS)).where(*conditions).order_by(table.c.id)).all()
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def risk_assessed(store: Store, scope: Scope) -> bool:
    """Whether any entity the viewer may see has a risk level: until a risk model (issue 8) writes them, none has.

    Cached like the queries (scope and data version in the key): every render asks it."""
    key = store.cache.make_key(f"{__name__}.risk_assessed", scope.key(), f"v{store.data_version()}")

    def compute() -> bool:
        table = Entity.__table__
        with store.engine.connect() as conn:
            found = conn.execute(select(table.c.id).where(table.c.risk_level.is_not(None), scope_predicate(table, scope))
                                 .limit(1)).first()
        return found is not None

    assessed, _, _ = store.cache.get_or_compute(key, compute)
    return assessed


PAGE_COLUMNS = ["id", "credit_code", "name", "specialty", "subtype", "address", "grade", "lon", "lat",
                "province_adcode", "city_adcode", "county_adcode"]


def page(store: Store, scope: Scope, region: str, *, specialty: str | None = None, offset: int = 0,
         limit: int | None = 100) -> tuple[int, pd.DataFrame]:
    """(how many entities `region` holds, PAGE_COLUMNS of `limit` of them from `offset`, by id): the API's
    paged list. Not cached: each page is a different key, and a client walking the pages reads each once."""
    region_row = regions.get_region(store, region, scope)
    if region_row.level not in regions.LEVEL_COLUMN:
        raise ValueError(f"entities are listed per province, city or county, not per {region_row.level}")
    table = Entity.__table__
    conditions = [table.c[regions.LEVEL_COLUMN[region_row.level]] == region, scope_predicate(table, scope)]
    if specialty:
        conditions.append(table.c.specialty == specialty)
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(table).where(*conditions)).scalar_one()
        rows = conn.execute(select(*(table.c[c] for c in PAGE_COLUMNS)).where(*conditions)
                            .order_by(table.c.id).offset(offset).limit(limit)).all()
    return int(total), pd.DataFrame(rows, columns=PAGE_COLUMNS)


CONTACT_COLUMNS = ["id", "legal_representative", "contact_phone"]


def contacts(store: Store, scope: Scope, entity_ids) -> pd.DataFrame:
    """The legal representative and phone of the given entities in scope, decrypted (data/personal.py). Not cached:
    personal data stays out of the query cache; only exports that name these columns in their audit entry ask."""
    table, ids = Entity.__table__, sorted({int(i) for i in entity_ids})
    rows = []
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 1000):
            rows += conn.execute(select(*(table.c[c] for c in CONTACT_COLUMNS))
                                 .where(table.c.id.in_(ids[start:start + 1000]), scope_predicate(table, scope))).all()
    return pd.DataFrame(rows, columns=CONTACT_COLUMNS)
