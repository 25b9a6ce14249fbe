"""Credit grades (诚信等级): grade boundaries on hand-made records, the vectorised assessment against a plain
per-entity recomputation on the demo, the history across criteria versions on SQLite and PostgreSQL, the
criteria file's checks, the CLI, and what the public page and the entity file show."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, insert, select, text

from data import db, public_tokens, self_inspection
from data.credit import criteria, grading, indicators, runs
from data.models import (AuditLog, Complaint, CreditAssessment, CreditCriterion, Entity, Penalty, Region,
                         SelfInspection)
from data.queries.filters import OutOfScope, Scope
from data.risk.features import History

AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 10, tzinfo=dt.UTC)
HOME, OTHER = "410105", "410102"


def _seed_criteria() -> criteria.Criteria:
    return criteria.from_rows(criteria.read(criteria.SEED), version=1)


# ---------------------------------------------------------------- hand-made cases at the grade boundaries


def test_grades_begin_exactly_at_their_lowest_score():
    scores = pd.Series([100, 90, 89.9, 75, 74.9, 60, 59.9, 0])
    assert grading.grades(scores, _seed_criteria()).tolist() == ["A", "A", "B", "B", "C", "C", "D", "D"]


def _history(penalties: list[tuple], inspections: list[tuple] = (), complaints: list[tuple] = (),
             self_inspections: list[tuple] = ()) -> History:
    ids = range(1, 10)
    return History(
        entities=pd.DataFrame({"entity_id": list(ids), "specialty": "public_place"}),
        inspections=pd.DataFrame(list(inspections), columns=["entity_id", "on", "non_compliant"]),
        penalties=pd.DataFrame(penalties, columns=["entity_id", "on", "amount", "kind"]),
        complaints=pd.DataFrame(list(complaints), columns=["entity_id", "on", "substantiated", "repeat"]),
        alerts=pd.DataFrame(columns=["entity_id", "on"]),
        grades=pd.DataFrame(columns=["entity_id", "on", "grade"]),
        self_inspections=pd.DataFrame(list(self_inspections), columns=self_inspection.RECORD_COLUMNS),
    )


def test_hand_made_entities_land_on_the_expected_side_of_each_boundary():
    day = dt.date(2026, 3, 1)
    good = [(e, "2025", True, 0, 0, dt.date(2025, 12, 20)) for e in (1, 6, 7)]
    poor = [(8, "2026-H1", True, 10, 5, dt.date(2026, 6, 1))]  # 5 of 10 findings rectified
    penalties = (
        [(3, day, 0, "fine")] * 3                                   # 3 fines: −15, with no self-inspection −10 → 75
        + [(4, day, 0, "suspension")] * 2                           # −30 −10 → 60
        + [(5, day, 0, "suspension")] * 2 + [(5, day, 0, "warning")]  # −30 −2 −10 → 58
        + [(6, day, 0, "fine")] * 6                                 # −30 capped at −20 → 80
        + [(7, AS_OF - dt.timedelta(days=731), 50_000, "fine"), (7, AS_OF, 50_000, "fine")]  # outside the window, on the day
        + [(9, day, 200_000, "revocation")] + [(9, day, 0, "fine")] * 6  # far below 0: the score stops at 0
    )
    inspections = [(9, day, True), (9, day, True)]
    complaints = [(9, day, True, False), (9, day, True, True)]
    found = grading.assess(indicators.compute(_history(penalties, inspections, complaints, good + poor), AS_OF,
                                              _seed_criteria().deductions), _seed_criteria())
    assert found["score"].to_dict() == {1: 100, 2: 90, 3: 75, 4: 60, 5: 58, 6: 80, 7: 100, 8: 95, 9: 0}
    assert found["grade"].to_dict() == {1: "A", 2: "A", 3: "B", 4: "C", 5: "D", 6: "B", 7: "A", 8: "A", 9: "D"}
    breakdown = {e: json.loads(b) for e, b in found["breakdown"].items()}
    assert breakdown[1] == {} and breakdown[2] == {"self_inspection:missing": 10}
    assert breakdown[5] == {"penalty:suspension": 30, "self_inspection:missing": 10, "penalty:warning": 2}
    assert breakdown[6] == {"penalty:fine": 20} and breakdown[8] == {"self_inspection:poor": 5}
    assert breakdown[9]["penalty:revocation"] == 40 and breakdown[9]["penalty_amount"] == 10
    assert breakdown[9]["complaints_substantiated"] == 6 and breakdown[9]["complaints_repeat"] == 2
    for e in range(1, 9):  # above 0 the deductions and the score make up the full marks
        assert found["score"][e] + sum(breakdown[e].values()) == pytest.approx(100)


# ---------------------------------------------------------------- the criteria file


def _write(tmp_path, rows: list[str], name: str = "criteria.csv"):
    path = tmp_path / name
    path.write_text("\n".join([",".join(criteria.COLUMNS), *rows]) + "\n", encoding="utf-8")
    return path


def test_a_bad_criteria_file_names_every_line_and_field(tmp_path):
    path = _write(tmp_path, [
        "base,base,100,,,full marks",
        "penalty:fine,deduction,five,,730,fines",        # line 3: points
        "penalty:parking,deduction,5,,730,no such kind",  # line 4: key
        "grade:A,grade,90,,,A",
        "grade:B,grade,80,5,,a grade has no cap",         # line 6: cap
        "complaints_repeat,deduction,2,8,365,",           # line 7: source
    ])
    with pytest.raises(ValueError) as problem:
        criteria.read(path)
    message = str(problem.value)
    for expected in ("criteria.csv line 3, points", "line 4, key", "line 6, cap", "line 7, source"):
        assert expected in message, message
    fine = _write(tmp_path, ["base,base,100,,,full marks", "grade:A,grade,90,,,A", "grade:A,grade,120,,,again"], "twice.csv")
    with pytest.raises(ValueError) as problem:
        criteria.read(fine)
    message = str(problem.value)
    assert "twice.csv line 4, key: 'grade:A' already on line 3" in message
    assert "no grade begins at 0" in message and "line 4, points: grade:A begins at 120, above the full marks 100" in message


# ---------------------------------------------------------------- the database: runs, history, scope


def _entity(i: int, county: str) -> dict:
    return {"id": i, "credit_code": f"91410100MA{i:08d}", "name": f"单位{i}", "specialty": "public_place", "subtype": "hotel",
            "province_adcode": "410000", "city_adcode": "410100", "county_adcode": county,
            "legal_representative": "张伟", "contact_phone": "13912345678"}


def _codes(county: str) -> dict:
    return {"province_adcode": "410000", "city_adcode": "410100", "county_adcode": county}


@pytest.fixture
def county_pair(engine):
    """Entity 1 (home): good self-inspector, a substantiated complaint and its repeat → 92, A. Entity 2 (home): no
    self-inspection, 3 fines → 75, B. Entity 3 (the neighbouring county): good, 2 suspensions and a warning → 68, C."""
    with engine.begin() as conn:
        conn.execute(insert(Region), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            {"adcode": HOME, "name": "金水区", "level": "county", "parent_adcode": "410100"},
            {"adcode": OTHER, "name": "中原区", "level": "county", "parent_adcode": "410100"}])
        conn.execute(insert(Entity), [_entity(1, HOME), _entity(2, HOME), _entity(3, OTHER)])
        conn.execute(insert(SelfInspection), [
            {"entity_id": e, "period": "2025", "completed": True, "submitted_on": dt.date(2025, 12, 20), "findings": 0,
             "rectified": 0} for e in (1, 3)])
        kinds = [(2, HOME, "fine")] * 3 + [(3, OTHER, "suspension")] * 2 + [(3, OTHER, "warning")]
        conn.execute(insert(Penalty), [
            {"case_no": f"CASE-{n}", "entity_id": e, "specialty": "public_place", "decided_on": dt.date(2026, 2, 1),
             "kind": kind, "amount": 0, "status": "closed", **_codes(county)} for n, (e, county, kind) in enumerate(kinds)])
        complaint = {"entity_id": 1, "channel": "hotline_12345", "category": "hygiene", "status": "closed",
                     "due_on": dt.date(2026, 4, 1), "substantiated": True, "repeat_of_id": None, **_codes(HOME)}
        conn.execute(insert(Complaint), [dict(complaint, id=1, received_at=dt.datetime(2026, 3, 1, 2, tzinfo=dt.UTC)),
                                         dict(complaint, id=2, received_at=dt.datetime(2026, 3, 20, 2, tzinfo=dt.UTC),
                                              repeat_of_id=1)])
    return engine


def _grades(conn, version: int) -> dict[int, tuple[float, str]]:
    rows = conn.execute(select(CreditAssessment.entity_id, CreditAssessment.score, CreditAssessment.grade)
                        .where(CreditAssessment.criteria_version == version)).all()
    return {r.entity_id: (r.score, r.grade) for r in rows}


def test_history_keeps_each_assessment_with_the_criteria_version_it_used(county_pair, tmp_path):
    from data.queries import credit as credit_queries
    from data.store import Store

    with county_pair.begin() as conn:
        first = runs.assess(conn, Scope.of("410000"), actor="test", now=NOW, as_of=AS_OF)
        assert first.assessed == 3 and first.criteria_version == 1 and first.grades == {"A": 1, "B": 1, "C": 1, "D": 0}
        assert _grades(conn, 1) == {1: (92, "A"), 2: (75, "B"), 3: (68, "C")}
        stricter = criteria.SEED.read_text(encoding="utf-8").replace(
            "self_inspection:missing,deduction,10,", "self_inspection:missing,deduction,20,")
        rows = criteria.read(_write(tmp_path, stricter.splitlines()[1:]))
        assert criteria.load(conn, rows, actor="王主任", reason="province tightens self-inspection", now=NOW) == 2
        later = NOW + dt.timedelta(days=30)
        second = runs.assess(conn, Scope.of("410000"), actor="test", now=later, as_of=AS_OF + dt.timedelta(days=30))
        assert second.criteria_version == 2 and _grades(conn, 2)[2] == (65, "C")
        assert _grades(conn, 1) == {1: (92, "A"), 2: (75, "B"), 3: (68, "C")}  # the old assessments are untouched
        closed = conn.execute(select(func.count()).select_from(CreditCriterion).where(
            CreditCriterion.version == 1, CreditCriterion.valid_to.is_not(None))).scalar()
        assert closed == len(rows) and criteria.current(conn).version == 2
        assert conn.execute(select(func.count()).select_from(AuditLog)
                            .where(AuditLog.action.in_(("credit_assess", "credit_criteria_load")))).scalar() == 3
    store = Store.open(county_pair.url.render_as_string(hide_password=False))
    found = credit_queries.assessments(store, 2, Scope.of(HOME))
    assert found["grade"].tolist() == ["B", "C"] and found["criteria_version"].tolist() == [1, 2]
    assert found["breakdown"].iloc[-1] == {"self_inspection:missing": 20, "penalty:fine": 15}
    with pytest.raises(OutOfScope):
        credit_queries.assessments(store, 3, Scope.of(HOME))


def test_a_run_for_one_county_reads_and_writes_nothing_of_its_neighbour(county_pair):
    with county_pair.begin() as conn:
        report = runs.assess(conn, Scope.of(HOME), actor="test", now=NOW, as_of=AS_OF)
        assessed = set(conn.execute(select(CreditAssessment.entity_id)).scalars())
    assert report.assessed == 2 and assessed == {1, 2}


def test_weijian_credit_assess_and_criteria(county_pair, var_dir, monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings

    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", county_pair.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assessed = runner.invoke(app, ["credit", "assess", "--as-of", "2026-06-30"])
        assert assessed.exit_code == 0, assessed.output
        assert "assessed 3 entities (criteria version 1): A 1, B 1, C 1, D 0" in assessed.output
        narrowed = runner.invoke(app, ["credit", "assess", "--region", HOME, "--as-of", "2026-06-30"])
        assert narrowed.exit_code == 0 and "assessed 2 entities" in narrowed.output
        assert runner.invoke(app, ["credit", "assess", "--region", "110000"]).exit_code == 1
        assert runner.invoke(app, ["credit", "assess", "--as-of", "30.06.2026"]).exit_code == 1
        shown = runner.invoke(app, ["credit", "criteria"])
        assert shown.exit_code == 0 and "credit criteria version 1" in shown.output and "self_inspection:missing" in shown.output
        bad = _write(tmp_path, ["base,base,100,,,full marks", "grade:D,grade,-1,,,below zero"])
        refused = runner.invoke(app, ["credit", "criteria", "--load", str(bad), "--reason", "test"])
        assert refused.exit_code == 1 and "criteria.csv line 3, points" in refused.output
        good = _write(tmp_path, criteria.SEED.read_text(encoding="utf-8").splitlines()[1:], "province.csv")
        assert runner.invoke(app, ["credit", "criteria", "--load", str(good)]).exit_code == 1  # no reason
        loaded = runner.invoke(app, ["credit", "criteria", "--load", str(good), "--reason", "province file", "--as", "王主任"])
        assert loaded.exit_code == 0, loaded.output
        assert "stored 16 criteria as version 2" in loaded.output and "credit criteria version 2" in loaded.output
    finally:
        get_settings.cache_clear()


# ---------------------------------------------------------------- the demo: vectorised = per entity, the pages


def _plain_assessment(conn, as_of: dt.date, rules: criteria.Criteria) -> dict[int, tuple[float, str]]:
    """Each entity's score and grade recomputed the long way: one entity at a time, plain Python, from raw rows."""
    ins, pen, com, si = defaultdict(list), defaultdict(list), defaultdict(list), defaultdict(list)
    for e, on, result in conn.execute(text("SELECT entity_id, inspected_on, result FROM inspection")):
        ins[e].append((pd.Timestamp(on).date(), result == "non_compliant"))
    for e, on, kind, amount in conn.execute(text("SELECT entity_id, decided_on, kind, amount FROM penalty")):
        pen[e].append((pd.Timestamp(on).date(), kind, Decimal(str(amount))))  # money adds up exactly
    for e, at, substantiated, repeat_of in conn.execute(
            text("SELECT entity_id, received_at, substantiated, repeat_of_id FROM complaint WHERE entity_id IS NOT NULL")):
        com[e].append((db.as_utc(pd.Timestamp(at).to_pydatetime()).date(), bool(substantiated), repeat_of is not None))
    for row in conn.execute(text("SELECT entity_id, period, completed, findings, rectified, submitted_on FROM self_inspection")):
        si[row[0]].append(row[1:])
    windows = {d.key: d for d in rules.deductions}

    def within(on: dt.date, key: str) -> bool:
        return on < as_of and (windows[key].window_days is None or on >= as_of - dt.timedelta(days=windows[key].window_days))

    def rating(records) -> str:
        years = (str(as_of.year), str(as_of.year - 1))
        counted = [r for r in records if r[0][:4] in years and (r[4] is None or pd.Timestamp(r[4]).date() < as_of)]
        if not counted:
            return "missing"
        _, completed, findings, rectified, _ = max(counted, key=lambda r: r[0])
        if not completed:
            return "missing"
        return "poor" if findings and rectified < 0.8 * findings else "good"

    out = {}
    for (entity_id,) in conn.execute(text("SELECT id FROM entity")):
        inspected = [bad for on, bad in ins[entity_id] if within(on, "non_compliance_rate")]
        units = {
            "non_compliance_rate": sum(inspected) / len(inspected) if inspected else 0.0,
            "non_compliant_inspections": sum(bad for on, bad in ins[entity_id] if within(on, "non_compliant_inspections")),
            "penalty_amount": float(sum(a for on, _, a in pen[entity_id] if within(on, "penalty_amount")) / 10_000),
            "complaints_substantiated": sum(s for on, s, _ in com[entity_id] if within(on, "complaints_substantiated")),
            "complaints_repeat": sum(r for on, _, r in com[entity_id] if within(on, "complaints_repeat")),
        }
        for kind in ("warning", "fine", "suspension", "revocation"):
            units[f"penalty:{kind}"] = sum(k == kind for on, k, _ in pen[entity_id] if within(on, f"penalty:{kind}"))
        for state in ("missing", "poor"):
            units[f"self_inspection:{state}"] = float(rating(si[entity_id]) == state)
        deducted = 0.0
        for d in rules.deductions:
            points = units[d.key] * d.points
            # Rounded to 0.1 by the one rule (data/risk/score.points: numpy's), one scalar at a time.
            deducted += float(np.round(min(points, d.cap) if d.cap is not None else points, 1))
        score = float(np.round(max(rules.base - deducted, 0), 1))
        out[entity_id] = (score, next(g for g, lowest in rules.grades if score >= lowest))
    return out


