"""`weijian user|audit`: accounts (created by the system administrator) and the audit chain check."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import typer
from sqlalchemy import select

from dashboard.cli_errors import fail as _fail
from dashboard.settings import get_settings

user_app = typer.Typer(help="Accounts: add, list, unlock.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
display_app = typer.Typer(help="Display tokens of wall screens: add, list, revoke.", no_args_is_help=True)



def _engine():
    from data import db

    return db.make_engine(get_settings().db_url)


@user_app.command("add")
def user_add(username: str, role: str = typer.Option(..., help="sysadmin, secadmin, auditor, province_manager, "
                                                                "city_manager, county_manager, county_officer, display"),
             region: str = typer.Option(..., help="Home region code: the scope is this region and below."),
             name: str = typer.Option(..., help="Full name."),
             badge: str = typer.Option("", help="An officer's badge number (ties alerts to the account)."),
             actor: str = typer.Option(..., "--as", help="Who creates the account (the system administrator).")) -> None:
    """Create an account; the password is asked twice and never echoed or passed on the command line."""
    from data import accounts
    from data.models import Inspector

    password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    engine = _engine()
    try:
        with engine.begin() as conn:
            inspector = None
            if badge:
                inspector = conn.execute(select(Inspector.id).where(Inspector.badge_no == badge)).scalar()
                if inspector is None:
                    _fail(f"no officer with badge {badge!r}")
            account = accounts.create_user(conn, username=username, name=name, role=role, region=region,
                                           password=password, actor=actor, now=dt.datetime.now(dt.UTC),
                                           policy=get_settings().password_policy(), inspector_id=inspector)
    except (ValueError, accounts.PasswordPolicyError) as exc:
        _fail(str(exc))
    typer.echo(f"user {account.username}: {account.role} of {account.region_adcode}")


@user_app.command("list")
def user_list() -> None:
    """User name, name, role, home region, locked until, last login."""
    from data.models import AppUser

    table = AppUser.__table__
    with _engine().connect() as conn:
        frame = pd.DataFrame(conn.execute(select(table.c.username, table.c.name, table.c.role, table.c.region_adcode,
                                                 table.c.locked_until, table.c.last_login_at, table.c.active)).all())
    typer.echo(frame.to_string(index=False) if not frame.empty else "(none)")


@user_app.command("unlock")
def user_unlock(username: str, actor: str = typer.Option(..., "--as", help="Who unlocks.")) -> None:
    """Lift a lockout before its 30 minutes are over."""
    from data import accounts

    try:
        with _engine().begin() as conn:
            accounts.unlock(conn, username, actor=actor, now=dt.datetime.now(dt.UTC))
    except LookupError as exc:
        _fail(str(exc))
    typer.echo(f"user {username} unlocked")


@user_app.command("totp")
def user_totp(username: str, actor: str = typer.Option(..., "--as", help="Who enrols (the system administrator)."),
              remove: bool = typer.Option(False, "--remove", help="Remove the second factor instead.")) -> None:
    """Enrol a user in the TOTP second factor: prints the otpauth:// URI for their authenticator app, once."""
    from data import accounts

    try:
        with _engine().begin() as conn:
            if remove:
                accounts.remove_totp(conn, username, actor=actor, now=dt.datetime.now(dt.UTC))
                typer.echo(f"user {username}: second factor removed")
                return
            uri = accounts.enrol_totp(conn, username, actor=actor, now=dt.datetime.now(dt.UTC))
    except LookupError as exc:
        _fail(str(exc))
    typer.echo(f"user {username}: scan this into the authenticator app (shown once)\n{uri}")


@user_app.command("api-token")
def user_api_token(username: str, actor: str = typer.Option(..., "--as", help="Who issues (the system administrator)."),
                   revoke: bool = typer.Option(False, "--revoke", help="Revoke the user's token instead.")) -> None:
    """Issue (or replace) a user's API token for `Authorization: Bearer` on /api/v1: printed once."""
    from data import api_tokens

    try:
        with _engine().begin() as conn:
            if revoke:
                api_tokens.revoke(conn, username, actor=actor, now=dt.datetime.now(dt.UTC))
                typer.echo(f"user {username}: API token revoked")
                return
            token = api_tokens.issue(conn, username, actor=actor, now=dt.datetime.now(dt.UTC))
    except LookupError as exc:
        _fail(str(exc))
    typer.echo(f"user {username}: API token (shown once; issuing again replaces it)\n{token}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 naming the first row that was changed, inserted or follows a deleted one."""
    from data import audit

    with _engine().connect() as conn:
        broken = audit.verify(conn)
    if broken is not None:
        _fail(f"audit log broken at row {broken}: changed, inserted, or after a deleted row")
    typer.echo("audit log intact")


@audit_app.command("prune")
def audit_prune(keep_days: int = typer.Option(180, help="Keep this many days of entries."),
                actor: str = typer.Option(..., "--as", help="Who prunes (recorded in the log).")) -> None:
    """Delete entries older than the retention; the chain stays verifiable from the new anchor."""
    from data import audit

    if keep_days < 1:
        _fail("--keep-days must be at least 1")
    with _engine().begin() as conn:
        gone = audit.prune(conn, now=dt.datetime.now(dt.UTC), actor=actor, keep_days=keep_days)
    typer.echo(f"{gone} audit entries older than {keep_days} days deleted; the chain is anchored at the first kept one")


@display_app.command("add")
def display_add(label: str, region: str = typer.Option(..., help="The region the screen shows (its scope)."),
                ip: str = typer.Option(..., help="Addresses it may be used from: CIDR ranges, comma-separated."),
                actor: str = typer.Option(..., "--as", help="Who issues it (the security administrator)."),
                base_url: str = typer.Option("http://127.0.0.1:8050", help="How the screen reaches the server.")) -> None:
    """Issue a token and print the URL to open once on the screen (shown once: only its hash is kept)."""
    from data import displays

    try:
        with _engine().begin() as conn:
            token_id, token = displays.issue(conn, label=label, region=region, ip_ranges=ip, actor=actor,
                                             now=dt.datetime.now(dt.UTC))
    except displays.DisplayTokenError as exc:
        _fail(str(exc))
    typer.echo(f"display {token_id} ({label}): open once on the screen\n{base_url.rstrip('/')}/display/{token}")


@display_app.command("list")
def display_list() -> None:
    """Id, label, region, IP ranges, issued by and when, last used, revoked."""
    from data import displays

    with _engine().connect() as conn:
        frame = pd.DataFrame(displays.listing(conn))
    typer.echo(frame.to_string(index=False) if not frame.empty else "(none)")


@display_app.command("revoke")
def display_revoke(token_id: int, actor: str = typer.Option(..., "--as", help="Who revokes.")) -> None:
    """Revoke a token: the screen's session ends at its next request."""
    from data import displays

    try:
        with _engine().begin() as conn:
            displays.revoke(conn, token_id, actor=actor, now=dt.datetime.now(dt.UTC))
    except displays.DisplayTokenError as exc:
        _fail(str(exc))
    typer.echo(f"display {token_id} revoked")
