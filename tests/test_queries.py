"""Query functions: correct against an independent pandas count, scoped, cached by data version."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from data import db
from data.cache import QueryCache
from data.demo.build import build
from data.queries import complaints, entities, inspections, monitoring, penalties, regions
from data.queries.filters import Filters, OutOfScope, Period, Scope
from data.store import Store

UNTIL = dt.date(2026, 6, 30)
PERIOD = Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30))
NANTONG = Scope.of("320600")


@pytest.fixture(scope="module")
def nantong(module_database_url, cache_dir) -> Store:
    """A county-scale demo of Nantong, built once per database for this module."""
    engine = db.make_engine(module_database_url)
    build(engine, "320600", "county", seed=4, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    yield Store(engine, QueryCache("simple://"))
    engine.dispose()


def _raw_inspections(store: Store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        frame = pd.read_sql(text("SELECT county_adcode, city_adcode, specialty, inspected_on, result, entity_id FROM inspection"), conn)
    frame["inspected_on"] = pd.to_datetime(frame["inspected_on"]).dt.date
    return frame


def test_counts_by_county_match_an_independent_count(nantong):
    result = inspections.noncompliance_by_child(nantong, Filters("320600", PERIOD, "public_place"), NANTONG)
    raw = _raw_inspections(nantong)
    raw = raw[(raw["inspected_on"] >= PERIOD.start) & (raw["inspected_on"] <= PERIOD.end) & (raw["specialty"] == "public_place")]
    expected = raw.groupby("county_adcode").agg(inspections=("result", "size"),
                                                 non_compliant=("result", lambda r: (r == "non_compliant").sum()))
    got = result.set_index("adcode")
    assert len(got) == 7  # every county of Nantong, also those without inspections
    for code, row in expected.iterrows():
        assert (got.loc[code, "inspections"], got.loc[code, "non_compliant"]) == (row["inspections"], row["non_compliant"])
    assert got["rate"].between(0, 1).all()
    assert "computed_at" in result.attrs


def test_entity_results_of_a_county(nantong):
    frame = inspections.entity_results(nantong, Filters("320612", PERIOD), NANTONG)
    raw = _raw_inspections(nantong)
    raw = raw[(raw["inspected_on"] >= PERIOD.start) & (raw["inspected_on"] <= PERIOD.end) & (raw["county_adcode"] == "320612")]
    assert frame["inspections"].sum() == len(raw)
    assert frame["non_compliant"].sum() == (raw["result"] == "non_compliant").sum()
    assert frame["lon"].between(120, 122).all()


def test_scope_is_enforced_before_and_inside_the_query(nantong):
    with pytest.raises(OutOfScope):
        inspections.noncompliance_by_child(nantong, Filters("410000", PERIOD), NANTONG)
    with pytest.raises(OutOfScope):
        inspections.entity_results(nantong, Filters("320612", PERIOD), Scope.of("320613"))
    with pytest.raises(OutOfScope):
        regions.children(nantong, "320000", NANTONG)  # the parent of the scope is outside it
    # A narrower scope sees its own county only.
    narrow = inspections.entity_results(nantong, Filters("320613", PERIOD), Scope.of("320613"))
    assert len(narrow) > 0


def test_breadcrumb_starts_at_the_scope(nantong):
    assert [r.name for r in regions.chain(nantong, "320612", NANTONG)] == ["南通市", "通州区"]


def test_cache_hits_until_the_data_version_changes(nantong, monkeypatch):
    filters = Filters("320600", PERIOD)
    first = inspections.noncompliance_by_child(nantong, filters, NANTONG)
    calls = []
    original = nantong.engine.connect

    def counting_connect(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(nantong.engine, "connect", counting_connect)
    again = inspections.noncompliance_by_child(nantong, filters, NANTONG)
    assert again.attrs["computed_at"] == first.attrs["computed_at"]
    assert len(calls) == 1  # only the data-version read
    with nantong.engine.begin() as conn:
        db.bump_data_version(conn)
    calls.clear()
    fresh = inspections.noncompliance_by_child(nantong, filters, NANTONG)
    assert fresh.attrs["computed_at"] > first.attrs["computed_at"]
    assert len(calls) > 1
    # Another viewer's scope never shares the entry.
    wider = inspections.noncompliance_by_child(nantong, filters, Scope.of("320000"))
    assert wider.attrs["computed_at"] > first.attrs["computed_at"]


@pytest.mark.parametrize("text_value, start, end", [
    ("2026-01..2026-06", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ("2024-02..2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    (" 2026-01-15 .. 2026-03-31 ", dt.date(2026, 1, 15), dt.date(2026, 3, 31)),
])
def test_period_parsing(text_value, start, end):
    assert Period.parse(text_value) == Period(start, end)


@pytest.mark.parametrize("text_value, message", [
    ("2026-13..2026-14", "not a valid date"),
    ("2026-06..2026-01", "after it ends"),
    ("last week", "expected YYYY-MM"),
    ("", "expected YYYY-MM"),
])
def test_bad_periods_say_what_is_wrong(text_value, message):
    with pytest.raises(ValueError, match=message):
        Period.parse(text_value)


def test_relative_periods_become_absolute():
    assert Period.last_months(12, dt.date(2026, 11, 23)) == Period(dt.date(2025, 12, 1), dt.date(2026, 11, 23))
    assert Period.last_months(1, dt.date(2026, 1, 5)) == Period(dt.date(2026, 1, 1), dt.date(2026, 1, 5))


def test_filters_reject_unknown_values():
    with pytest.raises(ValueError, match="specialty 'food'"):
        Filters("320600", PERIOD, "food")
    with pytest.raises(ValueError, match="six-digit"):
        Filters("3206; DROP TABLE entity", PERIOD)


SUBJECT_QUERIES = [penalties.by_child, complaints.by_child, entities.by_child, inspections.noncompliance_by_child,
                   entities.grades_by_child, entities.risk_by_child]


def test_subject_queries_agree_with_raw_sql(nantong):
    filters = Filters("320600", Period(dt.date(2025, 7, 10), dt.date(2026, 6, 20)), "medical")
    with nantong.engine.connect() as conn:
        pen = pd.read_sql(text("SELECT county_adcode, amount FROM penalty WHERE specialty = 'medical' "
                               "AND decided_on BETWEEN '2025-07-10' AND '2026-06-20'"), conn)
        ents = pd.read_sql(text("SELECT county_adcode, grade FROM entity WHERE specialty = 'medical'"), conn)
    got = penalties.by_child(nantong, filters, NANTONG).set_index("adcode")
    assert got["penalties"].sum() == len(pen)
    assert got["penalty_amount"].sum() == pytest.approx(float(pen["amount"].sum()))
    counted = entities.by_child(nantong, filters, NANTONG).set_index("adcode")
    assert counted["entities"].sum() == len(ents)
    assert counted["grade_a"].sum() == (ents["grade"] == "A").sum()
    assert (counted[["grade_a", "grade_b", "grade_c", "ungraded"]].sum(axis=1) == counted["entities"]).all()
    rates = complaints.by_child(nantong, filters, NANTONG)
    assert (rates["per_1000_entities"].dropna() >= 0).all()


def test_complaint_points_and_device_states(nantong):
    filters = Filters("320612", Period(dt.date(2024, 7, 1), dt.date(2026, 6, 30)))
    pts = complaints.points(nantong, filters, NANTONG)
    assert len(pts) > 0 and (pts["county_adcode"] == "320612").all()
    devices = monitoring.devices(nantong, Filters("320600", PERIOD), NANTONG)
    assert set(devices["state"]) <= set(monitoring.STATES) and len(devices) > 0
    with pytest.raises(ValueError, match="per city, county or town"):
        complaints.points(nantong, Filters("320000", PERIOD), Scope.of("320000"))


@pytest.mark.parametrize("query", SUBJECT_QUERIES + [complaints.points, monitoring.devices, inspections.entity_results,
                                                     entities.points, penalties.by_entity])
def test_disjoint_viewers_never_share_rows(nantong, query):
    """Viewer A (通州区) caches an answer; viewer B (崇川区) asking exactly the same gets nothing of it."""
    filters = Filters("320612", PERIOD)
    a, b = Scope.of("320612"), Scope.of("320613")
    query(nantong, filters, a)  # cached for A
    with pytest.raises(OutOfScope):
        query(nantong, filters, b)
    # And B's own region through the shared cache holds only B's rows.
    own = query(nantong, Filters("320613", PERIOD), b)
    if "county_adcode" in own.columns:
        assert set(own["county_adcode"]) <= {"320613"}


def test_entity_figures_give_each_entitys_last_inspection_on_both_databases(nantong):
    from data.queries import overview

    frame = overview.entity_figures(nantong, Filters("320612", PERIOD, "medical"), NANTONG)
    raw = _raw_inspections(nantong)
    raw = raw[(raw["inspected_on"] >= PERIOD.start) & (raw["inspected_on"] <= PERIOD.end) & (raw["county_adcode"] == "320612")
              & (raw["specialty"] == "medical")]
    last_day = raw.groupby("entity_id")["inspected_on"].max()
    got = frame.set_index("id")
    assert len(last_day) > 0 and got.loc[last_day.index, "last_inspected_on"].tolist() == last_day.tolist()
    never = got[~got.index.isin(last_day.index)]
    assert never["last_result"].isna().all() and (never["inspections"] == 0).all()
    assert set(got.loc[last_day.index, "last_result"]) <= {"compliant", "non_compliant"}
    with pytest.raises(OutOfScope):
        overview.entity_figures(nantong, Filters("320612", PERIOD), Scope.of("320613"))
def test_penalties_per_county_and_per_entity_match_the_raw_rows(nantong):
    """A period with partial months at both ends: rollups for the whole months, raw rows for the edges."""
    period = Period(dt.date(2025, 3, 17), dt.date(2026, 5, 9))
    with nantong.engine.connect() as conn:
        raw = pd.read_sql(text("SELECT entity_id, county_adcode, amount, decided_on, specialty FROM penalty"), conn)
        located = set(pd.read_sql(text("SELECT id FROM entity WHERE lon IS NOT NULL AND lat IS NOT NULL"), conn)["id"])
    raw["decided_on"] = pd.to_datetime(raw["decided_on"]).dt.date
    raw = raw[(raw["decided_on"] >= period.start) & (raw["decided_on"] <= period.end)]
    raw["amount"] = raw["amount"].astype(float)
    expected = raw.groupby("county_adcode").agg(penalties=("amount", "size"), amount=("amount", "sum"))
    got = penalties.by_child(nantong, Filters("320600", period), NANTONG).set_index("adcode")
    assert expected["penalties"].sum() > 0
    assert (got["penalties"].reindex(expected.index) == expected["penalties"]).all()
    assert got["penalty_amount"].reindex(expected.index).to_numpy() == pytest.approx(expected["amount"].to_numpy())

    county = expected["penalties"].idxmax()
    here = raw[(raw["county_adcode"] == county) & raw["entity_id"].isin(located)]
    per_entity = here.groupby("entity_id").agg(penalties=("amount", "size"), amount=("amount", "sum"))
    frame = penalties.by_entity(nantong, Filters(county, period), NANTONG).set_index("id")
    assert sorted(frame.index) == sorted(per_entity.index)
    assert (frame["penalties"] == per_entity["penalties"].reindex(frame.index)).all()
    assert frame["penalty_amount"].to_numpy() == pytest.approx(per_entity["amount"].reindex(frame.index).to_numpy())
    medical = penalties.by_entity(nantong, Filters(county, period, "medical"), NANTONG)
    assert medical["penalties"].sum() == len(here[here["specialty"] == "medical"])


def test_grades_and_entity_points_match_the_raw_rows(nantong):
    with nantong.engine.connect() as conn:
        ents = pd.read_sql(text("SELECT id, county_adcode, grade, lon FROM entity"), conn)
    counts = pd.crosstab(ents["county_adcode"], ents["grade"].fillna("none"))
    got = entities.grades_by_child(nantong, Filters("320600", PERIOD), NANTONG).set_index("adcode")
    assert (got["graded"].reindex(counts.index) == counts[["A", "B", "C"]].sum(axis=1)).all()
    share = counts["C"] / counts[["A", "B", "C"]].sum(axis=1)
    assert got["share_c"].reindex(counts.index).to_numpy() == pytest.approx(share.to_numpy())
    pts = entities.points(nantong, Filters("320612", PERIOD), NANTONG)
    county = ents[(ents["county_adcode"] == "320612") & ents["lon"].notna()]
    assert sorted(pts["id"]) == sorted(county["id"]) and (pts["county_adcode"] == "320612").all()
    assert (pts["grade"].isna() == county.set_index("id")["grade"].reindex(pts["id"]).isna().to_numpy()).all()


def test_risk_levels_are_counted_and_make_the_risk_layer_available(nantong):
    """No risk levels (the demo's scoring run undone): nothing assessed anywhere. Levels written in one county:
    assessed there, for viewers of it. The demo's own levels are put back afterwards."""
    assert entities.risk_assessed(nantong, NANTONG)  # the demo build scores every entity
    with nantong.engine.begin() as conn:
        saved = conn.execute(text("SELECT id, risk_level FROM entity")).all()
        conn.execute(text("UPDATE entity SET risk_level = NULL"))
        db.bump_data_version(conn)
    assert not entities.risk_assessed(nantong, NANTONG)
    levels = ("low", "medium", "high", "very_high")
    with nantong.engine.begin() as conn:
        ids = conn.execute(text("SELECT id FROM entity WHERE county_adcode = '320612' ORDER BY id")).scalars().all()
        conn.execute(text("UPDATE entity SET risk_level = :level WHERE id = :id"),
                     [{"level": levels[i % 3 + (i % 7 == 0)], "id": id_} for i, id_ in enumerate(ids[::2])])
        db.bump_data_version(conn)
    try:
        assert entities.risk_assessed(nantong, NANTONG) and entities.risk_assessed(nantong, Scope.of("320612"))
        assert not entities.risk_assessed(nantong, Scope.of("320613"))
        with nantong.engine.connect() as conn:
            ents = pd.read_sql(text("SELECT county_adcode, risk_level FROM entity"), conn)
        got = entities.risk_by_child(nantong, Filters("320600", PERIOD), NANTONG).set_index("adcode")
        here = ents[ents["county_adcode"] == "320612"]
        for level in levels:
            assert got.loc["320612", f"risk_{level}"] == (here["risk_level"] == level).sum()
        assert got.loc["320612", "assessed"] == here["risk_level"].notna().sum() > 0
        assert got.loc["320612", "share_high"] == pytest.approx(
            here["risk_level"].isin(["high", "very_high"]).sum() / here["risk_level"].notna().sum())
        assert got.drop(index="320612")["share_high"].isna().all()
        assert (got["risk_unassessed"] + got["assessed"] == got["entities"]).all()
    finally:
        with nantong.engine.begin() as conn:
            conn.execute(text("UPDATE entity SET risk_level = :level WHERE id = :id"),
                         [{"level": level, "id": id_} for id_, level in saved])
            db.bump_data_version(conn)
    assert entities.risk_assessed(nantong, NANTONG)
