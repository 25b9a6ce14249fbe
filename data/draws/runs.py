"""Recorded 双随机 runs: build the pool, draw (sampling.py), store the run and its items, audit it, list the
runs and their 公示 list with the results that came back.

A run is inserted, never updated: the same filters with another seed are another run, shown in the list
beside the first, so "re-rolling until the result suits" is visible to anyone who reads it, and every run
is in the audit log (action `random_draw`). Without a seed, one is drawn from the operating system and
recorded (`seed_chosen` false), so that run too can be reproduced.

Results feed back without a second write path: an inspection of kind `random_draw` of a drawn entity, on
or after the day of the run (China time), is that item's result (the first such one); it shows on the list,
the export and the entity file as soon as it is recorded, by any route (import, demo, a later form).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import Connection

from data import audit, db, vocab
from data.draws import sampling, weights
from data.models import REGION_COLUMNS, Entity, Inspection, InspectorConflict, Inspector, RandomDraw, RandomDrawItem
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.queries.regions import LEVEL_COLUMN
from data.self_inspection import ratings
from geo import hierarchy

CHINA = dt.timezone(dt.timedelta(hours=8))
CHUNK = 500
MAX_SEED = 2**63 - 1
ITEM_COLUMNS = ("rank", "entity_id", "name", "credit_code", "county_adcode", "risk_level", "self_inspection", "weight",
                "inspector_id", "inspector", "inspector_badge", "second_inspector_id", "second_inspector",
                "second_inspector_badge")


@dataclass(frozen=True)
class Request:
    region: str
    count: int
    specialty: str | None = None
    subtype: str | None = None

    def __post_init__(self):
        if self.count < 1:
            raise ValueError(f"count {self.count}: draw at least one entity")
        if self.specialty is not None and self.specialty not in vocab.SPECIALTIES:
            raise ValueError(f"specialty {self.specialty!r} is not one of {', '.join(vocab.SPECIALTIES)}")


@dataclass(frozen=True)
class Run:
    draw_id: int
    seed: int
    seed_chosen: bool
    pool_size: int
    passed_over: int
    weights: weights.Weights
    items: pd.DataFrame  # ITEM_COLUMNS


def _region_codes(region: str) -> dict[str, str | None]:
    chain = {r.level: r.adcode for r in hierarchy.ancestors(region)}
    return {column: chain.get(level) for level, column in LEVEL_COLUMN.items()}


def pool(conn: Connection, request: Request, scope: Scope, as_of: dt.date, weighted: weights.Weights) -> pd.DataFrame:
    """The entities that may be drawn, with their risk level, self-inspection rating and weight."""
    scope.check(request.region)
    table = Entity.__table__
    conditions = [scope_predicate(table, scope)]
    level = hierarchy.get_region(request.region).level
    if level in LEVEL_COLUMN:
        conditions.append(table.c[LEVEL_COLUMN[level]] == request.region)
    if request.specialty:
        conditions.append(table.c.specialty == request.specialty)
    if request.subtype:
        conditions.append(table.c.subtype == request.subtype)
    query = select(table.c.id.label("entity_id"), table.c.risk_level, *(table.c[c] for c in REGION_COLUMNS)).where(
        *conditions).order_by(table.c.id)
    frame = pd.DataFrame(conn.execute(query).all(), columns=["entity_id", "risk_level", *REGION_COLUMNS])
    frame["risk_level"] = frame["risk_level"].astype(object).where(frame["risk_level"].notna(), weights.UNASSESSED)
    frame["self_inspection"] = ratings(conn, frame["entity_id"], as_of).reindex(frame["entity_id"]).to_numpy()
    frame["weight"] = [weighted.of(r, s) for r, s in zip(frame["risk_level"], frame["self_inspection"])]
    return frame


def exclusions(conn: Connection, entity_ids: list[int]) -> dict[int, set[int]]:
    """Entity id → inspectors who may not inspect it: the pair of its latest inspection, declared conflicts."""
    found: dict[int, set[int]] = {}
    insp, conflict = Inspection.__table__, InspectorConflict.__table__
    for start in range(0, len(entity_ids), CHUNK):
        part = entity_ids[start:start + CHUNK]
        latest = (select(insp.c.entity_id, func.max(insp.c.inspected_on).label("day"))
                  .where(insp.c.entity_id.in_(part)).group_by(insp.c.entity_id).subquery())
        last_pair = select(insp.c.entity_id, insp.c.inspector_id, insp.c.second_inspector_id).join(
            latest, (insp.c.entity_id == latest.c.entity_id) & (insp.c.inspected_on == latest.c.day))
        for entity_id, first, second in conn.execute(last_pair):
            found.setdefault(entity_id, set()).update(i for i in (first, second) if i is not None)
        for entity_id, inspector_id in conn.execute(select(conflict.c.entity_id, conflict.c.inspector_id)
                                                    .where(conflict.c.entity_id.in_(part))):
            found.setdefault(entity_id, set()).add(inspector_id)
    return found


def _inspectors(conn: Connection, region: str) -> pd.DataFrame:
    """Active officers of the region's province (sampling.py takes the county's first, then the city's, then
    the province's), with the province, city and county codes of the region each belongs to."""
    province = next(r.adcode for r in hierarchy.ancestors(region) if r.level == "province")
    codes = [province] + hierarchy.descendants(province)["adcode"].tolist()
    table = Inspector.__table__
    rows = []
    for start in range(0, len(codes), CHUNK):
        rows += conn.execute(select(table.c.id, table.c.region_adcode).where(
            table.c.active.is_(True), table.c.region_adcode.in_(codes[start:start + CHUNK]))).all()
    frame = pd.DataFrame(rows, columns=["id", "region_adcode"])
    chains = {code: _region_codes(code) for code in frame["region_adcode"].unique()}
    for column in LEVEL_COLUMN.values():
        frame[column] = [chains[code][column] for code in frame["region_adcode"]]
    return frame


