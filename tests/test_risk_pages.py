"""Risk on the pages: the entity file's score and factors, the ledger page and its callbacks, the wall tile,
the back-test analysis page; scope checked by page and callback alike (the demo's officer sees one county)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import select

from components import text as component_text
from data.models import RiskLedgerEntry, RiskLedgerEvent, RiskScore


def _store(demo_app):
    return demo_app.server.extensions["weijian"].store


@pytest.fixture
def as_user(demo_app):
    from contextlib import contextmanager

    from dashboard import auth
    from data import accounts

    @contextmanager
    def enter(username: str):
        with demo_app.server.test_request_context("/", base_url="http://weijian.test"):
            with _store(demo_app).engine.connect() as conn:
                auth.login(accounts.by_username(conn, username))
            yield

    return enter


def _entries(demo_app, as_user) -> tuple[pd.Series, pd.Series]:
    """(an open ledger entry of the demo officer's county, one of another county)."""
    from dashboard.auth import current_account

    with as_user("demo_officer"):
        home = current_account().region_adcode
    with _store(demo_app).engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(RiskLedgerEntry.id, RiskLedgerEntry.entity_id, RiskLedgerEntry.county_adcode)
                                          .where(RiskLedgerEntry.status == "open").order_by(RiskLedgerEntry.id)).all(),
                             columns=["id", "entity_id", "county_adcode"])
    return frame[frame["county_adcode"] == home].iloc[0], frame[frame["county_adcode"] != home].iloc[0]


def test_the_entity_file_shows_the_score_and_factors_that_add_up(demo_app, as_user):
    from dashboard.pages import entity as page

    with _store(demo_app).engine.connect() as conn:
        row = conn.execute(select(RiskScore.entity_id, RiskScore.score, RiskScore.factors, RiskScore.level)
                           .order_by(RiskScore.score.desc(), RiskScore.id).limit(1)).first()
    with as_user("demo_manager"):
        shown = component_text(page.layout(entity_id=str(row.entity_id)))
        english = component_text(page.layout(entity_id=str(row.entity_id), lang="en"))
    factors = json.loads(row.factors)
    assert "风险评估" in shown and "重大风险" in shown and f"风险分值 {row.score:g}" in shown
    assert "既往检查不合格率" in shown and "Past non-compliance rate" in english
    assert sum(factors.values()) == pytest.approx(row.score, abs=0.05)
    for points in factors.values():
        assert f"{points:g}" in shown


def test_the_ledger_page_lists_the_viewers_region_only(demo_app, as_user):
    from dashboard.pages import ledger as page

    own, elsewhere = _entries(demo_app, as_user)
    with as_user("demo_officer"):
        shown = page.layout()
        refused = component_text(page.layout(region=str(elsewhere["county_adcode"])))
    links = component_text(shown, ("href",))
    assert f"/entity/{own['entity_id']}?" in links and f"/entity/{elsewhere['entity_id']}?" not in links
    assert "风险台账" in links and "纳入原因" in links and "整改期限" in links
    assert "无权查看该区域" in refused and "/entity/" not in refused
    with as_user("demo_manager"):
        assert f"/entity/{elsewhere['entity_id']}?" in component_text(page.layout(), ("href",))


def test_crafted_ledger_callbacks_change_nothing_and_close_out_needs_a_follow_up(demo_app, as_user):
    from callbacks import ledger as callbacks

    own, elsewhere = _entries(demo_app, as_user)
    with _store(demo_app).engine.connect() as conn:
        before = conn.execute(select(RiskLedgerEvent.id).order_by(RiskLedgerEvent.id.desc()).limit(1)).scalar()
    with as_user("demo_officer"):
        assert "无权查看该区域" in component_text(callbacks.panel(int(elsewhere["id"]), "zh"))
        for action in ("measure", "close", "assign"):
            message, nav = callbacks.act({"action": action}, [1], int(elsewhere["id"]), "B-1", "", "整改", "/ledger", "zh")
            assert component_text(message) == "无权查看该区域" and nav is not None
        message, _ = callbacks.act({"action": "close"}, [1], int(own["id"]), None, "", "", "/ledger", "zh")
        assert "销账需要" in component_text(message) and "复查记录" in component_text(message)
        message, _ = callbacks.act({"action": "close"}, [1], int(own["id"]), None, "", "", "/ledger", "en")
        assert "no follow-up inspection" in component_text(message) and "close-out (销账) needs one" in component_text(message)
        bad_date, _ = callbacks.act({"action": "assign"}, [1], int(own["id"]), None, "30/07", "", "/ledger", "zh")
        assert "日期格式错误" in component_text(bad_date)
        assert "整改措施" in component_text(callbacks.panel(int(own["id"]), "zh"))
    with _store(demo_app).engine.connect() as conn:
        after = conn.execute(select(RiskLedgerEvent.id).order_by(RiskLedgerEvent.id.desc()).limit(1)).scalar()
        status = conn.execute(select(RiskLedgerEntry.status).where(RiskLedgerEntry.id == int(own["id"]))).scalar_one()
    assert after == before and status == "open"


def test_the_wall_shows_open_and_overdue_ledger_entries(request_context):
    from callbacks import wall
    from data.queries import ledger as ledger_queries
    from data.queries.filters import Scope

    tiles = wall.refresh(0, {"region": "410000", "layer": "risk", "lang": "zh"})[0]
    assert len(tiles) == 9
    total, late = ledger_queries.overdue_count(request_context, Scope.of("410000"), "410000")
    assert component_text(tiles[-1]) == f"风险台账未销账 {total:,} 已超时 {late:,}" and total > 0


def test_the_analysis_page_shows_both_back_tests(request_context):
    from dashboard.pages import analysis_risk as page

    shown = page.layout()
    text = component_text(shown)
    assert "风险模型回测" in text and "本库数据（按季度）" in text and "纽约市餐馆检查" in text
    assert "2022Q1" in text and "全部季度合计" in text and "前25%·风险排序" in text
