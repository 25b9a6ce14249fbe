"""Alert rules: their parameters as data (seeded from rules.yaml), and their evaluation on a series.

Evaluation is pure: given where a (device, indicator) series stood and its new readings in time
order, it returns what changed (`Occurrence`: a rule's condition began or ended). Persisting
occurrences as alerts is data/monitoring/alerts.py's job, so the rules can be tested, and checked
against an independent computation, without a database.

Definitions (the replay test computes the same with pandas):
- over_limit: an episode starts at a reading beyond the limit whose previous reading was not, and
  ends at the first reading within it. Gaps in reporting do not split an episode.
- sustained: an over-limit episode that reaches `min_readings` readings or lasts `min_seconds`
  (first reading to current), whichever comes first; raised once per episode.
- jump: consecutive readings further apart than the indicator's `max_step` (a sensor, not a hazard).
- flatline: the same value for enough consecutive readings (`min_readings`, and `min_seconds` worth
  of the device's interval); raised once per flat run, cleared when the value moves.
- offline (per device, not per indicator): more than `intervals` × the device's interval between two
  reports; raised at the moment the device became overdue, cleared by the report that ends the gap.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from data import db, vocab
from data.models import AlertRule
from data.monitoring import fever_surge, seasonal
from data.monitoring.limits import Limit

SEED = Path(__file__).with_name("rules.yaml")
DUE_HOURS_KEY = "alert_due_hours"
KEYS = ("over_limit", "sustained", "offline", "jump", "flatline", "waste_mismatch", "ops_anomaly", "fever_surge",
        "absent_chief") + vocab.RX_RULES


@dataclass(frozen=True)
class Rule:
    key: str
    severity: str
    params: dict
    enabled: bool = True


@dataclass
class State:
    """Where one series stands (mirrors the series_state row)."""

    last_at: dt.datetime
    last_value: float
    run_start: dt.datetime | None = None
    run_count: int = 0
    flat_count: int = 1


@dataclass(frozen=True)
class Occurrence:
    """A rule's condition began (`raised`) or ended (`cleared`) at `at` on one series or device."""

    device_id: str
    rule: str
    indicator: str  # "" for device-level rules
    at: dt.datetime
    raised: bool
    value: float | None = None
    limit: Limit | None = None
    detail: dict = field(default_factory=dict)


def seed(conn: Connection, now: dt.datetime) -> int:
    """Store rules.yaml's rules not stored yet (and the due times, the first time). Returns rules added.

    Per key, so a database seeded before a rule existed gets the new rule on upgrade, while a rule the
    province has edited (`weijian rule set`) is never overwritten by the seed.
    """
    spec = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    due = spec.pop("_due_hours")
    unknown = set(spec) - set(KEYS)
    if unknown:
        raise ValueError(f"{SEED.name}: unknown rules {sorted(unknown)}")
    stored = set(conn.execute(select(AlertRule.key)).scalars())
    rows = [{"key": key, "severity": body["severity"], "params": json.dumps(body.get("params") or {}),
             "enabled": True, "updated_at": now, "updated_by": "seed"} for key, body in spec.items() if key not in stored]
    if rows:
        conn.execute(insert(AlertRule), rows)
    if db.get_meta(conn, DUE_HOURS_KEY) is None:
        db.set_meta(conn, DUE_HOURS_KEY, json.dumps(due))
    return len(rows)


def load(conn: Connection) -> dict[str, Rule]:
    """The enabled rules, by key."""
    table = AlertRule.__table__
    rows = conn.execute(select(table).where(table.c.enabled.is_(True))).mappings()
    return {r["key"]: Rule(r["key"], r["severity"], json.loads(r["params"]), r["enabled"]) for r in rows}


def check_params(key: str, params: dict) -> None:
    """Refuse, naming the parameter, what a rule with parameter objects cannot run with: stored, it would make
    every later batch of hospital counts fail its ingest."""
    checks = {"ops_anomaly": seasonal.Baseline.from_params, "fever_surge": fever_surge.SurgeRule.from_params}
    if key in checks:
        checks[key](params)


def due_hours(conn: Connection) -> dict[str, float]:
    return json.loads(db.get_meta(conn, DUE_HOURS_KEY) or "{}")


def _readings_for(seconds: float, interval_s: int) -> int:
    return math.ceil(seconds / interval_s) if interval_s > 0 else 0


