"""Construction project reviews (建设项目卫生审查) from a file: each bad row names its field and reason, the applicant
must be a stored entity, a re-import changes nothing and a corrected file updates by 受理编号; SQLite and PostgreSQL.
Hand-made rows in Zhengzhou (no public file of these reviews exists)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_imports import ZHENGZHOU_ENTITIES, _state

from data import models
from data.imports import commands, profile

PROFILE = """
crs: wgs84
date_formats: ["%Y-%m-%d"]
entities:
  key: {column: 统一社会信用代码}
  columns: {name: 名称, lon: 经度, lat: 纬度}
  defaults: {specialty: public_place, subtype: hotel}
construction_projects:
  entity_key: {column: 申请单位信用代码}
  columns: {project_no: 受理编号, name: 项目名称, project_type: 项目类型, stage: 审查阶段, applied_on: 受理日期,
            decided_on: 办结日期, outcome: 审查结论}
  codes:
    project_type: {公共场所: public_place, 放射诊疗: radiology_room, 医疗机构: hospital}
    stage: {设计审查: design_review, 竣工验收: completion_acceptance}
    outcome: {通过: approved, 整改后通过: conditional, 不通过: rejected, 审查中: pending}
"""
PROJECTS = """申请单位信用代码,受理编号,项目名称,项目类型,审查阶段,受理日期,办结日期,审查结论
91410105MA4123450F,郑金建审〔2026〕1号,华泰宾馆装修改造项目,公共场所,设计审查,2026-03-01,2026-03-18,通过
91410105MA4123469C,郑金建审〔2026〕2号,星光影城新风系统改造,公共场所,竣工验收,2026-03-05,,审查中
91410105MA4123469C,郑金建审〔2026〕3号,星光影城DR机房,放射诊疗,设计审查,2026-03-05,,通过
91410105MA4123469C,郑金建审〔2026〕4号,星光影城扩建,公共场所,设计审查,2026-03-10,2026-03-02,不通过
91410105MA4123469C,郑金建审〔2026〕5号,星光影城扩建二期,公共场所,设计审查,2026-03-10,2026-03-12,审查中
91410105MA40000048,郑金建审〔2026〕6号,未登记单位新建项目,医疗机构,设计审查,2026-03-11,2026-03-20,通过
91410105MA4123450F,郑金建审〔2026〕7号,华泰宾馆泳池,游泳池,设计审查,2026-03-12,2026-03-20,通过
91410105MA4123450F,郑金建审〔2026〕1号,华泰宾馆装修改造项目,公共场所,设计审查,2026-03-01,2026-03-18,通过
"""


@pytest.fixture
def stored(engine, tmp_path, cache_dir):
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "e.csv").write_text(ZHENGZHOU_ENTITIES, encoding="gbk")
    (tmp_path / "projects.csv").write_text(PROJECTS, encoding="utf-8-sig")
    commands.command("entities", engine, tmp_path / "e.csv", profile.load(tmp_path / "p.yaml"), region="410100",
                     cache_dir=cache_dir).run()
    return engine, tmp_path


def _run(engine, folder, cache_dir):
    return commands.command("construction_projects", engine, folder / "projects.csv", profile.load(folder / "p.yaml"),
                            region="410100", cache_dir=cache_dir).run()


def test_each_bad_row_names_its_field_and_reason(stored, cache_dir):
    engine, folder = stored
    outcome = _run(engine, folder, cache_dir)
    assert {(p.row, p.field, p.code) for p in outcome.problems} == {
        (2, "受理编号", "duplicate_key"), (9, "受理编号", "duplicate_key"),  # 1号 twice
        (4, "办结日期", "missing"),  # decided (通过) without a decision date
        (5, "办结日期", "inconsistent"),  # decided before it was applied for
        (6, "办结日期", "inconsistent"),  # pending with a decision date
        (7, "申请单位信用代码", "unknown_entity"),
        (8, "项目类型", "unknown_code"),
    }
    assert (outcome.inserted, outcome.refused) == (1, 7)
    with engine.connect() as conn:
        project = conn.execute(select(models.ConstructionProject)).mappings().one()
    assert (project["project_no"], project["stage"], project["outcome"], project["applicant"]) == (
        "郑金建审〔2026〕2号", "completion_acceptance", "pending", "金水星光影城")
    assert project["decided_on"] is None and project["county_adcode"] == "410105"
    assert project["specialty"] == "public_place" and project["entity_id"] is not None


def test_rerun_is_a_no_op_and_a_correction_updates_by_project_number(stored, cache_dir):
    engine, folder = stored
    fixed = (PROJECTS.replace("2026-03-10,2026-03-02,不通过", "2026-03-10,2026-03-22,不通过")
             .replace("星光影城DR机房,放射诊疗,设计审查,2026-03-05,,通过", "星光影城DR机房,放射诊疗,设计审查,2026-03-05,2026-03-25,通过"))
    (folder / "projects.csv").write_text(fixed, encoding="utf-8-sig")
    first = _run(engine, folder, cache_dir)
    assert (first.inserted, first.refused) == (3, 5)
    before = _state(engine)
    again = _run(engine, folder, cache_dir)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3) and _state(engine) == before
    (folder / "projects.csv").write_text(fixed.replace("2026-03-25,通过", "2026-03-26,整改后通过"), encoding="utf-8-sig")
    corrected = _run(engine, folder, cache_dir)
    assert (corrected.inserted, corrected.updated) == (0, 1)
    with engine.connect() as conn:
        room = conn.execute(select(models.ConstructionProject).where(
            models.ConstructionProject.project_no == "郑金建审〔2026〕3号")).mappings().one()
    assert (room["outcome"], room["decided_on"], room["specialty"]) == ("conditional", dt.date(2026, 3, 26), "radiation")
