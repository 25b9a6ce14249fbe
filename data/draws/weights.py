"""Draw weights as data: the `draw_weight` table, version 1 seeded from weights.csv by migration 0012.

An entity's weight is the product of one weight per factor: its risk level (`entity.risk_level`, which the risk
model writes; NULL counts as `unassessed`, weighted like `medium` in the seed: an entity nobody has assessed is
neither spared nor targeted) and its self-inspection rating (data/self_inspection.py). The province edits the
table (a new version, `save_version`, from the draws page's weights editor), never the code.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.models import DrawWeight

SEED = Path(__file__).with_name("weights.csv")
UNASSESSED = "unassessed"
FACTORS: dict[str, tuple[str, ...]] = {
    "risk_level": (*vocab.RISK_LEVELS, UNASSESSED),
    "self_inspection": vocab.SELF_INSPECTION_RATINGS,
}


class WeightsError(ValueError):
    """The weights table cannot be used: a factor value without a weight, or a weight that is not positive."""


@dataclass(frozen=True)
class Weights:
    version: int
    table: dict[str, dict[str, float]]  # factor → value → weight
    notes: dict[tuple[str, str], str]

    def of(self, risk_level: str, self_inspection: str) -> float:
        """`risk_level` as weighed: one of RISK_LEVELS, or UNASSESSED for an entity without one."""
        return self.table["risk_level"][risk_level] * self.table["self_inspection"][self_inspection]

    def rows(self) -> list[dict]:
        """factor, value, weight, note: what a draw shows beside its result."""
        return [{"factor": f, "value": v, "weight": self.table[f][v], "note": self.notes[(f, v)]}
                for f, values in FACTORS.items() for v in values]


def seed_rows() -> list[dict]:
    with SEED.open(encoding="utf-8") as handle:
        rows = [{**row, "weight": float(row["weight"])} for row in csv.DictReader(handle)]
    _check({(r["factor"], r["value"]): r["weight"] for r in rows}, SEED.name)
    return rows


def _check(weights: dict[tuple[str, str], float], where: str) -> None:
    for factor, values in FACTORS.items():
        for value in values:
            if (factor, value) not in weights:
                raise WeightsError(f"{where}: no weight for {factor}={value}")
            if not weights[(factor, value)] > 0:
                raise WeightsError(f"{where}: weight of {factor}={value} must be positive, not {weights[(factor, value)]}")


def load(conn: Connection, version: int | None = None) -> Weights:
    """The given version of the weights, or the newest."""
    table = DrawWeight.__table__
    if version is None:
        version = conn.execute(select(func.max(table.c.version))).scalar()
        if version is None:
            raise WeightsError("the draw_weight table is empty: run `weijian db upgrade`")
    rows = conn.execute(select(table.c.factor, table.c.value, table.c.weight, table.c.note)
                        .where(table.c.version == version)).all()
    _check({(r.factor, r.value): r.weight for r in rows}, f"draw_weight version {version}")
    nested: dict[str, dict[str, float]] = {}
    for r in rows:
        nested.setdefault(r.factor, {})[r.value] = r.weight
    return Weights(version, nested, {(r.factor, r.value): r.note for r in rows})


def parse_cells(cells: dict[tuple[str, str], object]) -> dict[tuple[str, str], float]:
    """Weights typed into the editor ((factor, value) → text or number) as numbers; every problem named at once.

    Every cell of FACTORS must be there, none other, each a positive finite number (zero would take a class out
    of the random draw altogether, and a draw reads only positive weights: sampling.draw)."""
    problems, parsed = [], {}
    for factor, values in FACTORS.items():
        for value in values:
            raw = cells.get((factor, value))
            try:
                number = float(str(raw).strip())
            except ValueError:
                problems.append(f"{factor}={value}: weight {raw!r} is not a number")
                continue
            if not (number > 0 and number != float("inf")):
                problems.append(f"{factor}={value}: weight must be a positive number, not {raw!r}")
            parsed[(factor, value)] = number
    problems += [f"{f}={v}: not a factor value of the draws" for f, v in cells if v not in FACTORS.get(f, ())]
    if problems:
        raise WeightsError("; ".join(problems))
    return parsed


def save_version(conn: Connection, cells: dict[tuple[str, str], object], *, actor: str, now: dt.datetime,
                 ip: str | None = None) -> Weights | None:
    """A new version of the weights from the editor's cells (parse_cells), the notes carried over from the newest
    version; audited ("draw_weights") with every changed cell. Draws already run keep the version they used.
    None, and nothing written, when no weight changed: a version is a change someone made."""
    parsed = parse_cells(cells)
    current = load(conn)
    if all(current.table[f][v] == w for (f, v), w in parsed.items()):
        return None
    table = DrawWeight.__table__
    version = current.version + 1
    conn.execute(table.insert(), [{"version": version, "factor": f, "value": v, "weight": w, "note": current.notes[(f, v)]}
                                  for (f, v), w in parsed.items()])
    changed = {f"{f}={v}": [current.table[f][v], w] for (f, v), w in parsed.items() if current.table[f][v] != w}
    audit.append(conn, actor=actor, action="draw_weights", target=f"draw_weight:{version}", now=now, ip=ip,
                 detail={"version": version, "previous": current.version, "changed": changed})
    return load(conn, version)
