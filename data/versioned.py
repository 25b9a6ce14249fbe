"""Parameters kept as versioned data: a CSV read with errors that name the line and the field, seeded once, and
read back as the rows in force.

The risk model (data/risk/params.py) and the credit criteria (data/credit/criteria.py) keep their parameters in
tables of the same shape: key, kind, the values, `version`, `valid_from`/`valid_to`, `changed_by`, `reason`.
A change closes the rows it replaces (`valid_to`) and adds new ones; nothing is deleted, so every stored score
can name the parameters it was computed with.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection


class FieldError(ValueError):
    """A bad value in one field of one CSV row; read_csv adds the file and line."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def optional_number(field: str, text: str | None) -> float | None:
    """A CSV cell as a number; empty: None."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise FieldError(field, f"{text!r} is not a number") from None


def read_csv(lines: Iterable[str], name: str, required: tuple[str, ...],
             parse: Callable[[dict[str, str]], dict]) -> list[dict]:
    """Every row parsed by `parse`, or one ValueError listing every problem ("criteria.csv line 4, points: …").

    `parse` raises FieldError for a bad field; a missing column is reported once, before any row."""
    reader = csv.DictReader(lines)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    rows, problems = [], []
    for line, row in enumerate(reader, start=2):
        try:
            rows.append(parse({k: (v or "").strip() for k, v in row.items() if k is not None}))
        except FieldError as exc:
            problems.append(f"{name} line {line}, {exc.field}: {exc}")
    if problems:
        raise ValueError("\n".join(problems))
    return rows


def read_file(path: Path, required: tuple[str, ...], parse: Callable[[dict[str, str]], dict]) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return read_csv(handle, path.name, required, parse)


def seed_if_empty(conn: Connection, table: Table, rows: list[dict], now: dt.datetime, reason: str) -> int:
    """Store `rows` as version 1 when the table holds none yet. Returns rows added."""
    if conn.execute(select(table.c.id).limit(1)).first() is not None:
        return 0
    conn.execute(insert(table), [dict(row, version=1, valid_from=now, valid_to=None, changed_by="seed", reason=reason)
                                 for row in rows])
    return len(rows)


def in_force(conn: Connection, table: Table) -> list[dict]:
    """The rows not closed yet, oldest first."""
    return [dict(r) for r in conn.execute(select(table).where(table.c.valid_to.is_(None)).order_by(table.c.id)).mappings()]
