"""Shared fixtures: databases (SQLite and PostgreSQL), the boundary cache, a built demo database.

PostgreSQL is not optional: when WEIJIAN_TEST_POSTGRES_URL (default: the local server, database
`test`, user `root`) cannot be reached, the tests that need it fail with the reason. Each test
gets its own schema, dropped afterwards, so runs never see each other's tables.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from data import db
from data.demo.build import build

POSTGRES_URL = os.environ.get("WEIJIAN_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
DEMO_UNTIL = dt.date(2026, 6, 30)
DEMO_REGION = "410000"
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """One boundary cache for the whole run (loading a province's GeoJSON once is enough)."""
    shared = os.environ.get("WEIJIAN_TEST_CACHE_DIR")
    return Path(shared) if shared else tmp_path_factory.mktemp("cache")


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}{'&' if '?' in POSTGRES_URL else '?'}options=-csearch_path%3D{schema}"


@pytest.fixture
def postgres_url():
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
