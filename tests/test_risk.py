"""The risk model, scoring runs and the risk ledger, on SQLite and PostgreSQL, with a tiny hand-made county pair."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import func, insert, select

from data import audit
from data.models import AuditLog, Entity, Inspection, Inspector, Region, RiskLedgerEntry, RiskLedgerEvent, RiskScore, SelfInspection
from data.queries.filters import OutOfScope, Scope
from data.risk import features, ledger, params, score, scoring

NOW = dt.datetime(2026, 6, 30, 10, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 6, 30)
HOME, OTHER = "410105", "410102"


def _entity(i: int, county: str, specialty: str = "public_place", grade: str | None = None) -> dict:
    return {"id": i, "credit_code": f"91410100MA{i:08d}", "name": f"单位{i}", "specialty": specialty, "subtype": "hotel",
            "grade": grade, "province_adcode": "410000", "city_adcode": "410100", "county_adcode": county}


def _inspection(i: int, entity: int, county: str, on: dt.date, result: str) -> dict:
    return {"id": i, "entity_id": entity, "specialty": "public_place", "inspected_on": on, "kind": "routine",
            "result": result, "province_adcode": "410000", "city_adcode": "410100", "county_adcode": county}


@pytest.fixture
def county_pair(engine):
    """Entity 1 (home county): failed every inspection, grade C → high. Entity 2 (home): clean, but no
    self-inspection on record. Entity 3 (the neighbouring county): failed like entity 1. Two inspectors, one per county."""
    with engine.begin() as conn:
        conn.execute(insert(Region), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            {"adcode": HOME, "name": "金水区", "level": "county", "parent_adcode": "410100"},
            {"adcode": OTHER, "name": "中原区", "level": "county", "parent_adcode": "410100"}])
        conn.execute(insert(Inspector), [{"id": 1, "badge_no": "B-HOME", "name": "王敏", "region_adcode": HOME},
                                         {"id": 2, "badge_no": "B-OTHER", "name": "李强", "region_adcode": OTHER}])
        conn.execute(insert(Entity), [_entity(1, HOME, grade="C"), _entity(2, HOME, grade="A"), _entity(3, OTHER, grade="C")])
        conn.execute(insert(Inspection), [
            _inspection(1, 1, HOME, dt.date(2026, 1, 10), "non_compliant"),
            _inspection(2, 1, HOME, dt.date(2026, 3, 10), "non_compliant"),
            _inspection(3, 2, HOME, dt.date(2026, 5, 10), "compliant"),
            _inspection(4, 3, OTHER, dt.date(2026, 3, 10), "non_compliant")])
        conn.execute(insert(RiskLedgerEntry.__table__.metadata.tables["entity_grade"]), [
            {"entity_id": 1, "graded_on": dt.date(2025, 12, 1), "grade": "C", "score": 50, "grader": "金水区卫健委"},
            {"entity_id": 2, "graded_on": dt.date(2025, 12, 1), "grade": "A", "score": 95, "grader": "金水区卫健委"},
            {"entity_id": 3, "graded_on": dt.date(2025, 12, 1), "grade": "C", "score": 50, "grader": "中原区卫健委"}])
        conn.execute(insert(SelfInspection), [  # entities 1 and 3 report their self-inspection; entity 2 never does
            {"entity_id": e, "period": "2025", "completed": True, "submitted_on": dt.date(2025, 12, 20), "findings": 2,
             "rectified": 2} for e in (1, 3)])
    return engine


def _levels(conn) -> dict[int, str | None]:
    return dict(conn.execute(select(Entity.id, Entity.risk_level).order_by(Entity.id)).all())


def test_factors_add_up_to_the_score_and_are_stored(county_pair):
    with county_pair.begin() as conn:
        scoring.recompute(conn, Scope.of("410000"), actor="test", now=NOW, as_of=AS_OF)
        rows = conn.execute(select(RiskScore.entity_id, RiskScore.score, RiskScore.factors, RiskScore.level)).all()
    assert len(rows) == 3
    for _, total, factors, _ in rows:
        points = json.loads(factors)
        assert points and abs(sum(points.values()) - total) < 0.05
        assert list(points.values()) == sorted(points.values(), reverse=True)  # largest first
    by_entity = {r.entity_id: json.loads(r.factors) for r in rows}
    # Entity 1: 2 of 2 inspections failed (30 points, capped), grade C (12), public place (4), 3.6 months since.
    assert by_entity[1]["non_compliance_rate"] == 30 and by_entity[1]["grade:C"] == 12
    assert by_entity[1]["specialty:public_place"] == 4 and by_entity[1]["months_since_inspection"] == pytest.approx(3.7, abs=0.1)
    assert "non_compliance_rate" not in by_entity[2]
    assert by_entity[2]["self_inspection_missed"] == 10  # no self-inspection on record counts as skipped


def test_thresholds_are_data_and_changing_one_changes_levels(county_pair):
    with county_pair.begin() as conn:
        scoring.recompute(conn, Scope.of("410000"), actor="test", now=NOW, as_of=AS_OF)
        before = _levels(conn)
        params.set_parameter(conn, "level:medium", points=5, actor="王主任", reason="province retunes", now=NOW)
        params.set_parameter(conn, "level:very_high", points=45, actor="王主任", reason="province retunes", now=NOW)
        scoring.recompute(conn, Scope.of("410000"), actor="test", now=NOW + dt.timedelta(hours=1), as_of=AS_OF)
        after = _levels(conn)
        model = params.current(conn)
        changes = conn.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "risk_parameter_change")).scalar_one()
    assert before == {1: "high", 2: "low", 3: "high"}  # 49.7 ≥ 35; entity 2: 4 + 1.7 + 10 (no self-inspection)
    assert after == {1: "very_high", 2: "medium", 3: "very_high"}
    assert model.thresholds == {"medium": 5, "high": 35, "very_high": 45} and changes == 2
    with pytest.raises(ValueError, match="reason"):
        params.set_parameter(county_pair.connect(), "level:high", points=1, actor="x", reason=" ", now=NOW)


def test_features_read_only_records_before_the_day():
    history = features.History(
        entities=pd.DataFrame({"entity_id": [1], "specialty": ["medical"]}),
        inspections=pd.DataFrame({"entity_id": [1, 1], "on": [dt.date(2026, 1, 1), dt.date(2026, 3, 1)],
                                  "non_compliant": [False, True]}),
        penalties=pd.DataFrame({"entity_id": [1], "on": [dt.date(2026, 3, 1)], "amount": [50_000.0]}),
        complaints=pd.DataFrame({"entity_id": [1, 1], "on": [dt.date(2026, 2, 1)] * 2, "substantiated": [True, None]}),
        alerts=pd.DataFrame({"entity_id": [1], "on": [dt.date(2026, 3, 1)]}),
        grades=pd.DataFrame({"entity_id": [1, 1], "on": [dt.date(2025, 1, 1), dt.date(2026, 3, 1)], "grade": ["A", "C"]}))
    model = params.Model(version=1, features=tuple(params.Feature(r["key"], r["points"], r["cap"], r["window_days"])
                                                   for r in params.seed_rows() if r["kind"] == "feature"),
                         thresholds={"medium": 20, "high": 35, "very_high": 50}, due_days=30)
    on_the_day = features.compute(history, dt.date(2026, 3, 1), model.features).iloc[0]
    after = features.compute(history, dt.date(2026, 3, 2), model.features).iloc[0]
    # On 1 March the inspection, penalty, alert and grade of that day are not known yet.
    assert on_the_day["non_compliance_rate"] == 0 and on_the_day["penalties"] == 0 and on_the_day["grade:B"] == 0
    assert on_the_day["grade:C"] == 0 and on_the_day["monitoring_alerts"] == 0 and on_the_day["complaints_substantiated"] == 1
    assert after["non_compliance_rate"] == 0.5 and after["penalty_amount"] == 5 and after["grade:C"] == 1
    scored = score.score(pd.DataFrame([after]), model).iloc[0]
    assert scored["score"] == pytest.approx(sum(json.loads(scored["factors"]).values()))


def test_the_ledger_walk_and_close_out_needs_a_follow_up(county_pair):
    home = Scope.of(HOME)
    with county_pair.begin() as conn:
        report = scoring.recompute(conn, Scope.of("410000"), actor="test", now=NOW, as_of=AS_OF)
        entries = dict(conn.execute(select(RiskLedgerEntry.entity_id, RiskLedgerEntry.id)).all())
    assert report.entered == 2 and set(entries) == {1, 3}  # the high-risk entities, not the clean one
    entry = entries[1]
    with county_pair.begin() as conn:
        reason = json.loads(conn.execute(select(RiskLedgerEntry.reason).where(RiskLedgerEntry.id == entry)).scalar_one())
        assert list(reason) == ["non_compliance_rate", "grade:C", "specialty:public_place"]
        with pytest.raises(ledger.LedgerError, match="not an active inspector of the entity's region"):
            ledger.assign(conn, entry, officer_badge="B-OTHER", due_on=None, actor="王主任", scope=home, now=NOW)
        ledger.assign(conn, entry, officer_badge="B-HOME", due_on=dt.date(2026, 7, 15), actor="王主任", scope=home, now=NOW)
        ledger.add_measure(conn, entry, measure="责令限期整改", actor="王敏", scope=home, now=NOW)
    with county_pair.begin() as conn, pytest.raises(ledger.LedgerError, match="no follow-up inspection .* 2026-06-30"):
        ledger.close(conn, entry, actor="王敏", scope=home, now=NOW)
    with county_pair.begin() as conn:
        assert conn.execute(select(RiskLedgerEntry.status).where(RiskLedgerEntry.id == entry)).scalar_one() == "open"
        conn.execute(insert(Inspection), [_inspection(9, 1, HOME, dt.date(2026, 7, 2), "compliant")])
        follow_up = ledger.close(conn, entry, actor="王敏", scope=home, now=NOW + dt.timedelta(days=2), note="复查合格")
        steps = conn.execute(select(RiskLedgerEvent.action).where(RiskLedgerEvent.entry_id == entry)
                             .order_by(RiskLedgerEvent.id)).scalars().all()
        actions = conn.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
        assert audit.verify(conn) is None
    assert follow_up["id"] == 9 and steps == ["enter", "assign", "measure", "close"]
    assert [a for a in actions if a.startswith("ledger_")] == ["ledger_assign", "ledger_measure", "ledger_close"]
    with county_pair.begin() as conn, pytest.raises(ledger.LedgerError, match="already closed"):
        ledger.add_measure(conn, entry, measure="again", actor="王敏", scope=home, now=NOW)
    with county_pair.begin() as conn:  # a new run re-enters the still-high entity: its old entry is closed
        assert scoring.recompute(conn, Scope.of("410000"), actor="test", now=NOW, as_of=AS_OF).entered == 1


def test_scope_bounds_scoring_ledger_steps_and_lists(county_pair):
    from data.queries import ledger as ledger_queries
    from data.store import Store

    with county_pair.begin() as conn:
        report = scoring.recompute(conn, Scope.of(HOME), actor="test", now=NOW, as_of=AS_OF)
        assert report.scored == 2 and _levels(conn)[3] is None  # the neighbour is not scored
        scoring.recompute(conn, Scope.of(OTHER), actor="test", now=NOW, as_of=AS_OF)
        neighbour = conn.execute(select(RiskLedgerEntry.id).where(RiskLedgerEntry.entity_id == 3)).scalar_one()
        for step in (lambda: ledger.add_measure(conn, neighbour, measure="x", actor="a", scope=Scope.of(HOME), now=NOW),
                     lambda: ledger.close(conn, neighbour, actor="a", scope=Scope.of(HOME), now=NOW),
                     lambda: ledger.assign(conn, neighbour, officer_badge="B-HOME", due_on=None, actor="a",
                                           scope=Scope.of(HOME), now=NOW)):
            with pytest.raises(OutOfScope):
                step()
    store = Store.open(county_pair.url.render_as_string(hide_password=False))
    listed = ledger_queries.entries(store, Scope.of(HOME), today=dt.date(2026, 8, 1))
    assert listed["entity_id"].tolist() == [1] and listed["overdue"].tolist() == [True]
    assert ledger_queries.overdue_count(store, Scope.of("410000"), "410100", dt.date(2026, 7, 1)) == (2, 0)
    assert ledger_queries.officers(store, Scope.of(HOME), neighbour).empty
    with pytest.raises(OutOfScope):
        ledger_queries.entries(store, Scope.of(HOME), region=OTHER)


def test_weijian_risk_score_and_ledger_commands(county_pair, var_dir, monkeypatch):
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings

    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", county_pair.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        scored = runner.invoke(app, ["risk", "score", "--as-of", "2026-06-30"])
        assert scored.exit_code == 0, scored.output
        assert "scored 3 entities" in scored.output and "high 2" in scored.output and "2 new ledger entries" in scored.output
        listed = runner.invoke(app, ["ledger", "list", "--region", HOME])
        assert listed.exit_code == 0 and "单位1" in listed.output and "单位3" not in listed.output
        entry = int(listed.output.strip().splitlines()[1].split()[0])
        refused = runner.invoke(app, ["ledger", "close", str(entry), "--as", "王敏"])
        assert refused.exit_code == 1 and "no follow-up inspection" in refused.output
        assigned = runner.invoke(app, ["ledger", "assign", str(entry), "--officer", "B-HOME", "--as", "王主任"])
        assert assigned.exit_code == 0, assigned.output
        assert "王敏" in runner.invoke(app, ["ledger", "list"]).output
        outside = runner.invoke(app, ["risk", "score", "--region", "110000"])
        assert outside.exit_code == 1 and "outside the configured region" in outside.output
    finally:
        get_settings.cache_clear()


def test_the_self_inspection_feature_follows_the_draws_rating_from_records_before_the_day():
    """Skipped or none → 1, problems found and left → 0.5, good → 0; a record submitted on the day does not count."""
    records = pd.DataFrame({"entity_id": [1, 2, 3, 4], "period": ["2025", "2025", "2025", "2026"],
                            "completed": [True, True, False, True], "findings": [4, 10, 0, 0], "rectified": [4, 5, 0, 0],
                            "submitted_on": [dt.date(2025, 12, 1), dt.date(2025, 12, 1), None, dt.date(2026, 3, 1)]})
    history = features.History(
        entities=pd.DataFrame({"entity_id": [1, 2, 3, 4, 5], "specialty": ["medical"] * 5}),
        **{name: pd.DataFrame({"entity_id": pd.Series(dtype=int), "on": pd.Series(dtype=object)})
           for name in ("penalties", "alerts")},
        inspections=pd.DataFrame(columns=["entity_id", "on", "non_compliant"]),
        complaints=pd.DataFrame(columns=["entity_id", "on", "substantiated"]),
        grades=pd.DataFrame(columns=["entity_id", "on", "grade"]), self_inspections=records)
    index = pd.Index([1, 2, 3, 4, 5])
    assert list(features.self_inspection_feature(history, index, dt.date(2026, 3, 1))) == [0.0, 0.5, 1.0, 1.0, 1.0]
    assert features.self_inspection_feature(history, index, dt.date(2026, 3, 2)).loc[4] == 0.0
