"""The gate in front of every page, callback and API: login, scope from the session, CSRF, lockout, idle logout."""

from __future__ import annotations

import json
import time

import pytest
from logins import client_as, form_token, same_site

from data.demo.build import DEMO_PASSWORD

PAGES = ["/", "/wall", "/alerts", "/device/WJ4101050001", "/?region=410105"]


def _render_request(app, region: str) -> dict:
    """The POST Dash makes for the manager render callback, with a state the browser could forge."""
    key = next(k for k in app.callback_map if "manager-map.figure" in k)
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in key.strip(".").split("...")]
    state = {"region": region, "period": "2025-07..2026-06", "specialty": None, "lang": "zh", "layer": "inspection"}
    return {"output": key, "outputs": outputs, "inputs": [{"id": "manager-state", "property": "data", "value": state}],
            "changedPropIds": ["manager-state.data"], "state": []}


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_go_to_the_login(demo_app, path):
    answer = demo_app.server.test_client().get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login?next=")


def test_anonymous_callbacks_and_layout_get_nothing(demo_app):
    client = demo_app.server.test_client()
    headers = {"Origin": "http://localhost"}
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    answer = client.post("/_dash-update-component", json=_render_request(demo_app, "410000"), headers=headers)
    assert answer.status_code == 401 and "郑州" not in answer.get_data(as_text=True)


def test_an_officer_gets_nothing_of_a_neighbouring_county_through_a_crafted_callback(demo_app):
    client = client_as(demo_app, "demo_officer")
    headers = same_site(client)
    with demo_app.server.app_context():
        from data import accounts

        with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
            home = accounts.by_username(conn, "demo_officer").region_adcode
    own = client.post("/_dash-update-component", json=_render_request(demo_app, home), headers=headers)
    assert own.status_code == 200 and "choropleth" in own.get_data(as_text=True)
    neighbour = "410105" if home != "410105" else "410102"
    for region in (neighbour, "410100", "410000"):
        answer = client.post("/_dash-update-component", json=_render_request(demo_app, region), headers=headers)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "无权查看该区域" in json.loads(body)["response"]["manager-map-title"]["children"]
        assert "choroplethlocation" not in body and '"locations"' not in body


def test_cross_site_posts_and_forms_without_token_are_refused(demo_app):
    client = client_as(demo_app)
    evil = client.post("/_dash-update-component", json=_render_request(demo_app, "410000"),
                       headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    fresh = demo_app.server.test_client()
    assert fresh.post("/login", data={"username": "demo_manager", "password": DEMO_PASSWORD}).status_code == 400


def test_login_page_is_safe_about_where_it_sends_you(demo_app):
    client = demo_app.server.test_client()
    answer = client.post("/login?next=//evil.example/x", data={"csrf": form_token(client), "username": "demo_manager",
                                                                "password": DEMO_PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_five_wrong_passwords_lock_the_account(demo_app):
    from data import accounts
    from data.models import AppUser
    from sqlalchemy import update

    client = demo_app.server.test_client()
    token = form_token(client)
    for _ in range(5):
        page = client.post("/login", data={"csrf": token, "username": "demo_officer", "password": "Wrong#pass1"})
        assert page.status_code == 200 and "账户已锁定" in page.get_data(as_text=True)
    locked = client.post("/login", data={"csrf": token, "username": "demo_officer", "password": DEMO_PASSWORD})
    assert locked.status_code == 200  # the right password, refused while locked
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.begin() as conn:  # unlock, for the other tests of this session
        conn.execute(update(AppUser).where(AppUser.username == "demo_officer").values(failed_logins=0, locked_until=None))
        assert accounts.by_username(conn, "demo_officer") is not None


def test_an_idle_session_is_refused_by_the_server(demo_app, monkeypatch):
    from itsdangerous import TimestampSigner

    client = client_as(demo_app)
    assert client.get("/alerts").status_code == 200
    later = int(time.time()) + 31 * 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get("/alerts").status_code == 302  # 31 minutes idle: back to the login


def test_administrators_do_not_read_supervision_data(demo_app):
    import datetime as dt

    from data import accounts

    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.begin() as conn:
        if accounts.by_username(conn, "auditor1") is None:
            accounts.create_user(conn, username="auditor1", name="审计员", role="auditor", region="410000",
                                 password="Audit#2026x", actor="test", now=dt.datetime.now(dt.UTC))
    client = client_as(demo_app, "auditor1", "Audit#2026x")
    assert client.get("/").status_code == 403 and client.get("/wall").status_code == 403


def test_production_refuses_to_start_with_a_default_secret(tmp_path):
    from dashboard.settings import Settings

    for weak in ("", "changeme", "short-but-not-default"):
        with pytest.raises(RuntimeError, match="WEIJIAN_SECRET_KEY"):
            Settings(environment="production", secret_key=weak, var_dir=tmp_path).resolved_secret_key()
    assert len(Settings(var_dir=tmp_path).resolved_secret_key()) == 64  # development: a random key, kept
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_security_headers_on_every_answer(demo_app):
    answer = demo_app.server.test_client().get("/login")
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN" and answer.headers["X-Content-Type-Options"] == "nosniff"
    csp = dict(part.strip().split(" ", 1) for part in answer.headers["Content-Security-Policy"].split(";") if part.strip())
    assert csp["frame-ancestors"] == "'self'"  # the kiosk's frames, no other site's
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["script-src"].startswith("'self' 'sha256-") and csp["default-src"] == "'self'"
    cookie = answer.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_login_returns_to_the_whole_url_asked_for(demo_app):
    client = demo_app.server.test_client()
    first = client.get("/wall?region=410000&interval=2&layer=monitoring")
    assert first.status_code == 302
    target = first.headers["Location"]
    answer = client.post(target, data={"csrf": form_token(client), "username": "demo_manager", "password": DEMO_PASSWORD})
    assert answer.headers["Location"] == "/wall?region=410000&interval=2&layer=monitoring"
