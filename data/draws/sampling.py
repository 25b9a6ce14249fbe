"""The draw itself, a pure function of its inputs: the same pool, weights, inspectors, conflicts and seed give
the same result on any machine (numpy's Generator: PCG64, stable across numpy versions for these calls).

Entities: weighted sampling without replacement (successive sampling: each pick takes a remaining entity with
probability proportional to its weight), done in one vectorised pass by the Efraimidis–Spirakis keys
log(u)/w, ordered largest first. The pool is sorted by entity id first, so the order rows arrive in does not
matter. Inspectors: for each drawn entity, in draw order, two different officers chosen uniformly from the
eligible ones of its county, or, when the county has fewer than two, from all officers of its city (its
counties' and the city's own: a joint inspection across counties), then of its province. An officer is not
eligible when he or she inspected the entity the last time, or declared a conflict with it.
An entity for which no eligible pair exists is passed over (and counted), and the next in the order is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.models import REGION_COLUMNS

LEVELS = ("county_adcode", "city_adcode", "province_adcode")  # where an entity's inspectors come from, in turn
POOL_COLUMNS = ("entity_id", "weight", *REGION_COLUMNS)


@dataclass(frozen=True)
class Drawn:
    items: pd.DataFrame  # rank, entity_id, inspector_id, second_inspector_id (+ the pool's columns)
    passed_over: int  # entities reached in the order without an eligible pair of inspectors


def draw(pool: pd.DataFrame, count: int, seed: int, inspectors: pd.DataFrame,
         excluded: Mapping[int, set[int]]) -> Drawn:
    """`pool`: POOL_COLUMNS (+ any others, kept); `inspectors`: id, province_adcode, city_adcode, county_adcode
    of the active officers (the codes of the region each belongs to; None below an officer's level);
    `excluded`: entity id → inspector ids not allowed for it (last time's pair, declared conflicts)."""
    if count < 1:
        raise ValueError(f"count {count}: draw at least one entity")
    rng = np.random.default_rng(seed)
    pool = pool.sort_values("entity_id", kind="stable", ignore_index=True)
    weights = pool["weight"].to_numpy(dtype=float)
    if (weights <= 0).any() or not np.isfinite(weights).all():
        raise ValueError("every weight must be positive and finite")
    keys = np.log(rng.random(len(pool))) / weights
    order = np.argsort(-keys, kind="stable")
    by_region: dict[tuple[str, str], list[int]] = {}
    for level in LEVELS:
        for officer, code in zip(inspectors["id"].tolist(), inspectors[level].tolist()):
            if pd.notna(code):
                by_region.setdefault((level, code), []).append(int(officer))
    staff = {key: np.sort(np.array(ids)) for key, ids in by_region.items()}
    entity_ids = pool["entity_id"].to_numpy()
    codes = {level: pool[level].to_numpy() for level in LEVELS}
    picked, pairs, passed = [], [], 0
    for position in order:
        if len(picked) == count:
            break
        entity = int(entity_ids[position])
        pair = _pair(rng, [(level, codes[level][position]) for level in LEVELS], staff, excluded.get(entity, set()))
        if pair is None:
            passed += 1
            continue
        picked.append(position)
        pairs.append(pair)
    items = pool.iloc[picked].reset_index(drop=True)
    items.insert(0, "rank", np.arange(1, len(items) + 1))
    items["inspector_id"] = [a for a, _ in pairs]
    items["second_inspector_id"] = [b for _, b in pairs]
    return Drawn(items, passed)


def _pair(rng: np.random.Generator, homes: list[tuple[str, str]], staff: dict, excluded: set[int]) -> tuple[int, int] | None:
    """Two different eligible officers of the first of `homes` (county, city, province) that has two."""
    for home in homes:
        officers = staff.get(home)
        if officers is None:
            continue
        eligible = officers[~np.isin(officers, list(excluded))] if excluded else officers
        if len(eligible) >= 2:
            first, second = rng.choice(len(eligible), size=2, replace=False)
            return int(eligible[first]), int(eligible[second])
    return None
