"""The risk model's features, computed with pandas over all entities at once, from records BEFORE a date.

Every feature of an entity at `as_of` uses only records dated strictly before `as_of` and within the
feature's window (its parameter's `window_days`): the same function scores today's entities and, in
the back-test, each period from what was known when it began, so the back-test cannot leak.

Features (units; points per unit and caps are data, data/risk/parameters.csv):
- non_compliance_rate: non-compliant / all inspections in the window (0 when none).
- penalties, penalty_amount: penalty decisions and their amounts (10 000 yuan) in the window.
- complaints_substantiated: complaints about the entity found substantiated, in the window.
- monitoring_alerts: alerts raised on the entity's devices in the window.
- grade:C, grade:B, grade:none: the latest hygiene grade before `as_of` (1 or 0).
- months_since_inspection: since the last inspection; never inspected (in the window) counts as the whole window.
- self_inspection_missed: 1 skipped or none on record, 0.5 poor, 0 good (data/self_inspection.py's rating).
- specialty:<s>: 1 for the entity's specialty (its base risk), 0 for the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data import self_inspection
from data.risk.params import Feature

DAYS_PER_MONTH = 365.25 / 12
YUAN_PER_UNIT = 10_000  # penalty_amount is counted in 万元


@dataclass(frozen=True)
class History:
    """What is recorded about a set of entities, as plain frames (each `on` a calendar date).

    entities: entity_id, specialty (and, from the database, its region codes) · inspections: entity_id, on, non_compliant · penalties: entity_id, on,
    amount (from the database also kind) · complaints: entity_id, on, substantiated (from the database also repeat:
    it repeats an earlier complaint) · alerts: entity_id, on · grades: entity_id, on, grade ·
    self_inspections: data/self_inspection.RECORD_COLUMNS (none: every entity counts as missing).
    The credit grade (data/credit) reads penalty kinds and repeats; the risk model does not need them.
    """

    entities: pd.DataFrame
    inspections: pd.DataFrame
    penalties: pd.DataFrame
    complaints: pd.DataFrame
    alerts: pd.DataFrame
    grades: pd.DataFrame
    self_inspections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=self_inspection.RECORD_COLUMNS))


def self_inspection_ratings(h: History, index: pd.Index, as_of: dt.date) -> pd.Series:
    """good / poor / missing per entity — the rating of data/self_inspection.py (the same rule the 双随机 draw
    weights and the credit grade use), from the records submitted before `as_of`."""
    before = h.self_inspections
    if len(before):
        submitted = pd.to_datetime(before["submitted_on"])
        before = before[(submitted.isna() | (submitted < pd.Timestamp(as_of))).to_numpy()]
    return self_inspection.rate_frame(before, index, as_of)


def self_inspection_feature(h: History, index: pd.Index, as_of: dt.date) -> pd.Series:
    """1 for an entity that skipped its self-inspection (依法执业自查) or has none on record, 0.5 for one that
    found problems and left them, 0 for a good self-inspector."""
    return self_inspection_ratings(h, index, as_of).map(self_inspection.MISSED).astype(float)


def in_window(frame: pd.DataFrame, as_of: dt.date, window_days: int | None) -> pd.DataFrame:
    """Rows dated before `as_of` and, with a window, not older than `window_days`."""
    on = pd.to_datetime(frame["on"])
    keep = on < pd.Timestamp(as_of)
    if window_days is not None:
        keep &= on >= pd.Timestamp(as_of) - pd.Timedelta(days=window_days)
    return frame[keep.to_numpy()]


def per_entity(values: pd.Series, index: pd.Index) -> pd.Series:
    return values.reindex(index, fill_value=0).astype(float)


def _non_compliance_rate(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.inspections, as_of, f.window_days)
    rate = rows.groupby("entity_id")["non_compliant"].mean()
    return per_entity(rate, index)


def _penalties(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    return per_entity(in_window(h.penalties, as_of, f.window_days).groupby("entity_id").size(), index)


def _penalty_amount(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    amounts = in_window(h.penalties, as_of, f.window_days).groupby("entity_id")["amount"].sum()
    return per_entity(amounts.astype(float) / YUAN_PER_UNIT, index)


def _complaints(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.complaints, as_of, f.window_days)
    return per_entity(rows[rows["substantiated"].fillna(False).astype(bool)].groupby("entity_id").size(), index)


def _alerts(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    return per_entity(in_window(h.alerts, as_of, f.window_days).groupby("entity_id").size(), index)


def _months_since(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.inspections, as_of, f.window_days)
    last = pd.to_datetime(rows.groupby("entity_id")["on"].max()).reindex(index)
    days = (pd.Timestamp(as_of) - last).dt.days.astype(float)
    never = float(f.window_days) if f.window_days is not None else np.inf
    return (days.fillna(never) / DAYS_PER_MONTH).astype(float)


def latest_grades(h: History, index: pd.Index, as_of: dt.date) -> pd.Series:
    """Each entity's latest grade before `as_of` (NaN: never graded)."""
    rows = in_window(h.grades, as_of, None).sort_values("on", kind="stable")
    return rows.groupby("entity_id")["grade"].last().reindex(index)


def _grade(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    """`grade:C`: 1 where the latest grade before `as_of` is C (`grade:none`: never graded)."""
    return (latest_grades(h, index, as_of).fillna("none") == f.key.removeprefix("grade:")).astype(float)


def _specialty(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    """`specialty:medical`: 1 for the entities of that specialty."""
    specialty = h.entities.set_index("entity_id")["specialty"].reindex(index)
    return (specialty == f.key.removeprefix("specialty:")).astype(float)


Computers = dict[str, Callable[[History, pd.Index, dt.date, Feature], pd.Series]]
FIXED: Computers = {
    "non_compliance_rate": _non_compliance_rate,
    "penalties": _penalties,
    "penalty_amount": _penalty_amount,
    "complaints_substantiated": _complaints,
    "monitoring_alerts": _alerts,
    "months_since_inspection": _months_since,
    "self_inspection_missed": lambda h, index, as_of, f: self_inspection_feature(h, index, as_of),
}
PREFIXED: Computers = {
    "grade:": _grade,
    "specialty:": _specialty,
}


def compute(history: History, as_of: dt.date, features: tuple[Feature, ...],
            fixed: Computers = FIXED, prefixed: Computers = PREFIXED) -> pd.DataFrame:
    """One row per entity (index entity_id), one column per feature, in the feature's units.

    `fixed` and `prefixed` say how each key is computed: the risk model's by default; the credit grade
    (data/credit/indicators.py) passes its own, which reuse some of these."""
    index = pd.Index(history.entities["entity_id"], name="entity_id")
    columns = {}
    for feature in features:
        prefix = next((p for p in prefixed if feature.key.startswith(p)), None)
        if prefix is not None:
            columns[feature.key] = prefixed[prefix](history, index, as_of, feature)
        elif feature.key in fixed:
            columns[feature.key] = fixed[feature.key](history, index, as_of, feature)
        else:
            raise ValueError(f"parameter {feature.key!r} names no known feature")
    return pd.DataFrame(columns, index=index)
