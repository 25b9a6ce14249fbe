"""The draws page, the licence list and their callbacks over the session's demo database, as the demo's province
manager and county officer (plain function calls inside a request, as everywhere in tests/test_callbacks.py)."""

from __future__ import annotations

import base64
import datetime as dt
import io

import openpyxl
from sqlalchemy import func, select

from components import text
from data import accounts, audit
from data.models import RandomDraw


def _as(demo_app, username: str, path: str = "/draws"):
    from dashboard import auth

    context = demo_app.server.test_request_context(path, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    context.push()
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        auth.login(accounts.by_username(conn, username))
    return context


def _runs(demo_app) -> int:
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(RandomDraw)).scalar_one()


def _sheet(download: dict) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    return list(book.active.iter_rows(values_only=True))


def test_manager_runs_reads_and_exports_a_draw(demo_app):
    from callbacks import draws as callbacks
    from dashboard.pages import draws as page
    from dashboard.pages import entity as entity_page

    context = _as(demo_app, "demo_manager")
    try:
        href, message = callbacks.run_draw(1, "410100", "medical", "", 6, 20260701, {"lang": "zh"})
        assert message == "" and href.startswith("/draws?run=")
        run_id = int(href.split("run=")[1].split("&")[0])
        shown = text(page.layout(run=str(run_id)))
        assert f"第 {run_id} 次抽取" in shown and "随机种子 20260701（指定）" in shown and "医疗卫生" in shown
        assert "风险等级权重 × 自查情况权重" in shown and "未评定风险" in shown and "自查良好" in shown  # the weights, shown with the result
        again, _ = callbacks.run_draw(1, "410100", "medical", "", 6, 20260701, {"lang": "zh"})
        assert again != href  # the same seed again: another recorded run, listed beside the first
        download, note = callbacks.export(1, {"run": run_id, "lang": "zh"})
        rows = _sheet(download)
        assert rows[0] == ("序号", "监管对象", "统一社会信用代码", "区县", "风险等级", "自查情况", "权重", "检查人员", "抽取日期",
                           "检查日期", "检查结果")
        assert len(rows) == 7 and all(r[8] == f"{dt.datetime.now(dt.timezone(dt.timedelta(hours=8))):%Y-%m-%d}"
                                      for r in rows[1:])
        assert download["filename"] == f"双随机公示名单_{run_id}.xlsx" and note == ""
        name = rows[1][1]
        with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
            from data.draws import runs
            from data.queries.filters import Scope

            entity_id = int(runs.items_of(conn, run_id, Scope.of("410000"))["entity_id"].iloc[0])
            assert audit.entries(conn, action="export", limit=1)[0]["target"] == f"random_draw:{run_id}"
        filed = text(entity_page.layout(entity_id=str(entity_id)))
        assert name in filed and "双随机抽查记录" in filed
        before = _runs(demo_app)
        refused = callbacks.run_draw(1, "320100", None, "", 3, None, {"lang": "zh"})
        assert refused[1] == "无权查看该区域" and _runs(demo_app) == before
        assert "无法抽取" in callbacks.run_draw(1, "410100", None, "", 0, None, {"lang": "zh"})[1]
    finally:
        context.pop()
    officer = _as(demo_app, "demo_officer")
    try:
        assert callbacks.run_draw(1, "410100", None, "", 3, 1, {"lang": "zh"})[1] == "仅管理人员可发起抽取"
        assert _runs(demo_app) == before
        assert callbacks.export(1, {"run": run_id, "lang": "zh"})[1] == "没有该次抽取"  # the province's run: not hers
        assert "没有该次抽取" in text(page.layout(run=str(run_id)))
    finally:
        officer.pop()


def test_licence_list_export_and_wall_kpi(demo_app):
    from callbacks import licences as callbacks
    from dashboard import context as app_context
    from dashboard.pages import licences as page
    from data.queries import licences, wall
    from data.queries.filters import Filters

    context = _as(demo_app, "demo_manager", "/licences")
    try:
        due = licences.due(app_context.store(), "410000", app_context.viewer_scope(), page.today())
        shown = text(page.layout(region="410000"))
        counts = licences.counts(due)
        assert f"已过期 {counts['expired']:,}" in shown and f"7 天内到期 {counts['7']:,}" in shown
        download, _ = callbacks.export(1, {"region": "410000", "lang": "en"})
        rows = _sheet(download)
        assert rows[0][:2] == ("Entity", "Specialty") and len(rows) == len(due) + 1
        assert callbacks.export(1, {"region": "320100", "lang": "zh"})[1] == "无权查看该区域"
        assert "无权查看该区域" in text(page.layout(region="320100"))
        k = wall.kpis(app_context.store(), Filters("410000", wall.this_month(page.today())), app_context.viewer_scope())
        row = k.iloc[0]
        assert (row["licence_days"], row["licence_soon_days"]) == (90, 7)
        assert row["licences_due"] == sum(counts[d] for d in ("7", "30", "90"))
        assert row["licences_expired"] == counts["expired"] and row["licences_soon"] == counts["7"]
    finally:
        context.pop()
