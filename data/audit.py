"""The audit log: append-only, each row chained to the previous one by SHA-256.

hash = SHA-256(prev_hash + canonical JSON of the row's fields). Changing any field of a row breaks
its own hash; deleting or inserting a row breaks the next row's prev_hash. `verify` walks the chain
and names the first row that does not fit. Appends take the previous hash inside the caller's
transaction (PostgreSQL: the last row locked), so concurrent writers cannot fork the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from data.models import AuditLog

GENESIS = "0" * 64


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


def verify(conn: Connection) -> int | None:
    """The id of the first row whose chain is broken, or None when the whole log is intact."""
    prev = GENESIS
    for row in conn.execute(select(AuditLog.__table__).order_by(AuditLog.id)):
        if row.prev_hash != prev or row.hash != _digest(prev, row.at, row.actor, row.action, row.target, row.detail, row.ip):
            return row.id
        prev = row.hash
    return None
