"""Fast bulk insert of a DataFrame into one table, inside the caller's transaction.

The ORM's per-object insert manages ~10k rows/s; a province demo has 10M+ rows. PostgreSQL takes
them through COPY, SQLite through one executemany of plain tuples. Values are rendered the way each
database's SQLAlchemy type reads them back (ISO dates; UTC timestamps, naive on SQLite). Rendering bypasses
the column types, so personal columns are encrypted here first (data/personal.py), as the ORM would.

The COPY text is written by Arrow's CSV writer (C++): for a month of 1M prescriptions it takes ~1 s where
pandas' `to_csv` and the per-type rendering before it took ~7 s, a quarter of the whole ingest. Arrow
quotes every string, so an empty string ("") and a missing value (nothing) stay apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Boolean, Date, DateTime, ForeignKeyConstraint, Table, UniqueConstraint, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.schema import AddConstraint, DropConstraint

from data.personal import protect_frame


def _render_sqlite(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        column = table.c[name]
        values = frame[name]
        if isinstance(column.type, DateTime):
            stamps = pd.to_datetime(values, utc=True)
            out[name] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S.%f").where(stamps.notna(), None)
        elif isinstance(column.type, Date):
            dates = pd.to_datetime(values)
            out[name] = dates.dt.strftime("%Y-%m-%d").where(dates.notna(), None)
        elif isinstance(column.type, Boolean):
            out[name] = values.map({True: 1, False: 0})
        else:
            out[name] = values.astype(object).where(values.notna(), None)
    return out


def _arrow_column(values: pd.Series, column_type) -> pa.Array:
    """One column as Arrow will write it for COPY: UTC timestamps, ISO dates, true/false, the rest as is
    (a column of mixed Python objects, which Arrow cannot type, as text, the way str() writes each)."""
    if isinstance(column_type, DateTime):
        return pa.array(pd.to_datetime(values, utc=True), from_pandas=True)
    if isinstance(column_type, Date):
        return pa.array(pd.to_datetime(values).dt.date, type=pa.date32(), from_pandas=True)
    if isinstance(column_type, Boolean):
        return pa.array(values.astype("boolean"), type=pa.bool_(), from_pandas=True)
    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(values.astype(object).where(values.notna(), None).map(str, na_action="ignore"),
                        type=pa.large_string(), from_pandas=True)


def _copy_text(frame: pd.DataFrame, table: Table) -> pa.Buffer:
    arrays = {name: _arrow_column(frame[name], table.c[name].type) for name in frame.columns}
    out = pa.BufferOutputStream()
    pa_csv.write_csv(pa.table(arrays), out, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue()


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame) -> int:
    """Insert every row of `frame` (its columns must be columns of `table`); returns the row count."""
    if frame.empty:
        return 0
    frame = protect_frame(table, frame)
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        quoted = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN WITH (FORMAT csv)') as copy:
            copy.write(memoryview(_copy_text(frame, table)))
        return len(frame)
    rendered = _render_sqlite(frame, table)
    placeholders = ", ".join("?" for _ in columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    rows = list(rendered.itertuples(index=False, name=None))
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({placeholders})', rows)
    return len(rows)


def next_id(conn: Connection, table: Table) -> int:
    """The first free id of `table`, for a bulk insert that numbers its rows itself (the caller holds the write)."""
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar()) + 1


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
