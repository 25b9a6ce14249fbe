"""Anomalies of daily counts against each series' own seasonal baseline (pure, vectorised, no database).

A hospital's counts have a weekly rhythm (the weekend dip) and an annual one (the winter flu peak), and
hospitals differ by an order of magnitude, so a fixed limit means nothing. The baseline of a day is
the **median of the same weekday over the last `weeks` weeks** of the same series: the weekday takes
the weekly rhythm out, four weeks follow the season (eight lag a winter rise enough to alarm), and the median ignores an earlier outlier. The
spread is the **MAD** of those weeks (×1.4826, the normal-consistent scale), but never below the
Poisson noise of the baseline (√baseline) nor below `min_cv` × baseline (days differ by more than
chance: weather, a holiday, a colleague on leave): a few quiet weeks give a tiny MAD, and a count of
30 is never more precise than ±5.5. A day is anomalous when all of these hold (parameters are the
`ops_anomaly` row of alert_rule):

- at least `min_weeks` of the `weeks` same weekdays were reported (a new feed learns first);
- robust z = (count − baseline) / spread ≥ `z`;
- count ≥ `min_ratio` × baseline, and count − baseline ≥ `min_excess` (small counts do not alarm).

Only rises are flagged: a fall in visits is not a health-supervision signal. Days without a report
are missing, not zero. A gently rising season moves the median with it (a linear rise gives z ≈ 1.5
whatever its slope); what is flagged is a jump of a few days against the weeks before it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

CHINA = "Asia/Shanghai"
MAD_TO_SD = 1.4826
KEYS = ["device_id", "indicator"]


def local_day(at: dt.datetime) -> pd.Timestamp:
    """The China calendar day of a UTC time, as a naive midnight Timestamp (the days scored here)."""
    return pd.Timestamp(at.astimezone(ZoneInfo(CHINA)).date())


def day_start(day: pd.Timestamp | dt.date) -> dt.datetime:
    """00:00 China time of a day, in UTC: the time of a day's occurrence."""
    date = day.date() if isinstance(day, pd.Timestamp) else day
    return dt.datetime.combine(date, dt.time(), ZoneInfo(CHINA)).astimezone(dt.UTC)


@dataclass(frozen=True)
class Baseline:
    weeks: int = 4
    min_weeks: int = 3
    z: float = 6.0
    min_ratio: float = 1.8
    min_excess: float = 10.0
    min_cv: float = 0.1

    @classmethod
    def from_params(cls, params: dict) -> Baseline:
        known = cls.__dataclass_fields__
        unknown = set(params) - set(known)
        if unknown:
            raise ValueError(f"ops_anomaly: unknown parameters {sorted(unknown)} (known: {', '.join(known)})")
        baseline = cls(**params)
        if not 1 <= baseline.min_weeks <= baseline.weeks:
            raise ValueError(f"ops_anomaly: min_weeks {baseline.min_weeks} must be within 1..weeks ({baseline.weeks})")
        return baseline

    @property
    def history_days(self) -> int:
        """Days before the first day scored that the baseline reads."""
        return 7 * self.weeks


def daily_totals(readings: pd.DataFrame) -> pd.DataFrame:
    """device_id, indicator, day (China date, as a midnight Timestamp), count: readings summed per day.

    `readings` has device_id, indicator, measured_at (UTC) and value; hourly feeds add up to their day.
    """
    if readings.empty:
        return pd.DataFrame({"device_id": [], "indicator": [], "day": pd.to_datetime([]), "count": []})
    stamps = pd.to_datetime(readings["measured_at"], utc=True).dt.tz_convert(CHINA)
    day = stamps.dt.tz_localize(None).dt.normalize()
    return (readings.assign(day=day).groupby([*KEYS, "day"], sort=True)["value"].sum()
            .rename("count").reset_index())


def score(totals: pd.DataFrame, baseline: Baseline) -> pd.DataFrame:
    """Every reported day of `totals` with baseline, spread, z, weeks (same weekdays found) and anomalous."""
    columns = [*KEYS, "day", "count", "baseline", "spread", "z", "weeks", "anomalous"]
    if totals.empty:
        return pd.DataFrame(columns=columns)
    wide = totals.pivot_table(index=KEYS, columns="day", values="count", aggfunc="sum")
    days = pd.date_range(wide.columns.min(), wide.columns.max(), freq="D")
    wide = wide.reindex(columns=days)
    values = wide.to_numpy(dtype=float)
    lagged = np.full((baseline.weeks, *values.shape), np.nan)
    for k in range(1, baseline.weeks + 1):
        lagged[k - 1, :, 7 * k:] = values[:, : values.shape[1] - 7 * k] if values.shape[1] > 7 * k else np.nan
    with warnings.catch_warnings():  # all-missing slices (a new feed) are expected: their median is NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        found = np.sum(~np.isnan(lagged), axis=0)
        median = np.nanmedian(lagged, axis=0)
        mad = np.nanmedian(np.abs(lagged - median), axis=0)
    floor = np.maximum(np.sqrt(np.maximum(median, 1.0)), baseline.min_cv * median)
    spread = np.maximum(MAD_TO_SD * mad, floor)
    z = (values - median) / spread
    anomalous = ((found >= baseline.min_weeks) & (z >= baseline.z) & (values >= baseline.min_ratio * median)
                 & (values - median >= baseline.min_excess))
    index = pd.MultiIndex.from_product([range(len(wide)), range(len(days))])
    frame = pd.DataFrame({
        "row": index.get_level_values(0), "day": days[index.get_level_values(1)],
        "count": values.ravel(), "baseline": median.ravel(), "spread": spread.ravel(), "z": z.ravel(),
        "weeks": found.ravel(), "anomalous": anomalous.ravel()})
    frame = frame[frame["count"].notna()]
    keys = wide.index.to_frame(index=False).iloc[frame["row"].to_numpy()].reset_index(drop=True)
    return pd.concat([keys, frame.drop(columns="row").reset_index(drop=True)], axis=1)[columns]
