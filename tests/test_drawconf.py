"""Conflicts of interest (回避) and the draw weights editor on the draws page (callbacks/draws.py, data/draws/conflicts.py,
data/draws/weights.save_version), plain callback calls in a request of a demo account; and `weijian draw conflict`.

The demo database is shared by the session: each test withdraws what it declared and drops the weights version it made."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import delete, func, select, text
from typer.testing import CliRunner

from callbacks import draws as callbacks
from components import text as shown_text
from dashboard import auth, i18n
from dashboard.cli import app
from dashboard.pages import draws as page
from dashboard.settings import get_settings
from data import accounts
from data.draws import conflicts, runs, weights
from data.models import DrawWeight, Entity, Inspector, InspectorConflict
from data.queries.filters import Scope

runner = CliRunner()
COUNTY_MANAGER = "drawconf_county_manager"


@pytest.fixture
def engine(demo_app):
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        declared = set(conn.execute(select(InspectorConflict.id)).scalars())
        version = conn.execute(select(func.max(DrawWeight.version))).scalar_one()
    yield engine
    with engine.begin() as conn:  # leave the shared demo as it was
        conn.execute(delete(InspectorConflict).where(InspectorConflict.id.not_in(declared)))
        conn.execute(delete(DrawWeight).where(DrawWeight.version > version))


@pytest.fixture
def county(engine) -> str:
    """The demo officer's county, with a county manager of its own (created once)."""
    with engine.begin() as conn:
        code = accounts.by_username(conn, "demo_officer").region_adcode
        if accounts.by_username(conn, COUNTY_MANAGER) is None:
            accounts.create_user(conn, username=COUNTY_MANAGER, name="区县管理员", role="county_manager", region=code,
                                 password="Drawconf#2026x", actor="test", now=dt.datetime.now(dt.UTC))
    return code


