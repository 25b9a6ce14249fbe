"""The effectiveness index's indicators as versioned data: seeded from indicators.csv, changed with `set_indicator`.

The "4+4+1" shape of the seeds: four indicators of the *quality* of supervision (does it reach the entities,
are the 双随机 draws carried out, are violations acted on, do the monitoring devices report), four of its
*efficiency* (how fast penalties are decided, alerts answered, answered in time, draw results recorded) and
one of *public* satisfaction (complaints closed by their due date). Each row says in words what its
numerator and denominator count, which way is better, how a value becomes 0..100 (linear from `floor` to
`target`, clipped) and its weight. Weights need not sum to 100: a region's index is the weighted mean of
the scores it has (data/effectiveness/score.py).

Like the risk model (data/risk/params.py): a change closes the row in force and adds the next version in the
same transaction, audited, so a province retunes the index without a release.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.models import EffectivenessIndicator

SEED = Path(__file__).with_name("indicators.csv")
NUMBERS = ("floor", "target", "weight")


@dataclass(frozen=True)
class Indicator:
    key: str
    category: str  # quality | efficiency | public
    direction: str  # higher | lower: which way is better
    floor: float  # scores 0
    target: float  # scores 100
    weight: float
    window_months: int  # the months ending with the scored one that the indicator counts
    unit: str
    numerator: str
    denominator: str
    source: str

    def score(self, value):
        """0..100 for a value (or an array of them); NaN stays NaN (missing, not zero)."""
        return np.clip((np.asarray(value, dtype=float) - self.floor) / (self.target - self.floor), 0.0, 1.0) * 100.0


@dataclass(frozen=True)
class IndicatorSet:
    version: int  # the largest indicator id in force: changes with every change
    indicators: tuple[Indicator, ...]

    def get(self, key: str) -> Indicator:
        found = next((i for i in self.indicators if i.key == key), None)
        if found is None:
            raise LookupError(f"no effectiveness indicator {key!r}")
        return found


def check(row: dict, where: str) -> dict:
    """A row with its numbers parsed, or ValueError naming `where` and the field."""
    if row["category"] not in vocab.EFFECTIVENESS_GROUPS:
        raise ValueError(f"{where}: category {row['category']!r} is not one of {', '.join(vocab.EFFECTIVENESS_GROUPS)}")
    if row["direction"] not in vocab.EFFECTIVENESS_DIRECTIONS:
        raise ValueError(f"{where}: direction {row['direction']!r} is not one of {', '.join(vocab.EFFECTIVENESS_DIRECTIONS)}")
    out = dict(row)
    for field in NUMBERS:
        try:
            out[field] = float(row[field])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: {field} {row[field]!r} is not a number") from None
    try:
        out["window_months"] = int(row["window_months"])
    except (TypeError, ValueError):
        raise ValueError(f"{where}: window_months {row['window_months']!r} is not a whole number") from None
    if out["window_months"] < 1:
        raise ValueError(f"{where}: window_months must be at least 1")
    if out["weight"] < 0:
        raise ValueError(f"{where}: weight {out['weight']:g} is negative")
    better_up = out["target"] > out["floor"]
    if out["target"] == out["floor"] or better_up != (out["direction"] == "higher"):
        raise ValueError(f"{where}: direction {out['direction']} needs target {'above' if out['direction'] == 'higher' else 'below'}"
                         f" floor (target {out['target']:g}, floor {out['floor']:g})")
    return out


def seed_rows() -> list[dict]:
    """The seed file's rows, checked (ValueError naming the line and the field)."""
    with SEED.open(encoding="utf-8") as handle:
        rows = [check(row, f"{SEED.name} line {line}") for line, row in enumerate(csv.DictReader(handle), start=2)]
    keys = [r["key"] for r in rows]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{SEED.name}: an indicator key appears twice")
    return rows


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store the seed indicators as version 1 when none is stored yet. Returns rows added."""
    if conn.execute(select(EffectivenessIndicator.id).limit(1)).first() is not None:
        return 0
    rows = [dict(row, version=1, valid_from=now, valid_to=None, changed_by="seed", reason=SEED.name) for row in seed_rows()]
    conn.execute(insert(EffectivenessIndicator), rows)
    return len(rows)


def current(conn: Connection) -> IndicatorSet:
    """The indicators in force, in seed order."""
    table = EffectivenessIndicator.__table__
    rows = conn.execute(select(table).where(table.c.valid_to.is_(None)).order_by(table.c.key)).mappings().all()
    if not rows:
        raise LookupError("no effectiveness indicators stored: run `weijian db upgrade`")
    order = {key: i for i, key in enumerate(r["key"] for r in seed_rows())}
    rows = sorted(rows, key=lambda r: (order.get(r["key"], len(order)), r["key"]))
    fields = Indicator.__dataclass_fields__
    return IndicatorSet(version=max(r["id"] for r in rows),
                        indicators=tuple(Indicator(**{f: r[f] for f in fields}) for r in rows))


def set_indicator(conn: Connection, key: str, *, actor: str, reason: str, now: dt.datetime, **changes) -> int:
    """Replace an indicator in force by its next version with `changes` (weight, floor, target, window_months);
    returns the new row's id. Checked like the seed; audited."""
    if not reason.strip():
        raise ValueError("a change of the effectiveness index needs a reason")
    unknown = set(changes) - {*NUMBERS, "window_months"}
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} (only weight, floor, target, window_months)")
    table = EffectivenessIndicator.__table__
    old = conn.execute(select(table).where(table.c.key == key, table.c.valid_to.is_(None))).mappings().first()
    if old is None:
        raise LookupError(f"no effectiveness indicator {key!r} in force")
    fields = Indicator.__dataclass_fields__
    new = check({**{f: old[f] for f in fields}, **{k: v for k, v in changes.items() if v is not None}}, f"indicator {key}")
    new.update(version=old["version"] + 1, valid_from=now, valid_to=None, changed_by=actor, reason=reason)
    conn.execute(update(table).where(table.c.id == old["id"]).values(valid_to=now))
    new_id = conn.execute(insert(table).values(**new).returning(table.c.id)).scalar_one()
    audit.append(conn, actor=actor, action="effectiveness_change", target=key,
                 detail={**{f: new[f] for f in (*NUMBERS, "window_months")}, "version": new["version"], "reason": reason},
                 now=now)
    return new_id
