"""Wall `/wall`: the command center's screen, unattended, read from five metres.

`/wall?region=410100&layer=monitoring&interval=30&lang=en`. KPI tiles, the map in the middle (a click
on a sub-region drills the wall there), the monthly trend, the ranking of sub-regions, the live
alert feed and the hospitals' panel (the latest day's counts against their baselines, the hospitals
anomalous now; a fever-clinic surge outlines its area on the map) and the last whole month's effectiveness
ranking (callbacks/effectiveness.py); everything refreshes every `interval` seconds (default 30). When a refresh fails the last
good data stays and a "数据延迟" badge says since when (assets/20_wall.js); it goes away by itself.
Above the map a row of large layer buttons switches what every map shows (each is the wall's URL with
another `layer=`). `mask=1` masks personal data in the feed; `kiosk=1` (a view of /kiosk) masks always,
shows no layer buttons and makes the map a picture: nobody clicks a lobby screen, and a stray touch must
not drill it away.
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, i18n, ids, masking
from dashboard.figures import MAP_CONFIG
from dashboard.pages.kiosk import marker
from dashboard.urls import wall_url
from data.queries import regions
from data.queries.filters import OutOfScope
from layers import registry

PATH = "/wall"
DEFAULT_INTERVAL_S = 30


def interval_seconds(value: str | None) -> int:
    """The refresh interval from the URL: 2 s to 1 h, default 30 s."""
    try:
        return min(max(int(value), 2), 3600) if value else DEFAULT_INTERVAL_S
    except ValueError:
        return DEFAULT_INTERVAL_S


def layout(region: str | None = None, layer: str | None = None, interval: str | None = None, lang: str | None = None,
           mask: str | None = None, kiosk: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or context.settings().region
    view = masking.view_state(mask, kiosk)
    kiosk_class = " wj-kiosk" if view["kiosk"] else ""
    try:
        chosen = regions.get_region(store, region, scope)
    except OutOfScope:
        return html.Div(i18n.t("out_of_scope", lang) + f": {region}", className="wj-problem wj-refusal" + kiosk_class)
    except KeyError:
        return html.Div(i18n.t("unknown_region", lang) + f": {region}", className="wj-problem wj-refusal" + kiosk_class)
    seconds = interval_seconds(interval)
    masked = context.masks(view)
    state = {"region": region, "layer": registry.choose(layer, store, scope).key, "lang": lang,
             "interval": seconds, "kiosk": view["kiosk"], "mask": masked}
    map_config = {**MAP_CONFIG, "displayModeBar": False, **({"staticPlot": True} if view["kiosk"] else {})}
    return html.Div(className="wj-wall" + kiosk_class, lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Location(id=ids.WALL_NAV, refresh="callback-nav"),
        dcc.Interval(id=ids.WALL_TICK, interval=seconds * 1000, n_intervals=0),
        dcc.Store(id=ids.WALL_STATE, data=state),
        dcc.Store(id=ids.WALL_LAST_OK),
        dcc.Store(id=ids.WALL_CONFIG, data={"interval_ms": seconds * 1000, "label": i18n.t("data_delayed", lang)}),
        html.Header(className="wj-wall-header", children=[
            html.Div([html.H1(i18n.t("wall_title", lang), style={"display": "inline"}),
                      html.Span(chosen.name, className="wj-wall-region")]),
            html.Div(className="wj-wall-meta", children=[
                *([marker(lang)] if masked else []),
                html.Span(id=ids.WALL_STALE, className="wj-stale wj-hidden"),
                html.Span(id=ids.WALL_UPDATED),
            ]),
        ]),
        html.Div(id=ids.WALL_KPIS, className="wj-kpis"),
        html.Div(className="wj-wall-body", children=[
            html.Div(className="wj-wall-col wj-wall-left", children=[
                _panel(i18n.t("trend_title", lang), dcc.Graph(id=ids.WALL_TREND, className="wj-graph", responsive=True,
                                                             config={"displayModeBar": False, "staticPlot": True})),
                _panel(html.Span(id=ids.WALL_RANKING_TITLE),
                       dcc.Graph(id=ids.WALL_RANKING, className="wj-graph", responsive=True,
                                 config={"displayModeBar": False})),
            ]),
            html.Section(className="wj-panel", children=[
                html.Div(className="wj-wall-map-head", children=[
                    html.H2(html.Span(id=ids.WALL_MAP_TITLE), className="wj-panel-title"),
                    *([] if view["kiosk"] else [_layer_switch(state, store, scope)]),
                ]),
                dcc.Graph(id=ids.WALL_MAP, className="wj-graph", responsive=True,
                          config=map_config),
            ]),
            html.Div(className="wj-wall-col wj-wall-right", children=[
                _panel(i18n.t("alert_feed", lang), html.Ul(id=ids.WALL_FEED, className="wj-feed")),
                _panel(i18n.t("hospital_ops_title", lang), html.Div(id=ids.WALL_HOSPITALS, className="wj-hospitals")),
                _panel(i18n.t("effect_title", lang), html.Div(id=ids.EFFECT_WALL_RANKING, className="wj-effect-wall")),
            ]),
        ]),
    ])


def _panel(title, body) -> html.Section:
    return html.Section(className="wj-panel", children=[html.H2(title, className="wj-panel-title"), body])


def _layer_switch(state: dict, store, scope) -> html.Nav:
    """One link per layer available to the viewer; the current one highlighted."""
    return html.Nav(id=ids.WALL_LAYERS, className="wj-wall-layers", children=[
        dcc.Link(i18n.t(layer.key, state["lang"]),
                 href=wall_url(state["region"], layer.key, state["interval"], state["lang"]),
                 className="wj-wall-layer" + (" wj-wall-layer-current" if layer.key == state["layer"] else ""))
        for layer in registry.offered(store, scope)])
