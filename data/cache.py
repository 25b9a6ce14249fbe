"""The query cache: flask-caching's in-process SimpleCache by default, Redis when configured.

Keys are built by data.queries from the query name, normalised filters, the scope and the data
version, so invalidation is by version (a write bumps it) and entries of different viewers never mix.
When Redis is unreachable the cache fails open: it computes, logs once, and keeps serving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

from flask_caching.backends import RedisCache, SimpleCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 24 * 3600  # entries are never stale (the version is in the key); this only frees memory
RETRY_AFTER_S = 30.0  # after a Redis error, compute without it for this long instead of waiting on it per request


class QueryCache:
    def __init__(self, url: str = "simple://", threshold: int = 2000):
        parsed = urlparse(url)
        if parsed.scheme == "simple":
            self.backend = SimpleCache(threshold=threshold, default_timeout=DEFAULT_TIMEOUT_S)
        elif parsed.scheme in ("redis", "rediss"):
            self.backend = RedisCache(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 6379,
                db=int((parsed.path or "/0").lstrip("/") or 0),
                password=parsed.password,
                key_prefix="weijian:",
                default_timeout=DEFAULT_TIMEOUT_S,
                socket_connect_timeout=0.5,
                socket_timeout=0.5,
                retry=Retry(NoBackoff(), 0),
            )
        else:
            raise ValueError(f"cache URL {url!r}: use simple:// or redis://host:port/db")
        self.url = url
        self._warned = False
        self._skip_until = 0.0

    @staticmethod
    def make_key(*parts: str) -> str:
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> tuple[Any, dt.datetime, bool]:
        """(value, computed_at, was_cached)."""
        usable = time.monotonic() >= self._skip_until
        hit = None
        if usable:
            try:
                hit = self.backend.get(key)
                self._warned = False  # reachable again: warn on the next outage
            except RedisError as exc:
                self._unavailable(exc)
                usable = False
        if hit is not None:
            value, computed_at = hit
            return value, computed_at, True
        computed_at = dt.datetime.now(dt.timezone.utc)
        value = compute()
        if usable:
            try:
                self.backend.set(key, (value, computed_at))
            except RedisError as exc:
                self._unavailable(exc)
        return value, computed_at, False

    def _unavailable(self, exc: Exception) -> None:
        self._skip_until = time.monotonic() + RETRY_AFTER_S
        if not self._warned:
            log.warning("query cache %s unavailable, computing without it for %.0fs: %s", self.url, RETRY_AFTER_S, exc)
            self._warned = True
