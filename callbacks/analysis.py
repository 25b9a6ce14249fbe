"""Callbacks of the analysis page: the shared filter store and its cross-filters, the tab's charts and table, and
the table's XLSX/CSV export.

`cross_filter`, `render` and `export` are plain functions of plain values (tests/test_analysis_page.py). The
filter store is whatever the browser sends back, so `checked` re-reads it against the session's scope (and the
queries check again): a crafted region outside it draws nothing and exports nothing, and the attempt is audited.
"""

from __future__ import annotations

import logging
import re

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard import analysis_view, auth, context, exports, i18n, ids, periods
from dashboard.figures import MAP_CONFIG
from dashboard.pages import analysis as page
from data import vocab
from data.queries import analysis as analysis_queries
from data.queries import regions
from data.queries.analysis import AnalysisFilters
from data.queries.filters import OutOfScope, UnknownRegion
from geo import boundaries

log = logging.getLogger(__name__)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
SUBTYPE = re.compile(r"[a-z_]{1,32}")


def checked(filters: dict | None) -> AnalysisFilters:
    """The filter store as query filters; OutOfScope / UnknownRegion for a region the viewer may not see."""
    filters = filters if isinstance(filters, dict) else {}
    region = str(filters.get("region"))
    regions.get_region(context.store(), region, context.viewer_scope())
    subtype, month = filters.get("subtype"), filters.get("month")
    return AnalysisFilters(
        region=region, period=periods.resolve(filters.get("period"), page.today()),
        specialty=filters.get("specialty") if filters.get("specialty") in vocab.SPECIALTIES else None,
        subtype=subtype if isinstance(subtype, str) and SUBTYPE.fullmatch(subtype) else None,
        month=month if isinstance(month, str) and MONTH.fullmatch(month) else None)


def _clicked(click: dict | None):
    point = ((click or {}).get("points") or [{}])[0]
    return point.get("location") or point.get("customdata")


def cross_filter(trigger, click: dict | None, filters: dict, period: str | None = None, specialty: str | None = None,
                 subtype: str | None = None) -> dict:
    """The filter store after a filter change or a click; no_update when nothing changes.

    A chart click sets its dimension (the same value again clears it; a region drills into it, if the viewer may
    see it); a chip's ✕ drops its filter (the region goes back to the viewer's home region), a crumb of the region
    chain goes up to that region; 'all' drops every one."""
    new = dict(filters)
    if trigger == ids.ANALYSIS_PERIOD:
        try:
            periods.resolve(period, page.today())
        except ValueError:
            return no_update
        new.update(period=period, month=None)
    elif trigger == ids.ANALYSIS_SPECIALTY:
        new["specialty"] = specialty if specialty in vocab.SPECIALTIES else None
    elif trigger == ids.ANALYSIS_SUBTYPE:
        new["subtype"] = subtype if isinstance(subtype, str) and SUBTYPE.fullmatch(subtype) else None
    elif isinstance(trigger, dict) and trigger.get("type") == ids.ANALYSIS_CHIP:
        key = trigger.get("key")
        home = auth.current_account().region_adcode
        if key == "all":
            new.update(region=home, specialty=None, subtype=None, month=None)
        elif key == "region":
            new["region"] = home
        elif isinstance(key, str) and key.startswith("region="):  # a crumb of the chain: up to that region
            if not context.viewer_scope().allows(key[len("region="):]):
                return no_update
            new["region"] = key[len("region="):]
        elif key in ("specialty", "subtype", "month"):
            new[key] = None
    elif isinstance(trigger, dict) and trigger.get("type") == ids.ANALYSIS_CHART:
        dim, value = trigger.get("dim"), _clicked(click)
        if dim == "region":
            if not isinstance(value, str) or value == filters.get("region") or not context.viewer_scope().allows(value):
                return no_update
            new["region"] = value
        elif (dim == "specialty" and value in vocab.SPECIALTIES) or (
                dim == "subtype" and isinstance(value, str) and SUBTYPE.fullmatch(value)) or (
                dim == "month" and isinstance(value, str) and MONTH.fullmatch(value)):
            new[dim] = None if filters.get(dim) == value else value
        else:
            return no_update
    else:
        return no_update
    return no_update if new == filters else new


