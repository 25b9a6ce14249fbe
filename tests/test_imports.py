"""File imports (data/imports) against the real shared files, and the write guarantees on SQLite and PostgreSQL.

Refusal counts are compared with independent pandas counts over the same files (read from ../shared/datasets,
never copied). Writes use a small hand-made file of entities and inspections in Zhengzhou.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from shared_datasets import DATASETS
from sqlalchemy import func, insert, select, text

from data import models, rollups
from data.imports import commands, profile
from data.imports.readers import read_table

NYC = DATASETS / "nyc_restaurant_inspections" / "nyc_restaurant_inspections.csv"
CNEMC = DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv"
BEIJING = DATASETS / "beijing_air_quality" / "PRSA_Data_Aotizhongxin_20130301-20170228.csv.gz"


@pytest.fixture
def sqlite_engine(tmp_path):
    from data import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'imports.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def _dry(engine, kind, path, name, cache_dir, region="410000"):
    job = commands.command(kind, engine, path, profile.load(name), region=region, cache_dir=cache_dir)
    return job.run(dry_run=True)


def test_cnemc_stations_dry_run_matches_pandas(sqlite_engine, cache_dir):
    raw = pd.read_csv(CNEMC, encoding="gbk", dtype=str, keep_default_na=False)
    outcome = _dry(sqlite_engine, "entities", CNEMC, "cnemc_stations", cache_dir)
    counts = outcome.counts_by_code()
    no_xy = raw.index[(raw["经度"] == "") | (raw["纬度"] == "")]
    assert counts["no_coordinates"] == len(no_xy) == 10
    refused_rows = sorted(p.row for p in outcome.problems if p.code == "no_coordinates")
    assert refused_rows == [i + 2 for i in no_xy]  # header = row 1
    assert counts["status_in_name"] == raw["监测点名称"].str.contains("停运|停用").sum() == 76
    henan = (raw["省级行政区"] == "河南省") & (raw["经度"] != "")
    assert outcome.taken == henan.sum()  # placed by the boundaries, checked against the list's own province column
    assert counts["outside_region"] == len(raw) - 10 - henan.sum()
    with sqlite_engine.connect() as conn:  # dry run
        assert conn.execute(select(func.count()).select_from(models.Entity)).scalar_one() == 0


def test_nyc_dry_run_reports_every_problem(sqlite_engine, cache_dir):
    raw = pd.read_csv(NYC, dtype=str, keep_default_na=False)
    entities = _dry(sqlite_engine, "entities", NYC, "nyc_restaurant_inspections", cache_dir).counts_by_code()
    zero = (raw["latitude"] == "0") & (raw["longitude"] == "0")
    empty = (raw["latitude"] == "") | (raw["longitude"] == "")
    assert (entities["zero_coordinates"], entities["no_coordinates"]) == (zero.sum(), empty.sum()) == (177, 106)
    assert entities["outside_region"] == len(raw) - 177 - 106  # reported as outside, never dropped silently

    inspections = _dry(sqlite_engine, "inspections", NYC, "nyc_restaurant_inspections", cache_dir)
    counts = inspections.counts_by_code()
    assert counts["placeholder_date"] == (raw["inspection_date"] == "1900-01-01T00:00:00.000").sum() == 813
    assert counts["unknown_entity"] == len(raw)  # no NYC entity could be stored in Henan
    score = pd.to_numeric(raw["score"], errors="coerce")
    earned = pd.cut(score, [-1, 13, 27, float("inf")], labels=["A", "B", "C"]).astype(object)
    graded = raw["grade"].isin(["A", "B", "C"]) & score.notna()
    assert counts["grade_contradicts_score"] == (graded & (raw["grade"] != earned)).sum()
    assert inspections.taken == 0


def test_beijing_readings_dry_run_counts_missing_values(sqlite_engine, cache_dir):
    raw = pd.read_csv(BEIJING, dtype=str, keep_default_na=False)
    counts = _dry(sqlite_engine, "readings", BEIJING, "beijing_air", cache_dir).counts_by_code()
    missing = (raw["PM2.5"] == "NA").sum()
    assert counts == {"unknown_device": len(raw), "missing_value": missing}  # every problem at once
    _register_beijing(sqlite_engine)
    outcome = _dry(sqlite_engine, "readings", BEIJING, "beijing_air", cache_dir)
    assert outcome.counts_by_code() == {"missing_value": missing} and missing == 925
    assert outcome.inserted == (raw["PM2.5"] != "NA").sum()


def _register_beijing(engine):
    codes = {"province_adcode": "110000", "city_adcode": "110100", "county_adcode": "110105"}
    with engine.begin() as conn:
        conn.execute(insert(models.Entity).values(id=1, credit_code="CNEMC-1011A", name="奥体中心监测点",
                                                  specialty="public_place", subtype="venue", lon=116.3966, lat=39.9821,
                                                  **codes))
        conn.execute(insert(models.Device).values(id="BJ-1011A", entity_id=1, scene="public_air", lon=116.3966,
                                                  lat=39.9821, interval_s=3600, installed_on=dt.date(2013, 1, 1),
                                                  active=True, **codes))


def test_beijing_readings_real_run_then_rerun(engine, cache_dir):
    _register_beijing(engine)
    raw = pd.read_csv(BEIJING, dtype=str, keep_default_na=False)
    job = lambda: commands.command("readings", engine, BEIJING, profile.load("beijing_air"), region="110000",  # noqa: E731
                                   cache_dir=cache_dir)
    first = job().run()
    assert first.inserted == (raw["PM2.5"] != "NA").sum()
    again = job().run()
    assert (again.inserted, again.unchanged) == (0, first.inserted)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Reading)).scalar_one() == first.inserted
        if engine.dialect.name == "postgresql":
            # The import analysed the table it wrote (db.analyze), so the rollup refresh was planned on its rows.
            planned = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'reading'::regclass")).scalar()
            assert planned == first.inserted


ZHENGZHOU_ENTITIES = """统一社会信用代码,名称,类别,经度,纬度
91410105MA4123450F,金水华泰宾馆,住宿,113.68,34.76
91410105MA4123469C,金水星光影城,娱乐,113.69,34.77
91410105MA41234777,空坐标游泳馆,游泳,,
91410105MA41234777,重复游泳馆,游泳,113.70,34.78
91410105MA41234852,上海某宾馆,住宿,121.47,31.23
91410105MA4123493W,未知类别,花店,113.68,34.76
"""
ZHENGZHOU_INSPECTIONS = """信用代码,检查日期,检查类型,结论,分数,等级
91410105MA4123450F,2026-03-02,日常,合格,92,A
91410105MA4123469C,2026-03-05,专项,不合格,51,C
91410105MA4123469C,1900-01-01,日常,合格,90,A
91410105MA4123469C,2026-03-09,日常,合格,95,C
91410105MA40000048,2026-03-09,日常,合格,95,A
"""
PROFILE = """
crs: wgs84
placeholder_dates: [1900-01-01]
entities:
  key: {column: 统一社会信用代码}
  columns: {name: 名称, lon: 经度, lat: 纬度, subtype: 类别}
  codes:
  defaults: {specialty: public_place}
