"""Manager page `/`: the supervision map of a region with drill-down, filters and a ranking; below it the
monthly trend, breakdowns by specialty and by type, and the table of child regions (or entities) with
its XLSX export; the map exports as an offline HTML file.

Everything the page shows is a function of its URL (`/?region=410105&period=2026-01..2026-06&specialty=medical&lang=en`),
so views can be bookmarked and shared; a click on the map or a ranking bar navigates to the child's URL,
a click on a month or a specialty to the same region narrowed to it. Figures are drawn by callbacks.manager.
"""

from __future__ import annotations

import datetime as dt

import dash_ag_grid as dag
from dash import dcc, html

from dashboard import context, i18n, ids, periods
from dashboard.figures import MAP_CONFIG
from dashboard.theme import THEME
from dashboard.urls import manager_url
from data import vocab
from data.queries import regions
from data.queries.filters import OutOfScope
from layers import registry

PATH = "/"


def layout(region: str | None = None, period: str | None = None, specialty: str | None = None,
           lang: str | None = None, layer: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or context.settings().region
    problems: list[str] = []
    try:
        chain = regions.chain(store, region, scope)
    except OutOfScope:
        return _refusal(i18n.t("out_of_scope", lang) + f": {region}", lang)
    except KeyError:
        return _refusal(i18n.t("unknown_region", lang) + f": {region}", lang)
    period = period or periods.DEFAULT
    try:
        periods.resolve(period, dt.date.today())
    except ValueError as exc:
        problems.append(f"{i18n.t('bad_period', lang)}: {exc}")
        period = periods.DEFAULT
    if specialty not in vocab.SPECIALTIES:
        specialty = None
    layer = registry.choose(layer, store, scope).key
    state = {"region": region, "period": period, "specialty": specialty, "lang": lang, "layer": layer}

    return html.Div(className="wj-page", lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Location(id=ids.NAV, refresh="callback-nav"),
        dcc.Store(id=ids.STATE, data=state),
        _header(state),
        html.Div(className="wj-problems", children=[html.Div(p, className="wj-problem") for p in problems]),
        _filters(state),
        html.Nav(id=ids.BREADCRUMB, className="wj-breadcrumb", children=_breadcrumb(chain, state)),
        html.Div(className="wj-grid", children=[
            html.Section(className="wj-panel wj-map-panel", children=[
                html.Div(className="wj-table-head", children=[
                    html.H2(id=ids.MAP_TITLE, className="wj-panel-title"),
                    html.Span(id=ids.MAPEXPORT_MESSAGE, className="wj-export-message"),
                    html.Button(i18n.t("mapexport_button", lang), id=ids.MAPEXPORT, className="wj-button", n_clicks=0,
                                title=i18n.t("mapexport_hint", lang)),
                    dcc.Download(id=ids.MAPEXPORT_DOWNLOAD),
                ]),
                dcc.Graph(id=ids.MAP, className="wj-map", responsive=True, config=_map_config(chain[-1].name, lang)),
            ]),
            html.Section(className="wj-panel wj-side-panel", children=[
                html.H2(id=ids.RANKING_TITLE, className="wj-panel-title"),
                html.Div(id=ids.SUMMARY, className="wj-summary"),
                dcc.Graph(id=ids.RANKING, className="wj-ranking", responsive=True, config={"displayModeBar": False}),
                html.P(i18n.t("click_to_drill", lang), className="wj-hint"),
            ]),
        ]),
        html.Div(className="wj-charts", children=[
            _chart(ids.TREND_TITLE, ids.TREND, i18n.t("click_month_hint", lang)),
            _chart(ids.BY_SPECIALTY_TITLE, ids.BY_SPECIALTY, i18n.t("click_specialty_hint", lang)),
            _chart(ids.BY_KIND_TITLE, ids.BY_KIND),
        ]),
        _table(lang),
        html.Footer(id=ids.COMPUTED_AT, className="wj-footer"),
    ])


def _map_config(region_name: str, lang: str) -> dict:
    """The map's modebar saves a PNG (drawn in the browser, offline) named after the region, at twice the size."""
    return {**MAP_CONFIG, "toImageButtonOptions": {"format": "png", "scale": 2,
                                                   "filename": f"{i18n.t('map_png_name', lang)}_{region_name}"}}


def _chart(title_id: str, graph_id: str, hint: str | None = None) -> html.Section:
    return html.Section(className="wj-panel wj-chart-panel", children=[
        html.H2(id=title_id, className="wj-panel-title"),
        dcc.Graph(id=graph_id, className="wj-chart", responsive=True, config={"displayModeBar": False}),
        *([html.P(hint, className="wj-hint")] if hint else []),
    ])


