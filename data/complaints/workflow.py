"""The complaint workflow 受理 → 转办 → 办理 → 反馈 → 办结, its due dates, and repeat detection.

A complaint is received (受理) with a due date for the whole case (the `overall` stage) and one for the
current stage; an officer passes it on (转办) to an officer of its region, the assignee starts handling
(办理) and reports back what was found (反馈: a note and whether the complaint was substantiated), and
someone other than the assignee closes it after the call-back (办结) — four eyes, as in the alert loop.
The overall due date may be extended once, with a reason, by at most the regulation's 30 days.
Each step is a complaint_event row and an audit entry; the server checks scope, region, status and
person on every step, whatever the browser sent.

Repeat complaints (重复投诉) are those about the same entity, or the same address once normalised, within
the configured window: each is linked to the latest earlier one, so a chain of calls about one pool is
visible as a chain, and the entity file and the inbox can say "third complaint in 90 days".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from data import audit, casework, vocab, workdays
from data.complaints import deadlines
from data.complaints.deadlines import Deadline
from data.casework import Actor, active_officer, covers, in_scope
from data.models import Complaint, ComplaintEvent
from data.queries.filters import OutOfScope, Scope
from data.refusals import Refusal, case_params

CHINA = ZoneInfo("Asia/Shanghai")
UNCLOSED = tuple(s for s in vocab.COMPLAINT_STATUSES if s != "closed")
# Which steps people may take, from which status, to which.
TRANSITIONS = {
    "assign": ("received", "assigned"),
    "start": ("assigned", "handling"),
    "feedback": ("handling", "feedback"),
    "close": ("feedback", "closed"),
}
# Repeats are counted over a quarter: the period a supervision office reviews its complaint ledger over.
REPEAT_WINDOW_DAYS = 90
_PUNCTUATION = re.compile(r"[\s\-—_,，。.·、()（）#＃]+")


class ComplaintActionError(Refusal):
    """A workflow step that is not allowed: wrong status, wrong person, missing note or answer."""


def officer(conn: Connection, badge: str) -> Actor:
    """The officer with this badge, as an actor (the CLI names officers by badge)."""
    return casework.officer(conn, badge, ComplaintActionError)


def china_day(at: dt.datetime) -> dt.date:
    return at.astimezone(CHINA).date()


def due_dates(received_on, status, stage_started_on, table: dict[str, Deadline]) -> tuple[np.ndarray, np.ndarray]:
    """(overall due date, current stage's due date) for arrays of complaints, as datetime64[D].

    The stage's clock starts when the complaint entered the stage (`stage_started_on`); a closed
    complaint, or a status no stage covers, has no stage due date (NaT).
    """
    received_on = np.asarray(received_on, dtype="datetime64[D]")
    status = np.asarray(status, dtype=object)
    started = np.asarray(stage_started_on, dtype="datetime64[D]")
    overall = table["overall"]
    overall_due = workdays.add_days(received_on, overall.days, overall.calendar)
    stage_due = np.full(status.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    for s in vocab.COMPLAINT_STATUSES:
        stage = deadlines.stage_from(table, s)
        mask = status == s
        if stage is not None and mask.any():
            stage_due[mask] = workdays.add_days(started[mask], stage.days, stage.calendar)
    return overall_due, stage_due


def overdue(status, due_on, step_due_on, today: dt.date) -> np.ndarray:
    """Unclosed and past the case's or the current stage's due date."""
    today64 = np.datetime64(today, "D")
    due = pd.to_datetime(pd.Series(due_on)).to_numpy().astype("datetime64[D]")
    step = pd.to_datetime(pd.Series(step_due_on)).to_numpy().astype("datetime64[D]")
    late = (due < today64) | (~np.isnat(step) & (step < today64))
    return (np.asarray(status) != "closed") & late


def normalise_address(address: str | None) -> str | None:
    """The form two callers' spellings of one address share: NFKC (全角 → 半角), no spaces or punctuation."""
    if address is None:
        return None
    text = _PUNCTUATION.sub("", unicodedata.normalize("NFKC", str(address))).lower()
    return text or None


def link_repeats(frame: pd.DataFrame, window_days: int = REPEAT_WINDOW_DAYS) -> pd.Series:
    """repeat_of_id for each row of (id, entity_id, address, received_at): the latest earlier complaint about
    the same entity or the same normalised address within `window_days`, else None. Vectorised per key."""
    best_at = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    best_id = pd.Series(np.nan, index=frame.index)
    received = pd.to_datetime(frame["received_at"], utc=True)
    keys = {"entity": frame["entity_id"], "address": frame["address"].map(normalise_address)}
    window = pd.Timedelta(days=window_days)
    for key in keys.values():
        part = pd.DataFrame({"key": key, "at": received, "id": frame["id"]}).dropna(subset=["key"])
        part = part.sort_values(["key", "at", "id"])
        prev_at = part.groupby("key")["at"].shift()
        prev_id = part.groupby("key")["id"].shift()
        ok = prev_at.notna() & (part["at"] - prev_at <= window)
        better = ok & (best_at.loc[part.index].isna() | (prev_at > best_at.loc[part.index]))
        if better.any():
            best_at.loc[part.index[better]] = prev_at[better]
            best_id.loc[part.index[better]] = prev_id[better].astype(float)
    return best_id.astype("Int64").astype(object).where(best_id.notna(), None)


def mark_repeats(conn: Connection, complaint_ids: list[int], window_days: int = REPEAT_WINDOW_DAYS) -> int:
    """Link these complaints to the earlier ones they repeat (stored complaints count). Returns links made."""
    if not complaint_ids:
        return 0
    table = Complaint.__table__
    columns = (table.c.id, table.c.entity_id, table.c.address, table.c.received_at)
    batch = pd.DataFrame(conn.execute(select(*columns).where(table.c.id.in_(complaint_ids))).all(),
                         columns=["id", "entity_id", "address", "received_at"])
    if batch.empty:
        return 0
    start = pd.to_datetime(batch["received_at"], utc=True).min() - pd.Timedelta(days=window_days)
    entity_ids = [int(e) for e in batch["entity_id"].dropna().unique()]
    earlier = pd.DataFrame(conn.execute(select(*columns).where(
        table.c.received_at >= start.to_pydatetime(), table.c.id.not_in(complaint_ids),
        table.c.entity_id.in_(entity_ids) | table.c.address.is_not(None))).all(),
        columns=["id", "entity_id", "address", "received_at"])
    frame = pd.concat([earlier, batch], ignore_index=True)
    return store_links(conn, batch["id"], link_repeats(frame, window_days).iloc[len(earlier):])


def store_links(conn: Connection, complaint_ids, repeat_of) -> int:
    """Write repeat_of_id for the complaints that repeat an earlier one (one executemany). Returns links made."""
    pairs = [{"cid": int(c), "rid": int(r)} for c, r in zip(complaint_ids, repeat_of) if r is not None]
    if pairs:
        table = Complaint.__table__
        conn.execute(update(table).where(table.c.id == bindparam("cid")).values(repeat_of_id=bindparam("rid")), pairs)
    return len(pairs)


def transition(conn: Connection, complaint_id: int, action: str, *, actor: Actor, scope: Scope, now: dt.datetime,
               note: str | None = None, assignee_badge: str | None = None,
               substantiated: bool | None = None) -> dict:
    """Take one step on a complaint as `actor`; returns the updated row. Refusals raise, and change nothing.

    Server-side checks: the complaint is in the actor's scope and region; the step is allowed from its
    status; a transfer names an active officer of its region; only the assignee starts and reports
    back; the report says what was found and whether the complaint held; the closer is not the assignee.
    """
    if action not in TRANSITIONS and action != "extend":
        raise ComplaintActionError("unknown_action", action=action, allowed=", ".join([*TRANSITIONS, "extend"]))
    table = Complaint.__table__
    row = conn.execute(select(table).where(table.c.id == complaint_id).with_for_update()).mappings().first()
    if row is None or not in_scope(row, scope):
        raise OutOfScope(f"complaint {complaint_id} is not in your region")
    if not covers(actor.region, row):
        raise OutOfScope(f"{actor.name} ({actor.region}) does not cover complaint {complaint_id}")
    if action == "extend":
        return _extend(conn, row, actor=actor, now=now, note=note)
    before, after = TRANSITIONS[action]
    if row["status"] != before:
        raise ComplaintActionError("wrong_status", **case_params("complaint", complaint_id), status=row["status"],
                                  action=action, allowed=before)
    values: dict = {"status": after}
    detail = note
    if action == "assign":
        if not assignee_badge:
            raise ComplaintActionError("needs_assignee", action="a transfer")
        assignee = active_officer(conn, assignee_badge, ComplaintActionError)
        if not covers(assignee["region_adcode"], row):
            raise ComplaintActionError("assignee_elsewhere", badge=assignee_badge, **case_params("complaint", complaint_id))
        values["assignee_id"] = assignee["id"]
        detail = f"→ {assignee_badge}" + (f": {note}" if note else "")
    if action in ("start", "feedback") and (actor.inspector_id is None or row["assignee_id"] != actor.inspector_id):
        raise ComplaintActionError("assigned_to_other", **case_params("complaint", complaint_id))
    if action == "feedback":
        if not (note or "").strip():
            raise ComplaintActionError("needs_finding")
        if substantiated is None:
            raise ComplaintActionError("needs_substantiated")
        values["substantiated"] = bool(substantiated)
    if action == "close":
        if actor.inspector_id is not None and actor.inspector_id == row["assignee_id"]:
            raise ComplaintActionError("handler_cannot_close", **case_params("complaint", complaint_id), action="close")
        values["closed_at"] = now
    values["step_due_on"] = _stage_due(conn, after, china_day(now), row["step_due_on"])
    conn.execute(update(table).where(table.c.id == complaint_id).values(**values))
    _record(conn, complaint_id, now, action, actor.name, before, after, detail)
    return dict(conn.execute(select(table).where(table.c.id == complaint_id)).mappings().one())


def _stage_due(conn: Connection, status: str, today: dt.date, current: dt.date | None) -> dt.date | None:
    """The due date of the stage `status` is in: kept when the status continues the same stage."""
    table = deadlines.current(conn)
    stage = deadlines.stage_from(table, status)
    if stage is None:
        return None
    if stage.from_status != status and current is not None:
        return current
    return workdays.add_days([today], stage.days, stage.calendar)[0].astype(dt.date)


def _extend(conn: Connection, row, *, actor: Actor, now: dt.datetime, note: str | None) -> dict:
    if row["status"] == "closed":
        raise ComplaintActionError("closed_no_extension", id=row["id"])
    if row["extended"]:
        raise ComplaintActionError("extended_once", id=row["id"])
    if not (note or "").strip():
        raise ComplaintActionError("extension_needs_reason")
    new_due = row["due_on"] + dt.timedelta(days=deadlines.EXTENSION_DAYS)
    table = Complaint.__table__
    conn.execute(update(table).where(table.c.id == row["id"]).values(due_on=new_due, extended=True))
    _record(conn, row["id"], now, "extend", actor.name, row["status"], row["status"],
            f"{row['due_on']} → {new_due}: {note}")
    return dict(conn.execute(select(table).where(table.c.id == row["id"])).mappings().one())


def _record(conn: Connection, complaint_id: int, at: dt.datetime, action: str, actor: str, before: str | None,
            after: str | None, note: str | None) -> None:
    conn.execute(insert(ComplaintEvent).values(complaint_id=complaint_id, at=at, action=action, actor=actor,
                                               from_status=before, to_status=after, note=note))
    audit.append(conn, actor=actor, action=f"complaint_{action}", target=f"complaint {complaint_id}",
                 detail={"from": before, "to": after, "note": note}, now=at)


