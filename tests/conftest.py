"""Shared fixtures: databases (SQLite and PostgreSQL), the boundary cache, a built demo database.

PostgreSQL is not optional: when WEIJIAN_TEST_POSTGRES_URL (default: the local server, database
`test`, user `root`) cannot be reached, the tests that need it fail with the reason. Each test
gets its own schema, dropped afterwards, so runs never see each other's tables.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from data import accounts, crypto, db
from data.demo.build import build

POSTGRES_URL = os.environ.get("WEIJIAN_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
DEMO_UNTIL = dt.date(2026, 6, 30)
DEMO_REGION = "410000"

# One data key for the whole run, in the environment, so every Settings (the app's, the CLI's) and every
# database the tests build agree on it; a test that needs another key installs it and restores this one.
TEST_DATA_KEY = crypto.new_key("test1")
os.environ["WEIJIAN_DATA_KEY"] = TEST_DATA_KEY.text()
crypto.install(crypto.Keyring([TEST_DATA_KEY]))


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory) -> Path:
    """The run's WEIJIAN_VAR_DIR: its cache/ holds the boundary cache shared by all tests."""
    path = tmp_path_factory.getbasetemp() / "var"
    (path / "cache").mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def cache_dir(var_dir) -> Path:
    return var_dir / "cache"


@pytest.fixture(scope="session")
def demo_settings(demo_db, var_dir):
    from dashboard.settings import Settings

    # The whole suite logs in from 127.0.0.1 hundreds of times: the real limits are tested in test_rate_limits.py.
    return Settings(database_url=demo_db, var_dir=var_dir, region=DEMO_REGION,
                    login_rate_limit="10000 per minute", public_rate_limit="10000 per minute")


@pytest.fixture(scope="session")
def demo_app(demo_settings):
    """The real Dash app over the session's demo database."""
    from dashboard.app import create_app

    return create_app(demo_settings)


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def _postgres_schema():
    """A fresh PostgreSQL schema for the duration of the block; fails (never skips) when unreachable."""
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect():
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the same finding
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable ({exc.__class__.__name__}: {exc}); "
                    "start it (see .ci/run) or set WEIJIAN_TEST_POSTGRES_URL")
    schema = f"wj_test_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    with _postgres_schema() as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request, tmp_path_factory):
    """Like database_url, but shared by the tests of one module (for fixtures that are costly to build)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'weijian.db'}"
    else:
        with _postgres_schema() as url:
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'weijian.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory, cache_dir) -> str:
    """A county-scale demo of Henan in SQLite, built once per run; returns its URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    engine = db.make_engine(url)
    build(engine, DEMO_REGION, "county", seed=7, cache_dir=cache_dir, until=DEMO_UNTIL, progress=lambda _m: None)
    engine.dispose()
    return url


@pytest.fixture
def request_context(demo_app):
    """A request of the demo's province manager (logged in, scope: Henan, from 10.1.2.3); yields the store.

    Callbacks are plain functions, but they read the viewer from the session: this is the session."""
    from dashboard import auth
    from data import accounts

    with demo_app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
            auth.login(accounts.by_username(conn, "demo_manager"))
        yield demo_app.server.extensions["weijian"].store


ADMIN_PASSWORD = "Audit#2026x"


@pytest.fixture
def admin_app(demo_app):
    """The demo app with one account of each administrator role (三员): sysadmin2, secadmin2, auditor2."""
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.begin() as conn:
        for username, role in (("auditor2", "auditor"), ("secadmin2", "secadmin"), ("sysadmin2", "sysadmin")):
            if accounts.by_username(conn, username) is None:
                accounts.create_user(conn, username=username, name="管理员", role=role, region="410000",
                                     password=ADMIN_PASSWORD, actor="test", now=dt.datetime.now(dt.UTC))
    return demo_app


# One Redis database per pytest-xdist worker (gw0 → 15, gw1 → 14, …): the fixture flushes it before and after.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("WEIJIAN_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER % 16}")


@pytest.fixture
def redis_url():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is unreachable ({exc}); start it (see .ci/run) or set WEIJIAN_TEST_REDIS_URL")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def as_user(demo_app):
    """Enter a request context of a logged-in demo account: `with as_user("demo_officer"): ...`."""
    from dashboard import auth
    from data import accounts

    @contextlib.contextmanager
    def enter(username: str):
        with demo_app.server.test_request_context("/", base_url="http://weijian.test"):
            with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
                auth.login(accounts.by_username(conn, username))
            yield

    return enter
