"""Indicator limits as versioned data: seeded from limits.csv (checked against the standards' text).

Each row names its standard and clause. A province changes a limit with `set_limit`: the current
row is closed and the next version added in the same transaction, so what an alert was raised
against stays on record. A limit for an entity subtype (CO₂ in hotels, where people sleep) takes
precedence over the scene's general one.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, units, vocab
from data.models import IndicatorLimit

SEED = Path(__file__).with_name("limits.csv")


@dataclass(frozen=True)
class Limit:
    id: int
    scene: str
    indicator: str
    subtype: str
    dimension: str
    unit: str
    low: float | None
    high: float | None
    max_step: float | None
    standard: str
    clause: str
    version: int

    def breached(self, value: float) -> bool:
        return (self.high is not None and value > self.high) or (self.low is not None and value < self.low)

    def describe(self) -> str:
        """The allowed range as users read it: '0.3–1 mg/L', '≤ 75 µg/m³', '≥ 0.05 mg/L'."""
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {self.unit}".strip()
        if self.high is not None:
            return f"≤ {self.high:g} {self.unit}".strip()
        if self.low is not None:
            return f"≥ {self.low:g} {self.unit}".strip()
        return "—"


def optional_number(text: str) -> float | None:
    """A CSV cell as a number; empty: None (no such bound)."""
    return float(text) if text.strip() else None


def seed_rows() -> list[dict]:
    """The seed file's rows, checked: known scene, known dimension, low ≤ high."""
    rows = []
    with SEED.open(encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if row["scene"] not in vocab.SCENES:
                raise ValueError(f"{SEED.name} line {line}: unknown scene {row['scene']!r}")
            low, high, step = optional_number(row["low"]), optional_number(row["high"]), optional_number(row["max_step"])
            if low is not None and high is not None and low > high:
                raise ValueError(f"{SEED.name} line {line}: low {low} > high {high}")
            rows.append({"scene": row["scene"], "indicator": row["indicator"], "subtype": row["subtype"],
                         "dimension": row["dimension"], "unit": units.canonical(row["dimension"]),
                         "low": low, "high": high, "max_step": step, "standard": row["standard"],
                         "clause": row["clause"]})
    return rows


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store the seed limits not stored yet (in any version) as version 1. Returns rows added.

    Per (scene, indicator, subtype), so a new scene's indicators reach a database seeded before it
    existed, and a limit changed since (`set_limit`) is left as the province set it.
    """
    table = IndicatorLimit.__table__
    stored = {tuple(r) for r in conn.execute(select(table.c.scene, table.c.indicator, table.c.subtype))}
    rows = [dict(row, version=1, valid_from=now, valid_to=None, changed_by="seed", reason="limits.csv")
            for row in seed_rows() if (row["scene"], row["indicator"], row["subtype"]) not in stored]
    if rows:
        conn.execute(insert(IndicatorLimit), rows)
    return len(rows)


def current(conn: Connection) -> dict[tuple[str, str, str], Limit]:
    """The limits in force, keyed by (scene, indicator, subtype)."""
    table = IndicatorLimit.__table__
    rows = conn.execute(select(table).where(table.c.valid_to.is_(None))).mappings()
    fields = Limit.__dataclass_fields__
    return {(r["scene"], r["indicator"], r["subtype"]): Limit(**{k: r[k] for k in fields}) for r in rows}


def lookup(limits: dict[tuple[str, str, str], Limit], scene: str, indicator: str, subtype: str) -> Limit | None:
    """The subtype's own limit if there is one, else the scene's general one."""
    return limits.get((scene, indicator, subtype)) or limits.get((scene, indicator, ""))


def set_limit(conn: Connection, scene: str, indicator: str, subtype: str, *, low: float | None,
              high: float | None, actor: str, reason: str, now: dt.datetime) -> Limit:
    """Replace a limit in force by its next version (same standard and clause unless the seed is edited)."""
    if low is not None and high is not None and low > high:
        raise ValueError(f"low {low} > high {high}")
    if not reason.strip():
        raise ValueError("a limit change needs a reason")
    table = IndicatorLimit.__table__
    old = conn.execute(select(table).where(
        table.c.scene == scene, table.c.indicator == indicator, table.c.subtype == subtype,
        table.c.valid_to.is_(None))).mappings().first()
    if old is None:
        raise LookupError(f"no limit in force for {scene}/{indicator}{'/' + subtype if subtype else ''}")
    conn.execute(update(table).where(table.c.id == old["id"]).values(valid_to=now))
    new = {k: old[k] for k in ("scene", "indicator", "subtype", "dimension", "unit", "max_step", "standard", "clause")}
    new.update(low=low, high=high, version=old["version"] + 1, valid_from=now, valid_to=None,
               changed_by=actor, reason=reason)
    new_id = conn.execute(insert(table).values(**new).returning(table.c.id)).scalar_one()
    audit.append(conn, actor=actor, action="limit_change", target=f"{scene}/{indicator}/{subtype}",
                 detail={"low": low, "high": high, "version": new["version"], "reason": reason}, now=now)
    return Limit(id=new_id, **{k: new[k] for k in Limit.__dataclass_fields__ if k != "id"})
