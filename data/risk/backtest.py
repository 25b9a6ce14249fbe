"""Back-test: would inspecting in risk order have found violations earlier than the order they were done in?

For each period (calendar quarter) the inspections done in it are taken in two orders: the historical
one (by date) and the model's (by each entity's risk score computed from records dated before the
period began, so nothing the period itself revealed is used: features.compute only reads rows dated
before `as_of`; ties keep the historical order). The figure is the share of the period's violations
found within the first 10 % and 25 % of its inspections in each order. In random order it would be
about 10 % and 25 %.

A third order, `fitted`, is a logistic regression (scikit-learn) on the same features, fitted on the
earlier periods only (features at each earlier period's start → a violation found in it) and applied to
the period: the question the issue asks is whether a fitted model beats the transparent points. The
first period has nothing to learn from, so its fitted order is the historical one.

Sources: the database (demo or real: a violation is a non-compliant inspection) and the NYC DOHMH file
in ../shared/datasets (a violation is an inspection with a critical violation; restaurants have no
penalties, complaints or alerts in that file, so those features are 0 there).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from data.risk import features, params, score

SHARES = (0.10, 0.25)
ORDERS = ("historical", "model", "fitted")
COLUMNS = ["period", "inspections", "violations", *(f"{order}_{int(share * 100)}" for share in SHARES for order in ORDERS)]


@dataclass(frozen=True)
class Case:
    """What a back-test needs: the history the model reads, and each inspection with whether it found a violation."""

    history: features.History
    inspections: pd.DataFrame  # entity_id, on, found


def found_within(found: pd.Series, share: float) -> float:
    """Share of the violations (True values of `found`, in inspection order) within the first `share` of inspections."""
    total = int(found.sum())
    if total == 0:
        return float("nan")
    first = math.ceil(len(found) * share)
    return float(found.iloc[:first].sum()) / total


def periods(inspections: pd.DataFrame, *, warmup_days: int, min_inspections: int) -> list[tuple[dt.date, dt.date]]:
    """Calendar quarters [start, end) beginning at least `warmup_days` after the first inspection, with enough inspections."""
    on = pd.to_datetime(inspections["on"])
    first = on.min() + pd.Timedelta(days=warmup_days)
    quarters = pd.period_range(first, on.max(), freq="Q")
    chosen = []
    for quarter in quarters:
        start, end = quarter.start_time, (quarter + 1).start_time
        if start < first:
            continue
        if int(((on >= start) & (on < end)).sum()) >= min_inspections:
            chosen.append((start.date(), end.date()))
    return chosen


def run(case: Case, model: params.Model, *, warmup_days: int = 365, min_inspections: int = 50) -> pd.DataFrame:
    """COLUMNS per period, and a last row `all` pooling every period's inspections in each order."""
    rows, pooled = [], {order: [] for order in ORDERS}
    seen_x, seen_y = [], []  # what the fitted model may learn from: the periods before
    on = pd.to_datetime(case.inspections["on"])
    for start, end in periods(case.inspections, warmup_days=warmup_days, min_inspections=min_inspections):
        done = case.inspections[((on >= pd.Timestamp(start)) & (on < pd.Timestamp(end))).to_numpy()]
        done = done.sort_values("on", kind="stable").reset_index(drop=True)
        known = features.compute(case.history, start, model.features)
        x = known.reindex(done["entity_id"]).fillna(0).to_numpy()
        risks = {"historical": None, "model": score.score(known, model)["score"].reindex(done["entity_id"]).fillna(0),
                 "fitted": _fitted_risk(seen_x, seen_y, x)}
        orders = {}
        for order, risk in risks.items():
            ranked = done if risk is None else done.assign(risk=np.asarray(risk)).sort_values("risk", ascending=False,
                                                                                              kind="stable")
            orders[order] = ranked["found"].astype(bool)
            pooled[order].append(orders[order])
        seen_x.append(x)
        seen_y.append(done["found"].astype(bool).to_numpy())
        rows.append(_row(f"{start:%Y}Q{(start.month - 1) // 3 + 1}", orders))
    if rows:
        rows.append(_row("all", {order: _interleave(parts) for order, parts in pooled.items()}))
    return pd.DataFrame(rows, columns=COLUMNS)


