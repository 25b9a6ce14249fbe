"""The complaint workflow: working-day due dates, every step checked on the server, repeats, the inbox query."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from data import audit, models, workdays
from data.complaints import deadlines, workflow
from data.complaints.workflow import ComplaintActionError
from data.queries import complaint_cases
from data.queries.filters import OutOfScope, Scope
from data.store import Store
from monitoring_fixtures import CODES, OTHER, populate

HENAN, JINSHUI, ZHONGYUAN = Scope.of("410000"), Scope.of("410105"), Scope.of("410102")
RECEIVED = dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in China, before the Spring Festival


def test_working_days_follow_the_state_council_calendar():
    days = workdays.add_working_days(["2026-02-13", "2026-02-14", "2026-12-04"], 1)
    # Friday → the make-up Saturday (调休); that Saturday → after the nine-day holiday; a plain Friday → Monday.
    assert [str(d) for d in days] == ["2026-02-14", "2026-02-24", "2026-12-07"]
    assert str(workdays.add_working_days(["2026-02-13"], 5)[0]) == "2026-02-27"
    assert str(workdays.add_days(["2026-02-13"], 60, "calendar")[0]) == "2026-04-14"
    with pytest.raises(ValueError, match="at least 1"):
        workdays.add_working_days(["2026-02-13"], 0)


def test_deadlines_are_data_with_their_source(engine):
    with engine.begin() as conn:
        table = deadlines.current(conn)
        assert {"transfer", "handle", "close", "overall"} <= set(table)
        assert table["overall"].days == 60 and "信访工作条例" in table["overall"].source
        changed = deadlines.set_deadline(conn, "handle", days=10, calendar="working", source="本所规程 2026 第 3 条")
        assert deadlines.current(conn)["handle"] == changed
        with pytest.raises(ValueError, match="needs its source"):
            deadlines.set_deadline(conn, "handle", days=3, calendar="working", source=" ")
        with pytest.raises(ValueError, match="calendar 'weekly'"):
            deadlines.set_deadline(conn, "handle", days=3, calendar="weekly", source="x")
        with pytest.raises(ValueError, match="unknown stage"):
            deadlines.set_deadline(conn, "appeal", days=3, calendar="working", source="x")


def _complaint(conn, complaint_id: int, codes=CODES, entity_id: int | None = 1, address: str | None = None,
               received: dt.datetime = RECEIVED) -> None:
    table = deadlines.current(conn)
    day = np.datetime64(workflow.china_day(received), "D")
    overall, stage = workflow.due_dates([day], ["received"], [day], table)
    conn.execute(insert(models.Complaint).values(
        id=complaint_id, entity_id=entity_id, specialty="public_place", received_at=received, channel="hotline_12320",
        category="卫生条件差", address=address, status="received", due_on=overall[0].astype(dt.date),
        step_due_on=stage[0].astype(dt.date), **codes))


@pytest.fixture
def district(engine):
    populate(engine)
    with engine.begin() as conn:
        _complaint(conn, 1)
        _complaint(conn, 2, codes=OTHER, entity_id=5)
    return engine


def _step(engine, complaint_id, action, badge, scope=HENAN, at=RECEIVED, **kw):
    with engine.begin() as conn:
        return workflow.transition(conn, complaint_id, action, actor=workflow.officer(conn, badge), scope=scope,
                                   now=at, **kw)


def test_a_complaint_walks_from_received_to_closed_with_due_dates_per_step(district):
    engine = district
    with engine.connect() as conn:
        row = conn.execute(select(models.Complaint.__table__).where(models.Complaint.id == 1)).mappings().one()
    assert (row["due_on"], row["step_due_on"]) == (dt.date(2026, 4, 14), dt.date(2026, 2, 14))  # 60 days; 1 working day
    assigned = _step(engine, 1, "assign", "C1", assignee_badge="A1", note="请核查")
    assert assigned["status"] == "assigned" and assigned["step_due_on"] == dt.date(2026, 2, 27)  # 5 working days
    started = _step(engine, 1, "start", "A1", at=RECEIVED + dt.timedelta(days=11))
    assert started["step_due_on"] == dt.date(2026, 2, 27)  # handling continues the stage begun at the transfer
    reported = _step(engine, 1, "feedback", "A1", at=RECEIVED + dt.timedelta(days=12), note="现场检查属实，已责令整改",
                     substantiated=True)
    assert reported["step_due_on"] == dt.date(2026, 2, 26) and reported["substantiated"] is True
    closed = _step(engine, 1, "close", "C1", at=RECEIVED + dt.timedelta(days=13), note="已回访，投诉人满意")
    assert closed["status"] == "closed" and closed["step_due_on"] is None and closed["closed_at"] is not None
    store = Store(engine, None)
    trail = complaint_cases.trail(store, HENAN, [1])
    assert list(trail["action"]) == ["assign", "start", "feedback", "close"]
    assert trail["note"].iloc[0] == "→ A1: 请核查"
    with engine.connect() as conn:
        assert audit.verify(conn) is None
        logged = conn.execute(select(models.AuditLog.action).order_by(models.AuditLog.id)).scalars().all()
    assert logged == ["complaint_assign", "complaint_start", "complaint_feedback", "complaint_close"]


def test_each_step_is_checked_on_the_server_and_a_refusal_changes_nothing(district):
    engine = district
    with pytest.raises(ComplaintActionError, match="only from assigned"):
        _step(engine, 1, "start", "A1")
    with pytest.raises(ComplaintActionError, match="not of the complaint's region"):
        _step(engine, 1, "assign", "C1", assignee_badge="B1")
    with pytest.raises(OutOfScope):
        _step(engine, 1, "assign", "B1", scope=ZHONGYUAN, assignee_badge="A1")  # not in the officer's scope
    with pytest.raises(OutOfScope, match="does not cover"):
        _step(engine, 2, "assign", "A1", assignee_badge="B1")  # a neighbour's complaint, seen through a wide scope
    _step(engine, 1, "assign", "C1", assignee_badge="A1")
    with pytest.raises(ComplaintActionError, match="assigned to someone else"):
        _step(engine, 1, "start", "A2")
    _step(engine, 1, "start", "A1")
    with pytest.raises(ComplaintActionError, match="whether the complaint was substantiated"):
        _step(engine, 1, "feedback", "A1", note="已查")
    with pytest.raises(ComplaintActionError, match="needs a note"):
        _step(engine, 1, "feedback", "A1", substantiated=False)
    _step(engine, 1, "feedback", "A1", note="查无此事", substantiated=False)
    with pytest.raises(ComplaintActionError, match="cannot close it"):
        _step(engine, 1, "close", "A1")
    with engine.connect() as conn:
        row = conn.execute(select(models.Complaint.__table__).where(models.Complaint.id == 1)).mappings().one()
        events = conn.execute(select(models.ComplaintEvent.action)).scalars().all()
    assert row["status"] == "feedback" and row["substantiated"] is False and events == ["assign", "start", "feedback"]


def test_the_case_is_extended_once_with_a_reason(district):
    engine = district
    with pytest.raises(ComplaintActionError, match="needs the reason"):
        _step(engine, 1, "extend", "C1")
    extended = _step(engine, 1, "extend", "C1", note="需检测水样，情况复杂")
    assert extended["due_on"] == dt.date(2026, 5, 14) and extended["extended"] is True
    with pytest.raises(ComplaintActionError, match="extended once already"):
        _step(engine, 1, "extend", "C1", note="再延")


def test_the_inbox_flags_overdue_cases_and_shows_only_the_scope(district):
    store = Store(district, None)
    on_time = complaint_cases.feed(store, HENAN, "410000", today=dt.date(2026, 2, 14))
    assert set(on_time["id"]) == {1, 2} and not on_time["overdue"].any()
    late = complaint_cases.feed(store, HENAN, "410000", today=dt.date(2026, 2, 24))  # nobody passed them on
    assert late["overdue"].all()
    assert complaint_cases.counts(store, HENAN, "410000", today=dt.date(2026, 2, 24)) == {
        "unclosed": 2, "overdue": 2, "repeat": 0}
    assert list(complaint_cases.feed(store, JINSHUI, "410105")["id"]) == [1]
    assert complaint_cases.one(store, JINSHUI, 2) is None and complaint_cases.officers(store, JINSHUI, 2).empty
    with pytest.raises(OutOfScope):
        complaint_cases.feed(store, JINSHUI, "410102")


def test_repeats_link_to_the_latest_earlier_complaint_on_the_same_entity_or_address(district):
    engine = district
    day = dt.timedelta(days=1)
    with engine.begin() as conn:
        _complaint(conn, 3, entity_id=1, received=RECEIVED + 10 * day)  # the same hotel again
        _complaint(conn, 4, entity_id=None, address="郑州市金水区 花园路１２号", received=RECEIVED + 20 * day)
        _complaint(conn, 5, entity_id=None, address="郑州市金水区花园路12号", received=RECEIVED + 30 * day)
        _complaint(conn, 6, entity_id=1, received=RECEIVED + 200 * day)  # outside the window
        assert workflow.mark_repeats(conn, [3, 4, 5, 6]) == 2
        links = dict(conn.execute(select(models.Complaint.id, models.Complaint.repeat_of_id)).all())
    assert links == {1: None, 2: None, 3: 1, 4: None, 5: 4, 6: None}
    frame = complaint_cases.feed(Store(engine, None), HENAN, "410000", status="all", today=dt.date(2026, 2, 14))
    assert frame.set_index("id").loc[1, "repeats"] == 1


def test_link_repeats_prefers_the_latest_of_entity_and_address_matches():
    at = pd.Timestamp("2026-03-01", tz="UTC")
    frame = pd.DataFrame({"id": [1, 2, 3], "entity_id": [7, None, 7], "address": ["A路1号", "a路1号", "A路 1号"],
                          "received_at": [at, at + pd.Timedelta(days=1), at + pd.Timedelta(days=2)]})
    assert list(workflow.link_repeats(frame, 90)) == [None, 1, 2]


def test_the_complaint_commands_walk_a_case_and_change_a_deadline(tmp_path, monkeypatch, var_dir):
    """complaint list / step / deadlines / deadline, with the inbox's checks."""
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings
    from data import db

    url = f"sqlite:///{tmp_path / 'complaints.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    populate(engine)
    with engine.begin() as conn:
        _complaint(conn, 1)
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    monkeypatch.setenv("WEIJIAN_REGION", "410100")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        listed = runner.invoke(app, ["complaint", "list"])
        assert listed.exit_code == 0 and listed.output.splitlines()[1].split()[0] == "1", listed.output
        steps = [["1", "assign", "--as", "C1", "--to", "B1"],  # refused: an officer of another county
                 ["1", "assign", "--as", "C1", "--to", "A1"],
                 ["1", "start", "--as", "A1"],
                 ["1", "feedback", "--as", "A1", "--note", "已整改"],  # refused: no finding
                 ["1", "feedback", "--as", "A1", "--note", "已整改", "--held"],
                 ["1", "close", "--as", "C1"]]
        results = [runner.invoke(app, ["complaint", "step", *s]) for s in steps]
        assert [r.exit_code for r in results] == [1, 0, 0, 1, 0, 0], [r.output for r in results]
        assert "complaint 1: closed" in results[-1].output
        changed = runner.invoke(app, ["complaint", "deadline", "handle", "--days", "7", "--source", "本所规程",
                                      "--as", "市卫健委"])
        assert changed.exit_code == 0 and "handle: 7 working days" in changed.output
        assert "本所规程" in runner.invoke(app, ["complaint", "deadlines"]).output
        assert runner.invoke(app, ["complaint", "deadline", "handle", "--days", "0", "--source", "x",
                                   "--as", "y"]).exit_code == 1
    finally:
        get_settings.cache_clear()
