"""Engine, migrations and the data version: the only place that knows which database we run on.

SQLite (a file under var/, the default) and PostgreSQL are both first-class: the same Alembic
migrations build both, and tests run on both. The data version is a counter in `dataset_meta`
that every write bumps; cached query answers are keyed by it, so a write invalidates them all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import Connection, make_url

from data.models import DatasetMeta

MIGRATIONS = Path(__file__).with_name("migrations")
DATA_VERSION = "data_version"


def as_utc(value: datetime | None) -> datetime | None:
    """A stored time as aware UTC: SQLite hands back naive UTC, PostgreSQL aware times; None stays None."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created, WAL and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (idempotent), then seed what is data, not code, if absent: the monitoring
    limits and rules, the complaint deadlines, the risk model, the effectiveness index, the credit criteria and
    the institutions' indicator set."""
    command.upgrade(alembic_config(engine), revision)
    if revision == "head":
        from data.complaints import deadlines
        from data.credit import criteria as credit_criteria
        from data.effectiveness import indicators as effectiveness
        from data.monitoring import limits, rules
        from data.hospitals import indicators
        from data.risk import params
        from data.prescriptions import rules as rx_rules

        with engine.begin() as conn:
            now = datetime.now(UTC)
            limits.seed(conn, now)
            rules.seed(conn, now)
            deadlines.seed(conn)
            params.seed(conn, now)
            effectiveness.seed(conn, now)
            rx_rules.seed(conn)
            credit_criteria.seed(conn, now)
            indicators.seed(conn, now)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        exists = engine.dialect.has_table(conn, "alembic_version")
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if exists else None


def data_version(conn: Connection) -> int:
    value = conn.execute(select(DatasetMeta.value).where(DatasetMeta.key == DATA_VERSION)).scalar()
    return int(value) if value is not None else 0


def bump_data_version(conn: Connection) -> int:
    """Increment the data version inside the caller's transaction (so it commits with the write)."""
    new = data_version(conn) + 1
    set_meta(conn, DATA_VERSION, str(new))
    return new


def analyze(conn: Connection, tables) -> None:
    """Refresh PostgreSQL's planner statistics of `tables` (SQLAlchemy tables) after a bulk write, in the caller's
    transaction, so the statements that follow it in that transaction are planned on the rows just written.

    Why: until a table is analysed the planner guesses a few hundred rows per region. On the province demo that
    chose a nested loop for the five-dimension status's inspection read: 22 s instead of 0.27 s, 15 of the
    build's 23 minutes. Autovacuum would catch up only after the commit, and only where it is on. SQLite
    plans well enough without statistics, so it is left alone.
    """
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.execute(text(f'ANALYZE "{table.name}"'))


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(DatasetMeta.value).where(DatasetMeta.key == key)).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(DatasetMeta.__table__.update().where(DatasetMeta.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(DatasetMeta.__table__.insert().values(key=key, value=value))