def render(tab: str | None, filters: dict, measure: str | None, state: dict | None) -> tuple:
    """(the tab's charts and table, the active-filter chips)."""
    lang = i18n.normalise_language((state or {}).get("lang"))
    tab = tab if tab in analysis_view.SECTIONS else analysis_view.SECTIONS[0]
    measure = measure if measure in analysis_view.MAP_MEASURES else analysis_view.DEFAULT_MEASURE
    try:
        af = checked(filters)
    except (OutOfScope, UnknownRegion, KeyError) as exc:
        log.warning("refused analysis of %r: %s", (filters or {}).get("region"), exc)
        message = i18n.t("out_of_scope" if isinstance(exc, OutOfScope) else "unknown_region", lang)
        return html.Div(message, className="wj-problem wj-refusal"), []
    except ValueError as exc:
        return html.Div(f"{i18n.t('no_data', lang)}: {exc}", className="wj-problem"), []
    store, scope = context.store(), context.viewer_scope()
    parts = analysis_view.frames(tab, store, af, scope, page.today())
    geojson = _geojson(af) if tab == "spatial" else None
    charts = analysis_view.charts(tab, parts, af, lang, measure, geojson)
    headers, rows = analysis_view.table(tab, parts, lang)
    graphs = [html.Section(className="wj-panel wj-chart-panel" + (" wj-analysis-wide" if chart.wide else ""), children=[
        html.H2(chart.title, className="wj-panel-title"),
        dcc.Graph(id={"type": ids.ANALYSIS_CHART, "dim": chart.dim or "none", "name": chart.name}, figure=chart.figure,
                  className="wj-analysis-map" if tab == "spatial" else "wj-chart", responsive=True,
                  config=MAP_CONFIG if tab == "spatial" else {"displayModeBar": False}),
        *([html.P(i18n.t(f"analysis_click_{chart.dim}", lang), className="wj-hint")] if chart.dim else []),
    ]) for chart in charts]
    body = html.Div([
        html.Div(graphs, className="wj-analysis-charts"),
        html.Section(className="wj-panel", children=[
            html.H2(i18n.t(f"analysis_table_{tab}", lang), className="wj-panel-title"),
            _table(tab, headers, rows)]),
        html.Footer(f"{af.narrowed_period.start} – {af.narrowed_period.end}", className="wj-footer"),
    ])
    return body, _chips(af, lang)


def _geojson(af: AnalysisFilters) -> dict:
    split = analysis_queries.breakdown(context.store(), af.region, context.viewer_scope())
    level = next(level for level, column in regions.LEVEL_COLUMN.items() if column == split.column)
    return boundaries.simplified_geojson(af.region, level, context.settings().cache_dir)


def _table(tab: str, headers: list[str], rows: list[dict]) -> html.Table:
    spec = analysis_view.TABLES[tab]

    def show(value, kind: str) -> str:
        if value is None:
            return "–"
        if kind in ("int", "money", "pct", "number"):
            return format(value, {"int": ",.0f", "money": ",.2f", "pct": ".1f", "number": ".1f"}[kind])
        return str(value)

    return html.Table(className="wj-table wj-analysis-table", children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([html.Td(show(row[field], kind), className="wj-number" if kind != "text" else None)
                             for field, _, kind in spec]) for row in rows])])


def _chips(af: AnalysisFilters, lang: str) -> list:
    """The region's chain (each region above the current one a button back up to it), the active filters as
    buttons that drop them, and one that drops them all."""
    store, scope = context.store(), context.viewer_scope()
    chain = regions.chain(store, af.region, scope)
    crumbs = []
    for i, region in enumerate(chain):
        if i:
            crumbs.append(html.Span("›", className="wj-crumb-sep"))
        crumbs.append(html.Span(region.name, className="wj-crumb wj-crumb-current") if i == len(chain) - 1 else
                      html.Button(region.name, className="wj-crumb wj-analysis-crumb", n_clicks=0,
                                  id={"type": ids.ANALYSIS_CHIP, "key": f"region={region.adcode}"}))
    chips = [html.Span(i18n.t("analysis_active_filters", lang), className="wj-hint"),
             html.Span(crumbs, className="wj-analysis-chain")]
    home = auth.current_account().region_adcode
    labels = {"region": chain[-1].name if af.region != home else None,
              "specialty": i18n.specialty_label(af.specialty, lang) if af.specialty else None,
              "subtype": i18n.label(f"subtype_{af.subtype}", lang, af.subtype) if af.subtype else None,
              "month": af.month}
    for key, text in labels.items():
        if text:
            chips.append(html.Button(f"{i18n.t(f'analysis_chip_{key}', lang)}: {text} ✕", className="wj-button wj-chip",
                                     id={"type": ids.ANALYSIS_CHIP, "key": key}, n_clicks=0))
    if any(labels.values()):
        chips.append(html.Button(i18n.t("analysis_clear", lang), className="wj-button",
                                 id={"type": ids.ANALYSIS_CHIP, "key": "all"}, n_clicks=0))
    return chips


