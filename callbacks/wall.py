"""Callbacks of the wall: one refresh for everything on it, the stale badge in the browser, drill by click.

`refresh` is a plain function (tests call it). It re-checks the state the browser sends (scope from
the server) and draws from the same cached queries and figures as the manager page; when anything
fails it changes nothing on screen (PreventUpdate), so the last good data stays up and the
browser-side badge (assets/20_wall.js) reports the delay.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate

from callbacks import manager
from dashboard import context, i18n, ids, masking
from dashboard.auth import current_account
from dashboard.figures import integer_ticks, ranking_figure
from dashboard.theme import THEME
from dashboard.urls import page_url
from data.queries import alerts as alert_queries
from data.queries import ledger as ledger_queries
from data import vocab
from data.queries import hospital_ops as hospital_queries
from data.queries import institution_status
from data.queries import regions, wall
from data.queries.filters import Filters, OutOfScope, Period
from layers import registry

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")
TREND_MONTHS = 12
FEED_LENGTH = 14


def refresh(_tick: int | None, state: dict) -> tuple:
    """(KPI tiles, map, map title, trend, ranking, ranking title, alert feed, 'updated' line, last success,
    hospitals' panel).

    The last success is its time in ms (for the browser's delay check) and as China-time HH:MM (for the badge:
    the wall's clock may not be set to China time)."""
    lang = i18n.normalise_language(state.get("lang"))
    try:
        today = dt.datetime.now(CHINA).date()
        store, scope = context.store(), context.viewer_scope()
        region = str(state.get("region"))
        month = Filters(region=region, period=wall.this_month(today))
        kpis = wall.kpis(store, month, scope).iloc[0]
        ledger_open = ledger_queries.overdue_count(store, scope, region, today)
        trend = wall.monthly(store, Filters(region=region, period=Period.last_months(TREND_MONTHS, today)), scope)
        feed = alert_queries.feed(store, scope, region, status="unclosed", limit=FEED_LENGTH)
        surges = hospital_queries.area_alerts(store, scope, region)  # an outbreak's early sign stays on top
        feed = pd.concat([surges, feed]).drop_duplicates("id").head(FEED_LENGTH) if len(surges) else feed
        if context.masks(state):  # from the state on the server: a kiosk state masks whatever its mask says
            feed = masking.alert_feed(feed)
        figure, map_title, _, ranking_title, *_ = manager.render(
            {"region": region, "period": "last-12-months", "specialty": None, "lang": lang, "layer": state.get("layer")})
        ranking = _top_ten(state.get("layer"), region, today, lang)
        figure = _outline_surges(figure, hospital_queries.surge_areas(store, scope, region), lang)
        hospitals = _hospitals(store, scope, Filters(region=region, period=Period(today, today)), lang)
    except OutOfScope:
        log.warning("refused wall refresh for region %r outside scope", state.get("region"))
        raise PreventUpdate from None
    except Exception:  # noqa: BLE001 - keep the last good screen; the badge shows the delay
        log.exception("wall refresh failed; keeping the last good data on screen")
        raise PreventUpdate from None
    now = dt.datetime.now(CHINA)
    figure, ranking = _wall_fonts(figure), _wall_fonts(ranking)
    updated = f"{i18n.t('updated_at', lang)} {now:%H:%M:%S}"
    return (_tiles(kpis, ledger_open, lang), figure, map_title, trend_figure(trend, lang), ranking, ranking_title,
            _feed(feed, lang), updated, {"ms": int(time.time() * 1000), "hhmm": f"{now:%H:%M}"}, hospitals)


def _outline_surges(figure: dict, areas: list[str], lang: str) -> dict:
    """The map with the areas of active fever-surge alerts outlined, where the map draws them as regions."""
    drawn = next((t for t in figure.get("data", []) if t.get("geojson") and t.get("type") == "choropleth"), None)
    if drawn is None or not areas:
        return figure
    shown = {f["properties"]["adcode"] for f in drawn["geojson"]["features"]}
    codes = [code for code in areas if code in shown]
    if not codes:
        return figure
    outline = go.Choropleth(
        geojson=drawn["geojson"], featureidkey="properties.adcode", locations=codes, z=[0] * len(codes),
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
        marker=dict(line=dict(color=THEME.bad, width=5)), name=i18n.t("rule_fever_surge", lang), showlegend=True,
        hovertemplate=i18n.t("rule_fever_surge", lang) + "<extra></extra>").to_plotly_json()
    return {**figure, "data": [*figure["data"], outline]}


def _hospitals(store, scope, filters: Filters, lang: str) -> list:
    """The hospitals' panel: the latest day's totals per indicator against the baseline, and who is anomalous.

    A display screen gets aggregates only (anomalous hospitals counted per county, no names): it hangs in
    a hall, and which hospital runs high is for the officers who act on it."""
    totals = hospital_queries.day_totals(store, filters, scope)
    if totals.empty:
        return [html.Div(i18n.t("hospital_ops_none", lang), className="wj-hospitals-none"),
                *_institution_statuses(store, scope, filters.region, lang)]
    rows = [html.Tr([html.Th(i18n.t(key, lang)) for key in ("hospital_ops_indicator", "hospital_ops_total",
                                                            "hospital_ops_baseline", "hospital_ops_change")])]
    for r in totals.itertuples():
        change = (r.total / r.baseline - 1) if r.baseline == r.baseline and r.baseline else None
        high = change is not None and change > 0.5
        rows.append(html.Tr(className="wj-hospitals-high" if high else "", children=[
            html.Td(i18n.t("indicator_" + r.indicator, lang)),
            html.Td("–" if r.total != r.total else f"{r.total:,.0f}"),
            html.Td("–" if change is None else f"{r.baseline:,.0f}"),
            html.Td("–" if change is None else f"{change:+.0%}")]))
    anomalous = hospital_queries.anomalous(store, scope, filters.region)
    account = current_account()
    if anomalous.empty:
        listed = [html.Li(i18n.t("hospital_ops_no_anomaly", lang))]
    elif account is not None and account.is_display_screen:
        per_county = anomalous.groupby("county_adcode")["entity"].nunique()
        listed = [html.Li(f"{regions.get_region(store, str(code), scope).name} · {n} {i18n.t('hospital_ops_hospitals', lang)}")
                  for code, n in per_county.items()]
    else:
        listed = [html.Li(f"{a.entity} · {i18n.t('indicator_' + a.indicator, lang)} {a.value:,.0f}")
                  for a in anomalous.head(6).itertuples()]
    day = f"{totals['day'].iloc[0]:%m-%d}"
    return [html.Div(f"{i18n.t('hospital_ops_day', lang)} {day}", className="wj-hospitals-day"),
            html.Table(rows, className="wj-hospitals-table"),
            html.Div(i18n.t("hospital_ops_anomalous", lang), className="wj-hospitals-label"),
            html.Ul(listed, className="wj-hospitals-list"),
            *_institution_statuses(store, scope, filters.region, lang)]


def _institution_statuses(store, scope, region: str, lang: str) -> list:
    """The medical institutions' five-dimension statuses under the wall's region, as counts only (no names:
    the same for a display screen and an officer); nothing before any assessment."""
    if not institution_status.assessed(store, scope):
        return []
    counts = institution_status.status_counts(store, scope, region)
    return [html.Div(i18n.t("fivedim_title", lang), className="wj-hospitals-label"),
            html.Div(id=ids.FIVEDIM_WALL_COUNTS, className="wj-hospitals-day",
                     children=i18n.t("fivedim_counts", lang).format(*(f"{counts[s]:,}" for s in vocab.INSTITUTION_STATUSES)))]


def _top_ten(layer_key: str | None, region: str, today: dt.date, lang: str) -> dict:
    """The layer's ranking of sub-regions, ten bars: eighteen labels do not fit half a wall panel."""
    store, scope = context.store(), context.viewer_scope()
    layer = registry.choose(layer_key, store, scope)
    filters = Filters(region=region, period=Period.last_months(12, today))
    leaf = regions.children(store, region, scope).empty
    view = layer.view(leaf)
    return ranking_figure(view.rank(layer.data(leaf, store, filters, scope), lang), "name", "value", "id", THEME, lang,
                          top=10).to_dict()


def _wall_fonts(figure: dict) -> dict:
    """Bigger text than the manager page's (the wall is read from across the room); the cached figure is not touched."""
    layout = figure.get("layout", {})
    return {**figure, "layout": {**layout, "font": {**layout.get("font", {}), "size": 15}}}


def _tiles(k, ledger_open: tuple[int, int], lang: str) -> list:
    def tile(label: str, value: str, note: str = "", bad: bool = False) -> html.Div:
        return html.Div(className="wj-kpi" + (" wj-kpi-bad" if bad else ""), children=[
            html.Div(label, className="wj-kpi-label"), html.Div(value, className="wj-kpi-value"),
            html.Div(note, className="wj-kpi-note")])

    pct = (lambda v: "–" if v is None or v != v else f"{v:.1%}")  # noqa: E731 - NaN-safe percentage
    return [
        tile(i18n.t("kpi_entities", lang), f"{k['entities']:,}"),
        tile(i18n.t("kpi_inspections_month", lang), f"{k['inspections']:,}", f"{i18n.t('non_compliant', lang)} {k['non_compliant']:,}"),
        tile(i18n.t("kpi_rate_month", lang), pct(k["rate"])),
        tile(i18n.t("kpi_penalties_month", lang), f"{k['penalties']:,}", f"¥{k['penalty_amount']:,.0f}"),
        tile(i18n.t("kpi_complaints_open", lang), f"{k['complaints_open']:,}",
             f"{i18n.t('overdue', lang)} {k['complaints_overdue']:,}", bad=k["complaints_overdue"] > 0),
        tile(i18n.t("kpi_devices_online", lang), pct(k["online_share"]), f"{k['devices_online']:,} / {k['devices']:,}"),
        tile(i18n.t("kpi_alerts_open", lang), f"{k['alerts_open']:,}", f"{i18n.t('overdue', lang)} {k['alerts_overdue']:,}",
             bad=k["alerts_overdue"] > 0),
        tile(i18n.t("kpi_licences_due", lang).format(days=k["licence_days"]), f"{k['licences_due']:,}",
             f"{i18n.t('licence_within', lang).format(days=k['licence_soon_days'])} {k['licences_soon']:,} · "
             f"{i18n.t('licence_expired', lang)} {k['licences_expired']:,}", bad=k["licences_expired"] > 0),
        tile(i18n.t("kpi_ledger_open", lang), f"{ledger_open[0]:,}", f"{i18n.t('overdue', lang)} {ledger_open[1]:,}", bad=ledger_open[1] > 0),
    ]


def trend_figure(frame, lang: str) -> dict:
    """Inspections (bars) and non-compliant inspections (line) per month."""
    months = [f"{m:%Y-%m}" for m in frame["month"]]
    fig = go.Figure([
        go.Bar(x=months, y=frame["inspections"], name=i18n.t("inspections", lang), marker_color=THEME.accent, opacity=0.75),
        go.Scatter(x=months, y=frame["non_compliant"], name=i18n.t("non_compliant", lang), mode="lines+markers",
                   line=dict(color=THEME.bad, width=3), yaxis="y2"),
    ])
    fig.update_layout(template=THEME.plotly_template(), margin=dict(l=10, r=10, t=10, b=10), font=dict(size=15),
                      legend=dict(orientation="h", x=0, y=1.12), bargap=0.3,
                      xaxis=dict(type="category", automargin=True, tickangle=0, nticks=6),
                      yaxis=dict(automargin=True, rangemode="tozero"),
                      yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False, automargin=True,
                                  **integer_ticks(float(frame["non_compliant"].max() if len(frame) else 0))))
    return fig.to_dict()


def _feed(feed, lang: str) -> list:
    if feed.empty:
        return [html.Li(i18n.t("no_alerts", lang))]
    items = []
    for a in feed.itertuples():
        what = i18n.t("rule_" + a.rule, lang) + (f" · {i18n.t('indicator_' + a.indicator, lang)}" if a.indicator else "")
        items.append(html.Li(className=f"wj-feed-{a.severity}", children=[
            html.Span(f"{a.raised_at.tz_convert(CHINA):%m-%d %H:%M}", className="wj-feed-time"),
            html.Span(f"{a.entity or a.device_id} · {what}"),
            html.Span(i18n.t("overdue", lang) if a.overdue else i18n.t("status_" + a.status, lang),
                      className="wj-feed-overdue" if a.overdue else ""),
        ]))
    return items


def drill(click: dict | None, state: dict) -> str:
    """A click on a sub-region: the wall of a region with children, the manager page of one without.

    A kiosk view never moves (its map is a picture anyway); a masked wall drills to a masked wall; a
    display screen reads aggregates only, so it stops at the last wall instead of opening the entities."""
    target = ((click or {}).get("points") or [{}])[0].get("location")
    if not target or state.get("kiosk") or not context.viewer_scope().allows(str(target)):
        return no_update
    lang = i18n.normalise_language(state.get("lang"))
    if regions.children(context.store(), str(target), context.viewer_scope()).empty:
        account = current_account()
        if account is not None and account.is_display_screen:
            return no_update
        return page_url("/", region=target, layer=state.get("layer"), **({"lang": "en"} if lang == "en" else {}))
    return page_url("/wall", region=target, layer=state.get("layer"), interval=state.get("interval"),
                    **({"lang": "en"} if lang == "en" else {}), **({"mask": 1} if state.get("mask") else {}))


def register(app: Dash) -> None:
    app.callback(
        Output(ids.WALL_KPIS, "children"), Output(ids.WALL_MAP, "figure"), Output(ids.WALL_MAP_TITLE, "children"),
        Output(ids.WALL_TREND, "figure"), Output(ids.WALL_RANKING, "figure"), Output(ids.WALL_RANKING_TITLE, "children"),
        Output(ids.WALL_FEED, "children"), Output(ids.WALL_UPDATED, "children"), Output(ids.WALL_LAST_OK, "data"),
        Output(ids.WALL_HOSPITALS, "children"),
        Input(ids.WALL_TICK, "n_intervals"), State(ids.WALL_STATE, "data"),
    )(refresh)
    app.clientside_callback(
        ClientsideFunction(namespace="wall", function_name="stale"),
        Output(ids.WALL_STALE, "children"), Output(ids.WALL_STALE, "className"),
        Input(ids.WALL_TICK, "n_intervals"), State(ids.WALL_LAST_OK, "data"), State(ids.WALL_CONFIG, "data"),
    )
    app.callback(Output(ids.WALL_NAV, "href"), Input(ids.WALL_MAP, "clickData"), State(ids.WALL_STATE, "data"),
                 prevent_initial_call=True)(drill)
