"""The alert lifecycle, escalation, the sweep, and the HTTP ingest endpoint."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from monitoring_fixtures import NOW, populate, reading
from sqlalchemy import func, select

from data import models
from data.monitoring import alerts, ingest, sweep
from data.queries.filters import OutOfScope, Scope

HENAN = Scope.of("410000")


@pytest.fixture
def with_alert(engine):
    tokens = populate(engine)
    ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 1, 120, "µg/m³")], token_device="AIR-HOTEL", now=NOW)
    with engine.connect() as conn:
        alert_id = conn.execute(select(models.Alert.id)).scalar_one()
    return engine, tokens, alert_id


def _step(engine, alert_id, action, badge, scope=HENAN, **kw):
    with engine.begin() as conn:
        return alerts.transition(conn, alert_id, action, actor=alerts.officer(conn, badge), scope=scope, now=NOW, **kw)


def test_an_alert_walks_from_open_to_closed_with_every_step_recorded(with_alert):
    engine, _tokens, alert_id = with_alert
    _step(engine, alert_id, "dispatch", "C1", assignee_badge="A1", note="请今日核查")
    with pytest.raises(alerts.AlertActionError, match="assigned to someone else"):
        _step(engine, alert_id, "handle", "A2", note="已处理")
    with pytest.raises(alerts.AlertActionError, match="needs a note"):
        _step(engine, alert_id, "handle", "A1")
    _step(engine, alert_id, "handle", "A1", note="现场检查：新风系统停机，责令整改并复测合格")
    with pytest.raises(alerts.AlertActionError, match="cannot review"):
        _step(engine, alert_id, "review", "A1", note="ok")
    with pytest.raises(alerts.AlertActionError, match="cannot close"):
        _step(engine, alert_id, "close", "A2")
    _step(engine, alert_id, "review", "A2", note="复核整改记录")
    row = _step(engine, alert_id, "close", "C1")
    assert row["status"] == "closed" and row["assignee_id"] == 1
    with engine.connect() as conn:
        trail = conn.execute(select(models.AlertEvent.action, models.AlertEvent.actor, models.AlertEvent.from_status,
                                    models.AlertEvent.to_status).where(models.AlertEvent.alert_id == alert_id)
                             .order_by(models.AlertEvent.id)).all()
    assert [tuple(t) for t in trail] == [
        ("raised", "system", None, "open"), ("dispatch", "C1", "open", "dispatched"),
        ("handle", "A1", "dispatched", "handled"), ("review", "A2", "handled", "reviewed"),
        ("close", "C1", "reviewed", "closed")]
    # Closed: the next exceedance opens a new case instead of touching this one.
    ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 2, 20, "µg/m³"), reading("AIR-HOTEL", "pm25", 3, 99, "µg/m³")],
                  token_device="AIR-HOTEL", now=NOW)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.Alert).where(
            models.Alert.rule == "over_limit")).scalar_one() == 2


def test_officers_act_only_on_alerts_of_their_region(with_alert):
    engine, _tokens, alert_id = with_alert
    with pytest.raises(OutOfScope):
        _step(engine, alert_id, "dispatch", "B1", assignee_badge="B1")  # 中原区 officer, 金水区 alert
    with pytest.raises(OutOfScope):
        _step(engine, alert_id, "dispatch", "C1", scope=Scope.of("410102"), assignee_badge="A1")
    with pytest.raises(alerts.AlertActionError, match="not of the alert's region"):
        _step(engine, alert_id, "dispatch", "C1", assignee_badge="B1")
    with pytest.raises(alerts.AlertActionError, match="needs a note"):
        _step(engine, alert_id, "dismiss", "A1")
    assert _step(engine, alert_id, "dismiss", "A1", note="设备校准期间的测试数据")["status"] == "dismissed"


def test_overdue_alerts_escalate_a_level_per_due_period(with_alert):
    engine, _tokens, alert_id = with_alert  # medium severity: 72 h to act
    raised = dt.datetime(2026, 4, 30, 17, tzinfo=dt.UTC)
    for hours, level in ((71, "county"), (73, "city"), (140, "city"), (145, "province")):
        with engine.begin() as conn:
            alerts.escalate(conn, raised + dt.timedelta(hours=hours))
            assert conn.execute(select(models.Alert.level).where(models.Alert.id == alert_id)).scalar_one() == level


def test_the_sweep_raises_offline_for_silent_devices_and_the_next_reading_clears_it(with_alert):
    engine, _tokens, _alert_id = with_alert
    report = sweep.sweep(engine, NOW)
    assert report.offline == 1 and report.rollup_counties == 1
    with engine.connect() as conn:
        offline = conn.execute(select(models.Alert.__table__).where(models.Alert.rule == "offline")).one()
        assert offline.active and offline.device_id == "AIR-HOTEL"
        assert conn.execute(select(func.count()).select_from(models.RollupPending)).scalar_one() == 0
    assert sweep.sweep(engine, NOW).offline == 0  # already raised: no second alert
    ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 9, 20, "µg/m³", day=19)], token_device="AIR-HOTEL", now=NOW)
    with engine.connect() as conn:
        offline = conn.execute(select(models.Alert.__table__).where(models.Alert.rule == "offline")).one()
    assert not offline.active and offline.occurrences == 1


@pytest.fixture
def client(engine, tmp_path):
    from dashboard.app import create_app
    from dashboard.settings import Settings

    tokens = populate(engine)
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), var_dir=tmp_path))
    return app.server.test_client(), tokens


def test_http_ingest_answers_with_counts_and_the_right_status(client):
    http, tokens = client
    auth = {"Authorization": f"Bearer {tokens['AIR-HOTEL']}"}
    batch = [reading("AIR-HOTEL", "pm25", 1, 40, "µg/m³"), reading("AIR-HOTEL", "pm25", 2, 40, "furlongs")]
    answer = http.post("/api/v1/readings", json={"readings": batch}, headers=auth)
    assert answer.status_code == 200
    body = answer.get_json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 0, 1)
    assert body["rejections"][0]["index"] == 1 and body["rejections"][0]["field"] == "unit"
    assert http.post("/api/v1/readings", json=batch, headers=auth).get_json()["duplicates"] == 1
    assert http.post("/api/v1/readings", json=batch).status_code == 401
    assert http.post("/api/v1/readings", json=batch, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert http.post("/api/v1/readings", data="{not json", headers=auth,
                     content_type="application/json").status_code == 422
    assert http.post("/api/v1/readings", json={"rows": []}, headers=auth).status_code == 422
    too_many = [reading("AIR-HOTEL", "pm25", 1, 40, "µg/m³")] * (ingest.MAX_BATCH + 1)
    assert http.post("/api/v1/readings", data=json.dumps(too_many), headers=auth,
                     content_type="application/json").status_code == 413
    # Another device's token cannot write this device's readings.
    other = {"Authorization": f"Bearer {tokens['AIR-VENUE']}"}
    body = http.post("/api/v1/readings", json=[reading("AIR-HOTEL", "pm25", 5, 40, "µg/m³")], headers=other).get_json()
    assert body["accepted"] == 0 and body["rejections"][0]["reason"] == "the token does not belong to this device"


def test_device_and_alert_queries_refuse_other_regions(with_alert):
    from data.queries import alerts as alert_queries
    from data.queries import monitoring
    from data.store import Store

    engine, _tokens, alert_id = with_alert
    store = Store(engine, None)
    other = Scope.of("410102")
    with pytest.raises(OutOfScope):
        monitoring.device_detail(store, "AIR-HOTEL", other)
    with pytest.raises(OutOfScope):
        monitoring.device_readings(store, "AIR-HOTEL", other, NOW - dt.timedelta(days=30), NOW)
    assert "token_hash" not in monitoring.device_detail(store, "AIR-HOTEL", HENAN)
    assert alert_queries.trail(store, other, [alert_id]).empty
    assert len(alert_queries.trail(store, HENAN, [alert_id])) == 1
