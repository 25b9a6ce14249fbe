"""Callbacks of the manager page: draw the map and ranking for the page state; navigate on clicks and filters.

`render` and `navigate` are plain functions of plain values (tested directly in tests/test_callbacks.py);
`register` wires them to the components. The state in the page is whatever the browser sends back, so
both re-check it: the scope comes from the server (dashboard.context), and the queries check it again.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, html, no_update

from dashboard import context, i18n, ids, periods
from dashboard.figures import map_figure, ranking_figure
from dashboard.theme import THEME
from dashboard.urls import manager_url
from data import vocab
from data.queries import regions
from data.queries.filters import Filters, OutOfScope
from geo import boundaries
from layers import registry

log = logging.getLogger(__name__)
CHINA_TIME = ZoneInfo("Asia/Shanghai")


def render(state: dict) -> tuple:
    """(map figure, map title, ranking figure, ranking title, summary, computed-at line); figures as dicts."""
    lang = i18n.normalise_language(state.get("lang"))
    scope = context.viewer_scope()
    store = context.store()
    try:
        filters = Filters(
            region=str(state.get("region")),
            period=periods.resolve(state.get("period"), dt.date.today()),
            specialty=state.get("specialty") if state.get("specialty") in vocab.SPECIALTIES else None,
        )
        region = regions.get_region(store, filters.region, scope)
        kids = regions.children(store, filters.region, scope)
    except OutOfScope:
        log.warning("refused render of region %r outside scope %s", state.get("region"), scope.key())
        return _empty(i18n.t("out_of_scope", lang))
    except (KeyError, ValueError) as exc:
        return _empty(f"{i18n.t('no_data', lang)}: {exc}")

    layer = registry.choose(state.get("layer"), store, scope)  # an unavailable layer falls back to the default
    # The drawn figures are cached like query answers (same scope and data version in the key), so a
    # wall or a second viewer asking the same gets them without rebuilding ~300 KB of figure.
    key = store.cache.make_key("render", layer.key, filters.key(), lang, scope.key(), f"v{store.data_version()}")
    drawn, _, _ = store.cache.get_or_compute(key, lambda: _draw(layer, store, filters, scope, region, kids, lang))
    return drawn


def _draw(layer, store, filters: Filters, scope, region, kids, lang: str) -> tuple:
    leaf = kids.empty
    view = layer.view(leaf)
    frame = layer.data(leaf, store, filters, scope)
    drawn_level = region.level if leaf else kids["level"].iloc[0]
    geojson = boundaries.simplified_geojson(filters.region, drawn_level, context.settings().cache_dir)
    figure = map_figure(view.traces(frame, geojson, THEME, lang), geojson, THEME, labels=not leaf)
    ranking = ranking_figure(view.rank(frame, lang), "name", "value", "id", THEME, lang, top=15 if leaf else 20)
    ranking_title = i18n.t(view.rank_title, lang)
    map_title = f"{region.name} · {i18n.t(view.map_title, lang)}"
    summary = view.summary(frame, lang)
    computed = frame.attrs.get("computed_at")
    period = filters.period
    footer = f"{period.start} – {period.end}"
    if computed is not None:
        footer += f" · {i18n.t('computed_at', lang)} {computed.astimezone(CHINA_TIME):%Y-%m-%d %H:%M:%S}"
    # Plain dicts: a cached go.Figure is re-validated on every unpickle (tens of ms), a dict is not.
    return figure.to_dict(), map_title, ranking.to_dict(), ranking_title, summary, footer


def navigate(trigger: str | None, map_click: dict | None, bar_click: dict | None, period: str | None,
             specialty: str | None, state: dict, layer: str | None = None) -> str:
    """The URL to go to after a click or a filter change; no_update when nothing should move."""
    lang = i18n.normalise_language(state.get("lang"))
    region = str(state.get("region"))
    store, scope = context.store(), context.viewer_scope()
    current = registry.choose(state.get("layer"), store, scope)
    if trigger == ids.MAP:
        point = (map_click or {}).get("points", [{}])[0]
        target = point.get("location")  # choropleth areas carry their adcode; points do not
        if not target and current.point_link is not None:
            return current.point_link(point, lang) or no_update  # the target page checks the scope itself
    elif trigger == ids.RANKING:
        point = (bar_click or {}).get("points", [{}])[0]
        target = point.get("customdata")
        target = target if isinstance(target, str) else None  # entity bars carry an integer id
    else:
        target = region
    if not target or not context.viewer_scope().allows(str(target)):
        return no_update
    try:
        periods.resolve(period, dt.date.today())
    except ValueError:
        period = state.get("period")
    specialty = specialty if specialty in vocab.SPECIALTIES else None
    layer = registry.choose(layer if layer in registry.REGISTRY else state.get("layer"), store, scope).key
    return manager_url(str(target), period or periods.DEFAULT, specialty, lang, layer)


def _empty(message: str) -> tuple:
    blank = go.Figure()
    blank.update_layout(template=THEME.plotly_template(), xaxis=dict(visible=False), yaxis=dict(visible=False))
    blank = blank.to_dict()
    return blank, message, blank, "", html.Div(message, className="wj-problem"), ""


def register(app: Dash) -> None:
    app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.MAP_TITLE, "children"),
        Output(ids.RANKING, "figure"),
        Output(ids.RANKING_TITLE, "children"),
        Output(ids.SUMMARY, "children"),
        Output(ids.COMPUTED_AT, "children"),
        Input(ids.STATE, "data"),
    )(render)

    @app.callback(
        Output(ids.NAV, "href"),
        Input(ids.MAP, "clickData"),
        Input(ids.RANKING, "clickData"),
        Input(ids.PERIOD, "value"),
        Input(ids.SPECIALTY, "value"),
        Input(ids.LAYER, "value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def _navigate(map_click, bar_click, period, specialty, layer, state):
        return navigate(ctx.triggered_id, map_click, bar_click, period, specialty, state, layer)
