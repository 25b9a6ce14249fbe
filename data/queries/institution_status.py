"""The medical institutions' five-dimension status as pages read it: one institution's history, the ranking,
the counts per child region and the points of the map layer.

Every statement applies the viewer's scope; answers are cached under name + parameters + scope + data version.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import case, func, select

from data import vocab
from data.models import Entity, InstitutionStatus
from data.queries import entity_file, regions
from data.queries.base import cached_query, cached_record, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

DIMENSIONS = vocab.INSTITUTION_DIMENSIONS
HISTORY_COLUMNS = ["as_of", *DIMENSIONS, "status", "indicators"]
RANKING_COLUMNS = ["entity_id", "name", "subtype", "county_adcode", *DIMENSIONS, "weakest", "status"]
STATUS_COLUMNS = (*(f"status_{s}" for s in vocab.INSTITUTION_STATUSES), "status_unassessed")
POINT_COLUMNS = ["id", "name", "specialty", "subtype", "institution_status", "lon", "lat", "county_adcode"]
WORST = ("attention", "warning")


def history(store: Store, entity_id, scope: Scope) -> pd.DataFrame:
    """HISTORY_COLUMNS of the institution, oldest first (`indicators` parsed: {indicator: [value, points]})."""
    entity_id = entity_file.profile(store, entity_id, scope)["id"]
    table = InstitutionStatus.__table__

    def compute() -> pd.DataFrame:
        with store.engine.connect() as conn:
            rows = conn.execute(select(*(table.c[c] for c in HISTORY_COLUMNS))
                                .where(table.c.entity_id == entity_id, scope_predicate(table, scope))
                                .order_by(table.c.as_of)).all()
        frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
        frame["indicators"] = frame["indicators"].map(json.loads)
        return frame

    return cached_record(store, f"{__name__}.history", f"entity={entity_id}", scope, compute).copy()


def latest_day(store: Store, scope: Scope):
    """The latest day assessed in scope (None: never)."""
    table = InstitutionStatus.__table__
    key = store.cache.make_key(f"{__name__}.latest_day", scope.key(), f"v{store.data_version()}")

    def compute():
        with store.engine.connect() as conn:
            return conn.execute(select(func.max(table.c.as_of)).where(scope_predicate(table, scope))).scalar()

    return store.cache.get_or_compute(key, compute)[0]


def ranking(store: Store, scope: Scope, status: str | None = None, limit: int = 200) -> pd.DataFrame:
    """RANKING_COLUMNS of the institutions on the latest day assessed in scope, the weakest first (the lowest
    dimension, then the lowest sum); only those of `status` when given."""
    if status is not None and status not in vocab.INSTITUTION_STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(vocab.INSTITUTION_STATUSES)}")
    day = latest_day(store, scope)
    key = store.cache.make_key(f"{__name__}.ranking", f"day={day}|status={status or '*'}|limit={limit}", scope.key(),
                               f"v{store.data_version()}")

    def compute() -> pd.DataFrame:
        if day is None:
            return pd.DataFrame(columns=RANKING_COLUMNS)
        table, ent = InstitutionStatus.__table__, Entity.__table__
        weakest = func.min(*(table.c[d] for d in DIMENSIONS)) if store.engine.dialect.name == "sqlite" \
            else func.least(*(table.c[d] for d in DIMENSIONS))
        conditions = [table.c.as_of == day, scope_predicate(table, scope)]
        if status is not None:
            conditions.append(table.c.status == status)
        query = (select(table.c.entity_id, ent.c.name, ent.c.subtype, table.c.county_adcode,
                        *(table.c[d] for d in DIMENSIONS), weakest.label("weakest"), table.c.status)
                 .select_from(table.join(ent, ent.c.id == table.c.entity_id)).where(*conditions)
                 .order_by(weakest, sum(table.c[d] for d in DIMENSIONS), table.c.entity_id).limit(limit))
        with store.engine.connect() as conn:
            return pd.DataFrame(conn.execute(query).all(), columns=RANKING_COLUMNS)

    return store.cache.get_or_compute(key, compute)[0].copy()


def status_counts(store: Store, scope: Scope, region: str | None = None) -> dict[str, int]:
    """How many institutions in scope (under `region`, checked against it) have each status on the latest day:
    an aggregate, what a wall may show."""
    day = latest_day(store, scope)
    column = None
    if region is not None:
        found = regions.get_region(store, region, scope)
        column = regions.LEVEL_COLUMN.get(found.level)
        if column is None:
            raise ValueError(f"institutions are counted per province, city or county, not per {found.level}")
    key = store.cache.make_key(f"{__name__}.status_counts", f"day={day}|region={region or '*'}", scope.key(),
                               f"v{store.data_version()}")

    def compute() -> dict[str, int]:
        table = InstitutionStatus.__table__
        conditions = [table.c.as_of == day, scope_predicate(table, scope)]
        if column is not None:
            conditions.append(table.c[column] == region)
        with store.engine.connect() as conn:
            rows = dict(conn.execute(select(table.c.status, func.count()).where(*conditions).group_by(table.c.status)).all())
        return {s: int(rows.get(s, 0)) for s in vocab.INSTITUTION_STATUSES}

    return store.cache.get_or_compute(key, compute)[0]


@cached_query
def status_by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, entities (medical institutions), status_<s> per status, status_unassessed, assessed and
    share_worst (attention + warning among the assessed; NaN where none is) per child region, as registered now."""
    grouping = regions.child_grouping(store, filters, scope)
    columns = ["adcode", "name", "entities", *STATUS_COLUMNS, "assessed", "share_worst"]
    if grouping is None:
        return pd.DataFrame(columns=columns)
    table = Entity.__table__
    child, value = table.c[grouping.child_column], table.c.institution_status
    medical = Filters(filters.region, filters.period, "medical")
    query = select(child.label("adcode"), func.count().label("entities"),
                   *(func.sum(case((value == s, 1), else_=0)) for s in vocab.INSTITUTION_STATUSES),
                   func.sum(case((value.is_(None), 1), else_=0))).where(*grouping.conditions(table, medical, scope)).group_by(child)
    with store.engine.connect() as conn:
        counts = pd.DataFrame(conn.execute(query).all(), columns=["adcode", "entities", *STATUS_COLUMNS])
    frame = grouping.every_child(counts.set_index("adcode"), ["entities", *STATUS_COLUMNS])
    frame[["entities", *STATUS_COLUMNS]] = frame[["entities", *STATUS_COLUMNS]].astype(int)
    frame["assessed"] = (frame["entities"] - frame["status_unassessed"]).astype(int)
    frame["share_worst"] = (frame["status_attention"] + frame["status_warning"]) / frame["assessed"].where(frame["assessed"] > 0)
    return frame[columns]


