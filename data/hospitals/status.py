"""Dimension scores and overall status: each dimension starts at 100 and loses its indicators' deductions.

deduction = min(points per unit × indicator, cap) (the 扣分制 of supervision assessments); a dimension's
score is 100 minus its deductions, never below 0. The overall status is decided by the weakest dimension:
below the `warning` threshold → warning, below `attention` → attention, else normal (thresholds are data,
indicators.csv `status:*`). One weak dimension is enough to look at an institution, however good the rest.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from data import vocab
from data.hospitals.indicators import IndicatorSet

FULL = 100.0


def deductions(values: pd.DataFrame, indicators: IndicatorSet) -> pd.DataFrame:
    """Points deducted per institution and indicator (same shape as `values`), rounded to 0.1."""
    out = {}
    for indicator in indicators.indicators:
        raw = values[indicator.key].astype(float) * indicator.points
        out[indicator.key] = raw.clip(upper=indicator.cap) if indicator.cap is not None else raw
    return pd.DataFrame(out, index=values.index).round(1)


def scores(lost: pd.DataFrame, indicators: IndicatorSet) -> pd.DataFrame:
    """One column per dimension: 100 minus its indicators' deductions, at least 0."""
    out = {}
    for dimension in vocab.INSTITUTION_DIMENSIONS:
        keys = [i.key for i in indicators.of(dimension)]
        out[dimension] = (FULL - lost[keys].sum(axis=1)).clip(lower=0).round(1)
    return pd.DataFrame(out, index=lost.index)


def overall(dimension_scores: pd.DataFrame, indicators: IndicatorSet) -> pd.Series:
    """normal / attention / warning from the weakest dimension and the thresholds in force."""
    weakest = dimension_scores.min(axis=1).to_numpy()
    result = np.full(len(weakest), vocab.INSTITUTION_STATUSES[0], dtype=object)
    # From the mildest status to the worst, so the worst that applies is what stays.
    for status in vocab.INSTITUTION_STATUSES[1:]:
        if status in indicators.thresholds:
            result[weakest < indicators.thresholds[status]] = status
    return pd.Series(result, index=dimension_scores.index)


def evidence_json(values: pd.DataFrame, lost: pd.DataFrame) -> pd.Series:
    """Per institution, JSON {indicator: [value, points deducted]} of the indicators that deducted points."""
    keys = list(lost.columns)
    raw, taken = values[keys].to_numpy(dtype=float), lost.to_numpy(dtype=float)
    texts = [json.dumps({keys[j]: [round(float(v[j]), 3), float(t[j])] for j in np.flatnonzero(t > 0)},
                        ensure_ascii=False) for v, t in zip(raw, taken)]
    return pd.Series(texts, index=lost.index)


def assess(values: pd.DataFrame, indicators: IndicatorSet) -> pd.DataFrame:
    """entity_id index; a score per dimension, status and indicators (JSON) per institution."""
    lost = deductions(values, indicators)
    table = scores(lost, indicators)
    table["status"] = overall(table, indicators)
    table["indicators"] = evidence_json(values, lost)
    return table
