"""The credit criteria as versioned data: seeded from criteria.csv, replaced as a whole by a new version.

A province's criteria are one file (indicator, points per unit, cap, window, grade bands, each with its
source): `load` checks it (every problem names the line and the field), closes the version in force and
stores the file as the next version, in one transaction, audited. Assessments record the version they used
(credit_assessment.criteria_version), so changing criteria never rewrites an old grade.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from data import audit, versioned, vocab
from data.credit import indicators
from data.models import CreditCriterion
from data.risk.params import Feature

SEED = Path(__file__).with_name("criteria.csv")
COLUMNS = ("key", "kind", "points", "cap", "window_days", "source")
BASE = "base"
GRADE_PREFIX = "grade:"
GRADE_LENGTH = 8  # credit_assessment.grade


@dataclass(frozen=True)
class Criteria:
    """The criteria of one version: full marks, the deductions (points per unit, cap, window), the grade bands."""

    version: int
    base: float
    deductions: tuple[Feature, ...]
    grades: tuple[tuple[str, float], ...]  # (grade, its lowest score), best grade first


def _parse(row: dict[str, str]) -> dict:
    key, kind = row["key"], row["kind"]
    if kind not in vocab.CREDIT_CRITERION_KINDS:
        raise versioned.FieldError("kind", f"unknown kind {kind!r} (use {', '.join(vocab.CREDIT_CRITERION_KINDS)})")
    if kind == "base" and key != BASE:
        raise versioned.FieldError("key", f"the row of kind base is called {BASE!r}, not {key!r}")
    if kind == "deduction" and not indicators.is_known(key):
        raise versioned.FieldError("key", f"unknown indicator {key!r}")
    grade = key.removeprefix(GRADE_PREFIX)
    if kind == "grade" and (not key.startswith(GRADE_PREFIX) or not grade.isalnum() or len(grade) > GRADE_LENGTH):
        raise versioned.FieldError("key", f"a grade is grade:X (X up to {GRADE_LENGTH} letters or digits), not {key!r}")
    points = versioned.optional_number("points", row["points"])
    if points is None or points < 0:
        raise versioned.FieldError("points", f"a number ≥ 0 is needed for {key!r}")
    cap = versioned.optional_number("cap", row["cap"])
    if cap is not None and (cap < 0 or kind != "deduction"):
        raise versioned.FieldError("cap", "only a deduction has a cap, and it is ≥ 0")
    window = versioned.optional_number("window_days", row["window_days"])
    if window is not None and (window <= 0 or window != int(window) or kind != "deduction"):
        raise versioned.FieldError("window_days", "only a deduction has a window, a whole number of days > 0")
    if not row["source"]:
        raise versioned.FieldError("source", f"say where the figure for {key!r} comes from")
    return {"key": key, "kind": kind, "points": points, "cap": cap,
            "window_days": int(window) if window is not None else None, "source": row["source"][:256]}


def _check_set(rows: list[dict], name: str) -> None:
    """What only the whole file can show: a key twice, no full marks, a score without a grade, a grade out of reach."""
    problems, seen = [], {}
    for line, row in enumerate(rows, start=2):
        if row["key"] in seen:
            problems.append(f"{name} line {line}, key: {row['key']!r} already on line {seen[row['key']]}")
        seen.setdefault(row["key"], line)
    bases = [r["points"] for r in rows if r["kind"] == "base"]
    grades = [(line, r) for line, r in enumerate(rows, start=2) if r["kind"] == "grade"]
    if not bases:
        problems.append(f"{name}, kind: no row of kind base (the full marks)")
    if not any(r["points"] == 0 for _, r in grades):
        problems.append(f"{name}, points: no grade begins at 0, so a low score would have no grade")
    for line, row in grades:
        if bases and row["points"] > bases[0]:
            problems.append(f"{name} line {line}, points: {row['key']} begins at {row['points']:g}, above the full marks {bases[0]:g}")
    if problems:
        raise ValueError("\n".join(problems))


def read(path: Path) -> list[dict]:
    """A criteria file's rows, checked; one ValueError naming every bad line and field."""
    rows = versioned.read_file(path, COLUMNS, _parse)
    _check_set(rows, path.name)
    return rows


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store criteria.csv as version 1 when no criteria are stored yet. Returns rows added."""
    return versioned.seed_if_empty(conn, CreditCriterion.__table__, read(SEED), now, SEED.name)


def from_rows(rows: list[dict], version: int) -> Criteria:
    """The Criteria of checked rows (stored ones, or `read`'s for a dry run)."""
    grades = sorted(((r["key"].removeprefix(GRADE_PREFIX), r["points"]) for r in rows if r["kind"] == "grade"),
                    key=lambda g: -g[1])
    return Criteria(version=version, base=next(r["points"] for r in rows if r["kind"] == "base"),
                    deductions=tuple(Feature(r["key"], r["points"], r["cap"], r["window_days"])
                                     for r in rows if r["kind"] == "deduction"),
                    grades=tuple(grades))


def current(conn: Connection) -> Criteria:
    """The criteria in force (seeded by `weijian db upgrade`)."""
    rows = versioned.in_force(conn, CreditCriterion.__table__)
    if not rows:
        raise LookupError("no credit criteria stored: run `weijian db upgrade`")
    return from_rows(rows, rows[0]["version"])


def rows_in_force(conn: Connection) -> list[dict]:
    """The stored rows in force, as `weijian credit criteria` prints them."""
    return versioned.in_force(conn, CreditCriterion.__table__)


def load(conn: Connection, rows: list[dict], *, actor: str, reason: str, now: dt.datetime) -> int:
    """Store checked rows (from `read`) as the next version, closing the one in force. Returns the new version."""
    if not reason.strip():
        raise ValueError("a change of the credit criteria needs a reason")
    table = CreditCriterion.__table__
    version = (conn.execute(select(func.max(table.c.version))).scalar() or 0) + 1
    conn.execute(update(table).where(table.c.valid_to.is_(None)).values(valid_to=now))
    conn.execute(insert(table), [dict(row, version=version, valid_from=now, valid_to=None, changed_by=actor, reason=reason)
                                 for row in rows])
    audit.append(conn, actor=actor, action="credit_criteria_load", target=f"version {version}",
                 detail={"version": version, "rows": len(rows), "reason": reason}, now=now)
    return version
