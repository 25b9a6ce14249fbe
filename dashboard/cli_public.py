"""`weijian public token ENTITY_ID [--revoke]`: the URL behind an entity's QR code, or its withdrawal.

The URL is built on WEIJIAN_PUBLIC_BASE_URL (without it, only the path is known to a command line:
it has no request to take a host from). The configured region bounds which entities it may touch.
"""

from __future__ import annotations

import datetime as dt

import typer

from dashboard.cli_errors import fail as _fail
from dashboard.settings import get_settings

public_app = typer.Typer(help="Public pages of venues (/public/<token>) and their QR tokens.", no_args_is_help=True)


@public_app.command("token")
def public_token(entity_id: int = typer.Argument(..., help="Entity id."),
                 revoke: bool = typer.Option(False, "--revoke", help="Withdraw the code (its page answers 404) and "
                                                                      "issue a new one.")) -> None:
    """Print the public URL of an entity (issuing a token on first use); --revoke replaces the token."""
    from dashboard import qr
    from data import audit, public_tokens
    from data.queries import entity_file
    from data.queries.filters import OutOfScope, Scope
    from data.store import Store

    settings = get_settings()
    store = Store.open(settings.db_url, settings.cache_url)
    try:
        entity = entity_file.profile(store, entity_id, Scope.of(settings.region))
    except OutOfScope as exc:
        _fail(f"entity {entity_id}: {exc}")
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        token = public_tokens.renew(conn, entity["id"], now) if revoke else public_tokens.ensure(conn, entity["id"], now)
        if revoke:
            audit.append(conn, actor="cli", action="public_token_renew", target=f"entity:{entity['id']}", detail={}, now=now)
    typer.echo(qr.public_url(settings.public_base_url, token) if settings.public_base_url else f"/public/{token}")
    if revoke:
        typer.echo("the previous code no longer opens anything", err=True)
