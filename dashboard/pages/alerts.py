"""Alert inbox `/alerts`: the region's alerts, newest first, with their handling history and what is overdue.

"处理" on an unclosed alert opens its action panel: the steps its status allows (dispatch to an
officer of its region, handle, review, close, dismiss), taken as the logged-in user; the server
checks scope, region, assignee and four-eyes again (callbacks/alerts.py, data/monitoring/alerts.py).
`mask=1` masks who took each step and numbers in the notes; `kiosk=1` (a view of /kiosk) masks always
and shows the newest alerts read-only: no language link, no status links, no action buttons.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, i18n, ids, masking
from dashboard.pages.device import alert_table
from dashboard.pages.kiosk import marker
from dashboard.urls import page_url
from data import vocab
from data.queries import alerts as alert_queries
from data.queries.filters import OutOfScope, UnknownRegion

PATH = "/alerts"
STATUS_CHOICES = ("unclosed", "all", *vocab.ALERT_STATUSES)
KIOSK_ROWS = 25  # what a 1080-pixel screen shows; the inbox has no scrolling in a kiosk


def layout(region: str | None = None, status: str | None = None, lang: str | None = None, mask: str | None = None,
           kiosk: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or context.settings().region
    status = status if status in STATUS_CHOICES else "unclosed"
    view = masking.view_state(mask, kiosk)
    view["mask"] = masked = context.masks(view)
    page_class = "wj-page" + (" wj-kiosk" if view["kiosk"] else "")
    try:
        feed = alert_queries.feed(store, scope, region, status=status, limit=KIOSK_ROWS if view["kiosk"] else 200)
    except (OutOfScope, UnknownRegion) as exc:
        return html.Div(className=page_class, children=[html.Div(str(exc), className="wj-problem wj-refusal")])
    trail = alert_queries.trail(store, scope, [int(i) for i in feed["id"]])
    overdue = int(feed["overdue"].sum()) if len(feed) else 0
    if masked:
        feed, trail = masking.alert_feed(feed), masking.alert_trail(trail)
    header = html.Header(className="wj-header", children=[
        html.H1([i18n.t("app_title", lang), html.Span(i18n.t("alert_inbox", lang), className="wj-subtitle")]),
        html.Div(className="wj-header-meta", children=[
            *([marker(lang)] if masked else []),
            *([] if view["kiosk"] else [dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                                                 href=_url(region, status, "en" if lang == "zh" else "zh", masked))]),
        ]),
    ])
    summary = html.Div(className="wj-summary", children=f"{i18n.t('alerts', lang)} {len(feed):,} · "
                                                        f"{i18n.t('overdue', lang)} {overdue:,}")
    if view["kiosk"]:
        return html.Div(className=page_class, lang="en" if lang == "en" else "zh-CN", children=[
            header, summary, html.Section(className="wj-panel", children=[alert_table(feed, trail, lang, links=False)])])
    return html.Div(className=page_class, lang="en" if lang == "en" else "zh-CN", children=[
        header,
        html.Nav(className="wj-breadcrumb", children=[
            dcc.Link(i18n.t("status_" + s, lang), href=_url(region, s, lang, masked),
                     className="wj-crumb" + (" wj-crumb-current" if s == status else "")) for s in STATUS_CHOICES]),
        summary,
        dcc.Location(id=ids.ALERT_NAV, refresh=True),
        dcc.Store(id=ids.ALERT_SELECTED),
        dcc.Store(id=ids.ALERT_LANG, data=lang),
        dcc.Store(id=ids.ALERT_VIEW, data=view),
        html.Section(id=ids.ALERT_PANEL, className="wj-panel wj-action-panel"),
        html.Div(id=ids.ALERT_MESSAGE),
        html.Section(className="wj-panel", children=[alert_table(feed, trail, lang, actions=True)]),
    ])


def _url(region: str, status: str, lang: str, masked: bool) -> str:
    """The inbox's own links keep the mask on: a masked screen stays masked when someone clicks."""
    return page_url("/alerts", region=region, status=status, lang=lang, **({"mask": 1} if masked else {}))