def _login(demo_app, username: str):
    context = demo_app.server.test_request_context("/draws", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    context.push()
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        auth.login(accounts.by_username(conn, username))
    return context


def _badge_and_entity(engine, county: str, other: bool = False) -> tuple[str, int]:
    """An inspector and an entity of the county (other=True: of a neighbouring county of the same city)."""
    with engine.connect() as conn:
        where = Inspector.region_adcode != county if other else Inspector.region_adcode == county
        badge = conn.execute(select(Inspector.badge_no).where(where, Inspector.region_adcode.like(county[:4] + "%"),
                                                              Inspector.region_adcode != county[:4] + "00")
                             .order_by(Inspector.id)).scalars().first()
        place = Entity.county_adcode != county if other else Entity.county_adcode == county
        entity = conn.execute(select(Entity.id).where(place, Entity.city_adcode == county[:4] + "00")
                              .order_by(Entity.id)).scalars().first()
    return badge, entity


def _audit(engine, action: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, target, detail FROM audit_log WHERE action = :a ORDER BY id"), {"a": action}).all()
    return [{"actor": r.actor, "target": r.target, **json.loads(r.detail)} for r in rows]


def test_a_manager_declares_and_withdraws_a_conflict_listed_and_audited(demo_app, engine, county):
    badge, entity = _badge_and_entity(engine, county)
    context = _login(demo_app, COUNTY_MANAGER)
    try:
        listing, message = callbacks.change_conflict("declare", badge, entity, " 配偶在该单位任职 ", {"lang": "zh"})
        assert message == f"已声明回避: {badge} · {entity}"
        assert badge in shown_text(listing) and "配偶在该单位任职" in shown_text(listing)
        assert "配偶在该单位任职" in shown_text(page.layout())  # the page lists it too
        _, twice = callbacks.change_conflict("declare", badge, entity, "again", {"lang": "zh"})
        assert twice.startswith("无法保存: badge:") and "already stands aside" in twice
        listing, message = callbacks.change_conflict("withdraw", badge, entity, None, {"lang": "en"})
        assert message == f"Conflict withdrawn: {badge} · {entity}" and badge not in shown_text(listing)
    finally:
        context.pop()
    declared, withdrawn = _audit(engine, "draw_conflict_declare")[-1], _audit(engine, "draw_conflict_withdraw")[-1]
    assert declared["actor"] == COUNTY_MANAGER and declared["target"] == f"entity:{entity}"
    assert declared["reason"] == "配偶在该单位任职" and declared["badge"] == badge
    assert withdrawn["reason"] == "配偶在该单位任职" and withdrawn["declared_on"]


def test_a_conflict_outside_the_scope_or_by_an_officer_is_refused(demo_app, engine, county):
    badge, entity = _badge_and_entity(engine, county)
    other_badge, other_entity = _badge_and_entity(engine, county, other=True)
    context = _login(demo_app, COUNTY_MANAGER)
    try:
        for pair in ((other_badge, entity), (badge, other_entity)):
            listing, message = callbacks.change_conflict("declare", *pair, "x", {"lang": "zh"})
            assert listing is callbacks.no_update and message.startswith(i18n.t("out_of_scope", "zh"))
        _, message = callbacks.change_conflict("declare", badge, entity, "  ", {"lang": "en"})
        assert message.startswith("Not saved: reason:")
        _, message = callbacks.change_conflict("declare", "豫卫监0000000000", entity, "x", {"lang": "en"})
        assert message.startswith("Not saved: badge: no inspector")
        _, message = callbacks.change_conflict("declare", badge, "abc", "x", {"lang": "en"})
        assert message.startswith("Not saved: entity:")
    finally:
        context.pop()
    context = _login(demo_app, "demo_officer")
    try:
        _, message = callbacks.change_conflict("declare", badge, entity, "x", {"lang": "zh"})
        assert message == "仅管理人员可声明或撤销回避"
        assert "仅管理人员可声明或撤销回避" in shown_text(page.layout())  # no form for officers
    finally:
        context.pop()
    with engine.connect() as conn:
        assert conflicts.listing(conn, Scope.of(county)).query("badge_no == @badge").empty


def test_a_declared_conflict_keeps_the_pair_out_of_the_next_draw(demo_app, engine, county):
    def first_item(actor: str):
        done = runs.run(engine, runs.Request(county, 1, None, None), Scope.of(county), actor=actor,
                        now=dt.datetime.now(dt.UTC), seed=424242)
        return done.items.iloc[0]

    before = first_item("test")
    with engine.connect() as conn:
        badges = dict(conn.execute(select(Inspector.id, Inspector.badge_no)).all())
    context = _login(demo_app, "demo_manager")  # the drawn pair may come from the city or another county
    try:
        for inspector in (before["inspector_id"], before["second_inspector_id"]):
            _, message = callbacks.change_conflict("declare", badges[inspector], int(before["entity_id"]), "回避",
                                                   {"lang": "zh"})
            assert message.startswith("已声明回避")
    finally:
        context.pop()
    after = first_item("test")  # the same seed: the same entity first, its two inspectors now excluded
    assert after["entity_id"] == before["entity_id"]
    assert {after["inspector_id"], after["second_inspector_id"]}.isdisjoint(
        {before["inspector_id"], before["second_inspector_id"]})


def _cells(current: weights.Weights, **changes) -> tuple[list, list[dict]]:
    ids = [{"type": "drawconf-weight", "factor": r["factor"], "value": r["value"]} for r in current.rows()]
    values = [changes.get(f"{r['factor']}__{r['value']}", r["weight"]) for r in current.rows()]
    return values, ids


def test_the_province_manager_saves_a_new_weights_version_validated_and_audited(demo_app, engine):
    with engine.connect() as conn:
        current = weights.load(conn)
    context = _login(demo_app, "demo_manager")
    try:
        assert "保存为新版本" in shown_text(page.layout())
        values, ids = _cells(current, risk_level__high="abc", self_inspection__poor=0, risk_level__low=-1)
        message, title = callbacks.save_weights(1, values, ids, {"lang": "en"})
        assert title is callbacks.no_update
        assert "risk_level=high: weight 'abc' is not a number" in message
        assert "self_inspection=poor: weight must be a positive number, not 0" in message
        assert "risk_level=low: weight must be a positive number, not -1" in message
        values, ids = _cells(current)
        message, _ = callbacks.save_weights(1, values[:-1], ids[:-1], {"lang": "en"})  # a cell missing
        assert "self_inspection=missing: weight None is not a number" in message
        assert callbacks.save_weights(1, values, ids, {"lang": "zh"})[0] == "权重未改变，未生成新版本"
        values, ids = _cells(current, risk_level__very_high="5")
        message, title = callbacks.save_weights(1, values, ids, {"lang": "zh"})
        assert message == f"已保存为第 {current.version + 1} 版" and f"当前第 {current.version + 1} 版" in title
    finally:
        context.pop()
    with engine.connect() as conn:
        saved = weights.load(conn)
    assert saved.version == current.version + 1 and saved.table["risk_level"]["very_high"] == 5
    assert saved.notes == current.notes
    entry = _audit(engine, "draw_weights")[-1]
    assert entry["actor"] == "demo_manager" and entry["changed"] == {"risk_level=very_high": [current.table["risk_level"]["very_high"], 5.0]}


def test_only_managers_of_the_configured_region_change_the_weights(demo_app, engine, county):
    with engine.connect() as conn:
        current = weights.load(conn)
    values, ids = _cells(current, risk_level__very_high=9)
    for username in (COUNTY_MANAGER, "demo_officer"):
        context = _login(demo_app, username)
        try:
            assert "保存为新版本" not in shown_text(page.layout())
            message, title = callbacks.save_weights(1, values, ids, {"lang": "zh"})
            assert message == "权重全辖区通用，仅本级（河南省）管理人员可修改" and title is callbacks.no_update
        finally:
            context.pop()
    with engine.connect() as conn:
        assert weights.load(conn).version == current.version


@pytest.fixture
def env(demo_db, var_dir, monkeypatch):
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", demo_db)
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_weijian_draw_conflict_add_list_remove(env, engine, county):
    badge, entity = _badge_and_entity(engine, county)
    other_badge, _ = _badge_and_entity(engine, county, other=True)
    added = runner.invoke(app, ["draw", "conflict", "add", "--badge", badge, "--entity", str(entity), "--reason", "亲属",
                                "--as", COUNTY_MANAGER])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["draw", "conflict", "list", "--as", "demo_officer"])
    assert listed.exit_code == 0 and f"{badge}," in listed.output and ",亲属," in listed.output
    outside = runner.invoke(app, ["draw", "conflict", "add", "--badge", other_badge, "--entity", str(entity),
                                  "--reason", "x", "--as", COUNTY_MANAGER])
    assert outside.exit_code == 1 and "outside the scope" in outside.output
    officer = runner.invoke(app, ["draw", "conflict", "remove", "--badge", badge, "--entity", str(entity),
                                  "--as", "demo_officer"])
    assert officer.exit_code == 1 and "managers only" in officer.output
    removed = runner.invoke(app, ["draw", "conflict", "remove", "--badge", badge, "--entity", str(entity),
                                  "--as", COUNTY_MANAGER])
    assert removed.exit_code == 0, removed.output
    assert _audit(engine, "draw_conflict_withdraw")[-1]["actor"] == COUNTY_MANAGER
    assert runner.invoke(app, ["draw"]).exit_code == 1  # a draw still needs --region and --count
