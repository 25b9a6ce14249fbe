"""Risk ledger `/ledger` (风险台账): the high and very-high risk entities of the viewer's region, for officers and managers.

`/ledger?region=410105&status=open|closed|all&lang=en`. Each entry shows why it entered (its score's
top factors), the responsible officer, the due date (overdue ones flagged) and every step. "处置" on an
open entry opens its panel: assign an officer of the entity's region (and a due date), record a
measure, or close it out (销账), which the server refuses without a follow-up inspection. The region is
checked against the session's scope here and again in every query and step (callbacks/ledger.py).
"""

from __future__ import annotations

import json

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.urls import page_url
from data.queries import ledger as ledger_queries
from data.queries.filters import OutOfScope

PATH = "/ledger"


def layout(region: str | None = None, status: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or sorted(scope.roots)[0]  # the viewer's home region: an officer's county, a manager's province
    status = status if status in ledger_queries.STATUSES else "open"
    try:
        frame = ledger_queries.entries(store, scope, region=region, status=status)
    except (OutOfScope, KeyError):
        return _page(lang, [html.Div(i18n.t("out_of_scope", lang) + f": {region}", className="wj-problem wj-refusal")])
    trail = ledger_queries.steps(store, scope, [int(i) for i in frame["id"]])
    overdue = int(frame["overdue"].sum()) if len(frame) else 0
    return _page(lang, [
        html.Nav(className="wj-breadcrumb", children=[
            dcc.Link(i18n.t("ledger_status_" + s, lang), href=page_url(PATH, region=region, status=s, lang=lang),
                     className="wj-crumb" + (" wj-crumb-current" if s == status else "")) for s in ledger_queries.STATUSES]),
        html.Div(i18n.t("ledger_summary", lang).format(f"{len(frame):,}", f"{overdue:,}"), className="wj-summary",
                 id="ledger-summary"),
        dcc.Location(id=ids.LEDGER_NAV, refresh=True),
        dcc.Store(id=ids.LEDGER_SELECTED),
        dcc.Store(id=ids.LEDGER_LANG, data=lang),
        html.Section(id=ids.LEDGER_PANEL, className="wj-panel wj-action-panel"),
        html.Div(id=ids.LEDGER_MESSAGE),
        html.Section(className="wj-panel", children=[entry_table(frame, trail, lang)]),
    ], region)


def reason_text(reason: str, lang: str) -> str:
    """The entry's top factors, translated, with their points."""
    return "；".join(f"{i18n.t('risk_factor_' + k, lang)} {v:g}" for k, v in json.loads(reason).items())


def entry_table(frame: pd.DataFrame, trail: pd.DataFrame, lang: str) -> html.Table | html.Div:
    if frame.empty:
        return html.Div(i18n.t("no_records", lang), className="wj-hint")
    head = ["entity", "risk_level", "risk_score", "reason", "officer", "entered_on", "due_on", "status", "steps", ""]
    rows = []
    for entry in frame.itertuples():
        steps = trail[trail["entry_id"] == entry.id]
        rows.append(html.Tr(className="wj-event" + (" wj-event-flagged" if entry.overdue else ""), children=[
            html.Td(dcc.Link(entry.entity, href=f"/entity/{entry.entity_id}?lang={lang}")),
            html.Td(html.Span(i18n.t("risk_" + entry.level, lang), className=f"wj-badge wj-risk-{entry.level}")),
            html.Td(f"{entry.score:g}", className="wj-number"),
            html.Td(reason_text(entry.reason, lang)),
            html.Td(f"{entry.officer} ({entry.officer_badge})" if entry.officer else i18n.t("ledger_unassigned", lang)),
            html.Td(f"{entry.entered_on:%Y-%m-%d}"),
            html.Td([f"{entry.due_on:%Y-%m-%d}", *([" ", html.Span(i18n.t("overdue", lang), className="wj-badge wj-badge-bad")]
                                                    if entry.overdue else [])]),
            html.Td(i18n.t("ledger_status_" + entry.status, lang)),
            html.Td(html.Ul([html.Li(f"{s.at.tz_convert('Asia/Shanghai'):%m-%d %H:%M} {i18n.t('ledger_action_' + s.action, lang)}"
                                     f" · {s.actor}" + (f" · {s.note}" if s.note and s.action != 'enter' else ""))
                             for s in steps.itertuples()], className="wj-steps-list")),
            html.Td(html.Button(i18n.t("ledger_pick", lang), id={"type": ids.LEDGER_PICK, "id": int(entry.id)},
                                className="wj-button") if entry.status == "open" else ""),
        ]))
    return html.Table(className="wj-table wj-ledger-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang) if h else "") for h in head])), html.Tbody(rows)])


def _page(lang: str, body: list, region: str | None = None) -> html.Div:
    other = "en" if lang == "zh" else "zh"
    return html.Div(className="wj-page wj-ledger-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("ledger_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                     href=page_url(PATH, lang=other, **({"region": region} if region else {}))),
        ]),
        *body,
    ])
