"""The analysis page's queries (data/queries/analysis.py, data/queries/construction.py) on SQLite and PostgreSQL,
each checked against an independent pandas count over the raw rows; and their scope."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from data import db, vocab
from data.cache import QueryCache
from data.demo.build import build
from data.queries import analysis, construction, licences
from data.queries.analysis import AnalysisFilters
from data.queries.filters import OutOfScope, Period, Scope
from data.store import Store

UNTIL = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 5, 15)
PERIOD = Period(dt.date(2025, 7, 10), dt.date(2026, 6, 20))  # partial first and last months: rollup + raw rows
CITY, COUNTY, OTHER_COUNTY = "320600", "320612", "320613"
NANTONG = Scope.of(CITY)


@pytest.fixture(scope="module")
def nantong(module_database_url, cache_dir) -> Store:
    engine = db.make_engine(module_database_url)
    build(engine, CITY, "county", seed=4, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    yield Store(engine, QueryCache("simple://"))
    engine.dispose()


def _raw(store: Store, sql: str, dates: tuple[str, ...] = ()) -> pd.DataFrame:
    with store.engine.connect() as conn:
        frame = pd.read_sql(text(sql), conn)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def _entities(store: Store) -> pd.DataFrame:
    return _raw(store, "SELECT id, specialty, subtype, grade, licence_no, licence_expiry, county_adcode FROM entity",
                ("licence_expiry",))


def _in(frame: pd.DataFrame, column: str, period: Period) -> pd.DataFrame:
    return frame[(frame[column] >= period.start) & (frame[column] <= period.end)]


def test_licence_figures_match_the_register(nantong):
    got = analysis.licence_figures(nantong, AnalysisFilters(CITY, PERIOD), NANTONG, TODAY)
    ents = _entities(nantong)
    with nantong.engine.connect() as conn:
        horizon = TODAY + dt.timedelta(days=licences.thresholds(conn)[0])
    held = ents["licence_no"].notna()
    expiry = ents["licence_expiry"]
    ents["expired"] = held & (expiry < TODAY)
    ents["due"] = held & (expiry >= TODAY) & (expiry <= horizon)
    ents["valid"] = held & (expiry > horizon)
    ents["in_period"] = held & (expiry >= PERIOD.start) & (expiry <= PERIOD.end)
    by_specialty = got["by_specialty"].set_index("specialty")
    assert list(by_specialty.index) == list(vocab.SPECIALTIES)
    expected = ents.groupby("specialty")[["expired", "due", "valid", "in_period"]].sum()
    for specialty, row in expected.iterrows():
        mine = by_specialty.loc[specialty]
        assert (mine["expired"], mine["due"], mine["valid"], mine["expiring_in_period"]) == tuple(row), specialty
        assert mine["licensed"] == mine["valid"] + mine["due"] + mine["expired"]
    assert by_specialty["entities"].sum() == len(ents) and got["by_region"]["entities"].sum() == len(ents)
    assert got["by_region"].set_index("adcode")["expired"].to_dict() == {
        code: int(ents.loc[ents["county_adcode"] == code, "expired"].sum()) for code in got["by_region"]["adcode"]}


def test_entity_figures_and_grades_by_region_with_a_subtype(nantong):
    got = analysis.entity_figures(nantong, AnalysisFilters(CITY, PERIOD, "public_place", "hotel"), NANTONG)
    ents = _entities(nantong)
    hotels = ents[ents["subtype"] == "hotel"]
    regional = got["by_region"].set_index("adcode")
    assert len(regional) == 7  # every county of Nantong
    for code, group in hotels.groupby("county_adcode"):
        counts = group["grade"].value_counts()
        assert regional.loc[code, "entities"] == len(group)
        assert (regional.loc[code, "grade_A"], regional.loc[code, "grade_C"]) == (counts.get("A", 0), counts.get("C", 0))
        assert regional.loc[code, "ungraded"] == group["grade"].isna().sum()
    assert got["by_kind"]["subtype"].tolist() == ["hotel"]
    # The specialty breakdown ignores the specialty filter (every specialty is there to be picked), not the subtype.
    assert got["by_specialty"].set_index("specialty")["entities"].to_dict()["public_place"] == len(hotels)


def _inspections(store: Store) -> pd.DataFrame:
    frame = _raw(store, "SELECT i.inspected_on, i.kind, i.result, i.specialty, i.county_adcode, e.subtype "
                        "FROM inspection i JOIN entity e ON e.id = i.entity_id", ("inspected_on",))
    frame["nc"] = frame["result"] == "non_compliant"
    return frame


@pytest.mark.parametrize("subtype", [None, "hospital"], ids=["rollups", "raw-rows"])
def test_inspection_figures_match_the_raw_rows(nantong, subtype):
    af = AnalysisFilters(CITY, PERIOD, "medical", subtype, month="2026-03")
    got = analysis.record_figures(nantong, af, NANTONG, analysis.INSPECTIONS)
    raw = _inspections(nantong)
    if subtype:
        raw = raw[raw["subtype"] == subtype]
    whole = _in(raw[raw["specialty"] == "medical"], "inspected_on", PERIOD)
    march = _in(whole, "inspected_on", Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    # The trend keeps the whole period (the month picked stays in view), partial months counting their days only.
    trend = got["by_month"].set_index("month")
    months = whole.assign(month=[d.replace(day=1) for d in whole["inspected_on"]]).groupby("month")
    assert trend["inspections"].sum() == len(whole) and len(trend) == 12
    for month, group in months:
        assert (trend.loc[month, "inspections"], trend.loc[month, "non_compliant"]) == (len(group), group["nc"].sum())
    regional = got["by_region"].set_index("adcode")
    for code, group in march.groupby("county_adcode"):
        assert (regional.loc[code, "inspections"], regional.loc[code, "non_compliant"]) == (len(group), group["nc"].sum())
        assert regional.loc[code, "rate"] == round(group["nc"].sum() / len(group), 4)
    assert regional["inspections"].sum() == len(march)
    every = _in(raw, "inspected_on", Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    specialties = got["by_specialty"].set_index("specialty")["inspections"]
    assert specialties.to_dict() == {s: int((every["specialty"] == s).sum()) for s in vocab.SPECIALTIES}
    kinds = got["by_kind"].set_index("kind")["records"]
    assert {k: v for k, v in kinds.items() if v} == march["kind"].value_counts().to_dict()


def test_penalty_figures_match_the_raw_rows_in_a_county(nantong):
    af = AnalysisFilters(COUNTY, PERIOD)
    got = analysis.record_figures(nantong, af, NANTONG, analysis.PENALTIES)
    raw = _in(_raw(nantong, "SELECT decided_on, kind, amount, county_adcode FROM penalty", ("decided_on",)),
              "decided_on", PERIOD)
    raw = raw[raw["county_adcode"] == COUNTY]
    regional = got["by_region"]  # a county has no children: the county itself
    assert regional["adcode"].tolist() == [COUNTY]
    assert regional["penalties"].iloc[0] == len(raw)
    assert regional["penalty_amount"].iloc[0] == pytest.approx(float(raw["amount"].astype(float).sum()))
    kinds = got["by_kind"].set_index("kind")["records"]
    assert {k: v for k, v in kinds.items() if v} == raw["kind"].value_counts().to_dict()
    assert got["by_month"]["penalty_amount"].sum() == pytest.approx(float(raw["amount"].astype(float).sum()))


def test_construction_figures_match_the_raw_rows(nantong):
    got = construction.figures(nantong, AnalysisFilters(CITY, PERIOD, "medical"), NANTONG)
    raw = _in(_raw(nantong, "SELECT specialty, project_type, stage, outcome, applied_on, decided_on, county_adcode "
                            "FROM construction_project", ("applied_on", "decided_on")), "applied_on", PERIOD)
    assert len(raw) > 20, "the demo holds construction projects"
    medical = raw[raw["specialty"] == "medical"]
    kinds = got["by_kind"].set_index("project_type")
    for project_type, group in medical.groupby("project_type"):
        row = kinds.loc[project_type]
        assert row["projects"] == len(group)
        assert row["design_review"] == (group["stage"] == "design_review").sum()
        for outcome in vocab.PROJECT_OUTCOMES:
            assert row[outcome] == (group["outcome"] == outcome).sum(), (project_type, outcome)
        decided = group[group["decided_on"].notna()]
        days = [(d - a).days for a, d in zip(decided["applied_on"], decided["decided_on"])]
        assert row["mean_days"] == pytest.approx(round(sum(days) / len(days), 1)) if days else pd.isna(row["mean_days"])
    assert kinds.loc["water_plant", "projects"] == 0  # another specialty's type: counted under its own
    assert got["by_specialty"].set_index("specialty")["projects"].to_dict() == {
        s: int((raw["specialty"] == s).sum()) for s in vocab.SPECIALTIES}
    stages = got["by_stage"].set_index("stage")
    assert stages.to_numpy().sum() == len(medical)


def test_scope_refuses_other_regions_and_narrows_inside(nantong):
    other = Scope.of(OTHER_COUNTY)
    for ask in (lambda s, af: analysis.entity_figures(nantong, af, s),
                lambda s, af: analysis.record_figures(nantong, af, s, analysis.INSPECTIONS),
                lambda s, af: construction.figures(nantong, af, s),
                lambda s, af: analysis.licence_figures(nantong, af, s, TODAY)):
        with pytest.raises(OutOfScope):
            ask(other, AnalysisFilters(COUNTY, PERIOD))  # another county
        with pytest.raises(OutOfScope):
            ask(other, AnalysisFilters(CITY, PERIOD))  # the parent of the viewer's county
    own = analysis.entity_figures(nantong, AnalysisFilters(OTHER_COUNTY, PERIOD), other)["by_region"]
    ents = _entities(nantong)
    assert own["adcode"].tolist() == [OTHER_COUNTY]
    assert own["entities"].iloc[0] == (ents["county_adcode"] == OTHER_COUNTY).sum()


def test_filters_reject_malformed_values():
    with pytest.raises(ValueError):
        AnalysisFilters(CITY, PERIOD, subtype="hotel' OR 1=1")
    with pytest.raises(ValueError):
        AnalysisFilters(CITY, PERIOD, month="2026-13")
    with pytest.raises(ValueError):
        AnalysisFilters("32060", PERIOD)
    # A month outside the period does not narrow it.
    assert AnalysisFilters(CITY, PERIOD, month="2024-01").narrowed_period == PERIOD