def run(engine: Engine, request: Request, scope: Scope, *, actor: str, now: dt.datetime, seed: int | None = None,
        ip: str | None = None) -> Run:
    """Draw, store the run with its items and audit it, in one transaction."""
    seed_chosen = seed is not None
    seed = secrets.randbelow(MAX_SEED) if seed is None else int(seed)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed {seed}: use a whole number from 0 to {MAX_SEED}")
    as_of = now.astimezone(CHINA).date()
    with engine.begin() as conn:
        weighted = weights.load(conn)
        candidates = pool(conn, request, scope, as_of, weighted)
        drawn = sampling.draw(candidates, request.count, seed, _inspectors(conn, request.region),
                              exclusions(conn, candidates["entity_id"].tolist()))
        draw_id = conn.execute(insert(RandomDraw).values(
            run_at=now, run_by=actor, region_adcode=request.region, specialty=request.specialty,
            subtype=request.subtype, requested=request.count, seed=seed, seed_chosen=seed_chosen,
            weights_version=weighted.version, pool_size=len(candidates), **_region_codes(request.region),
        ).returning(RandomDraw.id)).scalar_one()
        columns = ["rank", "entity_id", "inspector_id", "second_inspector_id", "risk_level", "self_inspection", "weight",
                   *REGION_COLUMNS]
        rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in drawn.items[columns].to_dict("records")]
        if rows:
            conn.execute(insert(RandomDrawItem), [{**row, "draw_id": draw_id} for row in rows])
        audit.append(conn, actor=actor, action="random_draw", target=f"random_draw:{draw_id}", now=now, ip=ip, detail={
            "region": request.region, "specialty": request.specialty, "subtype": request.subtype,
            "requested": request.count, "seed": seed, "seed_chosen": seed_chosen, "weights_version": weighted.version,
            "pool": len(candidates), "drawn": [int(e) for e in drawn.items["entity_id"]],
            "earlier_runs_same_pool": _earlier_runs(conn, request, draw_id)})
        items = items_of(conn, draw_id, scope)
    return Run(draw_id, seed, seed_chosen, len(candidates), drawn.passed_over, weighted, items)


def _earlier_runs(conn: Connection, request: Request, draw_id: int) -> int:
    table = RandomDraw.__table__
    same = [table.c.region_adcode == request.region, table.c.id < draw_id]
    for column, value in (("specialty", request.specialty), ("subtype", request.subtype)):
        same.append(table.c[column].is_(None) if value is None else table.c[column] == value)
    return conn.execute(select(func.count()).select_from(table).where(*same)).scalar_one()


def runs(conn: Connection, scope: Scope, limit: int = 200) -> pd.DataFrame:
    """The newest runs the viewer may see: id, run_at, run_by, region_adcode, specialty, subtype, requested,
    seed, seed_chosen, weights_version, pool_size, drawn, done (items with a result)."""
    table, item = RandomDraw.__table__, RandomDrawItem.__table__
    counts = select(item.c.draw_id, func.count().label("drawn")).group_by(item.c.draw_id).subquery()
    query = (select(table.c.id, table.c.run_at, table.c.run_by, table.c.region_adcode, table.c.specialty,
                    table.c.subtype, table.c.requested, table.c.seed, table.c.seed_chosen, table.c.weights_version,
                    table.c.pool_size, func.coalesce(counts.c.drawn, 0).label("drawn"))
             .outerjoin(counts, counts.c.draw_id == table.c.id)
             .where(scope_predicate(table, scope)).order_by(table.c.id.desc()).limit(limit))
    return pd.DataFrame(conn.execute(query).mappings().all(),
                        columns=["id", "run_at", "run_by", "region_adcode", "specialty", "subtype", "requested", "seed",
                                 "seed_chosen", "weights_version", "pool_size", "drawn"])


