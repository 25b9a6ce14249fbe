"""Analysis `/analysis` (综合分析): licences, supervised entities, inspections, penalties, a map, and construction
projects, in six tabs under one set of filters (period, specialty, entity type, region) that every chart follows.

A click on a chart sets a cross-filter for all the others (a specialty bar, a region bar or map area — which
drills into that region —, a month of a trend, an entity type); the active filters are listed above the tabs,
each with ✕ to drop it, and 清除筛选 drops them all. Each tab's table exports as XLSX or CSV (callbacks/analysis.py).

`/analysis?region=410100&period=2026-01..2026-06&specialty=medical&tab=inspections&lang=en`; the region defaults
to the viewer's home region and is checked against the viewer's scope. The risk back-test is at /analysis/risk.
"""

from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard import analysis_view, context, i18n, ids, periods
from dashboard.auth import current_account
from dashboard.pages import analysis_risk
from dashboard.urls import page_url
from data import vocab
from data.queries import analysis as analysis_queries
from data.queries import regions
from data.queries.filters import OutOfScope, UnknownRegion

PATH = "/analysis"
CHINA = dt.timezone(dt.timedelta(hours=8))


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def layout(region: str | None = None, period: str | None = None, specialty: str | None = None,
           subtype: str | None = None, tab: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or current_account().region_adcode
    try:
        regions.get_region(store, region, scope)
    except OutOfScope:
        return _refusal(i18n.t("out_of_scope", lang) + f": {region}", lang)
    except (UnknownRegion, KeyError):
        return _refusal(i18n.t("unknown_region", lang) + f": {region}", lang)
    try:
        periods.resolve(period, today())
    except ValueError:
        period = periods.DEFAULT
    specialty = specialty if specialty in vocab.SPECIALTIES else None
    known = analysis_queries.subtypes(store, scope, specialty)
    subtype = subtype if subtype in known else None
    tab = tab if tab in analysis_view.SECTIONS else analysis_view.SECTIONS[0]
    filters = {"region": region, "period": period or periods.DEFAULT, "specialty": specialty, "subtype": subtype,
               "month": None}
    other = "en" if lang == "zh" else "zh"
    return html.Div(className="wj-page wj-analysis-page", lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Store(id=ids.ANALYSIS_STATE, data={"lang": lang}),
        dcc.Store(id=ids.ANALYSIS_FILTERS, data=filters),
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("analysis_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("analysis_risk_title", lang), className="wj-lang", href=f"{analysis_risk.PATH}?lang={lang}"),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                     href=page_url(PATH, region=region, tab=tab, lang=other)),
        ]),
        _filters(filters, known, lang),
        html.Div(id=ids.ANALYSIS_ACTIVE, className="wj-analysis-active"),
        dcc.Tabs(id=ids.ANALYSIS_TABS, value=tab, className="wj-analysis-tabs", children=[
            dcc.Tab(label=i18n.t(f"analysis_tab_{s}", lang), value=s, className="wj-analysis-tab",
                    selected_className="wj-analysis-tab-selected") for s in analysis_view.SECTIONS]),
        html.Div(className="wj-table-head", children=[
            html.Span(id=ids.ANALYSIS_EXPORT_MESSAGE, className="wj-export-message"),
            html.Button(i18n.t("export_xlsx", lang), id=ids.ANALYSIS_EXPORT, className="wj-button", n_clicks=0),
            html.Button(i18n.t("export_csv", lang), id=ids.ANALYSIS_EXPORT_CSV, className="wj-button", n_clicks=0),
        ]),
        dcc.Download(id=ids.ANALYSIS_DOWNLOAD),
        dcc.Loading(html.Div(id=ids.ANALYSIS_SECTION, className="wj-analysis-section"), type="dot"),
    ])


def subtype_options(known: list[str], lang: str) -> list[dict]:
    return [{"label": i18n.label(f"subtype_{s}", lang, s), "value": s} for s in known]


def _filters(filters: dict, known: list[str], lang: str) -> html.Div:
    period_options = [{"label": i18n.t(periods.i18n_key(p), lang), "value": p} for p in periods.PRESETS]
    if filters["period"] not in periods.PRESETS:
        period_options.append({"label": filters["period"], "value": filters["period"]})
    specialty_options = [{"label": i18n.specialty_label(s, lang), "value": s} for s in vocab.SPECIALTIES]
    measure_options = [{"label": i18n.t(m, lang), "value": m} for m in analysis_view.MAP_MEASURES]

    def dropdown(label: str, component_id: str, options: list, value, clearable: bool, placeholder: str | None = None):
        return html.Label([i18n.t(label, lang), dcc.Dropdown(
            id=component_id, options=options, value=value, clearable=clearable, searchable=False,
            placeholder=placeholder, className="wj-dropdown")])

    return html.Div(className="wj-filters", children=[
        dropdown("period", ids.ANALYSIS_PERIOD, period_options, filters["period"], False),
        dropdown("specialty", ids.ANALYSIS_SPECIALTY, specialty_options, filters["specialty"], True,
                 i18n.t("all_specialties", lang)),
        dropdown("analysis_entity_type", ids.ANALYSIS_SUBTYPE, subtype_options(known, lang), filters["subtype"], True,
                 i18n.t("analysis_all_types", lang)),
        dropdown("analysis_map_measure", ids.ANALYSIS_MEASURE, measure_options, analysis_view.DEFAULT_MEASURE, False),
    ])


def _refusal(message: str, lang: str) -> html.Div:
    return html.Div(className="wj-page", children=[
        html.Header(className="wj-header", children=[html.H1(i18n.t("app_title", lang))]),
        html.Div(message, className="wj-problem wj-refusal"),
    ])
