"""Tokens of the public pages (/public/<token>) that QR codes at venues open: issue, look up, revoke.

A token is random (secrets.token_urlsafe over 18 bytes: 24 URL-safe characters), never derived from
the entity's id, so nobody can walk from one venue's page to the next. It is stored as it is, not
hashed like a device's ingest token: it is printed on a poster for anyone to read, and the entity
file must be able to draw the same code again. One active token per entity (a partial unique index);
revoking sets `revoked_at`, and a new token is issued on the next request for one.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from data.models import Entity, PublicToken

TOKEN_BYTES = 18
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,86}")


def active(conn: Connection, entity_id: int) -> str | None:
    """The entity's active token, or None."""
    table = PublicToken.__table__
    return conn.execute(select(table.c.token).where(table.c.entity_id == entity_id,
                                                    table.c.revoked_at.is_(None))).scalar()


def ensure(conn: Connection, entity_id: int, now: dt.datetime) -> str:
    """The entity's active token, issuing one if it has none (two requests at once: both get the same one)."""
    found = active(conn, entity_id)
    if found is not None:
        return found
    if conn.execute(select(Entity.id).where(Entity.id == entity_id)).scalar() is None:
        raise LookupError(f"no entity {entity_id}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        with conn.begin_nested():
            conn.execute(PublicToken.__table__.insert().values(entity_id=entity_id, token=token, created_at=now))
    except IntegrityError:  # another request issued one first: the partial unique index kept it single
        return active(conn, entity_id)
    return token


def revoke(conn: Connection, entity_id: int, now: dt.datetime) -> int:
    """Revoke the entity's active token (its printed code answers 404 from now on); returns how many were."""
    table = PublicToken.__table__
    return conn.execute(update(table).where(table.c.entity_id == entity_id, table.c.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount


def renew(conn: Connection, entity_id: int, now: dt.datetime) -> str:
    """Revoke the active token and issue a new one, in the caller's transaction."""
    revoke(conn, entity_id, now)
    return ensure(conn, entity_id, now)


def entity_of(conn: Connection, token: str) -> int | None:
    """The entity an active token belongs to; None for a malformed, unknown or revoked token."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    table = PublicToken.__table__
    return conn.execute(select(table.c.entity_id).where(table.c.token == token, table.c.revoked_at.is_(None))).scalar()