def get(conn: Connection, draw_id: int, scope: Scope) -> dict | None:
    """One run the viewer may see, or None (unknown and out of scope answer alike)."""
    table = RandomDraw.__table__
    row = conn.execute(select(table).where(table.c.id == int(draw_id), scope_predicate(table, scope))).mappings().first()
    return dict(row) if row else None


def items_of(conn: Connection, draw_id: int, scope: Scope) -> pd.DataFrame:
    """The 公示 list of a run: ITEM_COLUMNS plus result and inspected_on (None until the inspection is recorded)."""
    run_row = get(conn, draw_id, scope)
    item, ent = RandomDrawItem.__table__, Entity.__table__
    lead, second = Inspector.__table__.alias("lead"), Inspector.__table__.alias("second")
    query = (select(item.c.rank, item.c.entity_id, ent.c.name, ent.c.credit_code, item.c.county_adcode,
                    item.c.risk_level, item.c.self_inspection, item.c.weight, item.c.inspector_id,
                    lead.c.name.label("inspector"), lead.c.badge_no.label("inspector_badge"), item.c.second_inspector_id,
                    second.c.name.label("second_inspector"), second.c.badge_no.label("second_inspector_badge"))
             .join(ent, ent.c.id == item.c.entity_id).join(lead, lead.c.id == item.c.inspector_id)
             .join(second, second.c.id == item.c.second_inspector_id)
             .where(item.c.draw_id == int(draw_id), scope_predicate(item, scope)).order_by(item.c.rank))
    frame = pd.DataFrame(conn.execute(query).all() if run_row else [], columns=list(ITEM_COLUMNS))
    since = db.as_utc(run_row["run_at"]).astimezone(CHINA).date() if run_row else None
    return _with_results(conn, frame, since)


def _with_results(conn: Connection, items: pd.DataFrame, since: dt.date | None) -> pd.DataFrame:
    insp = Inspection.__table__
    ids = items["entity_id"].astype(int).tolist()
    found = []
    for start in range(0, len(ids), CHUNK):
        found += conn.execute(select(insp.c.entity_id, insp.c.inspected_on, insp.c.result).where(
            insp.c.entity_id.in_(ids[start:start + CHUNK]), insp.c.kind == "random_draw",
            insp.c.inspected_on >= since).order_by(insp.c.entity_id, insp.c.inspected_on, insp.c.id)).all()
    first = pd.DataFrame(found, columns=["entity_id", "inspected_on", "result"]).drop_duplicates("entity_id")
    out = items.merge(first, on="entity_id", how="left")
    out["inspected_on"] = pd.to_datetime(out["inspected_on"]).dt.date
    return out.astype(object).where(out.notna(), None)


def of_entity(conn: Connection, entity_id: int, scope: Scope) -> pd.DataFrame:
    """Every run that drew the entity, newest first: draw_id, run_at, run_by, inspector, second_inspector,
    inspected_on, result (the entity file's 双随机 section)."""
    table, item = RandomDraw.__table__, RandomDrawItem.__table__
    lead, second = Inspector.__table__.alias("lead"), Inspector.__table__.alias("second")
    query = (select(table.c.id.label("draw_id"), table.c.run_at, table.c.run_by, lead.c.name.label("inspector"),
                    second.c.name.label("second_inspector"))
             .join(item, item.c.draw_id == table.c.id).join(lead, lead.c.id == item.c.inspector_id)
             .join(second, second.c.id == item.c.second_inspector_id)
             .where(item.c.entity_id == int(entity_id), scope_predicate(item, scope)).order_by(table.c.id.desc()))
    frame = pd.DataFrame(conn.execute(query).all(), columns=["draw_id", "run_at", "run_by", "inspector", "second_inspector"])
    frame["run_at"] = [db.as_utc(at) for at in frame["run_at"]]
    insp = Inspection.__table__
    done = pd.DataFrame(conn.execute(select(insp.c.inspected_on, insp.c.result).where(
        insp.c.entity_id == int(entity_id), insp.c.kind == "random_draw").order_by(insp.c.inspected_on)).all(),
        columns=["inspected_on", "result"])
    days = pd.to_datetime(done["inspected_on"]).dt.date.tolist()
    results = []
    for at in frame["run_at"]:
        since = db.as_utc(at).astimezone(CHINA).date()
        later = [i for i, day in enumerate(days) if day >= since]
        results.append((days[later[0]], done["result"].iloc[later[0]]) if later else (None, None))
    frame["inspected_on"] = [r[0] for r in results]
    frame["result"] = [r[1] for r in results]
    return frame
