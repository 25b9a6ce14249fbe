"""Alert inbox `/alerts`: the region's alerts, newest first, with their handling history and what is overdue.

"处理" on an unclosed alert opens its action panel: the steps its status allows (dispatch to an
officer of its region, handle, review, close, dismiss), taken as the logged-in user; the server
checks scope, region, assignee and four-eyes again (callbacks/alerts.py, data/monitoring/alerts.py).
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.pages.device import alert_table
from data import vocab
from data.queries import alerts as alert_queries
from data.queries.filters import OutOfScope, UnknownRegion

PATH = "/alerts"
STATUS_CHOICES = ("unclosed", "all", *vocab.ALERT_STATUSES)


def layout(region: str | None = None, status: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or context.settings().region
    status = status if status in STATUS_CHOICES else "unclosed"
    try:
        feed = alert_queries.feed(store, scope, region, status=status, limit=200)
    except (OutOfScope, UnknownRegion) as exc:
        return html.Div(className="wj-page", children=[html.Div(str(exc), className="wj-problem wj-refusal")])
    trail = alert_queries.trail(store, scope, [int(i) for i in feed["id"]])
    overdue = int(feed["overdue"].sum()) if len(feed) else 0
    return html.Div(className="wj-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("alert_inbox", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), href=f"/alerts?region={region}&status={status}&lang="
                     + ("en" if lang == "zh" else "zh"), className="wj-lang"),
        ]),
        html.Nav(className="wj-breadcrumb", children=[
            dcc.Link(i18n.t("status_" + s, lang), href=f"/alerts?region={region}&status={s}&lang={lang}",
                     className="wj-crumb" + (" wj-crumb-current" if s == status else "")) for s in STATUS_CHOICES]),
        html.Div(className="wj-summary", children=f"{i18n.t('alerts', lang)} {len(feed):,} · "
                                                  f"{i18n.t('overdue', lang)} {overdue:,}"),
        dcc.Location(id=ids.ALERT_NAV, refresh=True),
        dcc.Store(id=ids.ALERT_SELECTED),
        dcc.Store(id=ids.ALERT_LANG, data=lang),
        html.Section(id=ids.ALERT_PANEL, className="wj-panel wj-action-panel"),
        html.Div(id=ids.ALERT_MESSAGE),
        html.Section(className="wj-panel", children=[alert_table(feed, trail, lang, actions=True)]),
    ])
