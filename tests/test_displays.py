"""Display tokens of wall screens: one visit logs the screen in; it sees the wall, kiosk and alert feed only,
from its own addresses only, and a revoked token ends the session at the next request."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from logins import same_site
from sqlalchemy import func, select

from data import displays, models

NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
WALL_IP = "10.1.2.34"


def _callback(app, fragment: str, inputs: list[dict]) -> dict:
    """The POST Dash would make for the callback whose output key contains `fragment`."""
    key = next(k for k in app.callback_map if fragment in k)
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"], "state": []}


def _client(app, ip: str):
    client = app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


@pytest.fixture
def screen(demo_app):
    """(client logged in through a fresh display token from WALL_IP, token id)."""
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.begin() as conn:
        token_id, token = displays.issue(conn, label="指挥中心大屏", region="410100", ip_ranges="10.1.2.0/24",
                                         actor="secadmin", now=NOW)
    client = _client(demo_app, WALL_IP)
    answer = client.get(f"/display/{token}?next=/wall")
    assert answer.status_code == 302 and answer.headers["Location"] == "/wall"
    yield client, token_id, token
    with engine.begin() as conn:
        conn.execute(models.DisplayToken.__table__.update().where(models.DisplayToken.id == token_id)
                     .values(revoked_at=NOW))


def test_a_display_reads_the_wall_and_nothing_else(demo_app, screen):
    client, _token_id, _token = screen
    origin = same_site(client)
    assert client.get("/wall").status_code == 200 and client.get("/kiosk?views=wall").status_code == 200
    for path in ("/", "/?region=410105", "/device/WJ4101050001", "/audit", "/api/v1/openapi.json"):
        assert client.get(path).status_code == 403, path
    wall = _callback(demo_app, "wall-kpis.children", [{"id": "wall-tick", "property": "n_intervals", "value": 1}])
    wall["state"] = [{"id": "wall-state", "property": "data",
                      "value": {"region": "410100", "layer": "inspection", "lang": "zh", "interval": 30}}]
    assert client.post("/_dash-update-component", json=wall, headers=origin).status_code == 200
    manager = _callback(demo_app, "manager-map.figure", [{"id": "manager-state", "property": "data", "value": {
        "region": "410100", "period": "2025-07..2026-06", "specialty": None, "lang": "zh", "layer": "inspection"}}])
    assert client.post("/_dash-update-component", json=manager, headers=origin).status_code == 403
    router = _callback(demo_app, "_pages_content.children", [
        {"id": "_pages_location", "property": "pathname", "value": "/"},
        {"id": "_pages_location", "property": "search", "value": "?region=410105"}])
    assert client.post("/_dash-update-component", json=router, headers=origin).status_code == 403
    router["inputs"][0]["value"] = "/wall"
    assert client.post("/_dash-update-component", json=router, headers=origin).status_code == 200


def test_a_display_outside_its_addresses_or_revoked_is_refused(demo_app, screen):
    client, token_id, token = screen
    engine = demo_app.server.extensions["weijian"].store.engine
    elsewhere = _client(demo_app, "192.168.9.9")
    assert elsewhere.get(f"/display/{token}").status_code == 403  # the token alone is not enough
    assert _client(demo_app, WALL_IP).get("/display/not-a-token").status_code == 403
    with engine.begin() as conn:
        displays.revoke(conn, token_id, actor="secadmin", now=NOW)
        with pytest.raises(displays.DisplayTokenError):
            displays.revoke(conn, token_id, actor="secadmin", now=NOW)
    answer = client.get("/wall")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")  # the session is over
    assert client.get(f"/display/{token}").status_code == 403
    with engine.connect() as conn:
        refused = conn.execute(select(models.AuditLog.detail).where(models.AuditLog.action == "display_refused")
                               .order_by(models.AuditLog.id.desc()).limit(3)).scalars().all()
    assert any("revoked" in r for r in refused) and any("outside" in r for r in refused)


def test_ranges_are_checked_and_the_token_is_stored_as_a_hash(engine):
    from monitoring_fixtures import populate

    populate(engine)
    with pytest.raises(displays.DisplayTokenError, match="CIDR"):
        displays.parse_ranges("10.1.2.0/33")
    with pytest.raises(displays.DisplayTokenError, match="at least one"):
        displays.parse_ranges(" , ")
    assert displays.allows_ip("10.1.2.0/24, 127.0.0.1", "127.0.0.1") and not displays.allows_ip("10.1.2.0/24", "10.1.3.1")
    assert not displays.allows_ip("10.1.2.0/24", None)
    with engine.begin() as conn:
        token_id, token = displays.issue(conn, label="大屏", region="410105", ip_ranges="10.0.0.1", actor="sec", now=NOW)
        stored = conn.execute(select(models.DisplayToken.token_hash)).scalar_one()
        assert token not in stored and len(token) >= 40 and re.fullmatch(r"[0-9a-f]{64}", stored)
        account = displays.redeem(conn, token, ip="10.0.0.1", now=NOW)
        assert (account.role, account.region_adcode, account.session_id) == ("display", "410105", f"d{token_id}")
        assert not account.acts_on_cases and displays.redeem(conn, token, ip="10.0.0.2", now=NOW) is None


def test_a_display_gets_the_hospitals_panel_as_aggregates_only(demo_app, screen):
    """The planted surge's hospitals are anomalous: a person's wall names them, a display screen only counts them."""
    client, _token_id, _token = screen
    wall = _callback(demo_app, "wall-kpis.children", [{"id": "wall-tick", "property": "n_intervals", "value": 1}])
    wall["state"] = [{"id": "wall-state", "property": "data",
                      "value": {"region": "410100", "layer": "inspection", "lang": "zh", "interval": 30}}]
    answer = client.post("/_dash-update-component", json=wall, headers=same_site(client))
    assert answer.status_code == 200
    panel = json.dumps(answer.get_json()["response"]["wall-hospitals"]["children"], ensure_ascii=False)
    assert "发热门诊人次" in panel and "中原区 · 3 家医院" in panel
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        names = conn.execute(select(models.Entity.name).join(models.Device, models.Device.entity_id == models.Entity.id)
                             .where(models.Device.scene == "hospital_ops")).scalars().all()
    assert names and not [name for name in names if name in panel]
    # The five-dimension statuses of the city's medical institutions: counts only, no institution named.
    with engine.connect() as conn:
        day = conn.execute(select(func.max(models.InstitutionStatus.as_of))).scalar()
        rows = conn.execute(select(models.InstitutionStatus.status, func.count()).where(
            models.InstitutionStatus.as_of == day, models.InstitutionStatus.city_adcode == "410100")
            .group_by(models.InstitutionStatus.status)).all()
        warned = conn.execute(select(models.Entity.name).where(models.Entity.institution_status == "warning",
                                                               models.Entity.city_adcode == "410100")).scalars().all()
    counts = dict(rows)
    assert "医疗机构五维监管" in panel
    assert f"正常 {counts.get('normal', 0):,} · 关注 {counts.get('attention', 0):,} · 预警 {counts.get('warning', 0):,}" in panel
    assert not [name for name in warned if name in panel]
