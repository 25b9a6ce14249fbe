"""Fast bulk insert of a DataFrame into one table, inside the caller's transaction.

The ORM's per-object insert manages ~10k rows/s; a province demo has 10M+ rows. PostgreSQL takes
them through COPY, SQLite through one executemany of plain tuples. Values are rendered the way each
database's SQLAlchemy type reads them back (ISO dates; UTC timestamps, naive on SQLite). Rendering bypasses
the column types, so personal columns are encrypted here first (data/personal.py), as the ORM would.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import pandas as pd
from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, Table, UniqueConstraint
from sqlalchemy.engine import Connection
from sqlalchemy.schema import AddConstraint, DropConstraint

from data.personal import protect_frame


def _render(frame: pd.DataFrame, table: Table, dialect: str) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = table.c[name]
        values = frame[name]
        if isinstance(column.type, DateTime):
            stamps = pd.to_datetime(values, utc=True)
            text = stamps.dt.strftime("%Y-%m-%d %H:%M:%S.%f" if dialect == "sqlite" else "%Y-%m-%d %H:%M:%S.%f+00")
            out[name] = text.where(stamps.notna(), None)
        elif isinstance(column.type, Date):
            dates = pd.to_datetime(values)
            out[name] = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)
        elif isinstance(column.type, Boolean):
            out[name] = values.map({True: 1, False: 0} if dialect == "sqlite" else {True: "t", False: "f"})
        else:
            out[name] = values.astype(object).where(values.notna(), None)
    return out


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (its columns must be columns of `table`); returns the row count."""
    if frame.empty:
        return 0
    dialect = conn.dialect.name
    rendered = _render(protect_frame(table, frame), table, dialect)
    columns = list(rendered.columns)
    if dialect == "postgresql":
        buffer = io.StringIO()
        rendered.to_csv(buffer, index=False, header=False, na_rep="\\N", lineterminator="\n")
        cursor = conn.connection.driver_connection.cursor()
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL \'\\N\')') as copy:
            copy.write(buffer.getvalue())
        return len(rendered)
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = list(rendered.itertuples(index=False, name=None))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})', rows)
    return len(rows)


def reset_sequence(conn: Connection, table: Table) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    if conn.dialect.name != "postgresql":
        return
    conn.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"
    )



@contextlib.contextmanager
def constraints_deferred(conn: Connection, table: Table) -> Iterator[None]:
    """On PostgreSQL, drop `table`'s unique and foreign-key constraints for a large load and add them back.

    Checking 10M rows once at the end (one sort for the index, one join for the foreign key) is several
    times faster than row by row. It all happens in the caller's transaction: if the load or the final
    check fails, the constraints are back as they were. SQLite checks as it goes.
    """
    if conn.dialect.name != "postgresql":
        yield
        return
    deferred = [c for c in table.constraints if isinstance(c, (UniqueConstraint, ForeignKeyConstraint))]
    for constraint in deferred:
        conn.execute(DropConstraint(constraint))
    yield
    for constraint in deferred:
        conn.execute(AddConstraint(constraint))