def test_the_vectorised_assessment_equals_a_per_entity_recomputation_on_the_demo(demo_db):
    from conftest import DEMO_UNTIL

    engine = db.make_engine(demo_db)
    with engine.connect() as conn:
        rules = criteria.current(conn)
        stored = {r.entity_id: (r.score, r.grade) for r in conn.execute(select(
            CreditAssessment.entity_id, CreditAssessment.score, CreditAssessment.grade)
            .where(CreditAssessment.criteria_version == rules.version))}
        plain = _plain_assessment(conn, DEMO_UNTIL + dt.timedelta(days=1), rules)
    engine.dispose()
    assert len(stored) == len(plain) > 1000
    differing = {e: (stored[e], plain[e]) for e in plain if stored[e][1] != plain[e][1] or abs(stored[e][0] - plain[e][0]) > 1e-6}
    assert not differing, list(differing.items())[:5]
    assert len({grade for _, grade in stored.values()}) >= 3  # the demo shows several grades, not one


def _graded_entity(demo_app) -> dict:
    """A demo entity with deductions and its latest assessment, with the personal data the public page must not show."""
    store = demo_app.server.extensions["weijian"].store
    with store.engine.connect() as conn:
        row = conn.execute(text("""
            SELECT e.id, e.name, e.credit_code, e.legal_representative, e.contact_phone, c.grade, c.score
            FROM credit_assessment c JOIN entity e ON e.id = c.entity_id
            WHERE c.grade IN ('B', 'C') AND e.legal_representative IS NOT NULL ORDER BY c.score, e.id LIMIT 1""")).mappings().one()
    return dict(row)


