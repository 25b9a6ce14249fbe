"""Audit retention keeps the chain verifiable; the viewer is the auditor's alone; its export is audited."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from logins import client_as
from sqlalchemy import delete, func, select, update

from data import audit, db, models

NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)


def _fill(conn, days_ago: list[int]) -> list[int]:
    for i, days in enumerate(days_ago):
        audit.append(conn, actor="A1", action="entity_view", target=f"entity {i}", detail={"i": i},
                     now=NOW - dt.timedelta(days=days))
    return list(conn.execute(select(models.AuditLog.id).order_by(models.AuditLog.id)).scalars())


def test_pruning_old_entries_keeps_the_chain_verifiable_and_detects_tampering_after(engine):
    with engine.begin() as conn:
        ids = _fill(conn, [400, 300, 200, 100, 10, 1])
        assert audit.prune(conn, now=NOW, actor="auditor1") == 3
        assert audit.verify(conn) is None
        kept = list(conn.execute(select(models.AuditLog.action).order_by(models.AuditLog.id)).scalars())
        assert kept == ["entity_view"] * 3 + ["audit_prune"]
        assert audit.prune(conn, now=NOW, actor="auditor1") == 0  # nothing older left
    with engine.connect() as conn:  # a kept row changed: found
        conn.execute(update(models.AuditLog).where(models.AuditLog.id == ids[4]).values(target="entity 99"))
        assert audit.verify(conn) == ids[4]
        conn.rollback()
    with engine.connect() as conn:  # the first kept row deleted as if pruned, without a prune entry: found
        conn.execute(delete(models.AuditLog).where(models.AuditLog.id == ids[3]))
        db.set_meta(conn, audit.ANCHOR_KEY, '{"hash": "%s", "last_id": %d}' % (
            conn.execute(select(models.AuditLog.prev_hash).where(models.AuditLog.id == ids[4])).scalar_one(), ids[3]))
        assert audit.verify(conn) is not None
        conn.rollback()
    with engine.connect() as conn:
        assert audit.verify(conn) is None


def test_entries_filter_by_actor_action_and_time(engine):
    with engine.begin() as conn:
        _fill(conn, [5, 3, 1])
        audit.append(conn, actor="B2", action="export", target="410100", detail={}, now=NOW)
        assert [e["actor"] for e in audit.entries(conn, action="export")] == ["B2"]
        assert len(audit.entries(conn, actor="A1", since=NOW - dt.timedelta(days=4))) == 2
        assert len(audit.entries(conn, until=NOW - dt.timedelta(days=2))) == 2
        assert audit.actions(conn) == ["entity_view", "export"]


def test_only_the_auditor_reads_the_log_and_the_export_is_itself_audited(admin_app):
    anonymous = admin_app.server.test_client().get("/audit")
    assert anonymous.status_code == 302
    assert client_as(admin_app, "secadmin2", "Audit#2026x").get("/audit").status_code == 403
    assert client_as(admin_app, "demo_manager").get("/audit").status_code == 403
    assert client_as(admin_app, "demo_manager").get("/audit.xlsx").status_code == 403

    client = client_as(admin_app, "auditor2", "Audit#2026x")
    page = client.get("/audit?action=login").get_data(as_text=True)
    assert "哈希链完整" in page and "demo_manager" in page and "login_failed" not in page.split("<tbody>")[1]
    engine = admin_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        logins = conn.execute(select(func.count()).select_from(models.AuditLog)
                              .where(models.AuditLog.action == "login")).scalar_one()
    answer = client.get("/audit.xlsx?action=login")
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.values)
    assert rows[0] == ("时间", "操作人", "操作", "对象", "详情", "来源地址") and len(rows) - 1 == logins
    with engine.connect() as conn:
        last = conn.execute(select(models.AuditLog).order_by(models.AuditLog.id.desc()).limit(1)).first()
    assert (last.actor, last.action, last.target) == ("auditor2", "export", "audit_log")


def test_a_bad_date_filter_is_refused_naming_the_field(admin_app):
    client = client_as(admin_app, "auditor2", "Audit#2026x")
    page = client.get("/audit?since=2026-13-01&action=login")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "起始日期“2026-13-01”不是日期" in text and "<tbody></tbody>" in text  # nothing shown, not everything
    english = client.get("/audit.xlsx?until=yesterday&lang=en")
    assert english.status_code == 400 and english.get_data(as_text=True).startswith("To “yesterday” is not a date")
    assert client.get("/audit?since=2026-05-01&until=").status_code == 200  # an empty bound is no bound