def export(fmt: str, tab: str | None, filters: dict, state: dict | None) -> tuple:
    """(dcc.Download data or no_update, message): the tab's table, headers in the page's language; audited
    (action "export"), a refusal too."""
    lang = i18n.normalise_language((state or {}).get("lang"))
    tab = tab if tab in analysis_view.SECTIONS else analysis_view.SECTIONS[0]
    filters = filters if isinstance(filters, dict) else {}
    detail = {**{k: filters.get(k) for k in ("region", "period", "specialty", "subtype", "month")}, "section": tab,
              "format": fmt, "lang": lang}
    region = str(filters.get("region"))
    try:
        af = checked(filters)
    except (OutOfScope, UnknownRegion, KeyError):
        _audit(f"analysis:{tab}:{region}", {**detail, "refused": "out_of_scope"})
        return no_update, i18n.t("out_of_scope", lang)
    except ValueError as exc:
        return no_update, f"{i18n.t('no_data', lang)}: {exc}"
    store, scope = context.store(), context.viewer_scope()
    headers, rows = analysis_view.table(tab, analysis_view.frames(tab, store, af, scope, page.today()), lang)
    fields = [field for field, _, _ in analysis_view.TABLES[tab]]
    name = regions.get_region(store, af.region, scope).name
    section = i18n.t(f"analysis_tab_{tab}", lang)
    content = exports.rows_bytes(headers, [[row[f] for f in fields] for row in rows], fmt, section)
    filename = f"{i18n.t('analysis_export_name', lang)}_{section}_{name}_{af.narrowed_period.label()}.{fmt}"
    _audit(f"analysis:{tab}:{af.region}", {**detail, "period_resolved": af.narrowed_period.key(), "rows": len(rows),
                                          "file": filename})
    return dcc.send_bytes(content, filename, type=exports.MEDIA[fmt]), ""


def _audit(target: str, detail: dict) -> None:
    exports.audit_export(context.store(), actor=auth.current_account().username, target=target, detail=detail,
                         ip=request.remote_addr)


def register(app: Dash) -> None:
    @app.callback(
        Output(ids.ANALYSIS_FILTERS, "data"),
        Output(ids.ANALYSIS_SPECIALTY, "value"),
        Output(ids.ANALYSIS_SUBTYPE, "value"),
        Output(ids.ANALYSIS_SUBTYPE, "options"),
        Input(ids.ANALYSIS_PERIOD, "value"),
        Input(ids.ANALYSIS_SPECIALTY, "value"),
        Input(ids.ANALYSIS_SUBTYPE, "value"),
        Input({"type": ids.ANALYSIS_CHART, "dim": ALL, "name": ALL}, "clickData"),
        Input({"type": ids.ANALYSIS_CHIP, "key": ALL}, "n_clicks"),
        State(ids.ANALYSIS_FILTERS, "data"),
        State(ids.ANALYSIS_STATE, "data"),
        prevent_initial_call=True,
    )
    def _cross_filter(period, specialty, subtype, _clicks, chips, filters, state):
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == ids.ANALYSIS_CHIP and not any(chips or []):
            return no_update, no_update, no_update, no_update  # chips drawn anew, not clicked
        click = ctx.triggered[0]["value"] if ctx.triggered else None
        new = cross_filter(trigger, click, filters, period, specialty, subtype)
        if new is no_update:
            return no_update, no_update, no_update, no_update
        lang = i18n.normalise_language((state or {}).get("lang"))
        known = analysis_queries.subtypes(context.store(), context.viewer_scope(), new.get("specialty"))
        return new, new.get("specialty"), new.get("subtype"), page.subtype_options(known, lang)

    app.callback(
        Output(ids.ANALYSIS_SECTION, "children"),
        Output(ids.ANALYSIS_ACTIVE, "children"),
        Input(ids.ANALYSIS_TABS, "value"),
        Input(ids.ANALYSIS_FILTERS, "data"),
        Input(ids.ANALYSIS_MEASURE, "value"),
        State(ids.ANALYSIS_STATE, "data"),
    )(render)

    @app.callback(
        Output(ids.ANALYSIS_DOWNLOAD, "data"),
        Output(ids.ANALYSIS_EXPORT_MESSAGE, "children"),
        Input(ids.ANALYSIS_EXPORT, "n_clicks"),
        Input(ids.ANALYSIS_EXPORT_CSV, "n_clicks"),
        State(ids.ANALYSIS_TABS, "value"),
        State(ids.ANALYSIS_FILTERS, "data"),
        State(ids.ANALYSIS_STATE, "data"),
        prevent_initial_call=True,
    )
    def _export(xlsx_clicks, csv_clicks, tab, filters, state):
        fmt = "csv" if ctx.triggered_id == ids.ANALYSIS_EXPORT_CSV else "xlsx"
        if not (csv_clicks if fmt == "csv" else xlsx_clicks):
            return no_update, ""
        return export(fmt, tab, filters, state)
