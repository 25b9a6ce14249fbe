"""Complaints from files: the real NYC 311 extract (../shared/datasets/nyc_311, read in place) with the shipped
profile `nyc_311_complaints`, counts recomputed with pandas; and a hand-made Zhengzhou file written on SQLite and
PostgreSQL (the NYC requests are all outside any Chinese region, so nothing of theirs can be stored here).

How the NYC counts were established (SOURCE.txt, checked below): 155 requests, 16 closed before they were created,
1 without coordinates, 1 without a due date; every located one is in New York, outside Henan.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from shared_datasets import DATASETS
from sqlalchemy import func, select
from test_imports import _state

from data import models
from data.imports import commands, profile

NYC_311 = DATASETS / "nyc_311" / "nyc_311_dohmh_2018-01.csv"
PROFILE = """
timezone: Asia/Shanghai
date_formats: ["%Y-%m-%d %H:%M", "%Y-%m-%d"]
complaints:
  key: {column: 工单号, prefix: "12345-"}
  columns: {received_at: 受理时间, due_on: 办理时限, closed_at: 办结时间, category: 类别, description: 内容, status: 状态,
            lon: 经度, lat: 纬度}
  codes:
    status: {已受理: received, 办理中: handling, 已办结: closed}
  defaults: {channel: hotline_12345, specialty: public_place}
"""
COMPLAINTS = """工单号,受理时间,办理时限,办结时间,类别,内容,状态,经度,纬度
A001,2026-03-01 09:30,2026-03-08,2026-03-05 16:00,卫生条件,宾馆床单未更换,已办结,113.68,34.76
A002,2026-03-02 10:00,2026-03-09,,空气质量,影院异味,办理中,113.69,34.77
A003,2026-03-03 11:00,2026-03-10,2026-03-01 08:00,卫生条件,办结早于受理,已办结,113.68,34.76
A004,2026-03-04,2026-03-11,,卫生条件,状态未知,挂起,113.68,34.76
A005,2026-03-05 12:00,,,卫生条件,没有时限,已受理,113.68,34.76
A006,2026-03-06 12:00,2026-03-13,,卫生条件,上海的投诉,已受理,121.47,31.23
A002,2026-03-07 12:00,2026-03-14,,卫生条件,重复工单,已受理,113.69,34.77
"""


def test_nyc_311_counts_recomputed_from_the_file(tmp_path, cache_dir):
    from data import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'nyc.db'}")
    db.upgrade(engine)
    outcome = commands.command("complaints", engine, NYC_311, profile.load("nyc_311_complaints"), region="410000",
                               cache_dir=cache_dir).run(dry_run=True)
    raw = pd.read_csv(NYC_311, dtype=str, keep_default_na=False)
    fmt = "%m/%d/%Y %I:%M:%S %p"
    created, closed = pd.to_datetime(raw["Created Date"], format=fmt), pd.to_datetime(raw["Closed Date"], format=fmt)
    early = (closed < created).sum()
    no_xy = ((raw["Latitude"] == "") | (raw["Longitude"] == "")).sum()
    assert (len(raw), early, no_xy, (raw["Due Date"] == "").sum()) == (155, 16, 1, 1)
    assert outcome.counts_by_code() == {"bad_date": 16, "no_coordinates": 1, "missing": 1, "outside_region": 154}
    assert outcome.taken == 0 and outcome.refused == 155
    early_rows = sorted(p.row for p in outcome.problems if p.code == "bad_date")
    assert early_rows == [i + 2 for i in raw.index[closed < created]]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "c.csv").write_text(COMPLAINTS, encoding="gbk")
    return tmp_path


def _run(engine, files, cache_dir):
    return commands.command("complaints", engine, files / "c.csv", profile.load(files / "p.yaml"), region="410100",
                            cache_dir=cache_dir).run()


def test_complaints_validated_written_once_and_corrected_by_key(engine, files, cache_dir):
    outcome = _run(engine, files, cache_dir)
    assert {(p.row, p.code) for p in outcome.problems} == {
        (3, "duplicate_key"), (8, "duplicate_key"),  # A002 twice
        (4, "bad_date"),  # closed before received
        (5, "unknown_code"),  # 挂起 is not a status of ours
        (6, "missing"),  # no due date
        (7, "outside_region"),  # Shanghai
    }
    assert (outcome.inserted, outcome.refused) == (1, 6)
    with engine.connect() as conn:
        stored = conn.execute(select(models.Complaint)).mappings().one()
        rollup = conn.execute(select(func.sum(models.RollupRegionMonth.complaints))).scalar()
    assert stored["source_key"] == "12345-A001" and stored["county_adcode"] == "410105" and stored["status"] == "closed"
    received = stored["received_at"].replace(tzinfo=stored["received_at"].tzinfo or dt.UTC)
    assert received == dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
    assert stored["due_on"] == dt.date(2026, 3, 8) and int(rollup) == 1

    before = _state(engine)
    again = _run(engine, files, cache_dir)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1) and _state(engine) == before
    (files / "c.csv").write_text(COMPLAINTS.replace("宾馆床单未更换,已办结", "宾馆床单未更换（复核）,已办结"), encoding="gbk")
    corrected = _run(engine, files, cache_dir)
    assert (corrected.inserted, corrected.updated, corrected.unchanged) == (0, 1, 0)
    with engine.connect() as conn:
        assert conn.execute(select(models.Complaint.description)).scalar_one() == "宾馆床单未更换（复核）"
