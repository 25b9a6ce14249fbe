"""Penalties and devices from files: per row and field validation, natural keys (case number, device id),
idempotent re-import, a corrected file updating by key, rollups following; on SQLite and PostgreSQL.

No public file of Chinese 行政处罚 exists (../shared/datasets/README.md says so), so these are hand-made files
in Zhengzhou, each bad row made to carry exactly one problem."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from test_imports import ZHENGZHOU_ENTITIES, _state

from data import models
from data.imports import commands, profile

PROFILE = """
crs: wgs84
date_formats: ["%Y-%m-%d", "%Y%m%d"]
placeholder_dates: [1900-01-01]
entities:
  key: {column: 统一社会信用代码}
  columns: {name: 名称, lon: 经度, lat: 纬度, subtype: 类别}
  defaults: {specialty: public_place}
penalties:
  entity_key: {column: 信用代码}
  columns: {case_no: 决定书文号, decided_on: 决定日期, kind: 处罚种类, amount: 罚没金额, status: 状态}
  codes:
    kind: {警告: warning, 罚款: fine, "责令停业*": suspension, 吊销: revocation}
    status: {已结案: closed, 执行中: executing, 已决定: decided}
devices:
  entity_key: {column: 信用代码}
  columns: {device_id: 设备编号, scene: 场景, interval_s: 上报间隔秒, installed_on: 安装日期, lon: 经度, lat: 纬度}
  codes:
    scene: {室内空气: public_air, 泳池水质: swimming_pool}
"""
PENALTIES = """信用代码,决定书文号,决定日期,处罚种类,罚没金额,状态
91410105MA4123450F,郑金卫罚〔2026〕1号,2026-03-10,罚款,5000,已结案
91410105MA4123469C,郑金卫罚〔2026〕2号,20260312,警告,,执行中
91410105MA4123469C,郑金卫罚〔2026〕3号,2026-03-15,罚款,,已决定
91410105MA4123469C,郑金卫罚〔2026〕4号,2026-03-16,罚款,-200,已决定
91410105MA4123469C,郑金卫罚〔2026〕2号,2026-03-17,警告,,执行中
91410105MA40000048,郑金卫罚〔2026〕5号,2026-03-18,警告,,已结案
91410105MA4123450F,郑金卫罚〔2026〕6号,1900-01-01,警告,,已结案
91410105MA4123450F,郑金卫罚〔2026〕7号,2026-03-19,没收,,已结案
"""
DEVICES = """信用代码,设备编号,场景,上报间隔秒,安装日期,经度,纬度
91410105MA4123450F,ZZ-AIR-001,室内空气,3600,2026-01-05,,
91410105MA4123469C,ZZ-POOL-001,泳池水质,600,2026-02-01,113.6901,34.7702
91410105MA4123469C,ZZ-POOL-002,泳池水质,0,2026-02-01,,
91410105MA4123469C,ZZ-POOL-003,锅炉,600,2026-02-01,,
91410105MA4123469C,ZZ-AIR-001,室内空气,600,2026-02-01,,
91410105MA4123450F,ZZ-AIR-004,室内空气,600,2026-02-01,0,0
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.yaml").write_text(PROFILE.replace("defaults: {specialty: public_place}",
                                                     "defaults: {specialty: public_place, subtype: hotel}"), encoding="utf-8")
    (tmp_path / "e.csv").write_text(ZHENGZHOU_ENTITIES, encoding="gbk")
    (tmp_path / "penalties.csv").write_text(PENALTIES, encoding="gbk")
    (tmp_path / "devices.csv").write_text(DEVICES, encoding="utf-8-sig")
    return tmp_path


@pytest.fixture
def stored(engine, files, cache_dir):
    commands.command("entities", engine, files / "e.csv", profile.load(files / "p.yaml"), region="410100",
                     cache_dir=cache_dir).run()
    return engine


def _run(engine, kind, files, cache_dir, **options):
    path = files / {"penalties": "penalties.csv", "devices": "devices.csv"}[kind]
    return commands.command(kind, engine, path, profile.load(files / "p.yaml"), region="410100", cache_dir=cache_dir,
                            **options).run()


def test_penalties_each_bad_row_names_its_field_and_reason(stored, files, cache_dir):
    outcome = _run(stored, "penalties", files, cache_dir)
    assert {(p.row, p.field, p.code) for p in outcome.problems} == {
        (3, "决定书文号", "duplicate_key"), (6, "决定书文号", "duplicate_key"),  # 2号 twice
        (4, "罚没金额", "missing"),  # a fine without an amount
        (5, "罚没金额", "bad_number"),  # a negative amount
        (7, "信用代码", "unknown_entity"),
        (8, "决定日期", "placeholder_date"),
        (9, "处罚种类", "unknown_code"),
    }
    assert (outcome.inserted, outcome.refused) == (1, 7)
    with stored.connect() as conn:
        case = conn.execute(select(models.Penalty)).mappings().one()
        rollup = conn.execute(select(func.sum(models.RollupRegionMonth.penalties),
                                     func.sum(models.RollupRegionMonth.penalty_amount))).one()
    assert (case["case_no"], case["kind"], case["amount"], case["status"]) == ("郑金卫罚〔2026〕1号", "fine", Decimal("5000.00"),
                                                                            "closed")
    assert case["county_adcode"] == "410105" and case["specialty"] == "public_place"
    assert (int(rollup[0]), float(rollup[1])) == (1, 5000.0)


