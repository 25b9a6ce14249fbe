"""Callbacks of the risk ledger: pick an entry, then assign, record a measure or close it out, as the logged-in user.

The entry id comes from the browser, so nothing is trusted: the actor is the session's account, its
role must be one that acts on cases, and data.risk.ledger checks scope, officer region and the
follow-up inspection on the server. A refusal is shown with its reason and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import context, i18n, ids
from dashboard.auth import current_account
from data import db
from data.queries import ledger as ledger_queries
from data.queries.filters import OutOfScope
from data.risk import ledger

log = logging.getLogger(__name__)
ACTIONS = ("assign", "measure", "close")


def panel(entry_id: int | None, lang: str) -> list:
    """The entry's panel: an officer of its region, a due date, a text, and the three steps."""
    account = current_account()
    if entry_id is None or account is None:
        return []
    if not account.acts_on_cases:
        return [html.P(i18n.t("ledger_read_only", lang), className="wj-hint")]
    people = ledger_queries.officers(context.store(), context.viewer_scope(), int(entry_id))
    if people.empty:
        return [html.Div(i18n.t("out_of_scope", lang), className="wj-problem")]
    return [
        html.H3(f"#{entry_id}", className="wj-panel-title"),
        html.Label([i18n.t("col_officer", lang), dcc.Dropdown(
            id=ids.LEDGER_OFFICER, className="wj-dropdown",
            options=[{"label": f"{n} ({b})", "value": b} for b, n in zip(people["badge_no"], people["name"])])]),
        html.Label([i18n.t("ledger_due", lang), dcc.Input(id=ids.LEDGER_DUE, type="text", maxLength=10, debounce=True)]),
        html.Label([i18n.t("ledger_measure_text", lang), dcc.Textarea(id=ids.LEDGER_TEXT, className="wj-note", maxLength=2000)]),
        html.Div(className="wj-steps", children=[
            html.Button(i18n.t("ledger_action_" + a, lang), id={"type": ids.LEDGER_ACT, "action": a}, className="wj-button")
            for a in ACTIONS]),
    ]


def pick(trigger: dict | None, clicks: list, lang: str | None) -> tuple:
    if not trigger or not any(clicks or []):
        return no_update, no_update
    entry_id = int(trigger["id"])
    return entry_id, panel(entry_id, i18n.normalise_language(lang))


def act(trigger: dict | None, clicks: list, entry_id: int | None, officer: str | None, due: str | None,
        text: str | None, href: str | None, lang: str | None) -> tuple:
    """(message, the page to reload). Refusals are said in the message; nothing changes."""
    lang = i18n.normalise_language(lang)
    account = current_account()
    if not trigger or not any(clicks or []) or entry_id is None or account is None:
        return no_update, no_update
    if not account.acts_on_cases:
        return html.Div(i18n.t("ledger_read_only", lang), className="wj-problem"), no_update
    action = trigger.get("action")
    if action not in ACTIONS:
        return no_update, no_update
    try:
        due_on = dt.date.fromisoformat(due.strip()) if isinstance(due, str) and due.strip() else None
    except ValueError:
        return html.Div(i18n.t("ledger_bad_date", lang), className="wj-problem"), no_update
    common = {"actor": account.username, "scope": context.viewer_scope(), "now": dt.datetime.now(dt.UTC)}
    try:
        with context.store().engine.begin() as conn:
            if action == "assign":
                ledger.assign(conn, int(entry_id), officer_badge=str(officer or ""), due_on=due_on, **common)
            elif action == "measure":
                ledger.add_measure(conn, int(entry_id), measure=str(text or ""), **common)
            else:
                ledger.close(conn, int(entry_id), note=str(text or "") or None, **common)
            db.bump_data_version(conn)
    except (ledger.LedgerError, OutOfScope) as exc:
        log.warning("ledger step refused for %s: %s", account.username, exc)
        return html.Div(i18n.refusal(exc, lang), className="wj-problem"), no_update
    return html.Div(i18n.t("ledger_done", lang), className="wj-hint"), href or "/ledger"


def register(app: Dash) -> None:
    @app.callback(Output(ids.LEDGER_SELECTED, "data"), Output(ids.LEDGER_PANEL, "children"),
                  Input({"type": ids.LEDGER_PICK, "id": ALL}, "n_clicks"), State(ids.LEDGER_LANG, "data"),
                  prevent_initial_call=True)
    def _pick(clicks, lang):
        return pick(ctx.triggered_id, clicks, lang)

    @app.callback(Output(ids.LEDGER_MESSAGE, "children"), Output(ids.LEDGER_NAV, "href"),
                  Input({"type": ids.LEDGER_ACT, "action": ALL}, "n_clicks"), State(ids.LEDGER_SELECTED, "data"),
                  State(ids.LEDGER_OFFICER, "value"), State(ids.LEDGER_DUE, "value"), State(ids.LEDGER_TEXT, "value"),
                  State(ids.LEDGER_NAV, "href"), State(ids.LEDGER_LANG, "data"), prevent_initial_call=True)
    def _act(clicks, entry_id, officer, due, text, href, lang):
        return act(ctx.triggered_id, clicks, entry_id, officer, due, text, href, lang)
