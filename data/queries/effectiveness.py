"""The effectiveness index (监管效能) as pages, the wall and the CLI read it: the ranking of a region's
sub-regions for a month with the change from the month before, and each one's breakdown by indicator.

Cached like every query (name + filters + scope + data version). `filters.period` names the month: its first
day is the month scored, its last day the day the records are read at (today for the running month), so a
running month's answer is keyed by the day. The ranked regions are the children of `filters.region` (the
region itself when it has none): a county viewer sees their county only.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

from data.effectiveness import indicators as indicator_data
from data.effectiveness import score
from data.queries import regions
from data.queries.base import cached_query
from data.queries.filters import Filters, Period, Scope
from data.rollups import china_day_start_utc
from data.store import Store

RANKING = ["rank", "adcode", "name", "score", "previous_score", "change", "weight_share"]
BREAKDOWN = ["adcode", "name", *score.BREAKDOWN[1:], "previous_value", "previous_score", "value_change"]


def month_filters(region: str, month: dt.date, today: dt.date) -> Filters:
    """The filters of one calendar month (any day of it), read up to today when it is the running month."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if first > today:
        raise ValueError(f"month {first:%Y-%m} has not begun")
    return Filters(region=region, period=Period(first, min(last, today)))


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def ranked_regions(store: Store, region: str, scope: Scope) -> tuple[score.Grouping, pd.DataFrame]:
    """The grouping that counts rows for the regions ranked under `region`, and those regions (adcode, name)."""
    parent = regions.get_region(store, region, scope)
    if parent.level not in regions.LEVEL_COLUMN:
        raise LookupError(f"region {region} is a {parent.level}: the index is computed for provinces, cities and counties")
    kids = regions.children(store, region, scope)
    kids = kids[kids["level"].isin(regions.LEVEL_COLUMN)]
    parent_column = regions.LEVEL_COLUMN[parent.level]
    if kids.empty:
        return (score.Grouping(scope, parent_column, parent_column, region),
                pd.DataFrame({"adcode": [region], "name": [parent.name]}))
    column = regions.LEVEL_COLUMN[kids["level"].iloc[0]]
    return score.Grouping(scope, column, parent_column, region), kids[["adcode", "name"]].reset_index(drop=True)


@cached_query
def breakdown(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """BREAKDOWN: every ranked region × indicator of the month, with the previous month's value and score.
    attrs: `version` (the indicator set's), `month`."""
    month = filters.period.start.replace(day=1)
    grouping, ranked = ranked_regions(store, filters.region, scope)
    now = min(dt.datetime.now(dt.UTC), china_day_start_utc(filters.period.end + dt.timedelta(days=1)))
    with store.engine.connect() as conn:
        indicators = indicator_data.current(conn)
        this = score.measures(conn, grouping, month, now, indicators)
        before = score.measures(conn, grouping, previous_month(month), now, indicators)
    codes = ranked["adcode"].tolist()
    frame = score.breakdown(this, codes, indicators)
    earlier = score.breakdown(before, codes, indicators)[["adcode", "indicator", "value", "score"]].rename(
        columns={"value": "previous_value", "score": "previous_score"})
    frame = frame.merge(earlier, on=["adcode", "indicator"], how="left").merge(ranked, on="adcode")
    frame["value_change"] = frame["value"] - frame["previous_value"]
    frame = frame[BREAKDOWN]
    frame.attrs.update(version=indicators.version, month=month)
    return frame


@cached_query
def ranking(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """RANKING: the ranked regions by index, best first (a region without an index last, unranked);
    `change` is the index minus the previous month's, in points."""
    parts = breakdown(store, filters, scope)
    with store.engine.connect() as conn:
        indicators = indicator_data.current(conn)
    this = score.index(parts, indicators)
    before = score.index(parts[["adcode", "indicator", "weight", "previous_score"]].rename(
        columns={"previous_score": "score"}).assign(contribution=score.contributions), indicators)[["adcode", "score"]].rename(columns={"score": "previous_score"})
    frame = this.merge(before, on="adcode").merge(parts[["adcode", "name"]].drop_duplicates(), on="adcode")
    frame["change"] = frame["score"] - frame["previous_score"]
    frame["rank"] = frame["score"].rank(ascending=False, method="min")
    frame = frame.sort_values(["rank", "adcode"], na_position="last").reset_index(drop=True)
    frame["rank"] = frame["rank"].astype("Int64")
    return frame[RANKING]


def definitions(store: Store) -> pd.DataFrame:
    """The indicators in force (configuration, the same for every viewer): key, category, direction, floor,
    target, weight, window_months, unit, numerator, denominator, source; attrs `version`."""
    with store.engine.connect() as conn:
        indicators = indicator_data.current(conn)
    frame = pd.DataFrame([vars(i) for i in indicators.indicators])
    frame.attrs["version"] = indicators.version
    return frame
