"""Each region's effectiveness index for a month: its indicators' values, their 0..100 scores and the weighted mean.

Per indicator (indicators.csv says in words what each counts) one SQL query per source table, grouped by the
code of the ranked regions' level, gives a numerator and a denominator per region; the value is their ratio.
A city's or province's value is therefore pooled from its counties' rows (sum of numerators over sum of
denominators, i.e. weighted by the cases counted), never a mean of county scores: a county with 3 complaints
does not weigh like one with 3,000. The rollup tables are read where they hold what an indicator counts
(device reports); the others need links the rollups do not keep (distinct entities inspected, a penalty's
inspection, an alert's first human step, a drawn entity's result), so they read the raw rows, indexed by date.

Missing is not zero: a region with no denominator for an indicator (no draws run, no devices, no complaint
due) has no value for it, and its index is the weighted mean of the scores it has, provided these carry at
least MIN_WEIGHT_SHARE of the total weight; below that the index is missing too. Each region's breakdown
lists every indicator with value, score, weight and contribution (weight × score ÷ the weight it has), so the
contributions add up to the index.

Months are calendar months in China time. Records are counted as stored now (a draw's result recorded next
month still completes this month's draw); the cache key carries the data version, so a new record recomputes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Table, exists, func, select
from sqlalchemy.engine import Connection

from data.effectiveness.indicators import IndicatorSet
from data.models import (Alert, AlertEvent, Complaint, Entity, Inspection, Penalty, RandomDraw, RandomDrawItem,
                         RollupRegionMonth)
from data.monitoring.alerts import TRANSITIONS
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.rollups import china_date, china_day_start_utc

MIN_WEIGHT_SHARE = 0.5  # an index from less than half the weight would rank regions on what they happen to report
MEASURES = ["adcode", "numerator", "denominator"]
# A person's first answer to an alert: the steps that leave `open` (data/monitoring/alerts.py).
ANSWERS = tuple(action for action, (before, _after) in TRANSITIONS.items() if "open" in before)
BREAKDOWN = ["adcode", "indicator", "category", "unit", "numerator", "denominator", "value", "score", "weight",
             "contribution"]


@dataclass(frozen=True)
class Grouping:
    """Which rows count (in scope, under `parent`) and the column that names the region they count for."""

    scope: Scope
    column: str  # province_adcode | city_adcode | county_adcode: the ranked regions' level
    parent_column: str
    parent: str

    def where(self, table: Table) -> list[ColumnElement[bool]]:
        return [scope_predicate(table, self.scope), table.c[self.parent_column] == self.parent,
                table.c[self.column].is_not(None)]

    def key(self, table: Table) -> ColumnElement:
        return table.c[self.column].label("adcode")


@dataclass(frozen=True)
class Window:
    """The inclusive China-time days an indicator counts, and the moment the records are read at."""

    first: dt.date
    last: dt.date
    as_of: dt.datetime  # UTC: min(now, the end of `last`); due times after it have not passed yet

    @property
    def start_utc(self) -> dt.datetime:
        return china_day_start_utc(self.first)

    @property
    def end_utc(self) -> dt.datetime:
        return china_day_start_utc(self.last + dt.timedelta(days=1))


def month_window(month: dt.date, months: int, now: dt.datetime) -> Window:
    """The `months` calendar months ending with `month` (its first day), read at min(now, its end)."""
    year, index = divmod(month.year * 12 + month.month - 1 - (months - 1), 12)
    first = dt.date(year, index + 1, 1)
    last = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Window(first, last, min(now, china_day_start_utc(last + dt.timedelta(days=1))))


def _frame(rows, columns=MEASURES) -> pd.DataFrame:
    """Rows as a frame (plain tuples first: pandas probes SQLAlchemy rows attribute by attribute, 3x slower)."""
    return pd.DataFrame([tuple(row) for row in rows], columns=columns)


class Memo(dict):
    """Frames fetched for one `measures` call, shared by the indicators that read the same rows (draws, alerts)."""

    def get_or_fetch(self, fetch: Callable, conn: Connection, g: Grouping, w: Window) -> pd.DataFrame:
        key = (fetch.__name__, w)
        if key not in self:
            self[key] = fetch(conn, g, w)
        return self[key]


def _pooled(frame: pd.DataFrame, numerator: pd.Series, counted: pd.Series) -> pd.DataFrame:
    """Per adcode: the sum of `numerator` over the rows `counted`, and the number of those rows."""
    summed = pd.DataFrame({"adcode": frame["adcode"], "numerator": numerator.where(counted, 0.0),
                           "denominator": counted.astype(int)})
    return summed.groupby("adcode", as_index=False).sum()


def inspection_coverage(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    insp, ent = Inspection.__table__, Entity.__table__
    inspected = _frame(conn.execute(select(g.key(insp), func.count(func.distinct(insp.c.entity_id))).where(
        *g.where(insp), insp.c.inspected_on.between(w.first, w.last)).group_by(insp.c[g.column])), ["adcode", "numerator"])
    on_file = _frame(conn.execute(select(g.key(ent), func.count()).where(*g.where(ent)).group_by(ent.c[g.column])),
                     ["adcode", "denominator"])
    return on_file.merge(inspected, on="adcode", how="left").fillna({"numerator": 0})[MEASURES]


def _drawn(conn: Connection, g: Grouping, w: Window) -> pd.DataFrame:
    """adcode, run_day, result_day (NaT: none yet) of each entity drawn in the window's runs."""
    item, run, insp = RandomDrawItem.__table__, RandomDraw.__table__, Inspection.__table__
    run_day = china_date(run.c.run_at)
    result = select(func.min(insp.c.inspected_on)).where(
        insp.c.entity_id == item.c.entity_id, insp.c.kind == "random_draw", insp.c.inspected_on >= run_day).scalar_subquery()
    rows = conn.execute(select(g.key(item), run_day.label("run_day"), result.label("result_day"))
                        .select_from(item.join(run, run.c.id == item.c.draw_id))
                        .where(*g.where(item), run.c.run_at >= w.start_utc, run.c.run_at < w.end_utc))
    frame = _frame(rows, ["adcode", "run_day", "result_day"])
    for column in ("run_day", "result_day"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def draw_completion(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    drawn = memo.get_or_fetch(_drawn, conn, g, w)
    return _pooled(drawn, drawn["result_day"].notna().astype(float), pd.Series(True, index=drawn.index))


def draw_result_days(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    drawn = memo.get_or_fetch(_drawn, conn, g, w)
    return _pooled(drawn, (drawn["result_day"] - drawn["run_day"]).dt.days.astype(float), drawn["result_day"].notna())


def penalty_follow_up(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    insp, pen = Inspection.__table__, Penalty.__table__
    penalised = exists().where(pen.c.inspection_id == insp.c.id)
    return _frame(conn.execute(select(g.key(insp), func.count().filter(penalised), func.count()).where(
        *g.where(insp), insp.c.result == "non_compliant", insp.c.inspected_on.between(w.first, w.last))
        .group_by(insp.c[g.column])))


def device_reporting(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    roll = RollupRegionMonth.__table__
    frame = _frame(conn.execute(select(g.key(roll), func.sum(roll.c.device_reported), func.sum(roll.c.device_expected))
                                .where(*g.where(roll), roll.c.month.between(w.first, w.last))
                                .group_by(roll.c[g.column])))
    return frame[frame["denominator"] > 0]  # months with records but no device: no reports were due


def penalty_decision_days(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    pen, insp = Penalty.__table__, Inspection.__table__
    frame = _frame(conn.execute(select(g.key(pen), pen.c.decided_on, insp.c.inspected_on)
                                .select_from(pen.join(insp, insp.c.id == pen.c.inspection_id))
                                .where(*g.where(pen), pen.c.decided_on.between(w.first, w.last))),
                   ["adcode", "decided_on", "inspected_on"])
    days = (pd.to_datetime(frame["decided_on"]) - pd.to_datetime(frame["inspected_on"])).dt.days.astype(float)
    return _pooled(frame, days, pd.Series(True, index=frame.index))


def _alerts(conn: Connection, g: Grouping, w: Window) -> pd.DataFrame:
    """adcode, raised_at, due_at, status, answered_at (NaT: no step recorded) of the alerts raised in the window."""
    alert, event = Alert.__table__, AlertEvent.__table__
    answered = select(func.min(event.c.at)).where(event.c.alert_id == alert.c.id, event.c.action.in_(ANSWERS)).scalar_subquery()
    frame = _frame(conn.execute(select(g.key(alert), alert.c.raised_at, alert.c.due_at, alert.c.status,
                                       answered.label("answered_at"))
                                .where(*g.where(alert), alert.c.raised_at >= w.start_utc, alert.c.raised_at < w.end_utc)),
                   ["adcode", "raised_at", "due_at", "status", "answered_at"])
    for column in ("raised_at", "due_at", "answered_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def alert_response_hours(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    alerts = memo.get_or_fetch(_alerts, conn, g, w)
    hours = (alerts["answered_at"] - alerts["raised_at"]).dt.total_seconds() / 3600
    return _pooled(alerts, hours, alerts["answered_at"] <= pd.Timestamp(w.as_of))


def alert_on_time(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    """Answered in time ÷ answered or past due. An alert still `open` past its due time is late; one whose status
    moved on without a recorded step (an imported or demo case) is left out: when it was answered is unknown."""
    alerts = memo.get_or_fetch(_alerts, conn, g, w)
    as_of = pd.Timestamp(w.as_of)
    answered = alerts["answered_at"].notna()
    past_due = alerts["due_at"] <= as_of
    counted = alerts["due_at"].notna() & ((alerts["answered_at"] <= as_of) | (past_due & (answered | (alerts["status"] == "open"))))
    return _pooled(alerts, (answered & (alerts["answered_at"] <= alerts["due_at"])).astype(float), counted)


def complaint_on_time(conn: Connection, g: Grouping, w: Window, memo: Memo) -> pd.DataFrame:
    comp = Complaint.__table__
    closed = comp.c.closed_at.is_not(None) & (comp.c.closed_at <= w.as_of)
    as_of_day = (pd.Timestamp(w.as_of).tz_convert("Asia/Shanghai")).date()
    on_time = closed & (china_date(comp.c.closed_at) <= comp.c.due_on)
    return _frame(conn.execute(select(g.key(comp), func.count().filter(on_time), func.count()).where(
        *g.where(comp), comp.c.due_on.between(w.first, w.last), closed | (comp.c.due_on < as_of_day))
        .group_by(comp.c[g.column])))


COMPUTE: dict[str, Callable[[Connection, Grouping, Window, Memo], pd.DataFrame]] = {
    fn.__name__: fn for fn in (inspection_coverage, draw_completion, penalty_follow_up, device_reporting,
                               penalty_decision_days, alert_response_hours, alert_on_time, draw_result_days,
                               complaint_on_time)}


def measures(conn: Connection, g: Grouping, month: dt.date, now: dt.datetime, indicators: IndicatorSet) -> pd.DataFrame:
    """adcode, indicator, numerator, denominator of every region with rows for the indicator in its window."""
    parts, memo = [], Memo()
    for indicator in indicators.indicators:
        if indicator.key not in COMPUTE:
            raise LookupError(f"effectiveness indicator {indicator.key!r} has no computation in data/effectiveness/score.py")
        part = COMPUTE[indicator.key](conn, g, month_window(month, indicator.window_months, now), memo)
        parts.append(part.assign(indicator=indicator.key))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*MEASURES, "indicator"])
    frame["adcode"] = frame["adcode"].astype(str)
    frame[["numerator", "denominator"]] = frame[["numerator", "denominator"]].astype(float)
    return frame[["adcode", "indicator", "numerator", "denominator"]]


def breakdown(measured: pd.DataFrame, regions: list[str], indicators: IndicatorSet) -> pd.DataFrame:
    """BREAKDOWN for every region × indicator: missing values stay NaN (score and contribution too)."""
    spec = pd.DataFrame([{"indicator": i.key, "category": i.category, "unit": i.unit, "weight": i.weight}
                         for i in indicators.indicators])
    grid = pd.MultiIndex.from_product([regions, spec["indicator"]], names=["adcode", "indicator"]).to_frame(index=False)
    frame = grid.merge(spec, on="indicator").merge(measured, on=["adcode", "indicator"], how="left")
    frame["value"] = (frame["numerator"] / frame["denominator"]).where(frame["denominator"] > 0)
    frame["score"] = np.nan
    for indicator in indicators.indicators:
        rows = frame["indicator"] == indicator.key
        frame.loc[rows, "score"] = indicator.score(frame.loc[rows, "value"])
    frame["contribution"] = contributions(frame)
    return frame[BREAKDOWN]


def contributions(frame: pd.DataFrame) -> pd.Series:
    """weight × score ÷ the weight the region (adcode) has scores for; NaN where the score is missing."""
    has = frame["score"].notna()
    weight_had = frame["weight"].where(has, 0.0).groupby(frame["adcode"]).transform("sum")
    return (frame["weight"] * frame["score"] / weight_had).where(has & (weight_had > 0))


def index(frame: pd.DataFrame, indicators: IndicatorSet) -> pd.DataFrame:
    """adcode, score (the index, NaN below MIN_WEIGHT_SHARE), weight_share (of the total weight with a value)."""
    total = sum(i.weight for i in indicators.indicators)
    per = frame.groupby("adcode", sort=False).agg(
        score=("contribution", lambda c: c.sum(min_count=1)),
        weight_had=("weight", lambda wt: wt[frame.loc[wt.index, "score"].notna()].sum()))
    per["weight_share"] = per["weight_had"] / total if total else np.nan
    per["score"] = per["score"].where(per["weight_share"] >= MIN_WEIGHT_SHARE)
    return per.reset_index()[["adcode", "score", "weight_share"]]