def _table(lang: str) -> html.Section:
    """The grid of the current view: sorted and paged in the browser, its columns and rows from the callback."""
    theme = ("themeQuartz.withParams({"
             f"backgroundColor: '{THEME.panel}', foregroundColor: '{THEME.text}', accentColor: '{THEME.accent}', "
             f"borderColor: '{THEME.border}', headerBackgroundColor: '{THEME.background}', "
             f"headerTextColor: '{THEME.muted}', oddRowBackgroundColor: '{THEME.background}', "
             "fontFamily: 'inherit', fontSize: 14, rowHeight: 34, headerHeight: 38})")
    locale = {"page": i18n.t("grid_page", lang), "of": i18n.t("grid_of", lang), "to": i18n.t("grid_to", lang),
              "noRowsToShow": i18n.t("grid_no_rows", lang), "pageSizeSelectorLabel": i18n.t("grid_page_size", lang)}
    return html.Section(className="wj-panel wj-table-panel", children=[
        html.Div(className="wj-table-head", children=[
            html.H2(id=ids.TABLE_TITLE, className="wj-panel-title"),
            html.Span(id=ids.EXPORT_MESSAGE, className="wj-export-message"),
            html.Button(i18n.t("export_xlsx", lang), id=ids.EXPORT, className="wj-button", n_clicks=0),
            html.Button(i18n.t("export_csv", lang), id=ids.EXPORT_CSV, className="wj-button", n_clicks=0),
            html.Button(i18n.t("export_geojson", lang), id=ids.EXPORT_GEOJSON, className="wj-button", n_clicks=0,
                        title=i18n.t("export_entities_hint", lang)),
            html.Button(i18n.t("export_gpkg", lang), id=ids.EXPORT_GPKG, className="wj-button", n_clicks=0,
                        title=i18n.t("export_entities_hint", lang)),
        ]),
        dag.AgGrid(
            id=ids.TABLE, className="wj-grid-table", columnDefs=[], rowData=[],
            defaultColDef={"sortable": True, "resizable": True, "flex": 1, "minWidth": 110},
            dashGridOptions={"theme": {"function": theme}, "pagination": True, "paginationPageSize": 15,
                             "paginationPageSizeSelector": [15, 30, 100], "domLayout": "autoHeight",
                             "localeText": locale, "animateRows": False},
            style={"width": "100%"},
        ),
        dcc.Download(id=ids.DOWNLOAD),
    ])


def _header(state: dict) -> html.Header:
    lang = state["lang"]
    other = "en" if lang == "zh" else "zh"
    return html.Header(className="wj-header", children=[
        html.H1([i18n.t("app_title", lang), html.Span(i18n.t("manager_title", lang), className="wj-subtitle")]),
        dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                 href=manager_url(state["region"], state["period"], state["specialty"], other, state["layer"])),
    ])


def _filters(state: dict) -> html.Div:
    lang = state["lang"]
    period_options = [{"label": i18n.t(periods.i18n_key(p), lang), "value": p} for p in periods.PRESETS]
    if state["period"] not in periods.PRESETS:
        period_options.append({"label": state["period"], "value": state["period"]})
    specialty_options = [{"label": i18n.specialty_label(s, lang), "value": s} for s in vocab.SPECIALTIES]
    layer_options = [{"label": i18n.t(layer.key, lang), "value": layer.key}
                     for layer in registry.offered(context.store(), context.viewer_scope())]
    return html.Div(className="wj-filters", children=[
        html.Label([i18n.t("layer", lang), dcc.Dropdown(id=ids.LAYER, options=layer_options, value=state["layer"],
                                                         clearable=False, searchable=False, className="wj-dropdown")]),
        html.Label([i18n.t("period", lang), dcc.Dropdown(id=ids.PERIOD, options=period_options, value=state["period"],
                                                          clearable=False, searchable=False, className="wj-dropdown")]),
        html.Label([i18n.t("specialty", lang), dcc.Dropdown(id=ids.SPECIALTY, options=specialty_options,
                                                             value=state["specialty"], clearable=True,
                                                             placeholder=i18n.t("all_specialties", lang),
                                                             searchable=False, className="wj-dropdown")]),
    ])


def _breadcrumb(chain, state: dict) -> list:
    items = []
    for i, region in enumerate(chain):
        if i:
            items.append(html.Span("›", className="wj-crumb-sep"))
        if i == len(chain) - 1:
            items.append(html.Span(region.name, className="wj-crumb wj-crumb-current"))
        else:
            items.append(dcc.Link(region.name, className="wj-crumb",
                                  href=manager_url(region.adcode, state["period"], state["specialty"], state["lang"],
                                                   state["layer"])))
    return items


def _refusal(message: str, lang: str) -> html.Div:
    return html.Div(className="wj-page", children=[
        html.Header(className="wj-header", children=[html.H1(i18n.t("app_title", lang))]),
        html.Div(message, className="wj-problem wj-refusal"),
        dcc.Link("←", href="/", className="wj-crumb"),
    ])
