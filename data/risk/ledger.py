"""The risk ledger (风险台账): high and very-high risk entities, who settles each, what was done, the close-out.

An entity enters when a scoring run finds it high or very high and it has no open entry; the reason is
its top factors. Each entry has a responsible officer (an active inspector of the entity's county, city
or province), measures (each a recorded step) and a due date. Close-out (销账) needs a follow-up
inspection of the entity dated on or after the day of entry (inspections carry a date, not a time, so
the day of entry counts); without one it is refused, with the reason, and nothing changes. Every step
is a risk_ledger_event row and an audit entry, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.bulk import insert_frame
from data.models import REGION_COLUMNS, Inspection, Inspector, RiskLedgerEntry, RiskLedgerEvent
from data.queries.base import scope_predicate
from data.queries.filters import OutOfScope, Scope
from data.refusals import Refusal

CHINA = dt.timezone(dt.timedelta(hours=8))
REASON_FACTORS = 3  # the reason an entry gives: its score's largest factors


class LedgerError(Refusal):
    """A ledger step that is not allowed: closed entry, unknown officer, no follow-up inspection, empty measure."""


def _event(conn: Connection, entry_id: int, action: str, actor: str, now: dt.datetime, note: str | None) -> None:
    conn.execute(insert(RiskLedgerEvent).values(entry_id=entry_id, at=now, action=action, actor=actor, note=note))


def _top(factors: str) -> str:
    return json.dumps(dict(list(json.loads(factors).items())[:REASON_FACTORS]), ensure_ascii=False)


def enter_high_risk(conn: Connection, scores: pd.DataFrame, *, actor: str, now: dt.datetime, due_days: int) -> int:
    """Open an entry for each high / very-high scored entity without an open one. Returns how many were opened.

    `scores`: the stored risk_score rows of a run (id, entity_id, score, level, factors, region codes)."""
    table = RiskLedgerEntry.__table__
    high = scores[scores["level"].isin(vocab.LEDGER_LEVELS)]
    if high.empty:
        return 0
    already = set(conn.execute(select(table.c.entity_id).where(table.c.status == "open")).scalars())
    new = high[~high["entity_id"].isin(already)]
    if new.empty:
        return 0
    first_id = (conn.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar() or 0) + 1
    today = now.astimezone(CHINA).date()
    entries = pd.DataFrame({
        "id": range(first_id, first_id + len(new)), "entity_id": new["entity_id"].to_numpy(),
        "risk_score_id": new["id"].to_numpy(), "entered_at": now, "entered_on": today,
        "level": new["level"].to_numpy(), "score": new["score"].to_numpy(),
        "reason": [_top(f) for f in new["factors"]], "due_on": today + dt.timedelta(days=due_days), "status": "open",
        **{c: new[c].to_numpy() for c in REGION_COLUMNS},
    })
    insert_frame(conn, table, entries)
    insert_frame(conn, RiskLedgerEvent.__table__, pd.DataFrame({
        "entry_id": entries["id"], "at": now, "action": "enter", "actor": actor, "note": entries["reason"]}))
    return len(entries)


def _entry(conn: Connection, entry_id: int, scope: Scope) -> dict:
    """The entry if it is in scope; an unknown id and one elsewhere get the same refusal."""
    table = RiskLedgerEntry.__table__
    row = conn.execute(select(table).where(table.c.id == entry_id, scope_predicate(table, scope))).mappings().first()
    if row is None:
        raise OutOfScope(f"no ledger entry {entry_id} in your region")
    return dict(row)


def _open_entry(conn: Connection, entry_id: int, scope: Scope) -> dict:
    entry = _entry(conn, entry_id, scope)
    if entry["status"] != "open":
        raise LedgerError("ledger_closed", id=entry_id)
    return entry


def assign(conn: Connection, entry_id: int, *, officer_badge: str, due_on: dt.date | None, actor: str, scope: Scope,
           now: dt.datetime) -> None:
    """Make an active inspector of the entity's county, city or province responsible (and optionally move the due date)."""
    entry = _open_entry(conn, entry_id, scope)
    codes = [c for c in (entry["county_adcode"], entry["city_adcode"], entry["province_adcode"]) if c]
    officer = conn.execute(select(Inspector.id, Inspector.name).where(
        Inspector.badge_no == officer_badge, Inspector.active.is_(True), Inspector.region_adcode.in_(codes))).first()
    if officer is None:
        raise LedgerError("ledger_officer_elsewhere", id=entry_id, badge=officer_badge)
    if due_on is not None and due_on < entry["entered_on"]:
        raise LedgerError("ledger_due_before_entry", id=entry_id, due_on=due_on, entered_on=entry["entered_on"])
    values = {"officer_id": officer.id, **({"due_on": due_on} if due_on is not None else {})}
    conn.execute(update(RiskLedgerEntry.__table__).where(RiskLedgerEntry.id == entry_id).values(**values))
    note = f"{officer_badge} {officer.name}" + (f" · {due_on}" if due_on else "")
    _event(conn, entry_id, "assign", actor, now, note)
    audit.append(conn, actor=actor, action="ledger_assign", target=f"ledger:{entry_id}",
                 detail={"officer": officer_badge, "due_on": due_on}, now=now)


def add_measure(conn: Connection, entry_id: int, *, measure: str, actor: str, scope: Scope, now: dt.datetime) -> None:
    """Record a measure taken (整改措施) on an open entry."""
    _open_entry(conn, entry_id, scope)
    text = (measure or "").strip()
    if not text:
        raise LedgerError("ledger_measure_empty", id=entry_id)
    _event(conn, entry_id, "measure", actor, now, text[:2000])
    audit.append(conn, actor=actor, action="ledger_measure", target=f"ledger:{entry_id}", detail={"measure": text[:200]},
                 now=now)


def close(conn: Connection, entry_id: int, *, actor: str, scope: Scope, now: dt.datetime, note: str | None = None) -> dict:
    """Settle (销账) an open entry on its latest follow-up inspection; refused when there is none. Returns that inspection."""
    entry = _open_entry(conn, entry_id, scope)
    ins = Inspection.__table__
    follow_up = conn.execute(select(ins.c.id, ins.c.inspected_on, ins.c.result).where(
        ins.c.entity_id == entry["entity_id"], ins.c.inspected_on >= entry["entered_on"], scope_predicate(ins, scope))
        .order_by(ins.c.inspected_on.desc(), ins.c.id.desc()).limit(1)).mappings().first()
    if follow_up is None:
        raise LedgerError("ledger_no_follow_up", id=entry_id, entity_id=entry["entity_id"], entered_on=entry["entered_on"])
    conn.execute(update(RiskLedgerEntry.__table__).where(RiskLedgerEntry.id == entry_id).values(
        status="closed", closed_at=now, closed_by=actor, follow_up_inspection_id=follow_up["id"]))
    summary = f"inspection {follow_up['id']} {follow_up['inspected_on']} {follow_up['result']}"
    _event(conn, entry_id, "close", actor, now, summary + (f" · {note.strip()}" if note and note.strip() else ""))
    audit.append(conn, actor=actor, action="ledger_close", target=f"ledger:{entry_id}",
                 detail={"inspection": follow_up["id"], "result": follow_up["result"], "note": note}, now=now)
    return dict(follow_up)
