"""The analysis page's questions (综合分析): licences, supervised entities, inspections and penalties, by specialty,
month, child region and type, under the page's shared filters and cross-filters.

Every section answers with the same parts, so the page can draw and cross-filter them alike: `by_month` (the whole
chosen period, so the month picked stays in view), `by_specialty` (every specialty whatever the specialty filter,
so another can be picked), `by_region` (the children of the region, or the region itself when it has none) and
`by_kind`. The entity subtype (监管对象类型) filter narrows records to the entities of that subtype.

Inspections and penalties come from the rollups (data/queries/overview.py, data/queries/summary.py) when no
subtype is asked for; the rollups hold no subtype, so with one they are counted from the raw rows. Licences and
entities are the current register (entity rows), so the period does not narrow them, except the licences that
expire inside it. Scope is checked first and applied in SQL; answers are cached by filters, scope and data version.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, func, select

from data import vocab
from data.models import Entity, Inspection, Penalty
from data.queries import licences, overview, regions
from data.queries.base import cached_record, scope_predicate
from data.queries.filters import Filters, Period, Scope
from data.rollups import month_start
from data.store import Store

GRADE_COLUMNS = ("grade_A", "grade_B", "grade_C", "ungraded")
LICENCE_MEASURES = ("entities", "licensed", "valid", "due", "expired", "unlicensed", "expiring_in_period")


@dataclass(frozen=True)
class AnalysisFilters:
    """The shared filters of the page: region, period, specialty, entity subtype, and the month a click on the
    trend narrowed the period to (inside the period, else ignored)."""

    region: str
    period: Period
    specialty: str | None = None
    subtype: str | None = None
    month: str | None = None  # YYYY-MM

    def __post_init__(self):
        Filters(self.region, self.period, self.specialty)  # the same checks as every query's filters
        if self.subtype is not None and not re.fullmatch(r"[a-z_]{1,32}", self.subtype):
            raise ValueError(f"subtype {self.subtype!r} is not a subtype identifier")
        if self.month is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", self.month):
            raise ValueError(f"month {self.month!r}: expected YYYY-MM")

    @property
    def narrowed_period(self) -> Period:
        """The period, cut to the picked month when it overlaps it."""
        if self.month is None:
            return self.period
        year, month = int(self.month[:4]), int(self.month[5:])
        start = max(self.period.start, dt.date(year, month, 1))
        end = min(self.period.end, dt.date(year, month, calendar.monthrange(year, month)[1]))
        return Period(start, end) if start <= end else self.period

    @property
    def filters(self) -> Filters:
        """Region, narrowed period and specialty as the shared query filters."""
        return Filters(self.region, self.narrowed_period, self.specialty)

    def without_specialty(self) -> AnalysisFilters:
        return dataclasses.replace(self, specialty=None)

    def without_month(self) -> AnalysisFilters:
        return dataclasses.replace(self, month=None)

    def key(self) -> str:
        return f"{self.filters.key()}|subtype={self.subtype or '*'}|trend={self.period.key()}"


def cached(store: Store, name: str, af: AnalysisFilters, scope: Scope, compute: Callable[[], object]):
    """Check the region against the scope, then answer from the cache (key: name, filters, scope, data version)."""
    scope.check(af.region)
    regions.get_region(store, af.region, scope)
    return cached_record(store, f"analysis.{name}", af.key(), scope, compute)


@dataclass(frozen=True)
class Breakdown:
    """How to split the region: by the column of its children, or (a region without children) by its own."""

    column: str
    kids: pd.DataFrame  # adcode, name
    region_column: str | None  # filter on the region itself (None: the scope is the only limit)


def breakdown(store: Store, region: str, scope: Scope) -> Breakdown:
    level = regions.get_region(store, region, scope).level
    kids = regions.children(store, region, scope)
    own = regions.LEVEL_COLUMN.get(level)
    if not kids.empty and kids["level"].iloc[0] in regions.LEVEL_COLUMN:
        return Breakdown(regions.LEVEL_COLUMN[kids["level"].iloc[0]], kids[["adcode", "name"]], own)
    if own is None:
        raise ValueError(f"region {region} is below the county level: the analysis counts down to counties")
    name = regions.get_region(store, region, scope).name
    return Breakdown(own, pd.DataFrame({"adcode": [region], "name": [name]}), own)


def conditions(table, af: AnalysisFilters, scope: Scope, split: Breakdown, *, specialty: bool = True,
               subtype_column: ColumnElement | None = None) -> list:
    """Rows of `table` in scope, in the region, of the specialty and the entity subtype when set.

    `subtype_column` is the table's own subtype column (entity); other tables are narrowed through entity_id."""
    found = [scope_predicate(table, scope)]
    if split.region_column:
        found.append(table.c[split.region_column] == af.region)
    if specialty and af.specialty:
        found.append(table.c.specialty == af.specialty)
    if af.subtype:
        if subtype_column is not None:
            found.append(subtype_column == af.subtype)
        else:
            entity = Entity.__table__
            found.append(table.c.entity_id.in_(select(entity.c.id).where(entity.c.subtype == af.subtype)))
    return found