def _fitted_risk(seen_x: list[np.ndarray], seen_y: list[np.ndarray], x: np.ndarray) -> np.ndarray | None:
    """The probability of a violation from a logistic regression fitted on the earlier periods (None: nothing to fit)."""
    if not seen_x:
        return None
    y = np.concatenate(seen_y)
    if y.all() or not y.any():
        return None
    fitted = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    fitted.fit(np.vstack(seen_x), y)
    return fitted.predict_proba(x)[:, 1]


def _interleave(parts: list[pd.Series]) -> pd.Series:
    """All periods in one order that keeps each period's shares: every period's first 10 % come first, as a
    planner working period by period would do them."""
    ranked = []
    for part in parts:
        part = part.reset_index(drop=True)
        ranked.append(pd.DataFrame({"found": part.to_numpy(), "rank": (part.index + 1) / len(part)}))
    both = pd.concat(ranked, ignore_index=True).sort_values("rank", kind="stable")
    return both["found"].reset_index(drop=True)


def _row(label: str, orders: dict[str, pd.Series]) -> dict:
    orders = {order: series.reset_index(drop=True) for order, series in orders.items()}
    return {"period": label, "inspections": len(orders["historical"]), "violations": int(orders["historical"].sum()),
            **{f"{order}_{int(share * 100)}": found_within(orders[order], share) for share in SHARES for order in ORDERS}}


NYC_FILE = Path("nyc_restaurant_inspections") / "nyc_restaurant_inspections.csv"
NYC_PLACEHOLDER = "1900-01-01"  # DOHMH's "not yet inspected" (data/imports/profiles/nyc_restaurant_inspections.yaml)


def nyc_case(path: Path) -> Case:
    """The NYC DOHMH extract (one row per violation) as a Case: an inspection is (CAMIS, day, inspection type).

    found: the inspection cited at least one critical violation. The model's non-compliance feature reads the
    same thing for earlier inspections, its grade feature the grade given at each inspection (A/B/C only)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = raw[~raw["inspection_date"].str.startswith(NYC_PLACEHOLDER)]
    raw = raw.assign(on=pd.to_datetime(raw["inspection_date"].str[:10]).dt.date, critical=raw["critical_flag"] == "Critical")
    inspections = (raw.groupby(["camis", "on", "inspection_type"], sort=False)
                   .agg(found=("critical", "any"), grade=("grade", "first")).reset_index())
    ids = {camis: number for number, camis in enumerate(sorted(raw["camis"].unique()), start=1)}
    inspections["entity_id"] = inspections["camis"].map(ids)
    graded = inspections[inspections["grade"].isin(["A", "B", "C"])]
    empty = pd.DataFrame({"entity_id": pd.Series(dtype=int), "on": pd.Series(dtype=object)})
    history = features.History(
        entities=pd.DataFrame({"entity_id": list(ids.values()), "specialty": "public_place"}),
        inspections=inspections[["entity_id", "on"]].assign(non_compliant=inspections["found"]),
        penalties=empty.assign(amount=pd.Series(dtype=float)),
        complaints=empty.assign(substantiated=pd.Series(dtype=bool)),
        alerts=empty,
        grades=graded[["entity_id", "on", "grade"]],
    )
    return Case(history=history, inspections=inspections[["entity_id", "on", "found"]])


def database_case(history: features.History) -> Case:
    """A database's History as a Case: a violation is a non-compliant inspection."""
    return Case(history=history, inspections=history.inspections.rename(columns={"non_compliant": "found"}))
