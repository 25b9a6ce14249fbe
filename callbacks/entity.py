"""Callback of the entity file: a manager revokes the public QR code and issues a new one.

The entity id comes from the browser (the page's store), so it is checked again against the
session's scope, and the role is the session's: a crafted request for an entity elsewhere, or from
an officer, changes nothing and says so. Every renewal goes to the audit log.
"""

from __future__ import annotations

import datetime as dt

from dash import Dash, Input, Output, State, html, no_update
from flask import request

from dashboard import context, i18n, ids
from dashboard.auth import current_account
from dashboard.pages import entity as entity_page
from data import audit, public_tokens
from data.queries import entity_file
from data.queries.filters import OutOfScope


def renew(clicks: int | None, state: dict | None) -> list:
    """The QR panel after revoking the entity's code and issuing a new one; a refusal when not allowed."""
    if not clicks:
        return no_update
    state = state if isinstance(state, dict) else {}
    lang = i18n.normalise_language(state.get("lang"))
    account = current_account()
    try:
        entity = entity_file.profile(context.store(), state.get("entity_id"), context.viewer_scope())
    except OutOfScope:
        return [html.Div(i18n.t("entity_not_found", lang), className="wj-problem")]
    if account is None or account.role not in entity_page.RENEWING_ROLES:
        return [html.Div(i18n.t("renew_not_allowed", lang), className="wj-problem")]
    now = dt.datetime.now(dt.UTC)
    with context.store().engine.begin() as conn:
        public_tokens.renew(conn, entity["id"], now)
        audit.append(conn, actor=account.username, action="public_token_renew", target=f"entity:{entity['id']}",
                     detail={}, now=now, ip=request.remote_addr)
    return entity_page.qr_panel(entity["id"], lang, notice=i18n.t("code_renewed", lang))


def register(app: Dash) -> None:
    app.callback(Output(ids.ENTITY_QR, "children"), Input(ids.ENTITY_RENEW, "n_clicks"), State(ids.ENTITY_STATE, "data"),
                 prevent_initial_call=True)(renew)
