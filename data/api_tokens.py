"""API tokens: one per account, for programs that read the API (`Authorization: Bearer <token>`) without a
browser session. The token acts as its account: the same role, the same scope (its home region), refused once
the account is deactivated or the token revoked. Only its SHA-256 hash is stored (a random 256-bit token needs
no slow hash), so it is shown once; issuing again replaces it. Issue and revoke are audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from data import audit
from data.accounts import Account, get
from data.models import AppUser


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(conn: Connection, username: str, *, actor: str, now: dt.datetime) -> str:
    """A new token for `username` (the previous one stops working); shown once."""
    token = secrets.token_urlsafe(32)
    done = conn.execute(update(AppUser).where(AppUser.username == username, AppUser.active.is_(True))
                        .values(api_token_hash=_hash(token)))
    if done.rowcount == 0:
        raise LookupError(f"no active user {username!r}")
    audit.append(conn, actor=actor, action="api_token_issue", target=username, detail={}, now=now)
    return token


def revoke(conn: Connection, username: str, *, actor: str, now: dt.datetime) -> None:
    done = conn.execute(update(AppUser).where(AppUser.username == username, AppUser.api_token_hash.is_not(None))
                        .values(api_token_hash=None))
    if done.rowcount == 0:
        raise LookupError(f"user {username!r} has no API token")
    audit.append(conn, actor=actor, action="api_token_revoke", target=username, detail={}, now=now)


def account(conn: Connection, token: str | None) -> Account | None:
    """The active account holding `token`, or None."""
    if not token:
        return None
    user_id = conn.execute(select(AppUser.id).where(AppUser.api_token_hash == _hash(token[:128]))).scalar_one_or_none()
    return get(conn, user_id) if user_id is not None else None