inspections:
  entity_key: {column: 信用代码}
  columns: {inspected_on: 检查日期, kind: 检查类型, result: 结论, score: 分数, grade: 等级}
  codes:
    kind: {日常: routine, 专项: campaign}
    result: {合格: compliant, 不合格: non_compliant}
    grade: {A: A, B: B, C: C}
  grade_scale: [{max: 59, grade: C}, {max: 84, grade: B}, {max: null, grade: A}]
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.yaml").write_text(PROFILE.replace("  codes:\n  defaults", "  defaults").replace(
        "defaults: {specialty: public_place}", "defaults: {specialty: public_place, subtype: hotel}"), encoding="utf-8")
    (tmp_path / "e.csv").write_text(ZHENGZHOU_ENTITIES, encoding="gbk")
    (tmp_path / "i.csv").write_text(ZHENGZHOU_INSPECTIONS, encoding="utf-8-sig")
    return tmp_path


def _job(engine, kind, path, files, cache_dir, **options):
    return commands.command(kind, engine, path, profile.load(files / "p.yaml"), region="410100", cache_dir=cache_dir,
                            **options)


def test_hand_made_file_problems_name_row_field_value_reason(sqlite_engine, files, cache_dir):
    problems = _job(sqlite_engine, "entities", files / "e.csv", files, cache_dir).validate()
    got = {(p.row, p.code) for p in problems}
    assert got == {(4, "no_coordinates"), (4, "duplicate_key"), (5, "duplicate_key"), (6, "outside_region")}
    row4 = next(p for p in problems if p.code == "no_coordinates")
    assert (row4.field, row4.value) == ("经度,纬度", ",")


def _state(engine):
    with engine.connect() as conn:
        return {name: conn.execute(select(table).order_by(*table.primary_key.columns)).all()
                for name, table in models.Base.metadata.tables.items() if name not in ("alembic_version",)}


