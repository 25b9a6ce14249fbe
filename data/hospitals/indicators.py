"""The five-dimension indicator set as versioned data: seeded from indicators.csv, changed with `set_indicator`.

The pattern of the risk model's parameters (data/risk/params.py): a change closes the row in force and
adds the next version in the same transaction, audited, so a province retunes deductions or thresholds
without a release and every stored status names the set it was computed with (`IndicatorSet.version`).
indicators.csv is also the documentation: each indicator's definition and why it belongs to its dimension.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.models import InstitutionIndicator
from data.monitoring.limits import optional_number

SEED = Path(__file__).with_name("indicators.csv")
STATUS_PREFIX = "status:"


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    points: float  # deducted from the dimension's 100 per unit of the indicator
    cap: float | None  # at most this many points
    window_days: int | None  # the window counted (for overdue_rectification / licence_expiring: the term)


@dataclass(frozen=True)
class IndicatorSet:
    """The indicators in force and the status thresholds (status → the dimension score below which it begins)."""

    version: int  # the largest indicator id in force: changes with every change
    indicators: tuple[Indicator, ...]
    thresholds: dict[str, float]

    def of(self, dimension: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.dimension == dimension)


def seed_rows() -> list[dict]:
    """The seed file's rows, checked: known kind, dimension and status, points given."""
    rows = []
    with SEED.open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{SEED.name} line {line}"
            if row["kind"] not in vocab.INSTITUTION_INDICATOR_KINDS:
                raise ValueError(f"{where}: unknown kind {row['kind']!r}")
            if row["kind"] == "indicator" and row["dimension"] not in vocab.INSTITUTION_DIMENSIONS:
                raise ValueError(f"{where}: unknown dimension {row['dimension']!r}")
            if row["kind"] == "threshold" and row["key"].removeprefix(STATUS_PREFIX) not in vocab.INSTITUTION_STATUSES[1:]:
                raise ValueError(f"{where}: unknown status {row['key']!r}")
            if not row["definition"].strip():
                raise ValueError(f"{where}: {row['key']!r} has no definition")
            points = optional_number(row["points"])
            if points is None:
                raise ValueError(f"{where}: points missing for {row['key']!r}")
            window = optional_number(row["window_days"])
            rows.append({"key": row["key"], "kind": row["kind"], "dimension": row["dimension"] or None, "points": points,
                         "cap": optional_number(row["cap"]), "window_days": int(window) if window is not None else None})
    return rows


def documentation() -> list[dict]:
    """key, dimension, definition, why_this_dimension of every indicator (the seed file is their documentation)."""
    with SEED.open(encoding="utf-8") as handle:
        return [{k: row[k] for k in ("key", "dimension", "definition", "why_this_dimension")}
                for row in csv.DictReader(handle) if row["kind"] == "indicator"]


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store the seed set as version 1 when none is stored yet. Returns rows added."""
    if conn.execute(select(InstitutionIndicator.id).limit(1)).first() is not None:
        return 0
    rows = [dict(row, version=1, valid_from=now, valid_to=None, changed_by="seed", reason=SEED.name)
            for row in seed_rows()]
    conn.execute(insert(InstitutionIndicator), rows)
    return len(rows)


def current(conn: Connection) -> IndicatorSet:
    """The indicator set in force."""
    table = InstitutionIndicator.__table__
    rows = conn.execute(select(table).where(table.c.valid_to.is_(None)).order_by(table.c.id)).mappings().all()
    if not rows:
        raise LookupError("no institution indicators stored: run `weijian db upgrade`")
    found = tuple(Indicator(r["key"], r["dimension"], r["points"], r["cap"], r["window_days"])
                  for r in rows if r["kind"] == "indicator")
    thresholds = {r["key"].removeprefix(STATUS_PREFIX): r["points"] for r in rows if r["kind"] == "threshold"}
    return IndicatorSet(version=max(r["id"] for r in rows), indicators=found, thresholds=thresholds)


def set_indicator(conn: Connection, key: str, *, points: float, cap: float | None = None,
                  window_days: int | None = None, actor: str, reason: str, now: dt.datetime) -> int:
    """Replace an indicator (or threshold) in force by its next version; returns the new row's id. Audited."""
    if not reason.strip():
        raise ValueError("a change of the indicator set needs a reason")
    table = InstitutionIndicator.__table__
    old = conn.execute(select(table).where(table.c.key == key, table.c.valid_to.is_(None))).mappings().first()
    if old is None:
        raise LookupError(f"no institution indicator {key!r} in force")
    new = {"key": key, "kind": old["kind"], "dimension": old["dimension"], "points": points,
           "cap": cap if cap is not None else old["cap"],
           "window_days": window_days if window_days is not None else old["window_days"],
           "version": old["version"] + 1, "valid_from": now, "valid_to": None, "changed_by": actor, "reason": reason}
    conn.execute(update(table).where(table.c.id == old["id"]).values(valid_to=now))
    new_id = conn.execute(insert(table).values(**new).returning(table.c.id)).scalar_one()
    audit.append(conn, actor=actor, action="institution_indicator_change", target=key,
                 detail={"points": points, "cap": new["cap"], "window_days": new["window_days"],
                         "version": new["version"], "reason": reason}, now=now)
    return new_id
