"""The risk model's parameters as versioned data: seeded from parameters.csv, changed with `set_parameter`.

Like the indicator limits (data/monitoring/limits.py): a change closes the row in force and adds the
next version in the same transaction, audited, so a province retunes the model without a release and
every stored score names the parameter set it was computed with (`Model.version`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, versioned, vocab
from data.models import RiskParameter

SEED = Path(__file__).with_name("parameters.csv")
LEVEL_PREFIX = "level:"
DUE_DAYS = "ledger:due_days"


@dataclass(frozen=True)
class Feature:
    key: str
    points: float  # per unit of the feature
    cap: float | None  # at most this many points
    window_days: int | None  # records older than this (before the scoring date) do not count


@dataclass(frozen=True)
class Model:
    """The parameters in force: the features' points, the levels' thresholds, the ledger's term."""

    version: int  # the largest parameter id in force: changes with every parameter change
    features: tuple[Feature, ...]
    thresholds: dict[str, float]  # level → the score from which it begins (low begins at 0)
    due_days: int

    def feature(self, key: str) -> Feature | None:
        return next((f for f in self.features if f.key == key), None)


def _parse(row: dict[str, str]) -> dict:
    """One seed row, checked: known kind, known level, points given."""
    if row["kind"] not in vocab.RISK_PARAMETER_KINDS:
        raise versioned.FieldError("kind", f"unknown kind {row['kind']!r}")
    if row["key"].startswith(LEVEL_PREFIX) and row["key"][len(LEVEL_PREFIX):] not in vocab.RISK_LEVELS:
        raise versioned.FieldError("key", f"unknown level {row['key']!r}")
    points = versioned.optional_number("points", row["points"])
    if points is None:
        raise versioned.FieldError("points", f"missing for {row['key']!r}")
    window = versioned.optional_number("window_days", row["window_days"])
    return {"key": row["key"], "kind": row["kind"], "points": points, "cap": versioned.optional_number("cap", row["cap"]),
            "window_days": int(window) if window is not None else None}


def seed_rows() -> list[dict]:
    """The seed file's rows, checked (an error names the line and the field)."""
    return versioned.read_file(SEED, ("key", "kind", "points", "cap", "window_days"), _parse)


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store the seed parameters as version 1 when none is stored yet. Returns rows added."""
    return versioned.seed_if_empty(conn, RiskParameter.__table__, seed_rows(), now, SEED.name)


def current(conn: Connection) -> Model:
    """The model in force (seeded by `weijian db upgrade`)."""
    rows = versioned.in_force(conn, RiskParameter.__table__)
    if not rows:
        raise LookupError("no risk parameters stored: run `weijian db upgrade`")
    features = tuple(Feature(r["key"], r["points"], r["cap"], r["window_days"]) for r in rows if r["kind"] == "feature")
    thresholds = {r["key"][len(LEVEL_PREFIX):]: r["points"] for r in rows if r["kind"] == "threshold"}
    due = next((r["points"] for r in rows if r["key"] == DUE_DAYS), None)
    if due is None:
        raise LookupError(f"risk parameter {DUE_DAYS} missing")
    return Model(version=max(r["id"] for r in rows), features=features, thresholds=thresholds, due_days=int(due))


def set_parameter(conn: Connection, key: str, *, points: float, cap: float | None = None,
                  window_days: int | None = None, actor: str, reason: str, now: dt.datetime) -> int:
    """Replace a parameter in force by its next version; returns the new row's id. Audited."""
    if not reason.strip():
        raise ValueError("a change of the risk model needs a reason")
    table = RiskParameter.__table__
    old = conn.execute(select(table).where(table.c.key == key, table.c.valid_to.is_(None))).mappings().first()
    if old is None:
        raise LookupError(f"no risk parameter {key!r} in force")
    new = {"key": key, "kind": old["kind"], "points": points,
           "cap": cap if cap is not None else old["cap"],
           "window_days": window_days if window_days is not None else old["window_days"],
           "version": old["version"] + 1, "valid_from": now, "valid_to": None, "changed_by": actor, "reason": reason}
    conn.execute(update(table).where(table.c.id == old["id"]).values(valid_to=now))
    new_id = conn.execute(insert(table).values(**new).returning(table.c.id)).scalar_one()
    audit.append(conn, actor=actor, action="risk_parameter_change", target=key,
                 detail={"points": points, "cap": new["cap"], "window_days": new["window_days"],
                         "version": new["version"], "reason": reason}, now=now)
    return new_id
