"""Accounts: password policy, argon2 hashes, login with lockout, and what each role may do.

A login fails the same way for an unknown user, a wrong password and a locked account ("wrong user
name or password, or account locked"), so the answer tells an attacker nothing; the reason is in the
audit log. Five failures lock the account for 30 minutes (both configurable per call).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from data import audit, db, vocab
from data.models import AppUser

HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so both paths take the same time.
_DUMMY_HASH = HASHER.hash("not a password of anyone")
MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=30)


class PasswordPolicyError(ValueError):
    pass


@dataclass(frozen=True)
class PasswordPolicy:
    """The installation's policy comes from settings (WEIJIAN_PASSWORD_MIN_LENGTH / _MIN_CLASSES); these
    defaults are the floor those settings may not go below."""

    min_length: int = 8
    min_classes: int = 3  # of: lower case, upper case, digits, other characters

    def check(self, password: str) -> None:
        classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]"))
        if len(password) < self.min_length or classes < self.min_classes:
            raise PasswordPolicyError(f"a password needs at least {self.min_length} characters of at least "
                                      f"{self.min_classes} kinds (lower case, upper case, digits, other)")


@dataclass(frozen=True)
class Account:
    """What a request needs to know about its user (kept in the session by id only)."""

    id: int
    username: str
    name: str
    role: str
    region_adcode: str
    inspector_id: int | None
    session_id: str = ""  # set for display screens ("d<token id>"); people are kept by their integer id
    ip_ranges: str = ""  # a display screen's allowed addresses (data/displays.py); empty for people

    @property
    def is_display_screen(self) -> bool:
        return bool(self.session_id)

    @property
    def reads_data(self) -> bool:
        return self.role in vocab.DATA_ROLES

    @property
    def acts_on_cases(self) -> bool:
        """Whether this account takes steps on cases: alerts, complaints, ledger entries (managers and officers; not displays)."""
        return self.role in ("province_manager", "city_manager", "county_manager", "county_officer")


def _account(row) -> Account:
    return Account(row.id, row.username, row.name, row.role, row.region_adcode, row.inspector_id)


def create_user(conn: Connection, *, username: str, name: str, role: str, region: str, password: str,
                actor: str, now: dt.datetime, policy: PasswordPolicy = PasswordPolicy(),
                inspector_id: int | None = None) -> Account:
    if role not in vocab.ROLES:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(vocab.ROLES)})")
    if not re.fullmatch(r"[A-Za-z0-9_.@-]{3,64}", username):
        raise ValueError("a user name is 3-64 letters, digits or _ . @ -")
    policy.check(password)
    if conn.execute(select(AppUser.id).where(AppUser.username == username)).first():
        raise ValueError(f"user {username!r} exists")
    new_id = conn.execute(insert(AppUser).values(
        username=username, name=name, role=role, region_adcode=region, password_hash=HASHER.hash(password),
        failed_logins=0, active=True, inspector_id=inspector_id, created_at=now).returning(AppUser.id)).scalar_one()
    audit.append(conn, actor=actor, action="user_create", target=username, detail={"role": role, "region": region},
                 now=now)
    return get(conn, new_id)


def get(conn: Connection, user_id: int) -> Account | None:
    table = AppUser.__table__
    row = conn.execute(select(table).where(table.c.id == user_id, table.c.active.is_(True))).first()
    return _account(row) if row is not None else None


def by_username(conn: Connection, username: str) -> Account | None:
    table = AppUser.__table__
    row = conn.execute(select(table).where(table.c.username == username, table.c.active.is_(True))).first()
    return _account(row) if row is not None else None


def authenticate(conn: Connection, username: str, password: str, *, now: dt.datetime, ip: str | None = None,
                 otp: str = "", max_failures: int = MAX_FAILURES, lockout: dt.timedelta = LOCKOUT) -> Account | None:
    """The account when the password (and, where enrolled, the TOTP code) is right and the account is neither
    locked nor disabled; else None. A wrong or reused code counts as a failure like a wrong password."""
    table = AppUser.__table__
    row = conn.execute(select(table).where(table.c.username == username).with_for_update()).first()
    if row is None or not row.active:
        _verify(_DUMMY_HASH, password)
        audit.append(conn, actor=username[:64], action="login_failed", target=username[:128],
                     detail={"reason": "unknown user" if row is None else "disabled"}, now=now, ip=ip)
        return None
    locked_until = db.as_utc(row.locked_until)
    if locked_until is not None and locked_until > now:
        _verify(_DUMMY_HASH, password)
        audit.append(conn, actor=username, action="login_failed", target=username,
                     detail={"reason": "locked", "until": locked_until.isoformat()}, now=now, ip=ip)
        return None
    step = None if row.totp_secret is None else _totp_step(row.totp_secret, otp, now, row.totp_last_step)
    if not _verify(row.password_hash, password) or (row.totp_secret is not None and step is None):
        failures = row.failed_logins + 1
        lock = now + lockout if failures >= max_failures else None
        conn.execute(update(AppUser).where(AppUser.id == row.id).values(
            failed_logins=0 if lock else failures, locked_until=lock))
        audit.append(conn, actor=username, action="login_failed", target=username,
                     detail={"reason": "wrong password or code", "failures": failures, "locked": lock is not None},
                     now=now, ip=ip)
        return None
    conn.execute(update(AppUser).where(AppUser.id == row.id).values(failed_logins=0, locked_until=None,
                                                                    last_login_at=now,
                                                                    totp_last_step=step if step is not None else row.totp_last_step))
    audit.append(conn, actor=username, action="login", target=username, detail={}, now=now, ip=ip)
    return _account(row)


def _totp_step(secret: str, code: str, now: dt.datetime, last_step: int | None) -> int | None:
    """The 30-second step `code` belongs to (this one or the one before or after, for clock drift), or None when
    it is wrong or was already used: a code seen once cannot log in again."""
    totp = pyotp.TOTP(secret)
    code = (code or "").strip()
    current = int(now.timestamp()) // totp.interval
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code) and (last_step is None or step > last_step):
            return step
    return None


def enrol_totp(conn: Connection, username: str, *, actor: str, now: dt.datetime, issuer: str = "智慧卫监") -> str:
    """Give the user a new TOTP secret; returns the otpauth:// URI for their authenticator app (shown once)."""
    secret = pyotp.random_base32()
    done = conn.execute(update(AppUser).where(AppUser.username == username).values(totp_secret=secret, totp_last_step=None))
    if done.rowcount == 0:
        raise LookupError(f"no user {username!r}")
    audit.append(conn, actor=actor, action="user_totp_enrol", target=username, detail={}, now=now)
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def remove_totp(conn: Connection, username: str, *, actor: str, now: dt.datetime) -> None:
    done = conn.execute(update(AppUser).where(AppUser.username == username).values(totp_secret=None, totp_last_step=None))
    if done.rowcount == 0:
        raise LookupError(f"no user {username!r}")
    audit.append(conn, actor=actor, action="user_totp_remove", target=username, detail={}, now=now)


def unlock(conn: Connection, username: str, *, actor: str, now: dt.datetime) -> None:
    done = conn.execute(update(AppUser).where(AppUser.username == username).values(failed_logins=0, locked_until=None))
    if done.rowcount == 0:
        raise LookupError(f"no user {username!r}")
    audit.append(conn, actor=actor, action="user_unlock", target=username, detail={}, now=now)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
