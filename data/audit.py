"""The audit log: append-only, each row chained to the previous one by SHA-256.

hash = SHA-256(prev_hash + canonical JSON of the row's fields). Changing any field of a row breaks
its own hash; deleting or inserting a row breaks the next row's prev_hash. `verify` walks the chain
and names the first row that does not fit. Appends take the previous hash inside the caller's
transaction (PostgreSQL: the last row locked), so concurrent writers cannot fork the chain.

Retention (default 180 days, `weijian audit prune`) deletes whole old rows from the start of the chain.
The hash of the last deleted row becomes the chain's anchor: kept in dataset_meta and, so that it
cannot be moved quietly, written into the chain itself by the prune's own entry. `verify` starts from
the anchor and checks that the newest prune entry names the same one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection

from data import db
from data.models import AuditLog

GENESIS = "0" * 64
ANCHOR_KEY = "audit_anchor"
RETENTION_DAYS = 180


def _digest(prev_hash: str, at: dt.datetime, actor: str, action: str, target: str, detail: str, ip: str | None) -> str:
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    canonical = json.dumps([prev_hash, at.strftime("%Y-%m-%dT%H:%M:%S.%f"), actor, action, target, detail, ip or ""],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(conn: Connection, *, actor: str, action: str, target: str, detail: dict, now: dt.datetime,
           ip: str | None = None) -> str:
    """Add one entry in the caller's transaction; returns its hash."""
    last = select(AuditLog.hash).order_by(AuditLog.id.desc()).limit(1)
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
    prev = conn.execute(last).scalar() or GENESIS
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    at = now.astimezone(dt.UTC)
    digest = _digest(prev, at, actor, action, target, text, ip)
    conn.execute(insert(AuditLog).values(at=at, actor=actor, action=action, target=target, detail=text, ip=ip,
                                         prev_hash=prev, hash=digest))
    return digest


def _anchor(conn: Connection) -> dict:
    stored = db.get_meta(conn, ANCHOR_KEY)
    return json.loads(stored) if stored else {"hash": GENESIS, "last_id": 0}


def verify(conn: Connection) -> int | None:
    """The id of the first row whose chain is broken, or None when the whole log is intact."""
    anchor = _anchor(conn)
    prev = anchor["hash"]
    named = GENESIS  # the anchor named by the newest prune entry
    for row in conn.execute(select(AuditLog.__table__).order_by(AuditLog.id)):
        if row.id <= anchor["last_id"] or row.prev_hash != prev \
                or row.hash != _digest(prev, row.at, row.actor, row.action, row.target, row.detail, row.ip):
            return row.id
        if row.action == "audit_prune":
            named = json.loads(row.detail).get("anchor", GENESIS)
        prev = row.hash
    if named != anchor["hash"]:
        return anchor["last_id"]  # the anchor was moved outside the chain
    return None


def prune(conn: Connection, *, now: dt.datetime, actor: str, keep_days: int = RETENTION_DAYS) -> int:
    """Delete the entries older than `keep_days` (never the newest prune entry); returns how many went."""
    cutoff = now - dt.timedelta(days=keep_days)
    table = AuditLog.__table__
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE")
    last = conn.execute(select(table.c.id, table.c.hash).where(table.c.at < cutoff)
                        .order_by(table.c.id.desc()).limit(1)).first()
    if last is None:
        return 0
    gone = conn.execute(select(func.count()).select_from(table).where(table.c.id <= last.id)).scalar_one()
    conn.execute(delete(table).where(table.c.id <= last.id))
    db.set_meta(conn, ANCHOR_KEY, json.dumps({"hash": last.hash, "last_id": last.id}))
    append(conn, actor=actor, action="audit_prune", target="audit_log",
           detail={"deleted": gone, "before": cutoff.isoformat(), "anchor": last.hash, "keep_days": keep_days}, now=now)
    return gone


def entries(conn: Connection, *, actor: str | None = None, action: str | None = None, since: dt.datetime | None = None,
            until: dt.datetime | None = None, limit: int = 500) -> list[dict]:
    """The newest entries matching the filters (for the auditor's viewer and its export)."""
    table = AuditLog.__table__
    query = select(table.c.id, table.c.at, table.c.actor, table.c.action, table.c.target, table.c.detail, table.c.ip)
    if actor:
        query = query.where(table.c.actor == actor)
    if action:
        query = query.where(table.c.action == action)
    if since is not None:
        query = query.where(table.c.at >= since)
    if until is not None:
        query = query.where(table.c.at < until)
    rows = conn.execute(query.order_by(table.c.id.desc()).limit(limit)).mappings()
    return [{**row, "at": db.as_utc(row["at"])} for row in rows]


def actions(conn: Connection) -> list[str]:
    """Every action recorded so far, for the viewer's filter."""
    return sorted(conn.execute(select(AuditLog.action).distinct()).scalars())
