"""Rate limits (flask-limiter) on the two doors anyone can knock on: the login form and the public pages.

Per client address. The lockout in data/accounts.py protects one account from guessing; this limit stops
one address from trying many accounts, or from walking /public/<token> looking for valid tokens, and keeps
a flood off the database. Counters live in Redis when WEIJIAN_CACHE_URL is redis:// (shared by all gunicorn
workers, as the cache is), else in the process's memory. Limits are settings (WEIJIAN_LOGIN_RATE_LIMIT,
WEIJIAN_PUBLIC_RATE_LIMIT) in the limits notation, e.g. "10 per minute; 100 per hour".
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from dashboard.settings import Settings


def storage_uri(cache_url: str) -> str:
    return cache_url if cache_url.startswith(("redis://", "rediss://")) else "memory://"


def install(server: Flask, settings: Settings) -> Limiter:
    """Limit POST /login and every /public/ page; call after both are registered."""
    limiter = Limiter(get_remote_address, app=server, storage_uri=storage_uri(settings.cache_url),
                      key_prefix="weijian-limits", headers_enabled=True)
    server.view_functions["_login"] = limiter.limit(settings.login_rate_limit, methods=["POST"])(
        server.view_functions["_login"])
    limiter.limit(settings.public_rate_limit)(server.blueprints["public"])
    return limiter