@cached_query
def points(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """POINT_COLUMNS of the located medical institutions of `filters.region`."""
    region = regions.get_region(store, filters.region, scope)
    if region.level not in regions.LEVEL_COLUMN:
        raise ValueError(f"institution points are listed per province, city or county, not per {region.level}")
    table = Entity.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(select(*(table.c[c] for c in POINT_COLUMNS)).where(
            table.c[regions.LEVEL_COLUMN[region.level]] == filters.region, scope_predicate(table, scope),
            table.c.specialty == "medical", table.c.lon.is_not(None), table.c.lat.is_not(None)).order_by(table.c.id)).all()
    return pd.DataFrame(rows, columns=POINT_COLUMNS)


def assessed(store: Store, scope: Scope) -> bool:
    """Whether any institution in scope has been assessed (the layer is offered only then)."""
    return latest_day(store, scope) is not None


def position(store: Store, entity_id, scope: Scope) -> tuple[int, int] | None:
    """(rank, of how many) of the institution among those of its county on its latest day, ranked as on the
    ranking page (weakest dimension first, then the lowest sum; 1 = the weakest); None when never assessed."""
    entity = entity_file.profile(store, entity_id, scope)
    table = InstitutionStatus.__table__

    def compute() -> tuple[int, int] | None:
        with store.engine.connect() as conn:
            day = conn.execute(select(func.max(table.c.as_of)).where(table.c.entity_id == entity["id"])).scalar()
            if day is None:
                return None
            rows = conn.execute(select(table.c.entity_id, *(table.c[d] for d in DIMENSIONS)).where(
                table.c.as_of == day, table.c.county_adcode == entity["county_adcode"], scope_predicate(table, scope))).all()
        frame = pd.DataFrame(rows, columns=["entity_id", *DIMENSIONS])
        frame = frame.assign(weakest=frame[list(DIMENSIONS)].min(axis=1), total=frame[list(DIMENSIONS)].sum(axis=1))
        ordered = frame.sort_values(["weakest", "total", "entity_id"]).reset_index(drop=True)
        return int(ordered.index[ordered["entity_id"] == entity["id"]][0]) + 1, len(ordered)

    return cached_record(store, f"{__name__}.position", f"entity={entity['id']}", scope, compute)
