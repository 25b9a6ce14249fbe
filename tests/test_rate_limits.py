"""Rate limits on the login form and the public pages, in memory and in Redis (shared by workers)."""

from __future__ import annotations

import pytest
from logins import form_token

from dashboard.app import create_app


def _app(demo_settings, tmp_path, cache_url="simple://"):
    return create_app(demo_settings.model_copy(update={
        "login_rate_limit": "3 per minute", "public_rate_limit": "5 per minute", "cache_url": cache_url,
        "var_dir": tmp_path}))


def _login_attempts(client, n: int) -> list[int]:
    """Failed attempts for a user that does not exist: a real one would be locked out for the rest of the suite."""
    token = form_token(client)
    return [client.post("/login", data={"csrf": token, "username": "nobody", "password": "wrong"}).status_code
            for _ in range(n)]


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_login_attempts_are_limited_per_address(demo_settings, tmp_path, request, backend):
    cache_url = "simple://" if backend == "memory" else request.getfixturevalue("redis_url")
    app = _app(demo_settings, tmp_path, cache_url)
    client = app.server.test_client()
    assert _login_attempts(client, 4) == [200, 200, 200, 429]
    assert client.get("/login").status_code == 200  # the form itself is not limited, only attempts
    other = app.server.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert _login_attempts(other, 1) == [200]  # another address has its own count
    if backend == "redis":  # a second worker (another app over the same Redis) sees the same count
        assert _login_attempts(_app(demo_settings, tmp_path, cache_url).server.test_client(), 1) == [429]


def test_public_pages_are_limited(demo_settings, tmp_path):
    client = _app(demo_settings, tmp_path).server.test_client()
    codes = [client.get("/public/not-a-token").status_code for _ in range(6)]
    assert codes == [404] * 5 + [429]


def test_a_bad_limit_setting_is_refused(demo_settings):
    with pytest.raises(ValueError, match="is not a rate limit"):
        type(demo_settings)(login_rate_limit="lots")