def months_of(period: Period) -> list[dt.date]:
    return list(pd.date_range(period.start.replace(day=1), period.end, freq="MS").date)


def complete(frame: pd.DataFrame, key: str, keys: list, measures: tuple[str, ...]) -> pd.DataFrame:
    """One row per key of `keys` (zeros where none), then any other key found, in that order."""
    frame = frame.groupby(key)[list(measures)].sum() if len(frame) else pd.DataFrame(columns=list(measures))
    order = list(dict.fromkeys([*keys, *frame.index]))
    out = frame.reindex(order, fill_value=0).rename_axis(key).reset_index()
    for measure in measures:
        out[measure] = pd.to_numeric(out[measure]).fillna(0)
    return out


def by_region(frame: pd.DataFrame, split: Breakdown, measures: tuple[str, ...]) -> pd.DataFrame:
    """adcode, name and `measures` for every region of the breakdown (zeros where none)."""
    totals = frame.groupby("adcode")[list(measures)].sum() if len(frame) else pd.DataFrame(columns=list(measures))
    out = split.kids.merge(totals, left_on="adcode", right_index=True, how="left")
    out[list(measures)] = out[list(measures)].fillna(0)
    return out.reset_index(drop=True)


def _integers(frame: pd.DataFrame, measures) -> pd.DataFrame:
    for measure in measures:
        frame[measure] = frame[measure].astype(int)
    return frame


def rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).round(4)


# ---------------------------------------------------------------- licences and entities (the register)


def licence_figures(store: Store, af: AnalysisFilters, scope: Scope, today: dt.date) -> dict[str, pd.DataFrame]:
    """LICENCE_MEASURES by specialty and by region: entities, holding a licence (licensed), of those valid beyond the
    largest reminder threshold, due within it, expired; without a licence number; expiring inside the period."""
    return cached(store, f"licences@{today.isoformat()}", af, scope, lambda: _licence_figures(store, af, scope, today))


def _licence_figures(store: Store, af: AnalysisFilters, scope: Scope, today: dt.date) -> dict[str, pd.DataFrame]:
    table = Entity.__table__
    split = breakdown(store, af.region, scope)
    with store.engine.connect() as conn:
        horizon = today + dt.timedelta(days=licences.thresholds(conn)[0])
        period = af.narrowed_period
        licensed = table.c.licence_no.is_not(None)
        expiry = table.c.licence_expiry
        flags = {
            "entities": func.count(),
            "licensed": case((licensed, 1), else_=0),
            "valid": case((licensed & (expiry > horizon), 1), else_=0),
            "due": case((licensed & (expiry >= today) & (expiry <= horizon), 1), else_=0),
            "expired": case((licensed & (expiry < today), 1), else_=0),
            "unlicensed": case((licensed, 0), else_=1),
            "expiring_in_period": case((licensed & expiry.between(period.start, period.end), 1), else_=0),
        }
        where = conditions(table, af.without_specialty(), scope, split, subtype_column=table.c.subtype)
        columns = [table.c.specialty, table.c[split.column].label("adcode")]
        query = (select(*columns, *((value if name == "entities" else func.sum(value)).label(name)
                                    for name, value in flags.items()))
                 .where(*where).group_by(*columns))
        rows = pd.DataFrame(conn.execute(query).all(), columns=["specialty", "adcode", *LICENCE_MEASURES])
    specialties = _integers(complete(rows, "specialty", list(vocab.SPECIALTIES), LICENCE_MEASURES), LICENCE_MEASURES)
    chosen = rows[rows["specialty"] == af.specialty] if af.specialty else rows
    return {"by_specialty": specialties,
            "by_region": _integers(by_region(chosen, split, LICENCE_MEASURES), LICENCE_MEASURES)}


def entity_figures(store: Store, af: AnalysisFilters, scope: Scope) -> dict[str, pd.DataFrame]:
    """Entities now registered: by specialty, by subtype, and by region with the grade distribution (A, B, C,
    not graded) of each."""
    return cached(store, "entities", af, scope, lambda: _entity_figures(store, af, scope))


def _entity_figures(store: Store, af: AnalysisFilters, scope: Scope) -> dict[str, pd.DataFrame]:
    table = Entity.__table__
    split = breakdown(store, af.region, scope)
    grades = [func.sum(case((table.c.grade == g, 1), else_=0)).label(f"grade_{g}") for g in vocab.GRADES]
    measures = ("entities", *GRADE_COLUMNS)
    columns = [table.c.specialty, table.c.subtype, table.c[split.column].label("adcode")]
    query = (select(*columns, func.count().label("entities"), *grades,
                    func.sum(case((table.c.grade.is_(None), 1), else_=0)).label("ungraded"))
             .where(*conditions(table, af.without_specialty(), scope, split, subtype_column=table.c.subtype))
             .group_by(*columns))
    with store.engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(query).all(), columns=["specialty", "subtype", "adcode", *measures])
    chosen = rows[rows["specialty"] == af.specialty] if af.specialty else rows
    subtypes = _integers(complete(chosen, "subtype", [], measures), measures)
    return {"by_specialty": _integers(complete(rows, "specialty", list(vocab.SPECIALTIES), measures), measures),
            "by_kind": subtypes.sort_values(["entities", "subtype"], ascending=[False, True], ignore_index=True),
            "by_region": _integers(by_region(chosen, split, measures), measures)}


