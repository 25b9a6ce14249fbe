"""The fever-clinic surge: several hospitals of one area anomalous together (pure, no database).

One hospital's fever clinic running high is that hospital's business (an ops_anomaly alert on it).
Several hospitals of the same county (or city) high within the same few days is the early sign of
an outbreak, and the area's business: one alert for the area, not one per hospital. Parameters are the
`fever_surge` row of alert_rule: `indicator` (fever_clinic), `min_hospitals` (k), `days` (the window:
hospital A anomalous on Monday and B and C on Wednesday are together with days = 3), `level`
(county or city: the area the hospitals are counted in).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

LEVELS = {"county": "county_adcode", "city": "city_adcode"}


@dataclass(frozen=True)
class SurgeRule:
    indicator: str = "fever_clinic"
    min_hospitals: int = 3
    days: int = 3
    level: str = "county"

    @classmethod
    def from_params(cls, params: dict) -> SurgeRule:
        unknown = set(params) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"fever_surge: unknown parameters {sorted(unknown)}")
        rule = cls(**params)
        if rule.level not in LEVELS:
            raise ValueError(f"fever_surge: level {rule.level!r} is not one of {', '.join(LEVELS)}")
        if rule.min_hospitals < 2 or rule.days < 1:
            raise ValueError("fever_surge: min_hospitals must be ≥ 2 and days ≥ 1 (one hospital is not an area)")
        return rule

    @property
    def column(self) -> str:
        return LEVELS[self.level]


def areas(scored: pd.DataFrame, rule: SurgeRule, days: pd.DatetimeIndex) -> pd.DataFrame:
    """area, day, hospitals (device ids, sorted), surge: for each area of `scored` and each of `days`.

    `scored` is seasonal.score's answer for the rule's indicator with the area code column (`rule.column`)
    added; a hospital counts for day D when it was anomalous on any day of D − days + 1 … D.
    """
    hot = scored.loc[scored["anomalous"] & (scored["indicator"] == rule.indicator), ["device_id", rule.column, "day"]]
    # A hospital anomalous on day d counts for the windows ending on d, d + 1, … d + days − 1.
    spread = pd.concat([hot.assign(day=hot["day"] + pd.Timedelta(days=k)) for k in range(rule.days)])
    lists = (spread.drop_duplicates().sort_values("device_id").groupby([rule.column, "day"])["device_id"]
             .agg(list).rename("hospitals"))
    grid = pd.MultiIndex.from_product([sorted(scored[rule.column].dropna().unique()), days], names=[rule.column, "day"])
    out = lists.reindex(grid).reset_index().rename(columns={rule.column: "area"})
    out["hospitals"] = [h if isinstance(h, list) else [] for h in out["hospitals"]]
    out["surge"] = out["hospitals"].map(len) >= rule.min_hospitals
    return out[["area", "day", "hospitals", "surge"]]
