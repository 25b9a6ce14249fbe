"""Accounts and the audit log on SQLite and PostgreSQL: policy, lockout, and a chain that detects tampering."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_fixtures import populate
from sqlalchemy import delete, select, update

from data import accounts, audit, models

NOW = dt.datetime(2026, 5, 20, 8, tzinfo=dt.UTC)
GOOD = "Jinshui#2026"


@pytest.fixture
def users(engine):
    populate(engine)
    with engine.begin() as conn:
        accounts.create_user(conn, username="officer1", name="王伟", role="county_officer", region="410105",
                             password=GOOD, actor="admin", now=NOW, inspector_id=1)
    return engine


@pytest.mark.parametrize("password", ["short1A", "alllowercase", "lower123456", "ONLYUPPER99"])
def test_weak_passwords_are_refused(users, password):
    with users.begin() as conn, pytest.raises(accounts.PasswordPolicyError):
        accounts.create_user(conn, username="x1y", name="x", role="display", region="410105", password=password,
                             actor="admin", now=NOW)


def test_login_and_lockout_after_five_failures(users):
    with users.begin() as conn:
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW).region_adcode == "410105"
        for i in range(5):
            assert accounts.authenticate(conn, "officer1", "wrong", now=NOW + dt.timedelta(seconds=i)) is None
        # locked: even the right password fails, until 30 minutes have passed
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW + dt.timedelta(minutes=10)) is None
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW + dt.timedelta(minutes=31)) is not None
        assert accounts.authenticate(conn, "nobody", GOOD, now=NOW) is None
        actions = list(conn.execute(select(models.AuditLog.action).order_by(models.AuditLog.id)).scalars())
    assert actions.count("login_failed") == 7 and actions.count("login") == 2 and actions[0] == "user_create"


def test_the_audit_chain_detects_a_changed_or_deleted_row(users):
    with users.begin() as conn:
        for i in range(4):
            audit.append(conn, actor="A1", action="alert_view", target=f"alert {i}", detail={"i": i}, now=NOW)
        assert audit.verify(conn) is None
        ids = list(conn.execute(select(models.AuditLog.id).order_by(models.AuditLog.id)).scalars())
    with users.connect() as conn:
        conn.execute(update(models.AuditLog).where(models.AuditLog.id == ids[2]).values(actor="someone else"))
        assert audit.verify(conn) == ids[2]
        conn.rollback()
    with users.begin() as conn:
        conn.execute(delete(models.AuditLog).where(models.AuditLog.id == ids[1]))
        assert audit.verify(conn) == ids[2]  # the row after the gap no longer fits


def test_an_enrolled_user_needs_a_fresh_code_and_a_reused_one_fails(users):
    import pyotp

    with users.begin() as conn:
        uri = accounts.enrol_totp(conn, "officer1", actor="admin", now=NOW)
        secret = pyotp.parse_uri(uri).secret
        code = pyotp.TOTP(secret).at(NOW)
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW) is None  # the password alone is not enough
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW, otp="000000" if code != "000000" else "111111") is None
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW, otp=code) is not None
        assert accounts.authenticate(conn, "officer1", GOOD, now=NOW, otp=code) is None  # replayed
        later = NOW + dt.timedelta(seconds=60)
        assert accounts.authenticate(conn, "officer1", GOOD, now=later, otp=pyotp.TOTP(secret).at(later)) is not None
        accounts.remove_totp(conn, "officer1", actor="admin", now=later)
        assert accounts.authenticate(conn, "officer1", GOOD, now=later) is not None
        reasons = [r for r in conn.execute(select(models.AuditLog.action)).scalars()]
    assert "user_totp_enrol" in reasons and "user_totp_remove" in reasons
