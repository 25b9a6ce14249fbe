"""Recorded 双随机 runs, self-inspection ratings and their import, licence reminders: on SQLite and PostgreSQL.

A small hand-made world in Zhengzhou: two counties (金水 410105, 中原 410102), three officers each and one of
the city's, twelve entities. Scope, conflicts, results feeding back and never-overwritten runs are checked
against it; the CLI runs on a copy of the session's demo database.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from data import audit, credit_code, db, models
from data.draws import runs
from data.imports import commands, profile
from data.queries import licences
from data.queries.filters import OutOfScope, Scope
from data.self_inspection import rate_record, ratings, rating
from data.store import Store

NOW = dt.datetime(2026, 7, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in China
CITY, JINSHUI, ZHONGYUAN = "410100", "410105", "410102"
HENAN = Scope.of("410000")


def _code(i: int) -> str:
    return credit_code.make("9", "1", JINSHUI, f"MA{i:06d}")


@pytest.fixture
def world(engine):
    with engine.begin() as conn:
        conn.execute(insert(models.Region), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": CITY, "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            {"adcode": JINSHUI, "name": "金水区", "level": "county", "parent_adcode": CITY},
            {"adcode": ZHONGYUAN, "name": "中原区", "level": "county", "parent_adcode": CITY}])
        conn.execute(insert(models.Inspector), [
            {"id": i, "badge_no": f"B{i}", "name": f"officer{i}", "region_adcode": county}
            for i, county in [(1, JINSHUI), (2, JINSHUI), (3, JINSHUI), (4, ZHONGYUAN), (5, ZHONGYUAN), (6, ZHONGYUAN),
                              (7, CITY)]])
        conn.execute(insert(models.Entity), [
            {"id": i, "credit_code": _code(i), "name": f"单位{i}", "specialty": "medical" if i % 2 else "public_place",
             "subtype": "clinic" if i % 2 else "hotel", "province_adcode": "410000", "city_adcode": CITY,
             "county_adcode": JINSHUI if i <= 6 else ZHONGYUAN, "risk_level": "high" if i == 1 else None,
             "licence_expiry": dt.date(2026, 7, 1) + dt.timedelta(days=(-1, 0, 7, 8, 30, 31, 90, 91, 400, 5, 6, 7)[i - 1])}
            for i in range(1, 13)])
    return engine


def _run(engine, region=CITY, count=4, seed=11, scope=HENAN, **filters):
    return runs.run(engine, runs.Request(region, count, **filters), scope, actor="manager", now=NOW, seed=seed)


def test_runs_reproduce_are_all_kept_and_audited(world):
    first = _run(world)
    again = _run(world)
    other = _run(world, seed=12)
    assert first.items[["entity_id", "inspector_id", "second_inspector_id"]].equals(
        again.items[["entity_id", "inspector_id", "second_inspector_id"]])
    assert first.draw_id != again.draw_id != other.draw_id
    assert other.items["entity_id"].tolist() != first.items["entity_id"].tolist()
    with world.connect() as conn:
        listed = runs.runs(conn, HENAN)
        entries = audit.entries(conn, action="random_draw")
        assert audit.verify(conn) is None
    assert listed["id"].tolist() == [other.draw_id, again.draw_id, first.draw_id]
    assert listed["seed"].tolist() == [12, 11, 11] and set(listed["drawn"]) == {4}
    assert [e["target"] for e in entries] == [f"random_draw:{r.draw_id}" for r in (other, again, first)]
    assert '"earlier_runs_same_pool": 2' in entries[0]["detail"]
    shown = {(w["factor"], w["value"]): w["weight"] for w in first.weights.rows()}
    assert shown[("risk_level", "unassessed")] == shown[("risk_level", "medium")]  # NULL risk: weighed as medium
    unseeded = _run(world, seed=None)
    assert not unseeded.seed_chosen
    replay = _run(world, seed=unseeded.seed)  # a random seed is recorded: the run can be reproduced
    assert replay.items["entity_id"].tolist() == unseeded.items["entity_id"].tolist()


def test_pool_filters_and_scope(world):
    medical = _run(world, count=12, specialty="medical")
    assert len(medical.items) == 6 and medical.pool_size == 6 and set(medical.items["entity_id"]) == {1, 3, 5, 7, 9, 11}
    hotels = _run(world, region=JINSHUI, count=12, subtype="hotel")
    assert set(hotels.items["entity_id"]) == {2, 4, 6}
    county = Scope.of(ZHONGYUAN)
    with pytest.raises(OutOfScope):
        _run(world, region=CITY, scope=county)
    with pytest.raises(OutOfScope):
        _run(world, region=JINSHUI, scope=county)
    own = _run(world, region=ZHONGYUAN, count=12, scope=county)
    assert set(own.items["county_adcode"]) == {ZHONGYUAN}
    with world.connect() as conn:
        assert runs.runs(conn, county)["id"].tolist() == [own.draw_id]  # the city's and 金水's runs are not listed
        assert runs.get(conn, hotels.draw_id, county) is None
        assert runs.items_of(conn, hotels.draw_id, county).empty
        assert runs.of_entity(conn, 2, county).empty


def test_last_inspectors_and_declared_conflicts_are_never_drawn(world):
    with world.begin() as conn:
        conn.execute(insert(models.Inspection), [
            {"entity_id": 1, "specialty": "medical", "inspected_on": dt.date(2026, 5, 1), "kind": "routine",
             "result": "compliant", "inspector_id": 1, "second_inspector_id": 2, "province_adcode": "410000",
             "city_adcode": CITY, "county_adcode": JINSHUI},
            {"entity_id": 1, "specialty": "medical", "inspected_on": dt.date(2025, 5, 1), "kind": "routine",
             "result": "compliant", "inspector_id": 3, "second_inspector_id": 7, "province_adcode": "410000",
             "city_adcode": CITY, "county_adcode": JINSHUI}])
        conn.execute(insert(models.InspectorConflict), [{"inspector_id": 3, "entity_id": 1, "reason": "亲属",
                                                         "declared_on": dt.date(2026, 1, 1)}])
    for seed in range(25):
        drawn = _run(world, region=JINSHUI, count=6, seed=seed).items.set_index("entity_id")
        # 1 and 2 inspected it last, 3 declared a conflict: 金水 has no eligible pair, so the city's pool
        assert {drawn.loc[1, "inspector_id"], drawn.loc[1, "second_inspector_id"]} & {1, 2, 3} == set()
        assert (drawn["inspector_id"] != drawn["second_inspector_id"]).all()


def test_results_feed_back_to_the_list_and_the_entity_file(world):
    done = _run(world, region=JINSHUI, count=2)
    entity = int(done.items["entity_id"].iloc[0])
    with world.begin() as conn:
        conn.execute(insert(models.Inspection), [
            {"entity_id": entity, "specialty": "medical", "inspected_on": day, "kind": kind, "result": result,
             "province_adcode": "410000", "city_adcode": CITY, "county_adcode": JINSHUI}
            for day, kind, result in [(dt.date(2026, 6, 30), "random_draw", "compliant"),  # before the draw: not its result
                                      (dt.date(2026, 7, 3), "routine", "compliant"),  # not a 双随机 inspection
                                      (dt.date(2026, 7, 9), "random_draw", "non_compliant")]])
    with world.connect() as conn:
        listed = runs.items_of(conn, done.draw_id, HENAN).set_index("entity_id")
        filed = runs.of_entity(conn, entity, HENAN)
    assert (listed.loc[entity, "inspected_on"], listed.loc[entity, "result"]) == (dt.date(2026, 7, 9), "non_compliant")
    assert listed.drop(index=entity)["result"].isna().all()
    assert filed[["draw_id", "inspected_on", "result"]].values.tolist() == [[done.draw_id, dt.date(2026, 7, 9),
                                                                             "non_compliant"]]


def test_self_inspection_ratings(world):
    assert [rate_record(None, 0, 0), rate_record(False, 3, 3), rate_record(True, 0, 0), rate_record(True, 10, 8),
            rate_record(True, 10, 7)] == ["missing", "missing", "good", "good", "poor"]
    with world.begin() as conn:
        conn.execute(insert(models.SelfInspection), [
            {"entity_id": 1, "period": "2025", "completed": True, "submitted_on": dt.date(2026, 2, 1), "findings": 4,
             "rectified": 4},
            {"entity_id": 2, "period": "2025", "completed": True, "submitted_on": dt.date(2026, 2, 1), "findings": 4,
             "rectified": 1},
            {"entity_id": 3, "period": "2025", "completed": False, "submitted_on": None, "findings": 0, "rectified": 0},
            {"entity_id": 4, "period": "2023", "completed": True, "submitted_on": dt.date(2024, 2, 1), "findings": 0,
             "rectified": 0},  # too old to count
            {"entity_id": 5, "period": "2025", "completed": True, "submitted_on": dt.date(2026, 8, 1), "findings": 0,
             "rectified": 0},  # submitted after the day asked about
            {"entity_id": 6, "period": "2025", "completed": True, "submitted_on": dt.date(2026, 1, 5), "findings": 2,
             "rectified": 0},
            {"entity_id": 6, "period": "2026-H1", "completed": True, "submitted_on": dt.date(2026, 6, 20), "findings": 2,
             "rectified": 2}])  # the latest period decides
        got = ratings(conn, range(1, 8), dt.date(2026, 7, 1)).to_dict()
        assert rating(conn, 2, dt.date(2026, 7, 1)) == "poor"
    assert got == {1: "good", 2: "poor", 3: "missing", 4: "missing", 5: "missing", 6: "good", 7: "missing"}
    drawn = _run(world, count=12).items.set_index("entity_id")
    assert drawn.loc[1, "weight"] == pytest.approx(2.0 * 0.5) and drawn.loc[2, "weight"] == pytest.approx(1.0 * 1.5)
    assert drawn.loc[1, "risk_level"] == "high" and drawn.loc[3, "risk_level"] == "unassessed"


SELF_CSV = """统一社会信用代码,自查年度,是否完成,报送日期,发现问题数,已整改数
{c1},2025,是,2026-02-01,3,3
{c2},2025,否,,0,0
{c3},2025年,是,2026-02-01,1,1
{c4},2025,是,2026-02-01,2,5
{c5},2025,是,,1,1
913201000000000000,2025,是,2026-02-01,0,0
{c6},2025,也许,2026-02-01,0,0
"""


def test_self_inspection_import_validates_and_is_idempotent(world, tmp_path, cache_dir):
    path = tmp_path / "self.csv"
    path.write_text(SELF_CSV.format(**{f"c{i}": _code(i) for i in range(1, 7)}), encoding="utf-8")

    def job():
        return commands.command("self_inspections", world, path, profile.load("self_inspection_report"),
                                region="410000", cache_dir=cache_dir)

    assert {(p.row, p.code, p.field) for p in job().validate()} == {
        (4, "bad_period", "自查年度"), (5, "rectified_over_findings", "已整改数"), (6, "missing", "报送日期"),
        (7, "bad_credit_code", "统一社会信用代码"), (7, "unknown_entity", "统一社会信用代码"), (8, "unknown_code", "是否完成")}
    dry = job().run(dry_run=True)
    assert (dry.inserted, dry.refused, dry.written) == (2, 5, False)
    with world.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.SelfInspection)).scalar_one() == 0
    first = job().run()
    assert (first.inserted, first.updated, first.unchanged, first.refused) == (2, 0, 0, 5)
    assert job().run().unchanged == 2
    path.write_text(path.read_text(encoding="utf-8").replace("2025,是,2026-02-01,3,3", "2025,是,2026-02-01,3,1"),
                    encoding="utf-8")
    corrected = job().run()
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 1)
    with world.connect() as conn:
        assert ratings(conn, [1, 2], dt.date(2026, 7, 1)).to_dict() == {1: "poor", 2: "missing"}


def test_licence_buckets_at_the_thresholds(world):
    days = pd.Series([-1, 0, 7, 8, 30, 31, 90, 91])
    assert licences.bucket(days, (90, 30, 7)).tolist() == ["expired", "7", "7", "30", "30", "90", "90", None]
    store = Store.open(str(world.url.render_as_string(hide_password=False)))
    due = licences.due(store, CITY, HENAN, dt.date(2026, 7, 1))
    assert dict(zip(due["id"], due["bucket"])) == {1: "expired", 2: "7", 3: "7", 4: "30", 5: "30", 6: "90", 7: "90",
                                                   10: "7", 11: "7", 12: "7"}
    assert licences.counts(due) == {"expired": 1, "7": 5, "30": 2, "90": 2}
    assert set(licences.due(store, ZHONGYUAN, Scope.of(ZHONGYUAN), dt.date(2026, 7, 1))["id"]) == {7, 10, 11, 12}
    with pytest.raises(OutOfScope):
        licences.due(store, JINSHUI, Scope.of(ZHONGYUAN), dt.date(2026, 7, 1))
    with world.begin() as conn:  # thresholds are data
        db.set_meta(conn, licences.THRESHOLDS_KEY, "60,14")
    assert licences.counts(licences.due(store, CITY, HENAN, dt.date(2026, 7, 1))) == {"expired": 1, "14": 6, "60": 2}
    store.engine.dispose()


def test_cli_prints_the_draw_as_csv(demo_db, tmp_path, var_dir, monkeypatch):
    from dashboard.cli import app
    from dashboard.settings import get_settings

    copy = tmp_path / "demo.db"
    shutil.copy(demo_db.removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        args = ["draw", "--region", CITY, "--count", "5", "--seed", "7", "--specialty", "medical", "--as", "tester"]
        first, second = runner.invoke(app, args), runner.invoke(app, args)
        refused = runner.invoke(app, ["draw", "--region", "320100", "--count", "5"])
    finally:
        get_settings.cache_clear()
    assert first.exit_code == 0, first.output
    lines = first.stdout.strip().splitlines()
    assert lines[0].startswith("rank,entity_id,credit_code,name,county_adcode") and len(lines) == 6
    assert first.stdout == second.stdout  # same seed, same draw (recorded twice)
    assert "seed 7" in first.stderr and "weights v1" in first.stderr
    frame = pd.read_csv(pd.io.common.StringIO(first.stdout), dtype=str)
    assert frame["county_adcode"].str.startswith("4101").all() and (frame["inspector_badge"] !=
                                                                   frame["second_inspector_badge"]).all()
    engine = db.make_engine(f"sqlite:///{copy}")
    with engine.connect() as conn:
        specialties = conn.execute(select(models.Entity.specialty).where(
            models.Entity.id.in_(frame["entity_id"].astype(int).tolist()))).scalars().all()
        assert conn.execute(select(func.count()).select_from(models.RandomDraw)).scalar_one() == 2
    engine.dispose()
    assert set(specialties) == {"medical"}
    assert refused.exit_code == 1 and "outside" in refused.output
