"""Log a Flask test client in through the real login form (token and all)."""

from __future__ import annotations

import re

from data.demo.build import DEMO_PASSWORD


def form_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def client_as(app, username: str = "demo_manager", password: str = DEMO_PASSWORD):
    client = app.server.test_client()
    answer = client.post("/login", data={"csrf": form_token(client), "username": username, "password": password})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def same_site(client) -> dict:
    """The headers this site's own pages send with a POST: their origin and the session's CSRF token, which Dash's
    renderer reads from the weijian_csrf cookie (dashboard/auth.py)."""
    cookie = client.get_cookie("weijian_csrf")
    return {"Origin": "http://localhost", **({"X-CSRFToken": cookie.value} if cookie else {})}
