"""Callbacks of the alert inbox: pick an alert, then take a step in its life as the logged-in user.

The alert id comes from the browser, so nothing is trusted: the actor is the session's account, and
data.monitoring.alerts.transition checks scope, region, status, assignee and four-eyes on the server.
On a masked inbox (its view store, see dashboard/masking.py) the panel masks officers' names and numbers.
"""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import context, i18n, ids, masking
from dashboard.auth import current_account
from data import db
from data.monitoring import alerts
from data.queries import alerts as alert_queries
from data.queries.filters import OutOfScope

log = logging.getLogger(__name__)
STEPS = {"open": ("dispatch", "dismiss"), "dispatched": ("handle", "dismiss"), "handled": ("review",),
         "reviewed": ("close",)}


def panel(alert_id: int | None, lang: str, view: dict | None = None) -> list:
    """The action panel for one alert: what it is, a note, an officer to send it to, the allowed steps."""
    account = current_account()
    if alert_id is None or account is None:
        return []
    row = alert_queries.one(context.store(), context.viewer_scope(), int(alert_id))
    if row is None:
        return [html.Div(i18n.t("out_of_scope", lang), className="wj-problem")]
    masked = context.masks(view)
    text, name = (masking.free_text, masking.person_name) if masked else (str, str)
    steps = STEPS.get(row["status"], ()) if account.acts_on_cases else ()
    children = [html.H3(text(f"#{row['id']} · {row['entity'] or row['device_id']} · {row['message']}"),
                        className="wj-panel-title")]
    if not steps:
        return children + [html.P(i18n.t("no_steps", lang), className="wj-hint")]
    if "dispatch" in steps:
        people = alert_queries.officers(context.store(), context.viewer_scope(), int(alert_id))
        children.append(html.Label([i18n.t("assignee", lang), dcc.Dropdown(
            id=ids.ALERT_ASSIGNEE, options=[{"label": f"{name(n)} ({b})", "value": b} for b, n in zip(people["badge_no"], people["name"])],
            className="wj-dropdown")]))
    else:
        children.append(dcc.Dropdown(id=ids.ALERT_ASSIGNEE, options=[], style={"display": "none"}))
    children.append(html.Label([i18n.t("note", lang), dcc.Textarea(id=ids.ALERT_NOTE, className="wj-note", maxLength=2000)]))
    children.append(html.Div(className="wj-steps", children=[
        html.Button(i18n.t("action_" + step, lang), id={"type": ids.ALERT_ACT, "action": step}, className="wj-button")
        for step in steps]))
    return children


def pick(trigger: dict | None, clicks: list, lang: str | None, view: dict | None = None) -> tuple:
    """(selected alert id, its action panel) after a click on an alert's button."""
    if not trigger or not any(clicks or []):
        return no_update, no_update
    alert_id = int(trigger["id"])
    return alert_id, panel(alert_id, i18n.normalise_language(lang), view)


def act(trigger: dict | None, clicks: list, alert_id: int | None, note: str | None, assignee: str | None,
        href: str | None, lang: str | None) -> tuple:
    """(message, the page to reload). Refusals are said in the message; nothing changes."""
    lang = i18n.normalise_language(lang)
    account = current_account()
    if not trigger or not any(clicks or []) or alert_id is None or account is None:
        return no_update, no_update
    if not account.acts_on_cases:
        return html.Div(i18n.t("no_steps", lang), className="wj-problem"), no_update
    step = trigger["action"]
    actor = alerts.Actor(account.username, account.region_adcode, account.inspector_id)
    try:
        with context.store().engine.begin() as conn:
            alerts.transition(conn, int(alert_id), step, actor=actor, scope=context.viewer_scope(),
                              now=dt.datetime.now(dt.UTC), note=(note or "").strip() or None,
                              assignee_badge=assignee if isinstance(assignee, str) else None)
            db.bump_data_version(conn)
    except (alerts.AlertActionError, OutOfScope) as exc:
        log.warning("alert step refused for %s: %s", account.username, exc)
        return html.Div(i18n.refusal(exc, lang), className="wj-problem"), no_update
    return html.Div(i18n.t("step_done", lang), className="wj-hint"), href or "/alerts"


def register(app: Dash) -> None:
    @app.callback(Output(ids.ALERT_SELECTED, "data"), Output(ids.ALERT_PANEL, "children"),
                  Input({"type": ids.ALERT_PICK, "id": ALL}, "n_clicks"), State(ids.ALERT_LANG, "data"),
                  State(ids.ALERT_VIEW, "data"), prevent_initial_call=True)
    def _pick(clicks, lang, view):
        return pick(ctx.triggered_id, clicks, lang, view)

    @app.callback(Output(ids.ALERT_MESSAGE, "children"), Output(ids.ALERT_NAV, "href"),
                  Input({"type": ids.ALERT_ACT, "action": ALL}, "n_clicks"), State(ids.ALERT_SELECTED, "data"),
                  State(ids.ALERT_NOTE, "value"), State(ids.ALERT_ASSIGNEE, "value"), State(ids.ALERT_NAV, "href"),
                  State(ids.ALERT_LANG, "data"), prevent_initial_call=True)
    def _act(clicks, alert_id, note, assignee, href, lang):
        return act(ctx.triggered_id, clicks, alert_id, note, assignee, href, lang)
