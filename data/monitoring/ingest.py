"""Reading ingest: validate a batch item by item, store the good ones once, evaluate the rules.

One entry point for every path in (HTTP, MQTT, replay, import): `ingest(engine, items, ...)`.
- Every item is checked before anything is written, and each refusal names the item's index, the
  field and the reason; a refused item never holds back the valid ones of the same batch.
- Storing is one transaction: readings, series state, alerts, pending rollups and the data version
  commit together or not at all. A (device, indicator, time) already stored, or twice in the batch,
  counts as a duplicate and changes nothing, so a retried batch is harmless.
- Values are converted to the indicator's canonical unit; an unknown unit is refused, not guessed.
- Concurrent batches for the same device are serialised (SQLite: the write lock is taken by the first
  statement; PostgreSQL: the device rows are locked in id order), so the series state stays exact.
Readings older than a series' latest stored reading are stored but do not drive its rules (counted
as `late`): rules see each series in time order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from data import db, units
from data.models import DatasetMeta
from data.models import Device, Entity, Reading, RollupPending, SeriesState
from data.monitoring import alerts, hospital_ops, limits, rules
from data.monitoring.limits import Limit

MAX_BATCH = 5000
FIELDS = ("device_id", "indicator", "measured_at", "value", "unit")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(minutes=5)
SIGNED_DIMENSIONS = {"temperature"}  # every other quantity is never negative


# Each refusal in both interface languages (the import page shows readings refused here, data/imports/reasons.py);
# the API and MQTT answer the English.
REASONS: dict[str, tuple[str, str]] = {
    "not_an_object": ("不是对象", "item is not an object"),
    "missing": ("缺少该字段", "missing"),
    "unknown_device": ("未知设备“{device}”", "unknown device {device!r}"),
    "foreign_token": ("令牌不属于该设备", "the token does not belong to this device"),
    "retired": ("设备已停用", "device is retired"),
    "not_measured": ("“{indicator}”不是场景 {scene} 的监测指标（{known}）",
                     "{indicator!r} is not measured in scene {scene} ({known})"),
    "time_not_text": ("须为带时区的 ISO 8601 时间，如 2026-05-01T08:00:00+08:00",
                      "must be an ISO 8601 string with a time zone, e.g. 2026-05-01T08:00:00+08:00"),
    "not_iso_time": ("不是 ISO 8601 时间：“{text}”", "not an ISO 8601 time: {text!r}"),
    "time_without_zone": ("时间缺少时区：“{text}”（请加上 +08:00 或 Z）", "time has no zone: {text!r} (add +08:00 or Z)"),
    "future": ("时间在未来（{at}）", "in the future ({at})"),
    "too_early": ("早于 {earliest}（{at}）", "before {earliest} ({at})"),
    "not_finite": ("不是有限数值：“{number}”", "not a finite number: {number!r}"),
    "unit_not_text": ("单位须为文本", "must be a string"),
    "unknown_unit": ("未知单位“{unit}”（可用：{accepted}）", "unknown unit {unit!r} (accepted: {accepted})"),
    "negative": ("{indicator} 为负值：{number}", "negative {indicator}: {number}"),
}


@dataclass(frozen=True)
class Rejection:
    index: int
    field: str
    key: str  # the wording in REASONS
    params: dict = field(default_factory=dict, hash=False)

    @property
    def reason(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        zh, en = REASONS[self.key]
        return (en if lang == "en" else zh).format(**self.params)


class _BadTime(ValueError):
    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(REASONS[key][1].format(**params))


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    late: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    alerts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "late": self.late,
                "rejected": len(self.rejected),
                "rejections": [{"index": r.index, "field": r.field, "reason": r.reason} for r in self.rejected],
                "alerts": self.alerts}


class BatchTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class _Valid:
    index: int
    device_id: str
    indicator: str
    at: dt.datetime
    value: float
    unit: str


def _parse_time(text) -> dt.datetime:
    if not isinstance(text, str):
        raise _BadTime("time_not_text")
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _BadTime("not_iso_time", text=text[:40]) from None
    if stamp.tzinfo is None:
        raise _BadTime("time_without_zone", text=text[:40])
    return stamp.astimezone(dt.UTC)


def _validate(index: int, item, devices: dict[str, dict], catalogue: dict[str, dict[str, Limit]],
              token_device: str | None, now: dt.datetime) -> _Valid | Rejection:
    """The item as a reading in canonical units, or the first thing wrong with it."""
    if not isinstance(item, dict):
        return Rejection(index, "", "not_an_object")
    missing = [name for name in FIELDS if name not in item]
    if missing:
        return Rejection(index, missing[0], "missing")
    device_id = item["device_id"]
    if not isinstance(device_id, str) or device_id not in devices:
        return Rejection(index, "device_id", "unknown_device", {"device": str(device_id)[:40]})
    if token_device is not None and device_id != token_device:
        return Rejection(index, "device_id", "foreign_token")
    device = devices[device_id]
    if not device["active"]:
        return Rejection(index, "device_id", "retired")
    indicator = item["indicator"]
    limit = catalogue[device_id].get(indicator) if isinstance(indicator, str) else None
    if limit is None:
        known = ", ".join(sorted(catalogue[device_id]))
        return Rejection(index, "indicator", "not_measured",
                         {"indicator": str(indicator)[:40], "scene": device["scene"], "known": known})
    try:
        at = _parse_time(item["measured_at"])
    except _BadTime as exc:
        return Rejection(index, "measured_at", exc.key, exc.params)
    if at > now + FUTURE_SLACK:
        return Rejection(index, "measured_at", "future", {"at": item["measured_at"]})
    if at < EARLIEST:
        return Rejection(index, "measured_at", "too_early", {"earliest": f"{EARLIEST:%Y-%m-%d}", "at": item["measured_at"]})
    value = item["value"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return Rejection(index, "value", "not_finite", {"number": str(value)[:40]})
    unit = item["unit"]
    if not isinstance(unit, str):
        return Rejection(index, "unit", "unit_not_text")
    try:
        value = float(value) * units.factor(unit, limit.dimension)
    except units.UnitError as exc:
        return Rejection(index, "unit", "unknown_unit", {"unit": exc.unit, "accepted": exc.accepted})
    if value < 0 and limit.dimension not in SIGNED_DIMENSIONS:
        return Rejection(index, "value", "negative", {"indicator": indicator, "number": item["value"]})
    return _Valid(index, device_id, indicator, at, value, limit.unit)


def _devices(conn: Connection, ids: set[str], lock: bool) -> dict[str, dict]:
    if not ids:
        return {}
    query = (select(Device.id, Device.scene, Device.active, Device.interval_s, Device.last_seen_at, Device.entity_id,
                    *Device.region_columns(), Entity.subtype)
             .join(Entity, Entity.id == Device.entity_id).where(Device.id.in_(sorted(ids))).order_by(Device.id))
    if lock:
        query = query.with_for_update(of=Device.__table__)
    return {r.id: dict(r._mapping) for r in conn.execute(query)}


def _catalogue(in_force: dict[tuple[str, str, str], Limit], devices: dict[str, dict]) -> dict[str, dict[str, Limit]]:
    """Per device: indicator → the limit that applies to it (its subtype's, else its scene's)."""
    out = {}
    for device_id, device in devices.items():
        indicators = {ind for (scene, ind, _sub) in in_force if scene == device["scene"]}
        out[device_id] = {ind: limits.lookup(in_force, device["scene"], ind, device["subtype"] or "") for ind in indicators}
    return out


def ingest(engine: Engine, items, *, token_device: str | None = None, now: dt.datetime | None = None) -> IngestResult:
    """Validate and store a batch of readings; see the module docstring for the guarantees."""
    if not isinstance(items, list):
        raise TypeError("a batch is a JSON array of readings (or an object with a 'readings' array)")
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(f"batch of {len(items)} readings; at most {MAX_BATCH}")
    with engine.begin() as conn:
        return ingest_in(conn, items, token_device=token_device, now=now)


def ingest_in(conn: Connection, items: list, *, token_device: str | None = None,
              now: dt.datetime | None = None) -> IngestResult:
    """`ingest` inside the caller's transaction, without the batch-size cap.

    For a file import (data/imports), which stores many batches in one transaction so that a failure
    half-way leaves nothing behind; the caller commits or rolls back.
    """
    now = now or dt.datetime.now(dt.UTC)
    result = IngestResult()
    ids = {item["device_id"] for item in items if isinstance(item, dict) and isinstance(item.get("device_id"), str)}
    postgres = conn.dialect.name == "postgresql"
    if not postgres:  # take SQLite's write lock first, so a concurrent batch waits instead of failing
        conn.execute(update(DatasetMeta).where(DatasetMeta.key == db.DATA_VERSION).values(value=DatasetMeta.value))
    devices = _devices(conn, ids, lock=postgres)
    in_force = limits.current(conn)
    per_device = _catalogue(in_force, devices)
    valid: list[_Valid] = []
    for index, item in enumerate(items):
        checked = _validate(index, item, devices, per_device, token_device, now)
        (result.rejected.append if isinstance(checked, Rejection) else valid.append)(checked)
    fresh = _drop_duplicates(conn, valid, result)
    if fresh:
        _insert_readings(conn, fresh)
        result.alerts = _evaluate(conn, fresh, devices, per_device, now, result)
        _mark_rollups(conn, {devices[v.device_id]["county_adcode"] for v in fresh} - {None})
        db.bump_data_version(conn)
    result.accepted = len(fresh)
    return result


def _insert_readings(conn: Connection, fresh: list[_Valid]) -> None:
    """One executemany straight to the driver: SQLAlchemy's per-row parameter processing costs more than
    the insert itself at 1,000 rows. SQLite gets the timestamp text its DateTime type stores (naive UTC)."""
    sql = "INSERT INTO reading (device_id, indicator, measured_at, value, unit) VALUES ({})"
    if conn.dialect.name == "sqlite":
        rows = [(v.device_id, v.indicator, v.at.strftime("%Y-%m-%d %H:%M:%S.%f"), v.value, v.unit) for v in fresh]
        conn.exec_driver_sql(sql.format("?, ?, ?, ?, ?"), rows)
    else:
        rows = [(v.device_id, v.indicator, v.at, v.value, v.unit) for v in fresh]
        conn.exec_driver_sql(sql.format("%s, %s, %s, %s, %s"), rows)


def _drop_duplicates(conn: Connection, valid: list[_Valid], result: IngestResult) -> list[_Valid]:
    """The readings not stored yet and not repeated earlier in the batch; the rest count as duplicates."""
    if not valid:
        return []
    seen: set[tuple[str, str, dt.datetime]] = set()
    by_device: dict[str, list[_Valid]] = defaultdict(list)
    for v in valid:
        by_device[v.device_id].append(v)
    table = Reading.__table__
    for device_id, rows in by_device.items():
        lo, hi = min(v.at for v in rows), max(v.at for v in rows)
        stored = conn.execute(select(table.c.indicator, table.c.measured_at).where(
            table.c.device_id == device_id, table.c.measured_at >= lo, table.c.measured_at <= hi,
            table.c.indicator.in_(sorted({v.indicator for v in rows}))))
        seen.update((device_id, ind, db.as_utc(at)) for ind, at in stored)
    fresh = []
    for v in valid:
        key = (v.device_id, v.indicator, v.at)
        if key in seen:
            result.duplicates += 1
        else:
            seen.add(key)
            fresh.append(v)
    return fresh


def _load_states(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], rules.State]:
    table = SeriesState.__table__
    device_ids = sorted({d for d, _ in keys})
    rows = conn.execute(select(table).where(table.c.device_id.in_(device_ids))).mappings()
    return {(r["device_id"], r["indicator"]): rules.State(
        last_at=db.as_utc(r["last_at"]), last_value=r["last_value"],
        run_start=db.as_utc(r["run_start"]),
        run_count=r["run_count"], flat_count=r["flat_count"]) for r in rows if (r["device_id"], r["indicator"]) in keys}


def _upsert(conn: Connection, table, rows: list[dict], keys: tuple[str, ...]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={c: statement.excluded[c] for c in rows[0] if c not in keys})
    conn.execute(statement, rows)


def _evaluate(conn: Connection, fresh: list[_Valid], devices: dict[str, dict], per_device: dict[str, dict[str, Limit]],
              now: dt.datetime, result: IngestResult) -> dict[str, int]:
    """Run the rules over the new readings of each series and device; store states and alerts."""
    active_rules = rules.load(conn)
    series: dict[tuple[str, str], list[tuple[dt.datetime, float]]] = defaultdict(list)
    for v in fresh:
        series[(v.device_id, v.indicator)].append((v.at, v.value))
    states = _load_states(conn, set(series))
    occurrences: list[rules.Occurrence] = []
    new_states = []
    for (device_id, indicator), points in series.items():
        points.sort()
        state = states.get((device_id, indicator))
        if state is not None:
            in_order = [p for p in points if p[0] > state.last_at]
            result.late += len(points) - len(in_order)
            points = in_order
        if not points:
            continue
        device = devices[device_id]
        state, found = rules.evaluate_series(device_id, indicator, state, points, per_device[device_id][indicator],
                                             device["interval_s"], active_rules)
        occurrences.extend(found)
        new_states.append({"device_id": device_id, "indicator": indicator, "last_at": state.last_at,
                           "last_value": state.last_value, "run_start": state.run_start,
                           "run_count": state.run_count, "flat_count": state.flat_count})
    occurrences.extend(_gaps_and_waste(fresh, devices, active_rules, conn))
    occurrences.extend(hospital_ops.anomalies(conn, fresh, devices, active_rules))
    _upsert(conn, SeriesState.__table__, new_states, ("device_id", "indicator"))
    last_seen = defaultdict(lambda: None)
    for v in fresh:
        if last_seen[v.device_id] is None or v.at > last_seen[v.device_id]:
            last_seen[v.device_id] = v.at
    for device_id, at in last_seen.items():
        previous = devices[device_id]["last_seen_at"]
        if previous is None or at > db.as_utc(previous):
            conn.execute(update(Device).where(Device.id == device_id).values(last_seen_at=at))
    occurrences.sort(key=lambda o: (o.at, not o.raised))
    counts = alerts.apply(conn, occurrences, active_rules, devices, now)
    area = hospital_ops.surges(conn, fresh, devices, active_rules, now)  # after the hospitals' own alerts
    return {key: value + area.get(key, 0) for key, value in counts.items()}


def _gaps_and_waste(fresh: list[_Valid], devices: dict[str, dict], active_rules: dict[str, rules.Rule],
                    conn: Connection) -> list[rules.Occurrence]:
    out = []
    times: dict[str, set[dt.datetime]] = defaultdict(set)
    for v in fresh:
        times[v.device_id].add(v.at)
    for device_id, stamps in times.items():
        device = devices[device_id]
        last_seen = db.as_utc(device["last_seen_at"])
        later = sorted(t for t in stamps if last_seen is None or t > last_seen)
        out.extend(rules.evaluate_device_gaps(device_id, last_seen, later, device["interval_s"], active_rules))
    waste = [v for v in fresh if v.indicator in ("produced_kg", "handed_over_kg")]
    if waste:
        out.extend(_waste_mismatches(conn, waste, active_rules))
    return out


def _waste_mismatches(conn: Connection, waste: list[_Valid], active_rules: dict[str, rules.Rule]) -> list[rules.Occurrence]:
    """Compare each hand-over's weights: both indicators at the same time, from this batch or already stored."""
    table = Reading.__table__
    keys = sorted({(v.device_id, v.at) for v in waste})
    stored = conn.execute(select(table.c.device_id, table.c.measured_at, table.c.indicator, table.c.value).where(
        tuple_(table.c.device_id, table.c.measured_at).in_(keys),
        table.c.indicator.in_(("produced_kg", "handed_over_kg"))))
    weights: dict[tuple[str, dt.datetime], dict[str, float]] = defaultdict(dict)
    for device_id, at, indicator, value in stored:
        weights[(device_id, db.as_utc(at))][indicator] = value
    out = []
    for (device_id, at), pair in sorted(weights.items()):
        if len(pair) == 2:
            found = rules.waste_mismatch(device_id, pair["produced_kg"], pair["handed_over_kg"], at, active_rules)
            if found is not None:
                out.extend([found, rules.Occurrence(device_id, "waste_mismatch", "handed_over_kg", at, False)])
    return out


def _mark_rollups(conn: Connection, counties: set[str]) -> None:
    if not counties:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(RollupPending).on_conflict_do_nothing(),
                 [{"county_adcode": code} for code in sorted(counties)])