def test_penalties_rerun_is_a_no_op_and_a_correction_updates_by_case_number(stored, files, cache_dir):
    fixed = PENALTIES.replace("郑金卫罚〔2026〕2号,2026-03-17", "郑金卫罚〔2026〕8号,2026-03-17").replace(
        "罚款,,已决定", "罚款,800,已决定").replace("-200", "200")
    (files / "penalties.csv").write_text(fixed, encoding="gbk")
    first = _run(stored, "penalties", files, cache_dir)
    assert (first.inserted, first.refused) == (5, 3)
    before = _state(stored)
    again = _run(stored, "penalties", files, cache_dir)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5) and _state(stored) == before
    (files / "penalties.csv").write_text(fixed.replace("2026-03-10,罚款,5000,已结案", "2026-03-10,罚款,6000,已结案"),
                                         encoding="gbk")
    corrected = _run(stored, "penalties", files, cache_dir)
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 4)
    with stored.connect() as conn:
        assert float(conn.execute(select(func.sum(models.RollupRegionMonth.penalty_amount))).scalar()) == 6000 + 800 + 200


def test_devices_validated_keyed_by_id_and_placed_at_their_entity(stored, files, cache_dir):
    outcome = _run(stored, "devices", files, cache_dir)
    assert {(p.row, p.code) for p in outcome.problems} == {
        (2, "duplicate_key"), (6, "duplicate_key"),  # ZZ-AIR-001 twice
        (4, "bad_number"),  # interval 0
        (5, "unknown_code"),  # 锅炉 is not a monitoring scene
        (7, "bad_coordinates"),  # 0,0
    }
    assert (outcome.inserted, outcome.refused) == (1, 5)
    with stored.connect() as conn:
        device = conn.execute(select(models.Device)).mappings().one()
        entity = conn.execute(select(models.Entity).where(models.Entity.id == device["entity_id"])).mappings().one()
    assert (device["id"], device["scene"], device["interval_s"], device["installed_on"]) == (
        "ZZ-POOL-001", "swimming_pool", 600, dt.date(2026, 2, 1))
    assert (device["lon"], device["lat"]) == (113.6901, 34.7702) and device["token_hash"] is None
    assert entity["credit_code"] == "91410105MA4123469C" and device["county_adcode"] == entity["county_adcode"]

    (files / "devices.csv").write_text(DEVICES.replace("ZZ-AIR-001,室内空气,600", "ZZ-AIR-002,室内空气,600"), encoding="utf-8")
    second = _run(stored, "devices", files, cache_dir)
    assert (second.inserted, second.unchanged, second.refused) == (2, 1, 3)
    with stored.connect() as conn:  # without coordinates in the file: the entity's
        air = conn.execute(select(models.Device.lon, models.Device.lat).where(models.Device.id == "ZZ-AIR-001")).one()
    assert tuple(air) == (113.68, 34.76)


def test_a_penalty_file_failing_half_way_leaves_the_database_as_it_was(stored, files, cache_dir, monkeypatch):
    before = _state(stored)
    original = commands._upsert

    def broken(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("injected failure after the rows were written")

    monkeypatch.setattr(commands, "_upsert", broken)
    with pytest.raises(RuntimeError, match="injected"):
        _run(stored, "penalties", files, cache_dir)
    assert _state(stored) == before


def test_an_importers_scope_bounds_every_row_and_every_stored_key(stored, files, cache_dir):
    """The import page passes the person's scope: rows of entities outside it are refused, and so is a case number
    already stored for another region's penalty (an upsert would overwrite it)."""
    from data.queries.filters import Scope

    with stored.connect() as conn:
        county = conn.execute(select(models.Entity.county_adcode).where(
            models.Entity.credit_code == "91410105MA4123450F")).scalar_one()
    elsewhere = Scope.of("410102" if county != "410102" else "410103")
    for kind in ("penalties", "devices"):
        outcome = _run(stored, kind, files, cache_dir, scope=elsewhere, all_or_nothing=False)
        outside = [p for p in outcome.problems if p.code == "outside_scope"]
        assert outcome.taken == 0 and outside and all(p.reason == "the entity is outside your scope" for p in outside)
    with stored.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Penalty)).scalar_one() == 0

    _run(stored, "penalties", files, cache_dir)  # the operator's CLI: no scope
    with stored.begin() as conn:  # case 1号 now stands for a penalty of another city
        conn.execute(models.Penalty.__table__.update().where(models.Penalty.case_no == "郑金卫罚〔2026〕1号").values(
            province_adcode="410000", city_adcode="410200", county_adcode="410202"))
    outcome = _run(stored, "penalties", files, cache_dir, scope=Scope.of(county))
    assert [(p.row, p.code, p.reason) for p in outcome.problems if p.code == "outside_scope"] == [
        (2, "outside_scope", "a record with this key is stored outside your scope")]
    with stored.connect() as conn:
        assert conn.execute(select(models.Penalty.county_adcode).where(
            models.Penalty.case_no == "郑金卫罚〔2026〕1号")).scalar_one() == "410202"
