"""The security administrator's display-token page: only secadmin, CSRF-checked, audited, token shown once."""

from __future__ import annotations

import re

from conftest import ADMIN_PASSWORD
from logins import client_as
from sqlalchemy import select

from data import displays, models

PATH = "/admin/displays"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def _post(client, url: str, data: dict):
    """A form post as the browser sends it from this site (the gate refuses POSTs without Origin/Referer)."""
    return client.post(url, data=data, headers={"Origin": "http://localhost"})


def _last_audit(app):
    with app.server.extensions["weijian"].store.engine.connect() as conn:
        return conn.execute(select(models.AuditLog).order_by(models.AuditLog.id.desc()).limit(1)).first()


def test_only_the_security_administrator_reaches_the_page(admin_app):
    assert admin_app.server.test_client().get(PATH).status_code == 302  # anonymous: to the login page
    for username in ("sysadmin2", "auditor2"):
        assert client_as(admin_app, username, ADMIN_PASSWORD).get(PATH).status_code == 403
    manager = client_as(admin_app, "demo_manager")
    assert manager.get(PATH).status_code == 403
    assert _post(manager, PATH, {"label": "x", "region": "410100", "ip_ranges": "10.0.0.0/8", "csrf": "x"}).status_code == 403
    with admin_app.server.extensions["weijian"].store.engine.connect() as conn:
        assert not [t for t in displays.listing(conn) if t["label"] == "x"]


def test_issue_shows_the_token_once_and_revoke_ends_it(admin_app):
    client = client_as(admin_app, "secadmin2", ADMIN_PASSWORD)
    page = client.get(PATH).get_data(as_text=True)
    form = {"label": "郑州指挥中心", "region": "410100", "ip_ranges": "10.1.2.0/24"}
    assert _post(client, PATH, form).status_code == 403  # no form token: refused by the gate (dashboard/auth.py)
    assert _post(client, PATH, {**form, "csrf": "forged"}).status_code == 403  # the gate (dashboard/auth.py)
    issued = _post(client, PATH, {**form, "csrf": _csrf(page)})
    assert issued.status_code == 200
    url = re.search(r'<code id="display-url">([^<]+)</code>', issued.get_data(as_text=True)).group(1)
    token = url.rsplit("/display/", 1)[1]
    listed = client.get(PATH).get_data(as_text=True)
    assert "郑州指挥中心" in listed and token not in listed  # shown once: the list has only the hash's row
    last = _last_audit(admin_app)
    assert (last.actor, last.action) == ("secadmin2", "display_issue")
    with admin_app.server.extensions["weijian"].store.engine.connect() as conn:
        token_id = max(t["id"] for t in displays.listing(conn) if t["label"] == "郑州指挥中心")
    screen = admin_app.server.test_client()
    assert screen.get(f"/display/{token}", environ_base={"REMOTE_ADDR": "10.1.2.7"}).status_code == 302

    revoked = _post(client, f"{PATH}/{token_id}/revoke", {"csrf": _csrf(page)})
    assert revoked.status_code == 303
    assert (_last_audit(admin_app).action, _last_audit(admin_app).target) == ("display_revoke", f"display {token_id}")
    assert screen.get("/wall", environ_base={"REMOTE_ADDR": "10.1.2.7"}).status_code == 302  # logged out at once
    again = _post(client, f"{PATH}/{token_id}/revoke", {"csrf": _csrf(page)})
    assert again.status_code == 400 and f"no active display token {token_id}" in again.get_data(as_text=True)


def test_bad_input_is_named_and_nothing_is_stored(admin_app):
    client = client_as(admin_app, "secadmin2", ADMIN_PASSWORD)
    csrf = _csrf(client.get(PATH + "?lang=en").get_data(as_text=True))
    with admin_app.server.extensions["weijian"].store.engine.connect() as conn:
        before = len(displays.listing(conn))
    for form, message in ((({"label": "a", "region": "410100", "ip_ranges": "10.1.2.0/33"}), "not an IP address"),
                          ({"label": "a", "region": "999999", "ip_ranges": "10.0.0.1"}, "unknown region"),
                          ({"label": " ", "region": "410100", "ip_ranges": "10.0.0.1"}, "A name is required")):
        answer = _post(client, PATH + "?lang=en", {**form, "csrf": csrf})
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    with admin_app.server.extensions["weijian"].store.engine.connect() as conn:
        assert len(displays.listing(conn)) == before
