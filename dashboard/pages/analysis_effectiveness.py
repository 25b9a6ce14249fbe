"""Analysis `/analysis/effectiveness` (监管效能评估): each sub-region's effectiveness index for a month.

`/analysis/effectiveness?region=410100&month=2026-05&detail=410105&lang=en`. The ranking of the region's
sub-regions (the region itself when it has none) with last month's index and the change; a chart of each
one's index split by the 4+4+1 groups; one region's breakdown (every indicator's value, 0..100 score,
weight and contribution, and last month's value); the indicator definitions in force; an XLSX export
(callbacks/effectiveness.py). A region's name drills the page down to its own sub-regions. The region is
checked against the session's scope here and again in the queries and the export.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.theme import THEME
from dashboard.urls import page_url
from data import vocab
from data.queries import effectiveness, regions
from data.queries.filters import OutOfScope

PATH = "/analysis/effectiveness"
CHINA = ZoneInfo("Asia/Shanghai")
CATEGORY_COLOURS = {"quality": THEME.accent, "efficiency": THEME.warn, "public": THEME.good}


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """The first day of `YYYY-MM`; the last whole month when none is given. ValueError for anything else."""
    if not text:
        return effectiveness.previous_month(today)
    month = dt.date.fromisoformat(f"{text}-01") if len(text) == 7 else None
    if month is None or month > today:
        raise ValueError(f"month {text!r}")
    return month


def value_text(value, unit: str, lang: str) -> str:
    if pd.isna(value):
        return i18n.t("effect_missing", lang)
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:.1f} {i18n.t('effect_unit_' + unit, lang)}"


def number(value, fmt: str = "{:.1f}") -> str:
    return "–" if pd.isna(value) else fmt.format(value)


def layout(region: str | None = None, month: str | None = None, detail: str | None = None, lang: str | None = None,
           **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or sorted(scope.roots)[0]
    today = dt.datetime.now(CHINA).date()
    try:
        chosen_month = parse_month(month, today)
    except ValueError:
        return _page(lang, region, None, [html.Div(i18n.t("effect_bad_month", lang), className="wj-problem")])
    try:
        filters = effectiveness.month_filters(region, chosen_month, today)  # ValueError: not a region code
        ranking = effectiveness.ranking(store, filters, scope)
        parts = effectiveness.breakdown(store, filters, scope)
        trail = regions.chain(store, region, scope)
    except (OutOfScope, KeyError, ValueError):
        return _page(lang, region, None, [html.Div(i18n.t("out_of_scope", lang) + f": {region}",
                                                   className="wj-problem wj-refusal")])
    except LookupError:  # an imported finer level (乡镇街道, 网格): its rows carry no code of that level
        return _page(lang, region, None, [html.Div(i18n.t("effect_level_unsupported", lang), className="wj-problem")])
    first = filters.period.start
    link = _linker(region, first, lang)
    chosen = detail if detail in set(ranking["adcode"]) else (ranking["adcode"].iloc[0] if len(ranking) else None)
    definitions = effectiveness.definitions(store)
    return _page(lang, region, first, [
        dcc.Store(id=ids.EFFECT_STATE, data={"region": region, "month": f"{first:%Y-%m}", "lang": lang}),
        html.Nav(className="wj-breadcrumb", children=[
            dcc.Link(r.name, href=link(region=r.adcode), className="wj-crumb" + (" wj-crumb-current" if r.adcode == region else ""))
            for r in trail]),
        html.Nav(className="wj-breadcrumb wj-effect-months", children=[
            dcc.Link("‹ " + i18n.t("effect_previous_month", lang), href=link(month=effectiveness.previous_month(first)),
                     className="wj-crumb"),
            html.Span(f"{i18n.t('effect_month', lang)} {first:%Y-%m}", className="wj-crumb wj-crumb-current"),
            *([dcc.Link(i18n.t("effect_next_month", lang) + " ›", href=link(month=_next(first)), className="wj-crumb")]
              if _next(first) <= today else []),
        ]),
        html.P(i18n.t("effect_explain", lang), className="wj-hint"),
        html.Section(className="wj-panel", id="effect-ranking", children=[
            html.H2(i18n.t("effect_ranking", lang), className="wj-panel-title"),
            html.Div(className="wj-steps", children=[
                html.Button(i18n.t("effect_export", lang), id=ids.EFFECT_EXPORT, className="wj-button"),
                html.Span(id=ids.EFFECT_EXPORT_MESSAGE, className="wj-hint")]),
            dcc.Download(id=ids.EFFECT_DOWNLOAD),
            ranking_table(ranking, region, link, lang),
            *([dcc.Graph(id=ids.EFFECT_CHART, figure=figure(ranking, parts, lang), config={"displayModeBar": False})]
              if ranking["score"].notna().any() else []),
        ]),
        *([breakdown_section(parts[parts["adcode"] == chosen], ranking[ranking["adcode"] == chosen].iloc[0], lang)]
          if chosen else []),
        definitions_section(definitions, lang),
    ])


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _linker(region: str, month: dt.date, lang: str):
    def link(region: str = region, month: dt.date = month, detail: str | None = None) -> str:
        return page_url(PATH, region=region, month=f"{month:%Y-%m}", **({"detail": detail} if detail else {}), lang=lang)
    return link


def ranking_table(ranking: pd.DataFrame, region: str, link, lang: str) -> html.Table | html.Div:
    if ranking.empty:
        return html.Div(i18n.t("effect_no_regions", lang), className="wj-hint")
    head = ["effect_rank", "effect_region", "effect_score", "effect_previous", "effect_change", "effect_weight_share", ""]
    rows = []
    for r in ranking.itertuples():
        change = "" if pd.isna(r.change) else ("wj-effect-up" if r.change > 0 else "wj-effect-down" if r.change < 0 else "")
        rows.append(html.Tr([
            html.Td(i18n.t("effect_unranked", lang) if pd.isna(r.rank) else f"{r.rank}", className="wj-number"),
            html.Td(dcc.Link(r.name, href=link(region=r.adcode), title=i18n.t("effect_drill", lang))
                    if r.adcode != region else r.name),
            html.Td(number(r.score), className="wj-number wj-effect-score"),
            html.Td(number(r.previous_score), className="wj-number"),
            html.Td(number(r.change, "{:+.1f}"), className="wj-number " + change),
            html.Td(number(r.weight_share, "{:.0%}"), className="wj-number"),
            html.Td(dcc.Link(i18n.t("effect_detail", lang), href=link(detail=r.adcode))),
        ]))
    return html.Table(className="wj-table wj-effect-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t(h, lang) if h else "") for h in head])), html.Tbody(rows)])


def figure(ranking: pd.DataFrame, parts: pd.DataFrame, lang: str) -> go.Figure:
    """Each ranked region's index as a bar stacked by the 4+4+1 groups' contributions, best on top."""
    ranked = ranking[ranking["score"].notna()]
    by_group = parts[parts["adcode"].isin(ranked["adcode"])].groupby(["adcode", "category"])["contribution"].sum()
    names = ranked.set_index("adcode")["name"]
    order = list(ranked["adcode"])[::-1]
    fig = go.Figure([go.Bar(y=[names[a] for a in order], x=[by_group.get((a, group), 0.0) for a in order], orientation="h",
                            name=i18n.t("effect_category_" + group, lang), marker_color=CATEGORY_COLOURS[group])
                     for group in vocab.EFFECTIVENESS_GROUPS])
    fig.update_layout(template=THEME.plotly_template(), barmode="stack", height=max(240, 28 * len(order) + 80),
                      margin=dict(l=10, r=10, t=30, b=30), legend=dict(orientation="h", y=1.08),
                      xaxis=dict(range=[0, 100], title=i18n.t("effect_score", lang)), yaxis=dict(automargin=True))
    return fig


def breakdown_section(parts: pd.DataFrame, ranked: pd.Series, lang: str) -> html.Section:
    head = ["effect_category", "effect_indicator", "effect_value", "effect_norm_score", "effect_weight",
            "effect_contribution", "effect_previous_value", "effect_change"]
    rows = [html.Tr(className="wj-effect-missing" if pd.isna(p.value) else "", children=[
        html.Td(i18n.t("effect_category_" + p.category, lang)),
        html.Td(i18n.t("effect_ind_" + p.indicator, lang)),
        html.Td(value_text(p.value, p.unit, lang), className="wj-number"),
        html.Td(number(p.score), className="wj-number"),
        html.Td(f"{p.weight:g}", className="wj-number"),
        html.Td(number(p.contribution, "{:.2f}"), className="wj-number"),
        html.Td(value_text(p.previous_value, p.unit, lang), className="wj-number"),
        html.Td(number(p.value_change * (100 if p.unit == "share" else 1), "{:+.1f}") + (" pp" if p.unit == "share" and
                                                                                       pd.notna(p.value_change) else ""),
                className="wj-number"),
    ]) for p in parts.itertuples()]
    total = html.Tr(className="wj-effect-total", children=[
        html.Td(i18n.t("effect_score", lang), colSpan=5), html.Td(number(ranked["score"], "{:.2f}"), className="wj-number"),
        html.Td(number(ranked["previous_score"], "{:.2f}"), className="wj-number"),
        html.Td(number(ranked["change"], "{:+.1f}"), className="wj-number")])
    return html.Section(className="wj-panel", id="effect-breakdown", children=[
        html.H2(i18n.t("effect_breakdown", lang).format(name=ranked["name"]), className="wj-panel-title"),
        html.Table(className="wj-table wj-effect-table", children=[
            html.Thead(html.Tr([html.Th(i18n.t(h, lang)) for h in head])), html.Tbody([*rows, total])])])


def definitions_section(frame: pd.DataFrame, lang: str) -> html.Section:
    head = ["effect_category", "effect_indicator", "effect_definition", "effect_direction",
            "effect_floor", "effect_target", "effect_weight", "effect_window", "effect_source"]
    rows = [html.Tr([
        html.Td(i18n.t("effect_category_" + d.category, lang)), html.Td(i18n.t("effect_ind_" + d.key, lang)),
        html.Td(i18n.t("effect_def_" + d.key, lang)), html.Td(i18n.t("effect_direction_" + d.direction, lang)),
        html.Td(value_text(d.floor, d.unit, lang), className="wj-number"),
        html.Td(value_text(d.target, d.unit, lang), className="wj-number"),
        html.Td(f"{d.weight:g}", className="wj-number"), html.Td(f"{d.window_months}", className="wj-number"),
        html.Td(d.source)]) for d in frame.itertuples()]
    return html.Section(className="wj-panel", id="effect-definitions", children=[
        html.H2(i18n.t("effect_definitions", lang).format(version=frame.attrs["version"]), className="wj-panel-title"),
        html.Table(className="wj-table wj-effect-table wj-effect-definitions", children=[
            html.Thead(html.Tr([html.Th(i18n.t(h, lang)) for h in head])), html.Tbody(rows)])])


def _page(lang: str, region: str, month: dt.date | None, body: list) -> html.Div:
    other = "en" if lang == "zh" else "zh"
    switch = page_url(PATH, region=region, **({"month": f"{month:%Y-%m}"} if month else {}), lang=other)
    return html.Div(className="wj-page wj-effect-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("effect_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang", href=switch),
        ]),
        *body,
    ])
