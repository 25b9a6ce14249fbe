"""The transparent points model: points = min(points per unit × feature, cap), score = their sum, level by thresholds.

Nothing is hidden: the stored factors of a score are exactly the features that added points, and they
sum to the score. Levels begin at the thresholds stored as data (risk_parameter `level:*`).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from data import vocab
from data.risk.params import Feature, Model


def points(features: pd.DataFrame, weights: tuple[Feature, ...]) -> pd.DataFrame:
    """Points per entity and feature (same shape as `features`), rounded to 0.1: units × points, at most the cap.

    The credit grade's deductions (data/credit/grading.py) are the same arithmetic."""
    out = {}
    for feature in weights:
        raw = features[feature.key].astype(float) * feature.points
        out[feature.key] = raw.clip(upper=feature.cap) if feature.cap is not None else raw
    return pd.DataFrame(out, index=features.index).round(1)


def levels(scores: pd.Series, model: Model) -> pd.Series:
    """The level of each score: the highest level whose threshold it reaches (below every threshold: low)."""
    ordered = sorted(((model.thresholds[level], level) for level in vocab.RISK_LEVELS if level in model.thresholds))
    result = pd.Series(vocab.RISK_LEVELS[0], index=scores.index, dtype=object)
    for threshold, level in ordered:
        result[scores.to_numpy() >= threshold] = level
    return result


def factors_json(points_frame: pd.DataFrame) -> pd.Series:
    """Per entity, JSON {feature: points} of the features that added points, largest first."""
    keys = np.array(points_frame.columns)
    values = points_frame.to_numpy()
    order = np.argsort(-values, axis=1, kind="stable")
    texts = []
    for row, ranks in zip(values, order):
        texts.append(json.dumps({keys[i]: float(row[i]) for i in ranks if row[i] > 0}, ensure_ascii=False))
    return pd.Series(texts, index=points_frame.index)


def score(features: pd.DataFrame, model: Model) -> pd.DataFrame:
    """entity_id index; score, level, factors (JSON) per entity."""
    table = points(features, model.features)
    total = table.sum(axis=1).round(1)
    return pd.DataFrame({"score": total, "level": levels(total, model), "factors": factors_json(table)})
