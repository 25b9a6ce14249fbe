"""Callbacks of the manager page: draw the map, ranking, charts and table for the page state; navigate on
clicks and filters; export the table (XLSX, CSV), the entities (GeoJSON, GeoPackage) and the map (offline HTML).

`render`, `charts`, `navigate` and `export` are plain functions of plain values (tested directly in
tests/test_callbacks.py); `register` wires them to the components. The state in the page is whatever the
browser sends back, so each re-checks it: the scope comes from the server (dashboard.context), and the
queries check it again. The export is answered from the same table as the page and recorded in the audit log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard import auth, context, exports, i18n, ids, map_view, offline_map, periods
from dashboard.figures import breakdown_figure, map_figure, ranking_figure, trend_figure
from dashboard.theme import THEME
from dashboard.urls import manager_url
from data import vocab
from data.queries import overview, regions
from data.queries.filters import Filters, OutOfScope
from layers import registry

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class _Request:
    """The page state, checked: filters of absolute values, the region and its children, within the scope."""

    lang: str
    store: object
    scope: object
    filters: Filters
    region: object
    kids: pd.DataFrame
    layer: object

    @property
    def leaf(self) -> bool:
        return self.kids.empty


def _checked(state: dict) -> _Request:
    """Raises OutOfScope for a region the viewer may not see, KeyError / ValueError for a malformed state."""
    scope, store = context.viewer_scope(), context.store()
    filters = Filters(
        region=str(state.get("region")),
        period=periods.resolve(state.get("period"), dt.date.today()),
        specialty=state.get("specialty") if state.get("specialty") in vocab.SPECIALTIES else None,
    )
    region = regions.get_region(store, filters.region, scope)
    kids = regions.children(store, filters.region, scope)
    return _Request(i18n.normalise_language(state.get("lang")), store, scope, filters, region, kids,
                    registry.choose(state.get("layer"), store, scope))  # an unavailable layer falls back


def render(state: dict) -> tuple:
    """(map figure, map title, ranking figure, ranking title, summary, computed-at line); figures as dicts."""
    lang = i18n.normalise_language(state.get("lang"))
    try:
        req = _checked(state)
    except OutOfScope:
        log.warning("refused render of region %r outside scope %s", state.get("region"), context.viewer_scope().key())
        return _empty(i18n.t("out_of_scope", lang))
    except (KeyError, ValueError) as exc:
        return _empty(f"{i18n.t('no_data', lang)}: {exc}")

    layer, store, scope, filters, region, kids = req.layer, req.store, req.scope, req.filters, req.region, req.kids
    # The drawn figures are cached like query answers (same scope and data version in the key), so a
    # wall or a second viewer asking the same gets them without rebuilding ~300 KB of figure.
    key = store.cache.make_key("render", layer.key, filters.key(), lang, scope.key(), f"v{store.data_version()}")
    drawn, _, _ = store.cache.get_or_compute(key, lambda: _draw(layer, store, filters, scope, region, kids, lang))
    return drawn


def _draw(layer, store, filters: Filters, scope, region, kids, lang: str) -> tuple:
    leaf = kids.empty
    drawn = map_view.build(layer, store, filters, scope, region, kids, lang, context.settings().cache_dir)
    view, frame = drawn.view, drawn.frame
    figure = map_figure(drawn.traces, drawn.geojson, THEME, labels=not leaf)
    ranking = ranking_figure(view.rank(frame, lang), "name", "value", "id", THEME, lang, top=15 if leaf else 20)
    ranking_title = i18n.t(view.rank_title, lang)
    map_title = drawn.title
    summary = view.summary(frame, lang)
    footer = drawn.period_line(filters, lang)
    # Plain dicts: a cached go.Figure is re-validated on every unpickle (tens of ms), a dict is not.
    return figure.to_dict(), map_title, ranking.to_dict(), ranking_title, summary, footer


# The table's columns per view: (field, i18n key of the header, kind: text | int | pct | money | date).
def charts(state: dict) -> tuple:
    """(trend, trend title, specialty breakdown, its title, type breakdown, its title, grid columns, grid rows,
    table title); figures as dicts. Out of scope or malformed: empty charts and an empty table."""
    lang = i18n.normalise_language(state.get("lang"))
    try:
        req = _checked(state)
    except OutOfScope:
        log.warning("refused charts of region %r outside scope %s", state.get("region"), context.viewer_scope().key())
        return _empty_charts(i18n.t("out_of_scope", lang))
    except (KeyError, ValueError) as exc:
        return _empty_charts(f"{i18n.t('no_data', lang)}: {exc}")
    layer, measures = req.layer, req.layer.trend
    names = [i18n.t(m, lang) for m in measures]

    monthly = overview.monthly(req.store, req.filters, req.scope)
    trend = trend_figure([f"{m:%Y-%m}" for m in monthly["month"]],
                         [(name, monthly[m].tolist()) for name, m in zip(names, measures)], THEME)
    trend_title = f"{i18n.t('trend_by_month', lang)} · {' / '.join(names)}"

    # Every specialty, whatever the filter: the chart is where another one is picked.
    specialties = overview.by_specialty(req.store, dataclasses.replace(req.filters, specialty=None), req.scope)
    specialties = specialties.sort_values([measures[0], "specialty"], ascending=[False, True])
    by_specialty = breakdown_figure([i18n.specialty_label(s, lang) for s in specialties["specialty"]],
                                    specialties[measures[0]].tolist(), specialties["specialty"].tolist(), THEME,
                                    selected=req.filters.specialty)
    specialty_title = f"{i18n.t('breakdown_specialty', lang)} · {names[0]}"

    kinds = layer.kinds.query(req.store, req.filters, req.scope)
    prefix = layer.kinds.label_prefix
    labels = [i18n.label(prefix + k, lang, k) if prefix else k for k in kinds["kind"]]
    by_kind = breakdown_figure(labels, kinds["records"].tolist(), kinds["kind"].tolist(), THEME)

    columns, rows = table(req)
    column_defs = [_column_def(field, header, kind) for (field, _, kind), header in zip(exports.TABLES[_table_name(req)], columns)]
    table_title = f"{req.region.name} · {i18n.t('table_entities' if req.leaf else 'table_children', lang)}"
    return (trend.to_dict(), trend_title, by_specialty.to_dict(), specialty_title, by_kind.to_dict(),
            i18n.t(layer.kinds.title, lang), column_defs, rows, table_title)


def _table_name(req: _Request) -> str:
    return "entities" if req.leaf else "regions"


def table(req: _Request) -> tuple[list[str], list[dict]]:
    """(headers in the page's language, rows as {field: value}) of the current view's table (dashboard/exports.py)."""
    return exports.table(req.store, req.filters, req.scope, _table_name(req), req.lang)


def _column_def(field: str, header: str, kind: str) -> dict:
    column = {"field": field, "headerName": header}
    if kind in ("int", "pct", "money"):
        column["type"] = "rightAligned"
        column["valueFormatter"] = {"function": f"params.value == null ? '–' : d3.format('{_D3_FORMAT[kind]}')(params.value)"}
    if field == "name":
        column.update(pinned="left", minWidth=180)
    if field == "address":
        column["minWidth"] = 240
    return column


_D3_FORMAT = {"int": ",d", "pct": ".1f", "money": ",.2f"}


def _empty_charts(message: str) -> tuple:
    blank = go.Figure()
    blank.update_layout(template=THEME.plotly_template(), xaxis=dict(visible=False), yaxis=dict(visible=False))
    blank = blank.to_dict()
    return blank, message, blank, "", blank, "", [], [], message


def export(n_clicks: int | None, state: dict, fmt: str = "xlsx") -> tuple:
    """(dcc.Download data or no_update, message): the current table as XLSX or CSV, the filtered entities of
    the region as GeoJSON or GeoPackage, or the map as it is drawn (its layer, region and filters) as an offline
    HTML file (dashboard/exports.py), in the page's language.

    The scope is the session's; a crafted region outside it gets nothing but the refusal, and the attempt is
    audited like a successful export (action "export", the format, filters and row count in the detail)."""
    if not n_clicks:
        return no_update, ""
    lang = i18n.normalise_language(state.get("lang"))
    account = auth.current_account()
    detail = {**{key: state.get(key) for key in ("region", "period", "specialty", "layer", "lang")}, "format": fmt}
    try:
        req = _checked(state)
    except OutOfScope:
        log.warning("refused export of region %r outside scope %s", state.get("region"), context.viewer_scope().key())
        _audit(account, str(state.get("region")), {**detail, "refused": "out_of_scope"})
        return no_update, i18n.t("out_of_scope", lang)
    except (KeyError, ValueError) as exc:
        return no_update, f"{i18n.t('no_data', lang)}: {exc}"
    if fmt == exports.MAP_FORMAT:
        try:
            made = exports.map_file(req.store, req.filters, req.scope, req.layer, lang, context.settings().cache_dir)
        except offline_map.MapAssetsMissing as exc:  # an installation without `make map-assets`: say so, write nothing
            log.error("%s", exc)
            return no_update, i18n.t("mapexport_assets_missing", lang)
    elif fmt in exports.SPATIAL_FORMATS:
        made = exports.entity_file(req.store, req.filters, req.scope, fmt, req.region.name)
    else:
        made = exports.table_file(req.store, req.filters, req.scope, _table_name(req), fmt, lang, req.region.name)
    _audit(account, req.filters.region, {**detail, "period_resolved": req.filters.period.key(), "rows": made.rows,
                                         "file": made.filename})
    return dcc.send_bytes(made.content, made.filename, type=exports.MEDIA[fmt]), ""


EXPORT_BUTTONS = {ids.EXPORT: "xlsx", ids.EXPORT_CSV: "csv", ids.EXPORT_GEOJSON: "geojson", ids.EXPORT_GPKG: "gpkg"}


def export_clicked(xlsx_clicks, csv_clicks, geojson_clicks, gpkg_clicks, state: dict) -> tuple:
    """The export of whichever download button was clicked."""
    clicks = dict(zip(EXPORT_BUTTONS, (xlsx_clicks, csv_clicks, geojson_clicks, gpkg_clicks)))
    button = ctx.triggered_id if ctx.triggered_id in EXPORT_BUTTONS else ids.EXPORT
    return export(clicks[button], state, EXPORT_BUTTONS[button])


def export_map(n_clicks: int | None, state: dict) -> tuple:
    """The map button: the map as the page draws it, as an offline HTML file."""
    return export(n_clicks, state, exports.MAP_FORMAT)


def _audit(account, target: str, detail: dict) -> None:
    exports.audit_export(context.store(), actor=account.username, target=target, detail=detail, ip=request.remote_addr)


def navigate(trigger: str | None, map_click: dict | None, bar_click: dict | None, period: str | None,
             specialty: str | None, state: dict, layer: str | None = None, trend_click: dict | None = None,
             specialty_click: dict | None = None) -> str:
    """The URL to go to after a click or a filter change; no_update when nothing should move.

    Cross-filters: a month of the trend narrows the period to that month; a bar of the specialty breakdown
    sets the specialty (the selected one again clears it)."""
    lang = i18n.normalise_language(state.get("lang"))
    region = str(state.get("region"))
    store, scope = context.store(), context.viewer_scope()
    current = registry.choose(state.get("layer"), store, scope)
    if trigger == ids.TREND:
        month = str(((trend_click or {}).get("points") or [{}])[0].get("customdata") or "")
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            return no_update
        target, period, specialty = region, f"{month}..{month}", state.get("specialty")
    elif trigger == ids.BY_SPECIALTY:
        picked = ((specialty_click or {}).get("points") or [{}])[0].get("customdata")
        if picked not in vocab.SPECIALTIES:
            return no_update
        target, period = region, state.get("period")
        specialty = None if picked == state.get("specialty") else picked
    elif trigger == ids.MAP:
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
        Input(ids.TREND, "clickData"),
        Input(ids.BY_SPECIALTY, "clickData"),
        Input(ids.PERIOD, "value"),
        Input(ids.SPECIALTY, "value"),
        Input(ids.LAYER, "value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def _navigate(map_click, bar_click, trend_click, specialty_click, period, specialty, layer, state):
        return navigate(ctx.triggered_id, map_click, bar_click, period, specialty, state, layer,
                        trend_click=trend_click, specialty_click=specialty_click)

    app.callback(
        Output(ids.TREND, "figure"),
        Output(ids.TREND_TITLE, "children"),
        Output(ids.BY_SPECIALTY, "figure"),
        Output(ids.BY_SPECIALTY_TITLE, "children"),
        Output(ids.BY_KIND, "figure"),
        Output(ids.BY_KIND_TITLE, "children"),
        Output(ids.TABLE, "columnDefs"),
        Output(ids.TABLE, "rowData"),
        Output(ids.TABLE_TITLE, "children"),
        Input(ids.STATE, "data"),
    )(charts)

    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Output(ids.EXPORT_MESSAGE, "children"),
        *(Input(button, "n_clicks") for button in EXPORT_BUTTONS),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )(export_clicked)

    app.callback(
        Output(ids.MAPEXPORT_DOWNLOAD, "data"),
        Output(ids.MAPEXPORT_MESSAGE, "children"),
        Input(ids.MAPEXPORT, "n_clicks"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )(export_map)