def test_the_public_page_shows_the_grade_and_when_and_nothing_personal(demo_app):
    entity = _graded_entity(demo_app)
    with demo_app.server.extensions["weijian"].store.engine.begin() as conn:
        token = public_tokens.ensure(conn, entity["id"], NOW)
    client = demo_app.server.test_client()  # nobody logged in
    page = client.get(f"/public/{token}").get_data(as_text=True)
    shown = re.search(r'id="public-credit"[^>]*>([^<]+)</span><span class="wj-pub-grade-text">([^<]+)</span>', page)
    assert shown and shown.groups() == (entity["grade"], {"B": "基本守信", "C": "失信"}[entity["grade"]])
    assert "评价日期 2026-06-30" in page and "暂无" not in page
    for private in (entity["legal_representative"], entity["contact_phone"], entity["credit_code"], "扣分", "信用分"):
        assert private not in page, private
    english = client.get(f"/public/{token}?lang=en").get_data(as_text=True)
    assert "Credit level" in english and "Assessed on 2026-06-30" in english


def test_the_entity_file_shows_the_grade_its_deductions_and_history(demo_app, as_user):
    from components import text as component_text

    from dashboard.pages import entity as page

    entity = _graded_entity(demo_app)
    with as_user("demo_manager"):
        shown = component_text(page.layout(entity_id=str(entity["id"])))
        english = component_text(page.layout(entity_id=str(entity["id"]), lang="en"))
    for label in ("信用评价（诚信等级）", "信用分", "评价标准版本", "扣分指标", "诚信等级历史", f"信用分 {entity['score']:g}"):
        assert label in shown, label
    assert re.search(r"−\d", shown)  # at least one deduction listed
    assert "Credit grade history" in english and "Criteria version" in english
