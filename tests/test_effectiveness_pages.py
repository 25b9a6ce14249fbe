"""The effectiveness index on the page, its export, the wall panel and the CLI, over the session's demo
database (Henan, until 2026-06-30): scope from the session, checked by page, export and panel alike."""

from __future__ import annotations

import base64
import json
import datetime as dt
import io

import openpyxl
from sqlalchemy import select

from components import text as component_text
from logins import same_site
from data.models import AuditLog
from data.queries.filters import Scope

MONTH = "2026-05"


def _store(demo_app):
    return demo_app.server.extensions["weijian"].store


def test_the_page_ranks_the_sub_regions_with_their_breakdown(demo_app, as_user):
    from dashboard.pages import analysis_effectiveness as page

    with as_user("demo_manager"):
        tree = page.layout(month=MONTH)
        english = component_text(page.layout(month=MONTH, lang="en"))
    shown = component_text(tree)
    assert "监管效能评估" in shown and "指标构成" in shown and "投诉举报按时办结率" in shown and "指标定义（第" in shown
    assert "Supervision effectiveness" in english and "Complaints closed on time" in english
    assert "郑州市" in shown  # Henan's cities are ranked
    with as_user("demo_manager"):
        bad = component_text(page.layout(month="2026-13"))
    assert "月份格式应为" in bad


def test_a_county_officer_cannot_open_another_region(demo_app, as_user):
    from dashboard.auth import current_account
    from dashboard.pages import analysis_effectiveness as page

    with as_user("demo_officer"):
        home = current_account().region_adcode
        own = component_text(page.layout(month=MONTH))
        refused = component_text(page.layout(region="410000", month=MONTH))
        crafted = component_text(page.layout(region="41<x>", month=MONTH))
    assert "无权查看该区域" in refused and "无权查看该区域" in crafted
    assert "指标构成" in own and home


def test_the_export_holds_every_region_times_indicator_and_is_audited(demo_app, as_user):
    from callbacks import effectiveness as callbacks
    from data.queries import effectiveness

    with as_user("demo_manager"):
        download, message = callbacks.export(1, {"region": "410000", "month": MONTH, "lang": "zh"})
    assert message == "" and download["filename"].endswith(f"{MONTH}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    rows = list(sheet.values)
    assert rows[0][:4] == ("地区", "区划代码", "名次", "效能指数")
    ranking = effectiveness.ranking(_store(demo_app), effectiveness.month_filters("410000", dt.date(2026, 5, 1),
                                                                                  dt.date(2026, 6, 30)), Scope.of("410000"))
    assert len(rows) - 1 == 9 * len(ranking)
    with as_user("demo_officer"):
        refused, said = callbacks.export(1, {"region": "410000", "month": MONTH, "lang": "zh"})
    assert refused is callbacks.no_update and said
    with _store(demo_app).engine.connect() as conn:
        last = conn.execute(select(AuditLog.actor, AuditLog.detail).where(AuditLog.action == "export")
                            .order_by(AuditLog.id.desc()).limit(1)).one()
    assert last.actor == "demo_officer" and "out_of_scope" in last.detail


def test_the_wall_panel_shows_regions_only_and_refuses_outside_scope(demo_app, as_user):
    import pytest
    from dash.exceptions import PreventUpdate

    from callbacks import effectiveness as callbacks
    from data.queries import effectiveness

    with as_user("demo_manager"):
        panel = callbacks.wall_panel(0, {"region": "410000", "lang": "zh"}, today=dt.date(2026, 6, 15))
        ranking = effectiveness.ranking(_store(demo_app), effectiveness.month_filters("410000", dt.date(2026, 5, 1),
                                                                                      dt.date(2026, 6, 15)),
                                        Scope.of("410000"))
    shown = component_text(panel)
    assert "监管效能排名（2026-05）" in shown
    top = ranking[ranking["score"].notna()].head(callbacks.WALL_ROWS)
    assert len(top) == callbacks.WALL_ROWS and all(name in shown for name in top["name"])
    assert f"{top['score'].iloc[0]:.1f}" in shown
    with as_user("demo_officer"), pytest.raises(PreventUpdate):
        callbacks.wall_panel(0, {"region": "410000", "lang": "zh"})


def test_a_display_screen_refreshes_the_wall_panel_but_not_the_page(demo_app):
    """Region rankings are aggregates: the wall's panel is for display screens too; the analysis page is not."""
    import datetime as dt

    from data import displays, models

    now = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    engine = _store(demo_app).engine
    with engine.begin() as conn:
        token_id, token = displays.issue(conn, label="效能大屏", region="410100", ip_ranges="10.1.2.0/24",
                                         actor="secadmin", now=now)
    client = demo_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.1.2.40"
    try:
        assert client.get(f"/display/{token}?next=/wall").status_code == 302
        assert client.get("/analysis/effectiveness").status_code == 403
        key = next(k for k in demo_app.callback_map if "wall-effect-ranking" in k)
        body = {"output": key, "outputs": {"id": "wall-effect-ranking", "property": "children"},
                "inputs": [{"id": "wall-tick", "property": "n_intervals", "value": 1}],
                "changedPropIds": ["wall-tick.n_intervals"],
                "state": [{"id": "wall-state", "property": "data", "value": {"region": "410100", "lang": "zh"}}]}
        answer = client.post("/_dash-update-component", json=body, headers=same_site(client))
        assert answer.status_code == 200
        assert "监管效能排名" in json.dumps(answer.get_json()["response"]["wall-effect-ranking"], ensure_ascii=False)
    finally:
        with engine.begin() as conn:
            conn.execute(models.DisplayToken.__table__.update().where(models.DisplayToken.id == token_id)
                         .values(revoked_at=now))
