"""Device page `/device/<id>`: what a monitoring point measured, against its limits, and its alerts' history.

Built entirely on the server from the URL: the device's region is checked against the viewer's scope
before anything is read, and an id outside it answers the same as an unknown one. `mask=1` masks who
took each step of its alerts and numbers in the notes; `kiosk=1` (a view of /kiosk) masks always and
leaves out the links.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, ids, masking
from dashboard.pages.kiosk import marker
from dashboard.series import series_figure
from dashboard.theme import THEME
from dashboard.urls import manager_url
from data import db, vocab
from data.queries import alerts as alert_queries
from data.queries import monitoring
from data.queries.filters import OutOfScope

PATH_TEMPLATE = "/device/<device_id>"
DAYS = (1, 7, 30, 90)


def layout(device_id: str | None = None, days: str | None = None, lang: str | None = None, mask: str | None = None,
           kiosk: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    view = masking.view_state(mask, kiosk)
    view["mask"] = context.masks(view)
    try:
        device = monitoring.device_detail(store, str(device_id), scope)
    except OutOfScope:
        return _page(lang, view, [html.Div(i18n.t("device_not_found", lang) + f": {device_id}",
                                           className="wj-problem wj-refusal")])
    span = int(days) if days in {str(d) for d in DAYS} else 7
    end = db.as_utc(device["last_seen_at"]) if device["last_seen_at"] else dt.datetime.now(dt.UTC)
    readings = monitoring.device_readings(store, device["id"], scope, end - dt.timedelta(days=span), end)
    limits = monitoring.device_limits(store, device)
    feed = alert_queries.feed(store, scope, device["county_adcode"] or device["city_adcode"], status="all", limit=20,
                              device_id=device["id"])
    trail = alert_queries.trail(store, scope, [int(i) for i in feed["id"]])
    if view["mask"]:
        feed, trail = masking.alert_feed(feed), masking.alert_trail(trail)
    graphs = []
    for indicator, limit in limits.items():
        part = readings[readings["indicator"] == indicator]
        if part.empty:
            continue
        name = i18n.t(f"indicator_{indicator}", lang)
        graphs.append(html.Div(className="wj-panel", children=[
            dcc.Graph(figure=series_figure(part, limit, THEME, lang, name), config={"displayModeBar": False}),
            html.P(f"{i18n.t('limit', lang)}: {limit.describe()} · {limit.standard} {limit.clause}", className="wj-hint"),
        ]))
    back = manager_url(device["county_adcode"] or device["city_adcode"], "last-12-months", None, lang, "monitoring")
    links = not view["kiosk"]
    entity_name = masking.free_text(device["entity"]) if view["mask"] else device["entity"]
    return _page(lang, view, [
        *([html.Nav(className="wj-breadcrumb", children=[dcc.Link("← " + i18n.t("map_title_devices", lang), href=back,
                                                                  className="wj-crumb")])] if links else []),
        html.Section(className="wj-panel wj-facts", children=[
            html.H2([dcc.Link(entity_name, href=f"/entity/{device['entity_id']}?lang={lang}" + ("&mask=1" if view["mask"] else ""),
                              className="wj-crumb", title=i18n.t("open_entity_file", lang)) if links else entity_name,
                     f" · {i18n.t('scene_' + device['scene'], lang)}"], className="wj-panel-title"),
            html.Dl(children=_facts(device, lang)),
            html.Div(className="wj-spans", children=[
                dcc.Link(i18n.t("last_days", lang).format(d), className="wj-crumb" + (" wj-crumb-current" if d == span else ""),
                         href=f"/device/{device['id']}?days={d}&lang={lang}" + ("&mask=1" if view["mask"] else ""))
                for d in DAYS]) if links else html.Div(i18n.t("last_days", lang).format(span), className="wj-crumb-current"),
        ]),
        html.Div(className="wj-series", children=graphs or [html.Div(i18n.t("no_data", lang), className="wj-problem")]),
        html.Section(className="wj-panel", children=[html.H2(i18n.t("alerts", lang), className="wj-panel-title"),
                                                      alert_table(feed, trail, lang, links=links)]),
    ])


def _facts(device: dict, lang: str) -> list:
    seen = db.as_utc(device["last_seen_at"]).astimezone(dt.timezone(dt.timedelta(hours=8))) if device["last_seen_at"] else None
    pairs = [("device_id", device["id"]), ("address", device["address"] or "–"),
             ("interval", f"{device['interval_s'] // 60} min"), ("last_seen", f"{seen:%Y-%m-%d %H:%M}" if seen else "–")]
    return [item for key, value in pairs for item in (html.Dt(i18n.t(key, lang)), html.Dd(value))]


def alert_table(feed: pd.DataFrame, trail: pd.DataFrame, lang: str, actions: bool = False,
                links: bool = True) -> html.Table | html.Div:
    """Alerts, newest first, each followed by its recorded steps (who, when, what); with `actions`, a
    button per unclosed alert that opens its action panel (callbacks/alerts.py); without `links` (a kiosk),
    the entity is text, not a link to its device. Masking is the caller's: it passes masked frames."""
    if feed.empty:
        return html.Div(i18n.t("no_alerts", lang), className="wj-hint")
    head = ["raised_at", "entity", "rule", "indicator", "severity", "level", "status", "occurrences"]
    rows = []
    for alert in feed.itertuples():
        overdue = html.Span(i18n.t("overdue", lang), className="wj-badge wj-badge-bad") if alert.overdue else ""
        rows.append(html.Tr(className=f"wj-alert wj-severity-{alert.severity}", children=[
            html.Td(f"{alert.raised_at.tz_convert('Asia/Shanghai'):%Y-%m-%d %H:%M}"),
            html.Td(_entity_cell(alert, lang) if links else alert.entity or alert.device_id),
            html.Td(i18n.t("rule_" + alert.rule, lang)),
            html.Td(i18n.t("indicator_" + alert.indicator, lang) if alert.indicator else "–"),
            html.Td(i18n.t("severity_" + alert.severity, lang)),
            html.Td(i18n.t("level_" + alert.level, lang)),
            html.Td([i18n.t("status_" + alert.status, lang), " ", overdue]),
            html.Td(str(alert.occurrences)),
            *([html.Td(html.Button(i18n.t("take_step", lang), id={"type": ids.ALERT_PICK, "id": int(alert.id)},
                                   className="wj-button") if alert.status in vocab.ALERT_UNCLOSED else "")]
              if actions else []),
        ]))
        steps = trail[trail["alert_id"] == alert.id]
        if len(steps):
            rows.append(html.Tr(className="wj-trail", children=html.Td(colSpan=len(head) + actions, children=html.Ol([
                html.Li(f"{s.at.tz_convert('Asia/Shanghai'):%m-%d %H:%M} · {i18n.t('action_' + s.action, lang)} · "
                        f"{s.actor}" + (f" · {s.note}" if s.note else "")) for s in steps.itertuples()]))))
    return html.Table(className="wj-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in head] + ([html.Th("")] if actions else []))),
        html.Tbody(rows)])


def _entity_cell(alert, lang: str) -> list:
    """The entity's name, opening its file, and the device, opening its page (the pages check the scope)."""
    device = dcc.Link(alert.device_id, href=f"/device/{alert.device_id}?lang={lang}", className="wj-device-link")
    if alert.entity and pd.notna(alert.entity_id):
        return [dcc.Link(alert.entity, href=f"/entity/{int(alert.entity_id)}?lang={lang}"), " · ", device]
    return [device]


def _page(lang: str, view: dict, body: list) -> html.Div:
    return html.Div(className="wj-page" + (" wj-kiosk" if view["kiosk"] else ""), lang="en" if lang == "en" else "zh-CN",
                    children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("device_title", lang), className="wj-subtitle")]),
            html.Div(className="wj-header-meta", children=[
                *([marker(lang)] if view["mask"] else []),
                *([] if view["kiosk"] else [dcc.Link(i18n.t("alert_inbox", lang), className="wj-lang",
                                                     href=f"/alerts?lang={lang}" + ("&mask=1" if view["mask"] else ""))]),
            ]),
        ]),
        *body,
    ])
