"""The credit grade's indicators, computed with pandas over all entities at once, from records BEFORE a date.

Each indicator is a column of units per entity (the criteria give the points per unit, the cap and the window);
the machinery and the indicators the risk model already has (non-compliance rate, penalty amount, substantiated
complaints) are data/risk/features.py's, so both read records the same way:

- non_compliance_rate: non-compliant / all inspections in the window (0 when none).
- non_compliant_inspections: non-compliant inspections in the window.
- penalty:<kind>: penalty decisions of that kind (warning, fine, suspension, revocation) in the window: severity.
- penalty_amount: penalty amounts in the window, in 10 000 yuan.
- complaints_substantiated: complaints about the entity found substantiated in the window.
- complaints_repeat: complaints in the window that repeat an earlier one (complaint.repeat_of_id).
- self_inspection:<rating>: 1 when the entity's self-inspection rating is that one (data/self_inspection.py).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data import vocab
from data.risk import features
from data.risk.features import History, in_window, per_entity
from data.risk.params import Feature


def _non_compliant_inspections(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.inspections, as_of, f.window_days)
    return per_entity(rows[rows["non_compliant"].astype(bool).to_numpy()].groupby("entity_id").size(), index)


def _penalty_kind(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.penalties, as_of, f.window_days)
    return per_entity(rows[(rows["kind"] == f.key.removeprefix("penalty:")).to_numpy()].groupby("entity_id").size(), index)


def _complaints_repeat(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    rows = in_window(h.complaints, as_of, f.window_days)
    return per_entity(rows[rows["repeat"].fillna(False).astype(bool).to_numpy()].groupby("entity_id").size(), index)


def _self_inspection(h: History, index: pd.Index, as_of: dt.date, f: Feature) -> pd.Series:
    return (features.self_inspection_ratings(h, index, as_of) == f.key.removeprefix("self_inspection:")).astype(float)


FIXED: features.Computers = {
    "non_compliance_rate": features.FIXED["non_compliance_rate"],
    "non_compliant_inspections": _non_compliant_inspections,
    "penalty_amount": features.FIXED["penalty_amount"],
    "complaints_substantiated": features.FIXED["complaints_substantiated"],
    "complaints_repeat": _complaints_repeat,
}
PREFIXED: features.Computers = {"penalty:": _penalty_kind, "self_inspection:": _self_inspection}
SUFFIXES: dict[str, tuple[str, ...]] = {"penalty:": vocab.PENALTY_KINDS, "self_inspection:": vocab.SELF_INSPECTION_RATINGS}


def is_known(key: str) -> bool:
    """Whether the criteria may name this indicator (checked when criteria are loaded, not when they are used)."""
    prefix = next((p for p in PREFIXED if key.startswith(p)), None)
    return key in FIXED if prefix is None else key.removeprefix(prefix) in SUFFIXES[prefix]


def compute(history: History, as_of: dt.date, deductions: tuple[Feature, ...]) -> pd.DataFrame:
    """One row per entity (index entity_id), one column per indicator, in the indicator's units."""
    return features.compute(history, as_of, deductions, FIXED, PREFIXED)