def evaluate_series(device_id: str, indicator: str, state: State | None, readings: list[tuple[dt.datetime, float]],
                    limit: Limit | None, interval_s: int, rules: dict[str, Rule]) -> tuple[State | None, list[Occurrence]]:
    """Run the per-indicator rules over `readings` (time order, all later than `state.last_at`)."""
    out: list[Occurrence] = []
    sustained, jump, flat = rules.get("sustained"), rules.get("jump"), rules.get("flatline")
    flat_needed = None
    if flat is not None and not (limit is not None and limit.dimension == "count"):  # zero visits at night are not a stuck sensor
        flat_needed = max(int(flat.params.get("min_readings", 12)),
                          _readings_for(float(flat.params.get("min_seconds", 0)), interval_s))
    for at, value in readings:
        prev = state
        breached = limit is not None and limit.breached(value)
        if prev is None:
            state = State(last_at=at, last_value=value)
        else:
            if jump is not None and limit is not None and limit.max_step is not None \
                    and abs(value - prev.last_value) > limit.max_step:
                out.append(Occurrence(device_id, "jump", indicator, at, True, value, limit,
                                      {"previous": prev.last_value}))
                out.append(Occurrence(device_id, "jump", indicator, at, False))
            if value == prev.last_value:
                state.flat_count += 1
                if flat_needed is not None and state.flat_count == flat_needed:
                    out.append(Occurrence(device_id, "flatline", indicator, at, True, value, limit,
                                          {"readings": state.flat_count}))
            else:
                if flat_needed is not None and state.flat_count >= flat_needed:
                    out.append(Occurrence(device_id, "flatline", indicator, at, False, value))
                state.flat_count = 1
        if breached:
            if state.run_count == 0:
                state.run_start = at
                if "over_limit" in rules:
                    out.append(Occurrence(device_id, "over_limit", indicator, at, True, value, limit))
            elif "over_limit" in rules:  # still beyond: keep the worst value on the alert
                out.append(Occurrence(device_id, "over_limit", indicator, at, True, value, limit, {"repeat": True}))
            was = _is_sustained(state.run_count, state.last_at - state.run_start if state.run_count else None, sustained)
            state.run_count += 1
            now_sustained = _is_sustained(state.run_count, at - state.run_start, sustained)
            if now_sustained and not was:
                out.append(Occurrence(device_id, "sustained", indicator, at, True, value, limit,
                                      {"since": state.run_start.isoformat(), "readings": state.run_count}))
        elif state.run_count > 0:
            out.append(Occurrence(device_id, "over_limit", indicator, at, False, value, limit))
            if _is_sustained(state.run_count, state.last_at - state.run_start, sustained):
                out.append(Occurrence(device_id, "sustained", indicator, at, False, value, limit))
            state.run_count, state.run_start = 0, None
        state.last_at, state.last_value = at, value
    return state, out


def _is_sustained(count: int, span: dt.timedelta | None, rule: Rule | None) -> bool:
    if rule is None or count == 0:
        return False
    if count >= int(rule.params.get("min_readings", 3)):
        return True
    seconds = rule.params.get("min_seconds")
    return seconds is not None and span is not None and span.total_seconds() >= float(seconds)


def evaluate_device_gaps(device_id: str, last_seen: dt.datetime | None, times: list[dt.datetime], interval_s: int,
                         rules: dict[str, Rule]) -> list[Occurrence]:
    """Offline episodes closed by these report times (sorted, distinct, later than `last_seen`)."""
    rule = rules.get("offline")
    if rule is None or not times:
        return []
    allowed = dt.timedelta(seconds=float(rule.params.get("intervals", 3)) * interval_s)
    out = []
    previous = last_seen
    for at in times:
        if previous is not None and at - previous > allowed:
            out.append(Occurrence(device_id, "offline", "", previous + allowed, True, None, None,
                                  {"last_seen": previous.isoformat()}))
            out.append(Occurrence(device_id, "offline", "", at, False))
        previous = at
    return out


def overdue_devices(rows: list[tuple[str, dt.datetime | None, int]], now: dt.datetime,
                    rules: dict[str, Rule]) -> list[Occurrence]:
    """Offline occurrences for devices silent now: (device id, last seen, interval) rows."""
    rule = rules.get("offline")
    if rule is None:
        return []
    k = float(rule.params.get("intervals", 3))
    out = []
    for device_id, last_seen, interval_s in rows:
        if last_seen is None:
            continue
        due = last_seen + dt.timedelta(seconds=k * interval_s)
        if now > due:
            out.append(Occurrence(device_id, "offline", "", due, True, None, None, {"last_seen": last_seen.isoformat()}))
    return out


def waste_mismatch(device_id: str, produced: float, handed_over: float, at: dt.datetime,
                   rules: dict[str, Rule]) -> Occurrence | None:
    """Medical waste handed over differs from what was produced, beyond the tolerance."""
    rule = rules.get("waste_mismatch")
    if rule is None:
        return None
    tolerance = max(float(rule.params.get("tolerance_kg", 0.5)), float(rule.params.get("tolerance_share", 0.02)) * produced)
    if abs(produced - handed_over) <= tolerance:
        return None
    return Occurrence(device_id, "waste_mismatch", "handed_over_kg", at, True, handed_over, None,
                      {"produced_kg": produced, "handed_over_kg": handed_over})
