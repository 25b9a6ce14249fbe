"""Callbacks of the complaint inbox: pick a complaint, then take a step on it as the logged-in user.

The complaint id, the officer and the finding come from the browser, so nothing is trusted: the actor is
the session's account, and data.complaints.workflow.transition checks scope, region, status, assignee
and four eyes on the server. On a masked inbox the panel masks officers' names and free text.
"""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import context, i18n, ids, masking
from dashboard.auth import current_account
from data import db
from data.complaints import workflow
from data.queries import complaint_cases
from data.queries.filters import OutOfScope

log = logging.getLogger(__name__)
STEPS = {"received": ("assign", "extend"), "assigned": ("start", "extend"), "handling": ("feedback", "extend"),
         "feedback": ("close",)}
FINDINGS = {"held": True, "not_held": False}


def panel(complaint_id: int | None, lang: str, view: dict | None = None) -> list:
    """The action panel for one complaint: what it is, a note, whom to pass it to, the finding, the steps."""
    account = current_account()
    if complaint_id is None or account is None:
        return []
    row = complaint_cases.one(context.store(), context.viewer_scope(), int(complaint_id))
    if row is None:
        return [html.Div(i18n.t("out_of_scope", lang), className="wj-problem")]
    masked = context.masks(view)
    text, name = (masking.free_text, masking.person_name) if masked else (str, str)
    steps = STEPS.get(row["status"], ()) if account.acts_on_cases else ()
    children = [html.H3(text(f"#{row['id']} · {row['entity'] or row['address'] or ''} · {row['category']}"),
                        className="wj-panel-title")]
    if not steps:
        return children + [html.P(i18n.t("no_steps", lang), className="wj-hint")]
    people = (complaint_cases.officers(context.store(), context.viewer_scope(), int(complaint_id))
              if "assign" in steps else None)
    children.append(html.Label([i18n.t("complaint_transfer_to", lang), dcc.Dropdown(
        id=ids.COMPLAINT_ASSIGNEE, className="wj-dropdown",
        options=[] if people is None else [{"label": f"{name(n)} ({b})", "value": b}
                                           for b, n in zip(people["badge_no"], people["name"])])],
        style=None if people is not None else {"display": "none"}))
    children.append(html.Label([i18n.t("complaint_substantiated", lang), dcc.RadioItems(
        id=ids.COMPLAINT_SUBSTANTIATED, className="wj-radio",
        options=[{"label": i18n.t("complaint_" + k, lang), "value": k} for k in FINDINGS])],
        style=None if "feedback" in steps else {"display": "none"}))
    children.append(html.Label([i18n.t("complaint_note", lang),
                                dcc.Textarea(id=ids.COMPLAINT_NOTE, className="wj-note", maxLength=2000)]))
    children.append(html.Div(className="wj-steps", children=[
        html.Button(i18n.t("complaint_action_" + step, lang), id={"type": ids.COMPLAINT_ACT, "action": step},
                    className="wj-button") for step in steps]))
    return children


def pick(trigger: dict | None, clicks: list, lang: str | None, view: dict | None = None) -> tuple:
    """(selected complaint id, its action panel) after a click on a complaint's button."""
    if not trigger or not any(clicks or []):
        return no_update, no_update
    complaint_id = int(trigger["id"])
    return complaint_id, panel(complaint_id, i18n.normalise_language(lang), view)


def act(trigger: dict | None, clicks: list, complaint_id: int | None, note: str | None, assignee: str | None,
        finding: str | None, href: str | None, lang: str | None) -> tuple:
    """(message, the page to reload). Refusals are said in the message; nothing changes."""
    lang = i18n.normalise_language(lang)
    account = current_account()
    if not trigger or not any(clicks or []) or complaint_id is None or account is None:
        return no_update, no_update
    if not account.acts_on_cases:
        return html.Div(i18n.t("no_steps", lang), className="wj-problem"), no_update
    actor = workflow.Actor(account.username, account.region_adcode, account.inspector_id)
    try:
        with context.store().engine.begin() as conn:
            workflow.transition(conn, int(complaint_id), str(trigger["action"]), actor=actor,
                                scope=context.viewer_scope(), now=dt.datetime.now(dt.UTC),
                                note=note.strip() or None if isinstance(note, str) else None,
                                assignee_badge=assignee if isinstance(assignee, str) else None,
                                substantiated=FINDINGS.get(finding) if isinstance(finding, str) else None)
            db.bump_data_version(conn)
    except (workflow.ComplaintActionError, OutOfScope, ValueError) as exc:
        log.warning("complaint step refused for %s: %s", account.username, exc)
        return html.Div(i18n.refusal(exc, lang), className="wj-problem"), no_update
    return html.Div(i18n.t("step_done", lang), className="wj-hint"), href or "/complaints"


def register(app: Dash) -> None:
    @app.callback(Output(ids.COMPLAINT_SELECTED, "data"), Output(ids.COMPLAINT_PANEL, "children"),
                  Input({"type": ids.COMPLAINT_PICK, "id": ALL}, "n_clicks"), State(ids.COMPLAINT_LANG, "data"),
                  State(ids.COMPLAINT_VIEW, "data"), prevent_initial_call=True)
    def _pick(clicks, lang, view):
        return pick(ctx.triggered_id, clicks, lang, view)

    @app.callback(Output(ids.COMPLAINT_MESSAGE, "children"), Output(ids.COMPLAINT_NAV, "href"),
                  Input({"type": ids.COMPLAINT_ACT, "action": ALL}, "n_clicks"), State(ids.COMPLAINT_SELECTED, "data"),
                  State(ids.COMPLAINT_NOTE, "value"), State(ids.COMPLAINT_ASSIGNEE, "value"),
                  State(ids.COMPLAINT_SUBSTANTIATED, "value"), State(ids.COMPLAINT_NAV, "href"),
                  State(ids.COMPLAINT_LANG, "data"), prevent_initial_call=True)
    def _act(clicks, complaint_id, note, assignee, finding, href, lang):
        return act(ctx.triggered_id, clicks, complaint_id, note, assignee, finding, href, lang)