def test_real_run_rerun_and_correction(engine, files, cache_dir):
    entities = _job(engine, "entities", files / "e.csv", files, cache_dir).run()
    # row 7 (花店) is not refused: subtype is a free text column here
    assert (entities.inserted, entities.updated, entities.unchanged, entities.refused) == (3, 0, 0, 2)
    inspections = _job(engine, "inspections", files / "i.csv", files, cache_dir).run()
    assert {(p.row, p.code) for p in inspections.problems} == {
        (4, "placeholder_date"), (5, "grade_contradicts_score"), (6, "unknown_entity")}
    assert (inspections.inserted, inspections.refused) == (2, 3)
    with engine.connect() as conn:
        version = conn.execute(select(models.DatasetMeta.value).where(models.DatasetMeta.key == "data_version")).scalar()
        rollup = conn.execute(select(func.sum(models.RollupRegionMonth.inspections),
                                     func.sum(models.RollupRegionMonth.non_compliant))).one()
    assert tuple(rollup) == (2, 1) and int(version) >= 1

    before = _state(engine)
    again = _job(engine, "entities", files / "e.csv", files, cache_dir).run()
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert (_job(engine, "inspections", files / "i.csv", files, cache_dir).run().unchanged) == 2
    assert _state(engine) == before  # nothing changed, not even the data version

    (files / "i.csv").write_text(ZHENGZHOU_INSPECTIONS.replace("专项,不合格,51,C", "专项,合格,88,A"), encoding="utf-8")
    corrected = _job(engine, "inspections", files / "i.csv", files, cache_dir).run()
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 1)
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(models.RollupRegionMonth.non_compliant))).scalar() == 0
        assert conn.execute(select(func.count()).select_from(models.Inspection)).scalar_one() == 2


def test_failure_half_way_leaves_nothing(engine, files, cache_dir, monkeypatch):
    before = _state(engine)

    def broken(conn, counties=None):
        raise RuntimeError("injected failure after the rows were written")

    _job(engine, "entities", files / "e.csv", files, cache_dir).run()
    before = _state(engine)
    monkeypatch.setattr(rollups, "refresh", broken)
    with pytest.raises(RuntimeError, match="injected"):
        _job(engine, "inspections", files / "i.csv", files, cache_dir).run()
    assert _state(engine) == before


def test_all_or_nothing_and_dry_run_write_nothing(engine, files, cache_dir):
    before = _state(engine)
    strict = _job(engine, "entities", files / "e.csv", files, cache_dir, all_or_nothing=True).run()
    assert strict.taken == 0 and strict.refused == 5
    dry = _job(engine, "entities", files / "e.csv", files, cache_dir).run(dry_run=True)
    assert dry.inserted == 3 and not dry.written
    assert _state(engine) == before


def test_readers_xlsx_gzip_and_encodings(tmp_path):
    frame = pd.DataFrame({"名称": ["金水华泰宾馆", "Café"], "代码": ["0123", "NA"]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        frame.iloc[:1].to_csv(tmp_path / f"{encoding}.csv", index=False, encoding=encoding)
        got, used = read_table(tmp_path / f"{encoding}.csv")
        assert got.iloc[0].tolist() == ["金水华泰宾馆", "0123"] and used in ("utf-8-sig", "gb18030")
    assert read_table(DATASETS / "sf_restaurant_inspections" / "businesses_plus.csv")[1] == "cp1252"  # real cp1252
    got, used = read_table(tmp_path / "t.xlsx")
    assert used == "xlsx" and got["代码"].tolist() == ["0123", "NA"]  # text stays text
    got, used = read_table(BEIJING)
    assert len(got) == 35064 and used.endswith("(gzip)")


def test_bad_profiles_are_refused(tmp_path):
    (tmp_path / "bad.yaml").write_text("entities:\n  key: {column: a}\n  columns: {name: n, colour: c}\n")
    with pytest.raises(profile.ProfileError, match="unknown fields colour"):
        profile.load(tmp_path / "bad.yaml")
    (tmp_path / "bad2.yaml").write_text("inspections:\n  entity_key: {column: a}\n  columns: {inspected_on: d}\n"
                                        "  codes: {result: {ok: fine}}\n  defaults: {kind: routine}\n")
    with pytest.raises(profile.ProfileError, match="maps to fine"):
        profile.load(tmp_path / "bad2.yaml")
    with pytest.raises(profile.ProfileError, match="shipped: beijing_air, cnemc_stations, nyc_311_complaints, nyc_restaurant_inspections, self_inspection_report, sf_restaurant_inspections"):
        profile.load("nope")
