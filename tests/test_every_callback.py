"""Every Dash callback the app registers, refused before it runs by whoever may not call it.

The feature tests replay their own callbacks with crafted values (another county, a forged id); this one walks
`app.callback_map`, so a callback added later is held to the gate without anyone remembering to: anonymous gets
401, a display screen from outside its addresses 403, a display screen from inside them 403 for everything
but the wall's, kiosk's and alert feed's own outputs, and a logged-in officer whose request lacks the CSRF
token 403. None of these answers carries anything of the callback's data.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from logins import client_as, same_site

from data import displays, models

NOW = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
WALL_IP = "10.1.2.34"
DISPLAY_OUTPUTS = ("wall-", "kiosk-", "alert-")  # as dashboard/auth.py lets a display screen refresh


def _output(part: str) -> dict:
    ident, prop = part.rsplit(".", 1)
    return {"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop}


def _requests(app) -> list[tuple[str, dict]]:
    """(key, the POST Dash would make for it with no inputs) for every registered callback."""
    out = []
    for key in app.callback_map:
        outputs = [_output(part) for part in key.strip(".").split("...")]
        body = {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": [],
                "changedPropIds": [], "state": []}
        out.append((key, body))
    return out


def _for_display(body: dict) -> bool:
    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    names = [o["id"]["type"] if isinstance(o["id"], dict) else o["id"] for o in outputs]
    return all(isinstance(n, str) and (n.startswith(DISPLAY_OUTPUTS) or n.startswith("_pages_")) for n in names)


@pytest.fixture
def display_token(demo_app):
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.begin() as conn:
        token_id, token = displays.issue(conn, label="大屏", region="410100", ip_ranges="10.1.2.0/24",
                                         actor="secadmin", now=NOW)
    yield token
    with engine.begin() as conn:
        conn.execute(models.DisplayToken.__table__.update().where(models.DisplayToken.id == token_id)
                     .values(revoked_at=NOW))


def _screen(demo_app, token: str, ip: str):
    client = demo_app.server.test_client()
    client.environ_base["REMOTE_ADDR"] = WALL_IP
    assert client.get(f"/display/{token}?next=/wall").status_code == 302
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_the_app_registers_the_callbacks_of_every_page(demo_app):
    keys = " ".join(demo_app.callback_map)
    for fragment in ("manager-map", "wall-", "complaint-", "ledger-", "analysis-", "effect-", "import-", "draw"):
        assert fragment in keys, fragment


def test_anonymous_gets_no_callback(demo_app):
    client = demo_app.server.test_client()
    for key, body in _requests(demo_app):
        answer = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
        assert answer.status_code == 401, key
        assert '"response"' not in answer.get_data(as_text=True), key


def test_an_officer_without_the_csrf_token_gets_no_callback(demo_app):
    client = client_as(demo_app, "demo_officer")
    for key, body in _requests(demo_app):
        answer = client.post("/_dash-update-component", json=body, headers={"Origin": "http://localhost"})
        assert answer.status_code == 403, key
        assert '"response"' not in answer.get_data(as_text=True), key
    assert "X-CSRFToken" in same_site(client)  # the page's own requests would carry it


def test_a_display_token_from_outside_its_addresses_gets_no_callback(demo_app, display_token):
    for key, body in _requests(demo_app):
        client = _screen(demo_app, display_token, "192.0.2.7")  # refused once, the session ends: log in again
        answer = client.post("/_dash-update-component", json=body, headers=same_site(client))
        assert answer.status_code == 403, key
        assert '"response"' not in answer.get_data(as_text=True), key


def test_a_display_screen_gets_only_the_callbacks_of_its_own_pages(demo_app, display_token):
    client = _screen(demo_app, display_token, WALL_IP)
    refused = 0
    for key, body in _requests(demo_app):
        if _for_display(body):
            continue
        answer = client.post("/_dash-update-component", json=body, headers=same_site(client))
        assert answer.status_code == 403, key
        refused += 1
    assert refused >= 20