# ---------------------------------------------------------------- inspections and penalties (records)


@dataclass(frozen=True)
class RecordSource:
    """One kind of dated record: its table, date column, measures (name → SQL) and its kinds."""

    key: str
    table: object
    day: str
    measures: dict[str, Callable[[object], ColumnElement]]
    kinds: tuple[str, ...]
    rollup_kinds: Callable[[Store, Filters, Scope], pd.DataFrame]


INSPECTIONS = RecordSource(
    "inspection", Inspection.__table__, "inspected_on",
    {"inspections": lambda t: func.count(), "non_compliant": lambda t: func.sum(func.cast(t.c.result == "non_compliant", Integer))},
    vocab.INSPECTION_KINDS, overview.inspection_kinds)
PENALTIES = RecordSource(
    "penalty", Penalty.__table__, "decided_on",
    {"penalties": lambda t: func.count(), "penalty_amount": lambda t: func.sum(t.c.amount)},
    vocab.PENALTY_KINDS, overview.penalty_kinds)


def record_figures(store: Store, af: AnalysisFilters, scope: Scope, source: RecordSource) -> dict[str, pd.DataFrame]:
    """by_month (whole period), by_specialty (every specialty), by_region and by_kind (kind, records) of a source."""
    return cached(store, source.key, af, scope, lambda: _record_figures(store, af, scope, source))


def _record_figures(store: Store, af: AnalysisFilters, scope: Scope, source: RecordSource) -> dict[str, pd.DataFrame]:
    measures = tuple(source.measures)
    split = breakdown(store, af.region, scope)
    if af.subtype is None:  # the rollups answer
        trend = overview.monthly(store, af.without_month().filters, scope)[["month", *measures]]
        specialties = overview.by_specialty(store, af.without_specialty().filters, scope)[["specialty", *measures]]
        if split.column == split.region_column:  # no children: the region itself, totalled
            totals = overview.by_specialty(store, af.filters, scope)[list(measures)].sum()
            regional = split.kids.assign(**{m: totals[m] for m in measures})
        else:
            regional = overview.child_figures(store, af.filters, scope)[["adcode", "name", *measures]]
        kinds = source.rollup_kinds(store, af.filters, scope)
    else:
        trend = _raw(store, af.without_month(), scope, source, split, "month")
        trend = complete(trend, "month", months_of(af.period), measures)
        specialties = complete(_raw(store, af.without_specialty(), scope, source, split, "specialty"), "specialty",
                               list(vocab.SPECIALTIES), measures)
        regional = by_region(_raw(store, af, scope, source, split, "adcode"), split, measures)
        kinds = _raw(store, af, scope, source, split, "kind")
        first = next(iter(source.measures))
        kinds = complete(kinds, "kind", list(source.kinds), measures)[["kind", first]].rename(columns={first: "records"})
        kinds = kinds.sort_values(["records", "kind"], ascending=[False, True], ignore_index=True)
    out = {"by_month": trend, "by_specialty": specialties, "by_region": regional, "by_kind": kinds}
    for frame in out.values():
        for measure in measures:
            if measure in frame:
                frame[measure] = frame[measure].astype(float if measure == "penalty_amount" else int)
    for frame in (out["by_month"], out["by_specialty"], out["by_region"]):
        if "inspections" in frame:
            frame["rate"] = rate(frame["non_compliant"], frame["inspections"])
    out["by_kind"]["records"] = out["by_kind"]["records"].astype(int)
    return out


def _raw(store: Store, af: AnalysisFilters, scope: Scope, source: RecordSource, split: Breakdown, group: str) -> pd.DataFrame:
    """The source's measures grouped by month, specialty, region (adcode) or kind, from the raw rows."""
    table = source.table
    day = table.c[source.day]
    key = {"month": month_start(day), "specialty": table.c.specialty, "adcode": table.c[split.column],
           "kind": table.c.kind}[group].label(group)
    period = af.narrowed_period
    query = (select(key, *(measure(table).label(name) for name, measure in source.measures.items()))
             .where(*conditions(table, af, scope, split), day.between(period.start, period.end)).group_by(key))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=[group, *source.measures])
    if group == "month":
        frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


def subtypes(store: Store, scope: Scope, specialty: str | None = None) -> list[str]:
    """The entity subtypes present in the scope (of the specialty when given), for the type filter."""
    table = Entity.__table__
    query = select(table.c.subtype).where(scope_predicate(table, scope)).distinct().order_by(table.c.subtype)
    if specialty:
        query = query.where(table.c.specialty == specialty)
    with store.engine.connect() as conn:
        return list(conn.execute(query).scalars())
