"""Display tokens for wall screens (大屏): made and revoked by the security administrator.

A wall in a command center runs unattended for weeks; it must not carry a person's password in its
URL or its browser. A display token is a long random credential that reads aggregates only (the
display role: masked screens, no exports, no entity files, no alert actions), works only from the IP
ranges it was issued for, and is revoked at once from `weijian display revoke` or the admin page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit
from data.accounts import Account
from data.models import DisplayToken, Region

# Session ids of display screens are "d<token id>", apart from the integer ids of people.
SESSION_PREFIX = "d"


class DisplayTokenError(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_ranges(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated CIDR ranges ('10.1.0.0/16, 127.0.0.1'); a bare address is a /32 (or /128)."""
    ranges = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        try:
            ranges.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise DisplayTokenError(f"not an IP address or CIDR range: {part!r}") from None
    if not ranges:
        raise DisplayTokenError("a display token needs at least one IP range (e.g. 10.1.2.0/24)")
    return ranges


def allows_ip(ip_ranges: str, address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in parse_ranges(ip_ranges))


def issue(conn: Connection, *, label: str, region: str, ip_ranges: str, actor: str, now: dt.datetime) -> tuple[int, str]:
    """A new token (shown once: only its hash is stored); returns (id, token)."""
    ranges = ",".join(str(n) for n in parse_ranges(ip_ranges))
    if conn.execute(select(Region.adcode).where(Region.adcode == region)).first() is None:
        raise DisplayTokenError(f"unknown region {region!r}")
    token = secrets.token_urlsafe(32)
    new_id = conn.execute(insert(DisplayToken).values(
        token_hash=_hash(token), label=label[:64], region_adcode=region, ip_ranges=ranges, created_by=actor,
        created_at=now).returning(DisplayToken.id)).scalar_one()
    audit.append(conn, actor=actor, action="display_issue", target=f"display {new_id}",
                 detail={"label": label, "region": region, "ip_ranges": ranges}, now=now)
    return new_id, token


def revoke(conn: Connection, token_id: int, *, actor: str, now: dt.datetime) -> None:
    done = conn.execute(update(DisplayToken).where(DisplayToken.id == token_id, DisplayToken.revoked_at.is_(None))
                        .values(revoked_at=now))
    if done.rowcount == 0:
        raise DisplayTokenError(f"no active display token {token_id}")
    audit.append(conn, actor=actor, action="display_revoke", target=f"display {token_id}", detail={}, now=now)


def _account(row) -> Account:
    return Account(id=row.id, username=f"display:{row.label}", name=row.label, role="display",
                   region_adcode=row.region_adcode, inspector_id=None, session_id=f"{SESSION_PREFIX}{row.id}",
                   ip_ranges=row.ip_ranges)


def redeem(conn: Connection, token: str, *, ip: str | None, now: dt.datetime) -> Account | None:
    """The screen's account when the token is active and `ip` inside its ranges; else None.

    Every attempt is audited, the refused ones with the reason."""
    table = DisplayToken.__table__
    row = conn.execute(select(table).where(table.c.token_hash == _hash(token or ""))).first()
    reason = None if row is not None else "unknown token"
    if row is not None and row.revoked_at is not None:
        reason = "revoked"
    elif row is not None and not allows_ip(row.ip_ranges, ip):
        reason = "address outside the token's ranges"
    target = f"display {row.id}" if row is not None else "display ?"
    if reason:
        audit.append(conn, actor="display", action="display_refused", target=target, detail={"reason": reason},
                     now=now, ip=ip)
        return None
    conn.execute(update(DisplayToken).where(DisplayToken.id == row.id).values(last_used_at=now))
    audit.append(conn, actor=f"display:{row.label}", action="display_login", target=target, detail={}, now=now, ip=ip)
    return _account(row)


def active(conn: Connection, token_id: int) -> Account | None:
    """The account of an unrevoked token, for the session loader; None once revoked."""
    table = DisplayToken.__table__
    row = conn.execute(select(table).where(table.c.id == token_id, table.c.revoked_at.is_(None))).first()
    return _account(row) if row is not None else None


def listing(conn: Connection) -> list[dict]:
    table = DisplayToken.__table__
    rows = conn.execute(select(table.c.id, table.c.label, table.c.region_adcode, table.c.ip_ranges, table.c.created_by,
                               table.c.created_at, table.c.last_used_at, table.c.revoked_at).order_by(table.c.id))
    return [dict(r._mapping) for r in rows]
