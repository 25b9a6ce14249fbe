"""Construction projects (建设项目卫生审查) for the analysis page: applications of the period (by the day applied for)
by month, specialty, region and project type, with how they were decided and how long it took.

There is no rollup of projects (a county has dozens a year, not thousands): they are counted from their rows,
scoped and filtered like every analysis query (data/queries/analysis.py). The entity subtype filter keeps the
projects of applicants that are entities of that subtype; a new site (no entity yet) then drops out.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from data import vocab
from data.models import ConstructionProject
from data.queries import analysis
from data.queries.analysis import AnalysisFilters
from data.queries.filters import Scope
from data.store import Store

OUTCOMES = tuple(o for o in vocab.PROJECT_OUTCOMES)
MEASURES = ("projects", *OUTCOMES, "decided", "decision_days")
TYPE_COLUMNS = ("projects", "design_review", "completion_acceptance", *OUTCOMES, "mean_days")


def figures(store: Store, af: AnalysisFilters, scope: Scope) -> dict[str, pd.DataFrame]:
    """by_month (applications and decisions, whole period), by_specialty, by_region, by_kind (project type with
    the count per stage and outcome and the mean days from application to decision) and by_stage (stage × outcome)."""
    return analysis.cached(store, "construction", af, scope, lambda: _figures(store, af, scope))


def _figures(store: Store, af: AnalysisFilters, scope: Scope) -> dict[str, pd.DataFrame]:
    split = analysis.breakdown(store, af.region, scope)
    frame = _rows(store, af.without_month().without_specialty(), scope, split)
    trend_rows = frame[frame["specialty"] == af.specialty] if af.specialty else frame
    period = af.narrowed_period
    in_period = frame[(frame["applied_on"] >= period.start) & (frame["applied_on"] <= period.end)]
    chosen = in_period[in_period["specialty"] == af.specialty] if af.specialty else in_period
    months = trend_rows.assign(month=[d.replace(day=1) for d in trend_rows["applied_on"]])
    by_month = analysis.complete(_counts(months, "month"), "month", analysis.months_of(af.period), MEASURES)
    by_specialty = analysis.complete(_counts(in_period, "specialty"), "specialty", list(vocab.SPECIALTIES), MEASURES)
    by_region = analysis.by_region(_counts(chosen, "adcode"), split, MEASURES)
    kinds = _counts(chosen, "project_type")
    stages = chosen.groupby(["project_type", "stage"]).size().unstack(fill_value=0).reindex(
        columns=list(vocab.PROJECT_STAGES), fill_value=0)
    by_kind = analysis.complete(kinds, "project_type", list(vocab.PROJECT_TYPES), MEASURES).merge(
        stages, left_on="project_type", right_index=True, how="left").fillna(0)
    stage_outcome = chosen.groupby(["stage", "outcome"]).size().unstack(fill_value=0).reindex(
        index=list(vocab.PROJECT_STAGES), columns=list(OUTCOMES), fill_value=0).rename_axis(index="stage", columns=None).reset_index()
    out = {"by_month": by_month, "by_specialty": by_specialty, "by_region": by_region, "by_kind": by_kind,
           "by_stage": stage_outcome}
    for part in out.values():
        for column in part.columns:
            if column in MEASURES or column in vocab.PROJECT_STAGES:
                part[column] = part[column].astype(int)
        if "decision_days" in part:
            part["mean_days"] = (part["decision_days"] / part["decided"].where(part["decided"] > 0)).round(1)
    return out


def _rows(store: Store, af: AnalysisFilters, scope: Scope, split: analysis.Breakdown) -> pd.DataFrame:
    """The projects applied for in the whole period (any specialty), one row each, with their region column."""
    table = ConstructionProject.__table__
    query = select(table.c.specialty, table.c.project_type, table.c.stage, table.c.outcome, table.c.applied_on,
                   table.c.decided_on, table.c[split.column].label("adcode")).where(
        *analysis.conditions(table, af, scope, split), table.c.applied_on.between(af.period.start, af.period.end))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["specialty", "project_type", "stage", "outcome",
                                                                 "applied_on", "decided_on", "adcode"])
    applied, decided = pd.to_datetime(frame["applied_on"]), pd.to_datetime(frame["decided_on"])
    frame["applied_on"] = applied.dt.date
    frame["days"] = (decided - applied).dt.days
    return frame


def _counts(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """MEASURES per `key`: applications, per outcome, decided ones and their total days to a decision."""
    if frame.empty:
        return pd.DataFrame(columns=[key, *MEASURES])
    outcome = pd.get_dummies(frame["outcome"]).reindex(columns=list(OUTCOMES), fill_value=0).astype(int)
    parts = pd.concat([frame[[key]], outcome], axis=1).assign(
        projects=1, decided=frame["days"].notna().astype(int), decision_days=frame["days"].fillna(0))
    return parts.groupby(key, as_index=False)[list(MEASURES)].sum()
