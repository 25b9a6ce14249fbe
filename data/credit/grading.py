"""The credit score and grade from indicator units: full marks minus capped deductions, grade by its bands.

Vectorised over all entities: deductions = min(points per unit × units, cap) per indicator (the risk model's
arithmetic, data/risk/score.points), score = max(full marks − their sum, 0), grade = the best grade whose
lowest score the entity reaches. The breakdown is exactly the deductions that took points; they and the score
add up to the full marks (unless the score bottomed out at 0).
"""

from __future__ import annotations

import pandas as pd

from data.credit.criteria import Criteria
from data.risk import score


def grades(scores: pd.Series, criteria: Criteria) -> pd.Series:
    """The grade of each score: the best whose lowest score it reaches (criteria guarantee one begins at 0)."""
    result = pd.Series(criteria.grades[-1][0], index=scores.index, dtype=object)
    for grade, lowest in reversed(criteria.grades):
        result[scores.to_numpy() >= lowest] = grade
    return result


def assess(units: pd.DataFrame, criteria: Criteria) -> pd.DataFrame:
    """entity_id index; score, grade and breakdown (JSON {indicator: points deducted}, largest first)."""
    deducted = score.points(units, criteria.deductions)
    total = (criteria.base - deducted.sum(axis=1)).clip(lower=0).round(1)
    return pd.DataFrame({"score": total, "grade": grades(total, criteria), "breakdown": score.factors_json(deducted)})
