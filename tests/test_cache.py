"""The query cache on the embedded backend and on the Redis server; failing open when Redis is down."""

import logging

import pandas as pd
import pytest

from data.cache import QueryCache


@pytest.mark.parametrize("backend", ["simple", "redis"])
def test_second_call_is_served_from_the_cache(backend, request):
    url = "simple://" if backend == "simple" else request.getfixturevalue("redis_url")
    cache = QueryCache(url)
    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"adcode": ["410100"], "n": [3]})

    key = cache.make_key("q", "region=410000", "scope=410000", "v1")
    first, at1, hit1 = cache.get_or_compute(key, compute)
    second, at2, hit2 = cache.get_or_compute(key, compute)
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    assert at1 == at2
    pd.testing.assert_frame_equal(first, second)


def test_two_processes_share_redis(redis_url):
    """Two cache objects (as two gunicorn workers would have) see each other's entries."""
    key = QueryCache.make_key("q", "v1")
    QueryCache(redis_url).get_or_compute(key, lambda: "from worker 1")
    value, _, hit = QueryCache(redis_url).get_or_compute(key, lambda: "from worker 2")
    assert (value, hit) == ("from worker 1", True)


def test_redis_down_fails_open_and_logs_once(caplog):
    cache = QueryCache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="data.cache"):
        for i in range(3):
            value, _, hit = cache.get_or_compute(f"k{i}", lambda: 42)
            assert (value, hit) == (42, False)
    assert len([r for r in caplog.records if "unavailable" in r.message]) == 1


def test_unknown_cache_url_is_refused():
    with pytest.raises(ValueError, match="memcached"):
        QueryCache("memcached://localhost")
