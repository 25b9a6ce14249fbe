"""The indicators of the five dimensions, computed with pandas for all institutions at once, as of a day.

Each indicator of an institution at `as_of` counts only records dated before `as_of` (and, with a window,
not older than `window_days`), so the same function gives today's status and every past month's. The
indicators' definitions, and why each belongs to its dimension, are in indicators.csv; keys here must
match its rows (an unknown key is refused, not skipped).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from data.hospitals.indicators import Indicator
from data.hospitals.records import Records
from data.risk.features import in_window, latest_grades, self_inspection_feature


def _count(frame: pd.DataFrame, index: pd.Index, as_of: dt.date, window_days: int | None) -> pd.Series:
    return in_window(frame, as_of, window_days).groupby("entity_id").size().reindex(index, fill_value=0).astype(float)


def _non_compliance_rate(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    rows = in_window(r.inspections, as_of, i.window_days)
    return rows.groupby("entity_id")["non_compliant"].mean().reindex(index, fill_value=0).astype(float)


def _substantiated(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    rows = r.complaints[r.complaints["substantiated"].fillna(False).astype(bool).to_numpy()]
    return _count(rows, index, as_of, i.window_days)


def open_findings(r: Records, as_of: dt.date) -> pd.DataFrame:
    """entity_id, on of the non-compliant inspections before `as_of` with no compliant inspection of the
    institution after them (and before `as_of`): findings not shown rectified."""
    rows = in_window(r.inspections, as_of, None)
    if rows.empty:
        return rows[["entity_id", "on"]]
    rows = rows.assign(on=pd.to_datetime(rows["on"]), non_compliant=rows["non_compliant"].astype(bool))
    last_ok = rows[~rows["non_compliant"]].groupby("entity_id")["on"].max().rename("last_ok")
    rows = rows.join(last_ok, on="entity_id")
    still = rows["non_compliant"] & (rows["last_ok"].isna() | (rows["on"] > rows["last_ok"]))
    return rows.loc[still.to_numpy(), ["entity_id", "on"]]


def _open(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    return _count(open_findings(r, as_of), index, as_of, i.window_days)


def _overdue(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    found = open_findings(r, as_of)
    term = pd.Timestamp(as_of) - pd.Timedelta(days=i.window_days or 0)
    return _count(found[(pd.to_datetime(found["on"]) < term).to_numpy()], index, as_of, None)


def _alerts(rule: str | None = None, scene: str | None = None) -> Callable:
    def count(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
        rows = r.alerts
        if rule is not None:
            rows = rows[(rows["rule"] == rule).to_numpy()]
        if scene is not None:
            rows = rows[(rows["scene"] == scene).to_numpy()]
        return _count(rows, index, as_of, i.window_days)
    return count


def _grade(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    return (latest_grades(r, index, as_of).fillna("none") == i.key.removeprefix("grade:")).astype(float)


def _expiry(r: Records, index: pd.Index) -> pd.Series:
    return pd.to_datetime(r.entities.set_index("entity_id")["licence_expiry"]).reindex(index)


def _licence_expired(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    return (_expiry(r, index) < pd.Timestamp(as_of)).astype(float)


def _licence_expiring(r: Records, index: pd.Index, as_of: dt.date, i: Indicator) -> pd.Series:
    expiry, day = _expiry(r, index), pd.Timestamp(as_of)
    return ((expiry >= day) & (expiry < day + pd.Timedelta(days=i.window_days or 0))).astype(float)


COMPUTE: dict[str, Callable[[Records, pd.Index, dt.date, Indicator], pd.Series]] = {
    "non_compliance_rate": _non_compliance_rate,
    "self_inspection_missed": lambda r, index, as_of, i: self_inspection_feature(r, index, as_of),
    "rx_hits": lambda r, index, as_of, i: _count(r.rx_hits, index, as_of, i.window_days),
    "complaints_substantiated": _substantiated,
    "complaints": lambda r, index, as_of, i: _count(r.complaints, index, as_of, i.window_days),
    "absent_chief": _alerts(rule="absent_chief"),
    "open_findings": _open,
    "overdue_rectification": _overdue,
    "penalties": lambda r, index, as_of, i: _count(r.penalties, index, as_of, i.window_days),
    "grade:C": _grade,
    "grade:B": _grade,
    "grade:none": _grade,
    "waste_alerts": _alerts(scene="medical_waste"),
    "radiation_alerts": _alerts(scene="xray_room"),
    "ops_anomaly": _alerts(rule="ops_anomaly"),
    "device_offline": _alerts(rule="offline"),
    "licence_expired": _licence_expired,
    "licence_expiring": _licence_expiring,
}


def compute(records: Records, as_of: dt.date, indicators: tuple[Indicator, ...]) -> pd.DataFrame:
    """One row per institution (index entity_id), one column per indicator, in the indicator's units."""
    index = pd.Index(records.entities["entity_id"], name="entity_id")
    columns = {}
    for indicator in indicators:
        if indicator.key not in COMPUTE:
            raise ValueError(f"institution indicator {indicator.key!r} names no known indicator")
        columns[indicator.key] = COMPUTE[indicator.key](records, index, as_of, indicator)
    return pd.DataFrame(columns, index=index)
