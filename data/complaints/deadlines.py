"""Stage deadlines of complaint handling as data: seeded from deadlines.csv, edited with `weijian complaint deadline`.

The figures differ between authorities (a 12320 hotline's own rules, the 信访 regulation's 60 days for
the whole case), so they are rows with their source, not constants: an authority changes a row and
every due date computed after that follows it. Stages may overlap: `overall` runs beside the others.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import vocab
from data.models import ComplaintDeadline

SEED = Path(__file__).with_name("deadlines.csv")
CALENDARS = ("working", "calendar")
EXTENSION_DAYS = 30  # 《信访工作条例》: an extension may not exceed 30 days (the same source as `overall`)


@dataclass(frozen=True)
class Deadline:
    stage: str
    from_status: str
    to_status: str
    days: int
    calendar: str
    source: str


def _checked(row: dict, where: str) -> Deadline:
    for field in ("from_status", "to_status"):
        if row[field] not in vocab.COMPLAINT_STATUSES:
            raise ValueError(f"{where}: {field} {row[field]!r} is not a complaint status")
    if vocab.COMPLAINT_STATUSES.index(row["to_status"]) <= vocab.COMPLAINT_STATUSES.index(row["from_status"]):
        raise ValueError(f"{where}: to_status {row['to_status']!r} does not come after {row['from_status']!r}")
    if row["calendar"] not in CALENDARS:
        raise ValueError(f"{where}: calendar {row['calendar']!r} is not one of {', '.join(CALENDARS)}")
    try:
        days = int(row["days"])
    except (TypeError, ValueError):
        raise ValueError(f"{where}: days {row['days']!r} is not a whole number") from None
    if days < 1:
        raise ValueError(f"{where}: days must be at least 1, not {days}")
    return Deadline(row["stage"], row["from_status"], row["to_status"], days, row["calendar"], row["source"])


def seed_rows() -> list[Deadline]:
    with SEED.open(encoding="utf-8") as handle:
        return [_checked(row, f"{SEED.name} line {line}") for line, row in enumerate(csv.DictReader(handle), start=2)]


def seed(conn: Connection) -> int:
    """Store the seed deadlines when none is stored yet. Returns rows added."""
    if conn.execute(select(ComplaintDeadline.stage).limit(1)).first() is not None:
        return 0
    rows = seed_rows()
    conn.execute(insert(ComplaintDeadline), [vars(d) for d in rows])
    return len(rows)


def current(conn: Connection) -> dict[str, Deadline]:
    rows = conn.execute(select(ComplaintDeadline.__table__)).mappings().all()
    return {r["stage"]: Deadline(**r) for r in rows}


def set_deadline(conn: Connection, stage: str, *, days: int, calendar: str, source: str) -> Deadline:
    """Change one stage's time allowed; due dates computed from now on use it (the caller audits)."""
    stored = current(conn)
    if stage not in stored:
        raise ValueError(f"unknown stage {stage!r} (one of {', '.join(sorted(stored))})")
    if not source.strip():
        raise ValueError("a changed deadline needs its source (the rule or notice it follows)")
    old = stored[stage]
    new = _checked({**vars(old), "days": days, "calendar": calendar, "source": source}, f"stage {stage}")
    conn.execute(update(ComplaintDeadline).where(ComplaintDeadline.stage == stage).values(
        days=new.days, calendar=new.calendar, source=new.source))
    return new


def stage_from(deadlines: dict[str, Deadline], status: str) -> Deadline | None:
    """The stage whose clock runs while a complaint is in `status` (the overall clock aside), if any.

    A stage covers every status from its start up to (not including) its end: `handle` runs through
    assigned and handling, so entering `handling` keeps the due date set when the case was assigned.
    """
    index = vocab.COMPLAINT_STATUSES.index(status)
    for d in deadlines.values():
        if d.stage == "overall":
            continue
        if vocab.COMPLAINT_STATUSES.index(d.from_status) <= index < vocab.COMPLAINT_STATUSES.index(d.to_status):
            return d
    return None
