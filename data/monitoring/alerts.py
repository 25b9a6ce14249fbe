"""Alerts from rule occurrences, and the closed loop an officer walks them through.

`apply` turns occurrences into alert rows: a condition that begins opens an alert, or, while an
unclosed alert for the same device, rule and indicator exists, counts one more occurrence on it
(repeats update, never flood); a condition that ends marks the alert inactive. The case itself
moves only by people: open → dispatched (to an officer of the region) → handled (what was done) →
reviewed (by someone else) → closed, or dismissed with a reason. Every step is an alert_event
row: who, when, from which status to which, and the note. `escalate` moves an overdue alert up one
administrative level per elapsed due period, so the city sees what a county left lying.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, casework, db, vocab
from data.casework import Actor, active_officer, covers, in_scope
from data.models import REGION_COLUMNS, Alert, AlertEvent, Device
from data.monitoring.rules import Occurrence, Rule, due_hours
from data.queries.filters import OutOfScope, Scope
from data.refusals import Refusal, case_params

SYSTEM = "system"
MESSAGE_LENGTH = 256  # alert.message; the full text is the note of the raised event
AREA_COLUMNS = REGION_COLUMNS
MESSAGES = {
    "over_limit": "{indicator} 超出限值 {limit}：{value:g} {unit}",
    "sustained": "{indicator} 持续超出限值 {limit}：{readings} 次读数",
    "offline": "设备离线：最后上报 {last_seen}",
    "jump": "{indicator} 读数跳变：{previous:g} → {value:g} {unit}（传感器故障？）",
    "flatline": "{indicator} 读数不变：连续 {readings} 次 {value:g} {unit}（传感器卡死？）",
    "waste_mismatch": "医疗废物交接重量 {handed_over_kg:g} kg ≠ 产生重量 {produced_kg:g} kg",
    "ops_anomaly": "{indicator} {day} 异常：{value:g}，基线 {baseline:g}（近 {weeks} 周同星期中位数），z = {z:.1f}",
    "fever_surge": "发热门诊聚集性异常：{hospital_count} 家医院 {first_day}–{day} 同时异常（{hospitals}）",
    "absent_chief": "主诊医师（执业证书 {licence_no}）近 {window_days} 天 {absent_count} 个营业日未到岗：{absent_days}",
}
# Which transitions people may make, and the action recorded for each.
TRANSITIONS = {
    "dispatch": (("open",), "dispatched"),
    "handle": (("dispatched",), "handled"),
    "review": (("handled",), "reviewed"),
    "close": (("reviewed",), "closed"),
    "dismiss": (("open", "dispatched"), "dismissed"),
}


class AlertActionError(Refusal):
    """A lifecycle step that is not allowed: wrong status, wrong person, missing note."""


def _message(occ: Occurrence) -> str:
    limit = occ.limit
    values = {"indicator": occ.indicator, "value": occ.value if occ.value is not None else 0.0,
              "unit": limit.unit if limit else "", "limit": limit.describe() if limit else "",
              "readings": occ.detail.get("readings", ""), "previous": occ.detail.get("previous", 0.0),
              "last_seen": occ.detail.get("last_seen", "")[:16].replace("T", " "),
              "produced_kg": occ.detail.get("produced_kg", 0.0), "handed_over_kg": occ.detail.get("handed_over_kg", 0.0)}
    values.update({k: v for k, v in occ.detail.items() if k not in values})  # the evidence of the newer rules
    return MESSAGES[occ.rule].format(**values)


def _worse(old: float | None, new: float | None, occ: Occurrence) -> float | None:
    if old is None or new is None:
        return new if old is None else old
    limit = occ.limit
    if limit is not None and limit.high is None and limit.low is not None:
        return min(old, new)
    return max(old, new)


def apply(conn: Connection, occurrences: list[Occurrence], rules: dict[str, Rule], devices: dict[str, dict],
          now: dt.datetime) -> dict[str, int]:
    """Store occurrences (time order within each key) as alerts. Returns counts raised / updated / cleared."""
    counts = {"raised": 0, "updated": 0, "cleared": 0}
    if not occurrences:
        return counts
    table = Alert.__table__
    device_ids = sorted({o.device_id for o in occurrences})
    unclosed = {}
    for r in conn.execute(select(table).where(table.c.device_id.in_(device_ids),
                                              table.c.status.in_(vocab.ALERT_UNCLOSED))).mappings():
        row = dict(r)
        row["last_at"] = db.as_utc(row["last_at"])
        unclosed[(row["device_id"], row["rule"], row["indicator"])] = row
    due = due_hours(conn)
    changed: dict[int, dict] = {}
    events: list[dict] = []
    by_key: dict[tuple, list[Occurrence]] = defaultdict(list)
    for occ in occurrences:
        by_key[(occ.device_id, occ.rule, occ.indicator)].append(occ)
    for key, items in by_key.items():
        row = unclosed.get(key)
        for occ in items:
            if occ.raised and row is None:
                severity = rules[occ.rule].severity
                device = devices[occ.device_id]
                place = {"device_id": occ.device_id, "entity_id": device["entity_id"],
                         **{c: device.get(c) for c in AREA_COLUMNS},  # town: None where the caller has none
                         "practitioner_id": device.get("practitioner_id")}  # 防挂证: the chief physician's file
                row = _open(conn, occ, severity, due, place, now, events)
                counts["raised"] += 1
            elif occ.raised:
                if not row["active"]:  # a new episode on a case still being worked
                    row["occurrences"] += 1
                    row["active"], row["cleared_at"] = True, None
                    note = _message(occ)
                    row["message"] = note[:MESSAGE_LENGTH]
                    events.append(_event(row["id"], occ.at, "repeated", SYSTEM, row["status"], row["status"], note))
                    counts["updated"] += 1
                row["last_at"] = max(row["last_at"] or occ.at, occ.at)
                row["value"] = _worse(row["value"], occ.value, occ)
                changed[row["id"]] = row
            elif row is not None and row["active"]:
                row["active"], row["cleared_at"] = False, occ.at
                events.append(_event(row["id"], occ.at, "cleared", SYSTEM, row["status"], row["status"], None))
                changed[row["id"]] = row
                counts["cleared"] += 1
        unclosed[key] = row
    for row in changed.values():
        conn.execute(update(table).where(table.c.id == row["id"]).values(
            value=row["value"], active=row["active"], cleared_at=row["cleared_at"], occurrences=row["occurrences"],
            last_at=row["last_at"], message=row["message"], updated_at=now))
    if events:
        conn.execute(insert(AlertEvent), events)
    return counts


def _open(conn: Connection, occ: Occurrence, severity: str, due: dict[str, float], place: dict, now: dt.datetime,
          events: list[dict]) -> dict:
    """Insert a new open alert at `place` (device, entity and area codes); its raised event carries the whole
    message (the alert row keeps the first 256 characters: an absence list or a hospital list may be longer)."""
    note = _message(occ)
    row = {**place, "rule": occ.rule, "indicator": occ.indicator, "value": occ.value, "raised_at": occ.at,
           "status": "open", "message": note[:MESSAGE_LENGTH], "severity": severity, "active": True, "occurrences": 1,
           "last_at": occ.at, "cleared_at": None, "limit_id": occ.limit.id if occ.limit else None,
           "due_at": occ.at + dt.timedelta(hours=float(due.get(severity, 72))), "level": "county",
           "assignee_id": None, "updated_at": now}
    row["id"] = conn.execute(insert(Alert.__table__).values(**row).returning(Alert.__table__.c.id)).scalar_one()
    events.append(_event(row["id"], occ.at, "raised", SYSTEM, None, "open", note))
    return row


def apply_area(conn: Connection, occurrences: list[Occurrence], rules: dict[str, Rule], areas: dict[str, dict],
               now: dt.datetime) -> dict[str, int]:
    """Store area occurrences (no device, no entity: `device_id` holds the area's code, a key of `areas`, whose
    value gives the province, city and county codes, county None for a city) as alerts, one unclosed per area.

    The same life as a device's alert: a repeat while unclosed updates it, a condition that ends clears it.
    A city-wide alert must be acted on by the city, so it starts at level city.
    """
    counts = {"raised": 0, "updated": 0, "cleared": 0}
    table = Alert.__table__
    unclosed = {}
    for r in conn.execute(select(table).where(table.c.device_id.is_(None), table.c.entity_id.is_(None),
                                              table.c.rule.in_(sorted({o.rule for o in occurrences})),
                                              table.c.status.in_(vocab.ALERT_UNCLOSED))).mappings():
        unclosed[(r["county_adcode"] or r["city_adcode"], r["rule"], r["indicator"])] = dict(r)
    due = due_hours(conn)
    events: list[dict] = []
    for occ in sorted(occurrences, key=lambda o: (o.at, not o.raised)):
        key = (occ.device_id, occ.rule, occ.indicator)
        row = unclosed.get(key)
        if occ.raised and row is None:
            place = {"device_id": None, "entity_id": None, **areas[occ.device_id]}
            row = unclosed[key] = _open(conn, occ, rules[occ.rule].severity, due, place, now, events)
            if place["county_adcode"] is None:
                conn.execute(update(table).where(table.c.id == row["id"]).values(level="city"))
            counts["raised"] += 1
        elif occ.raised:
            note = _message(occ)
            values = {"last_at": occ.at, "message": note[:MESSAGE_LENGTH], "active": True, "cleared_at": None,
                      "updated_at": now}
            if not row["active"]:
                values["occurrences"] = row["occurrences"] + 1
                events.append(_event(row["id"], occ.at, "repeated", SYSTEM, row["status"], row["status"], note))
                counts["updated"] += 1
            conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
            row.update(values)
        elif row is not None and row["active"]:
            conn.execute(update(table).where(table.c.id == row["id"]).values(active=False, cleared_at=occ.at,
                                                                               updated_at=now))
            row.update(active=False, cleared_at=occ.at)
            events.append(_event(row["id"], occ.at, "cleared", SYSTEM, row["status"], row["status"], None))
            counts["cleared"] += 1
    if events:
        conn.execute(insert(AlertEvent), events)
    return counts


def _event(alert_id: int, at: dt.datetime, action: str, actor: str, before: str | None, after: str | None,
           note: str | None) -> dict:
    return {"alert_id": alert_id, "at": at, "action": action, "actor": actor, "from_status": before,
            "to_status": after, "note": note}


def officer(conn: Connection, badge: str) -> Actor:
    """The officer with this badge, as an actor (the CLI names officers by badge)."""
    return casework.officer(conn, badge, AlertActionError)


def transition(conn: Connection, alert_id: int, action: str, *, actor: Actor, scope: Scope, now: dt.datetime,
               note: str | None = None, assignee_badge: str | None = None) -> dict:
    """Move one alert a step through its life, as `actor`; returns the updated row.

    Checks, on the server: the alert is in the actor's scope and region, the step is allowed from its
    status, a dispatch names an active officer of the alert's region, only the assignee reports
    handling, the reviewer is not the one who handled it, and handling, review and dismissal carry a note.
    """
    if action not in TRANSITIONS:
        raise AlertActionError("unknown_action", action=action, allowed=", ".join(TRANSITIONS))
    table = Alert.__table__
    row = conn.execute(select(table).where(table.c.id == alert_id).with_for_update()).mappings().first()
    if row is None or not in_scope(row, scope):
        raise OutOfScope(f"alert {alert_id} is not in your region")
    if not covers(actor.region, row):
        raise OutOfScope(f"{actor.name} ({actor.region}) does not cover alert {alert_id}")
    allowed_from, after = TRANSITIONS[action]
    if row["status"] not in allowed_from:
        raise AlertActionError("wrong_status", **case_params("alert", alert_id), status=row["status"], action=action,
                               allowed=", ".join(allowed_from))
    if action in ("handle", "review", "dismiss") and not (note or "").strip():
        raise AlertActionError("needs_note", action=action)
    values: dict = {"status": after, "updated_at": now}
    if action == "dispatch":
        if not assignee_badge:
            raise AlertActionError("needs_assignee", action="dispatch")
        assignee = _officer(conn, assignee_badge)
        if not covers(assignee["region_adcode"], row):
            raise AlertActionError("assignee_elsewhere", badge=assignee_badge, **case_params("alert", alert_id))
        values["assignee_id"] = assignee["id"]
    if action == "handle" and (actor.inspector_id is None or row["assignee_id"] != actor.inspector_id):
        raise AlertActionError("assigned_to_other", **case_params("alert", alert_id))
    if action == "review":
        handler = conn.execute(select(AlertEvent.actor).where(
            AlertEvent.alert_id == alert_id, AlertEvent.action == "handle").order_by(AlertEvent.id.desc())).scalar()
        if handler == actor.name:
            raise AlertActionError("handler_cannot_close", **case_params("alert", alert_id), action="review")
    conn.execute(update(table).where(table.c.id == alert_id).values(**values))
    detail = note if action != "dispatch" else f"→ {assignee_badge}" + (f": {note}" if note else "")
    conn.execute(insert(AlertEvent).values(**_event(alert_id, now, action, actor.name, row["status"], after, detail)))
    audit.append(conn, actor=actor.name, action=f"alert_{action}", target=f"alert {alert_id}",
                 detail={"from": row["status"], "to": after, "note": detail}, now=now)
    return dict(conn.execute(select(table).where(table.c.id == alert_id)).mappings().one())


def _officer(conn: Connection, badge: str) -> dict:
    return active_officer(conn, badge, AlertActionError)


def escalate(conn: Connection, now: dt.datetime) -> int:
    """Move overdue alerts (not yet handled) up: county → city after the due time, → province one period later."""
    table = Alert.__table__
    due = due_hours(conn)
    rows = conn.execute(select(table.c.id, table.c.severity, table.c.level, table.c.due_at, table.c.status).where(
        table.c.status.in_(("open", "dispatched")), table.c.due_at < now, table.c.level != "province")).all()
    moved = 0
    for row in rows:
        period = dt.timedelta(hours=float(due.get(row.severity, 72)))
        due_at = db.as_utc(row.due_at)
        target = "city" if now <= due_at + period else "province"
        if vocab.ALERT_LEVELS.index(target) > vocab.ALERT_LEVELS.index(row.level):
            conn.execute(update(table).where(table.c.id == row.id).values(level=target, updated_at=now))
            conn.execute(insert(AlertEvent).values(**_event(row.id, now, "escalated", SYSTEM, row.status, row.status,
                                                            f"{row.level} → {target}")))
            moved += 1
    return moved


def silent_devices(conn: Connection) -> list[tuple[str, dt.datetime | None, int]]:
    """(id, last seen, interval) of active devices without an unclosed, active offline alert."""
    alert = Alert.__table__
    open_offline = select(alert.c.device_id).where(
        alert.c.rule == "offline", alert.c.status.in_(vocab.ALERT_UNCLOSED), alert.c.active.is_(True))
    rows = conn.execute(select(Device.id, Device.last_seen_at, Device.interval_s).where(
        Device.active.is_(True), Device.last_seen_at.is_not(None), Device.id.not_in(open_offline))).all()
    return [(r.id, db.as_utc(r.last_seen_at), r.interval_s) for r in rows]


