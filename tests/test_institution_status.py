"""医疗机构五维监管: each dimension on hand-made records, the status thresholds, the stored monthly history, scope.

The pure part (data/hospitals/dimensions.py, status.py) runs on tiny frames; the run, the ranking and the
per-region counts run on SQLite and PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import insert, select

from data import models, vocab
from data.hospitals import dimensions, indicators, records, run, status
from data.queries import institution_status
from data.queries.filters import Filters, Period, Scope
from data.cache import QueryCache
from data.store import Store
from monitoring_fixtures import CODES, OTHER, populate

AS_OF = dt.date(2026, 7, 1)
SET = indicators.IndicatorSet(version=1, indicators=tuple(
    indicators.Indicator(r["key"], r["dimension"], r["points"], r["cap"], r["window_days"])
    for r in indicators.seed_rows() if r["kind"] == "indicator"),
    thresholds={"attention": 85.0, "warning": 60.0})


def _records(**frames) -> records.Records:
    """Two institutions (1 and 2) and nothing recorded, except `frames`."""
    empty = {
        "entities": pd.DataFrame({"entity_id": [1, 2], "licence_expiry": [dt.date(2030, 1, 1), dt.date(2030, 1, 1)],
                                  "province_adcode": "410000", "city_adcode": "410100", "county_adcode": "410105"}),
        "inspections": pd.DataFrame(columns=["entity_id", "on", "non_compliant"]).astype({"non_compliant": bool}),
        "penalties": pd.DataFrame(columns=["entity_id", "on"]),
        "complaints": pd.DataFrame(columns=["entity_id", "on", "substantiated"]),
        "alerts": pd.DataFrame(columns=["entity_id", "on", "rule", "scene"]),
        "rx_hits": pd.DataFrame(columns=["entity_id", "on"]),
        "grades": pd.DataFrame({"entity_id": [1, 2], "on": [dt.date(2026, 1, 5)] * 2, "grade": ["A", "A"]}),
        "self_inspections": pd.DataFrame({"entity_id": [1, 2], "period": ["2026-H1"] * 2, "completed": [True, True],
                                          "findings": [0, 0], "rectified": [0, 0],
                                          "submitted_on": [dt.date(2026, 6, 1)] * 2}),
    }
    return records.Records(**{**empty, **frames})


def _assess(found: records.Records) -> pd.DataFrame:
    return status.assess(dimensions.compute(found, AS_OF, SET.indicators), SET)


def test_a_clean_institution_scores_100_everywhere_and_is_normal():
    result = _assess(_records())
    assert (result[list(vocab.INSTITUTION_DIMENSIONS)] == 100).all().all()
    assert set(result["status"]) == {"normal"} and json.loads(result.loc[1, "indicators"]) == {}


def test_performance_counts_non_compliance_in_its_window_and_the_self_inspection():
    inspections = pd.DataFrame({"entity_id": [1, 1, 1, 1], "non_compliant": [True, False, False, True],
                                "on": [dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2024, 1, 1)]})
    skipped = _records().self_inspections.assign(completed=[True, False])
    result = _assess(_records(inspections=inspections, self_inspections=skipped))
    assert result.loc[1, "performance"] == 90  # 1 of the 3 inspections in the year: 30 × 1/3 (2024 is outside)
    assert result.loc[2, "performance"] == 80  # self-inspection not done: −20
    assert json.loads(result.loc[1, "indicators"])["non_compliance_rate"] == [0.333, 10.0]


def test_service_counts_prescription_hits_complaints_and_absent_chief_with_caps():
    rx = pd.DataFrame({"entity_id": [1] * 20, "on": [dt.date(2026, 6, 10)] * 20})  # 40 points, capped at 30
    complaints = pd.DataFrame({"entity_id": [2, 2], "on": [dt.date(2026, 6, 1), dt.date(2025, 1, 1)],
                               "substantiated": [True, True]})
    duty = pd.DataFrame({"entity_id": [2], "on": [dt.date(2026, 6, 20)], "rule": ["absent_chief"], "scene": ["duty_checkin"]})
    result = _assess(_records(rx_hits=rx, complaints=complaints, alerts=duty))
    assert result.loc[1, "service"] == 70
    assert result.loc[2, "service"] == 100 - 10 - 2 - 15  # one substantiated in the year, one complaint in 90 days, 防挂证
    assert result.loc[2, "performance"] == 100  # the check-in alert is not a quality or operation matter


def test_enforcement_follows_findings_until_a_compliant_reinspection_and_flags_the_overdue():
    inspections = pd.DataFrame({
        "entity_id": [1, 1, 2, 2],
        "on": [dt.date(2026, 1, 10), dt.date(2026, 6, 20), dt.date(2026, 2, 1), dt.date(2026, 3, 1)],
        "non_compliant": [True, True, True, False]})  # 2: the finding was followed by a compliant visit
    penalties = pd.DataFrame({"entity_id": [2], "on": [dt.date(2026, 2, 15)]})
    result = _assess(_records(inspections=inspections, penalties=penalties))
    found = json.loads(result.loc[1, "indicators"])
    assert found["open_findings"] == [2, 20.0] and found["overdue_rectification"] == [1, 10.0]  # Jan is past 30 days
    assert result.loc[1, "enforcement"] == 70
    assert result.loc[2, "enforcement"] == 92  # closed finding: only the penalty


def test_quality_reads_the_grade_and_the_waste_and_radiation_alerts():
    grades = pd.DataFrame({"entity_id": [1, 1, 2], "on": [dt.date(2025, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 8, 1)],
                           "grade": ["A", "C", "A"]})  # 2's only grade is after the day: never graded then
    alerts = pd.DataFrame({"entity_id": [1, 1, 2], "on": [dt.date(2026, 6, 1)] * 3,
                           "rule": ["over_limit", "waste_mismatch", "over_limit"],
                           "scene": ["xray_room", "medical_waste", "public_air"]})
    result = _assess(_records(grades=grades, alerts=alerts))
    assert result.loc[1, "quality"] == 100 - 25 - 10 - 5
    assert result.loc[2, "quality"] == 90  # grade:none; a public-air alert is not this dimension's


def test_operation_reads_the_feed_anomalies_offline_devices_and_the_licence():
    entities = _records().entities.assign(licence_expiry=[dt.date(2026, 6, 1), dt.date(2026, 8, 1)])
    alerts = pd.DataFrame({"entity_id": [1, 2, 2], "on": [dt.date(2026, 5, 1)] * 3,
                           "rule": ["ops_anomaly", "offline", "offline"], "scene": ["hospital_ops"] * 3})
    result = _assess(_records(entities=entities, alerts=alerts))
    assert result.loc[1, "operation"] == 100 - 5 - 40  # expired a month ago
    assert result.loc[2, "operation"] == 100 - 6 - 10  # expires within 90 days
    assert result.loc[1, "status"] == "warning" and result.loc[2, "status"] == "attention"  # 55 and 84


@pytest.mark.parametrize(("weakest", "expected"), [(100, "normal"), (85, "normal"), (84.9, "attention"),
                                                   (60, "attention"), (59.9, "warning"), (0, "warning")])
def test_the_weakest_dimension_decides_the_status_at_the_thresholds(weakest, expected):
    scores = pd.DataFrame({d: [100.0] for d in vocab.INSTITUTION_DIMENSIONS}).assign(quality=[weakest])
    assert status.overall(scores, SET).iloc[0] == expected


def test_an_unknown_indicator_is_refused_not_skipped():
    unknown = (indicators.Indicator("beds_per_nurse", "quality", 1, None, None),)
    with pytest.raises(ValueError, match="beds_per_nurse"):
        dimensions.compute(_records(), AS_OF, unknown)


def test_every_seeded_indicator_is_documented_and_computed():
    docs = indicators.documentation()
    assert {d["key"] for d in docs} == set(dimensions.COMPUTE)
    assert all(d["definition"] and d["why_this_dimension"] for d in docs)
    assert {d["dimension"] for d in docs} == set(vocab.INSTITUTION_DIMENSIONS)


def test_month_starts_go_back_month_by_month():
    assert run.month_starts(dt.date(2026, 7, 1), 3) == [dt.date(2026, 5, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1)]
    with pytest.raises(ValueError):
        run.month_starts(AS_OF, 0)


# ---- the database: both engines ---------------------------------------------------------------------------


def _hospitals(engine) -> None:
    """Two hospitals in 金水区 (4 from the fixtures, 6) and one in 中原区 (7), with findings at 4 and 7."""
    populate(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Entity), [
            {"id": 6, "credit_code": "12410105MA41236000", "name": "金水区妇幼保健院", "specialty": "medical",
             "subtype": "hospital", "lon": 113.69, "lat": 34.77, "licence_expiry": dt.date(2026, 5, 1), **CODES},
            {"id": 7, "credit_code": "12410102MA41237000", "name": "中原区人民医院", "specialty": "medical",
             "subtype": "hospital", "lon": 113.60, "lat": 34.74, "licence_expiry": None, **OTHER}])
        conn.execute(insert(models.Inspection), [
            {"entity_id": e, "specialty": "medical", "inspected_on": day, "kind": "routine", "result": "non_compliant",
             **(OTHER if e == 7 else CODES)} for e, day in ((4, dt.date(2026, 3, 1)), (4, dt.date(2026, 6, 1)),
                                                            (7, dt.date(2026, 4, 1)))])


def test_a_run_stores_the_monthly_history_sets_the_status_and_replaces_a_day_run_again(engine):
    _hospitals(engine)
    now = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)
    with engine.begin() as conn:
        report = run.recompute(conn, Scope.of("410100"), run.month_starts(AS_OF, 3), actor="test", now=now)
    assert report.assessed == 3 and len(report.days) == 3
    with engine.begin() as conn:
        run.recompute(conn, Scope.of("410100"), [AS_OF], actor="test", now=now)  # the same day again
        table = models.InstitutionStatus.__table__
        rows = pd.DataFrame(conn.execute(select(table)).mappings().all())
        statuses = dict(conn.execute(select(models.Entity.id, models.Entity.institution_status)).all())
    assert len(rows) == 9 and rows.groupby(["entity_id", "as_of"]).size().max() == 1
    four = rows[rows["entity_id"] == 4].sort_values("as_of")
    # May and June: the March finding open and past its 30-day term; July: two open, the June one not yet overdue
    assert list(four["enforcement"]) == [80.0, 80.0, 70.0]
    assert statuses[6] == "attention"  # its licence expired on 1 May: daily operation 60, not below the warning line
    assert statuses[4] == "warning"  # every inspection non-compliant (−30) and no self-inspection (−20): performance 50
    assert statuses[1] is None  # not a medical institution
    assert rows["indicator_version"].nunique() == 1


def test_a_county_run_touches_nothing_of_its_neighbour_and_the_ranking_is_scoped(engine):
    _hospitals(engine)
    now = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)
    with engine.begin() as conn:
        run.recompute(conn, Scope.of("410105"), [AS_OF], actor="test", now=now)
        assert conn.execute(select(models.Entity.institution_status).where(models.Entity.id == 7)).scalar() is None
        run.recompute(conn, Scope.of("410102"), [AS_OF], actor="test", now=now)
    store = Store(engine, QueryCache("simple://"))
    county = institution_status.ranking(store, Scope.of("410105"))
    assert set(county["entity_id"]) == {4, 6} and county["weakest"].is_monotonic_increasing
    assert list(county["entity_id"]) == [4, 6]  # 4: performance 50; 6: daily operation 60
    assert set(institution_status.ranking(store, Scope.of("410100"))["entity_id"]) == {4, 6, 7}
    assert set(institution_status.ranking(store, Scope.of("410100"), "warning")["entity_id"]) <= {4, 6, 7}
    assert institution_status.status_counts(store, Scope.of("410102")) == {"normal": 0, "attention": 0, "warning": 1}
    by_child = institution_status.status_by_child(store, Filters("410100", Period.last_months(12, AS_OF)), Scope.of("410100"))
    jinshui = by_child.set_index("adcode").loc["410105"]
    assert jinshui["entities"] == 2 and jinshui["assessed"] == 2  # medical institutions only
    with pytest.raises(ValueError):
        institution_status.ranking(store, Scope.of("410105"), "bad")


def test_the_indicator_set_is_seeded_and_a_change_is_a_new_version(engine):
    now = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        before = indicators.current(conn)
        indicators.set_indicator(conn, "status:warning", points=50, actor="test", reason="province rule", now=now)
        after = indicators.current(conn)
        with pytest.raises(ValueError, match="reason"):
            indicators.set_indicator(conn, "penalties", points=1, actor="test", reason=" ", now=now)
    assert before.thresholds == {"attention": 85, "warning": 60} and after.thresholds["warning"] == 50
    assert after.version > before.version and len(after.indicators) == len(before.indicators)
