"""Analysis `/analysis/risk` (综合分析 · 风险模型回测): does risk-ordered inspection find violations sooner?

Two back-tests (data/risk/backtest.py): this database's entities in the viewer's scope, and the real NYC
DOHMH restaurant inspections in WEIJIAN_DATASETS. Per quarter, the share of its violations found by
the first 10 % and 25 % of its inspections, in historical order and in risk order (scores from records
before the quarter only), as a table and a chart; the last row pools every quarter.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.theme import THEME
from data.queries import risk as risk_queries
from data.risk import backtest

PATH = "/analysis/risk"
SOURCES = ("database", "nyc")


def layout(lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    sections = []
    for source in SOURCES:
        table = risk_queries.backtest_table(store, scope, source, context.settings().datasets)
        sections.append(html.Section(className="wj-panel", id=f"analysis-risk-{source}", children=[
            html.H2(i18n.t("backtest_source_" + source, lang), className="wj-panel-title"),
            *([html.Div(i18n.t("backtest_none", lang), className="wj-hint")] if table.empty else [
                dcc.Graph(id={"type": ids.ANALYSIS_RISK_CHART, "source": source}, figure=figure(table, lang),
                          config={"displayModeBar": False}),
                figures_table(table, lang)]),
        ]))
    return html.Div(className="wj-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("analysis_risk_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("analysis_back", lang), className="wj-lang", href=f"/analysis?lang={lang}"),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang", href=f"{PATH}?lang={'en' if lang == 'zh' else 'zh'}"),
        ]),
        html.P(i18n.t("backtest_explain", lang), className="wj-hint"),
        *sections,
    ])


def figure(table: pd.DataFrame, lang: str) -> go.Figure:
    """Per quarter: the share found by the first 25 % of inspections, historical (bars) and in risk order (line)."""
    quarters = table[table["period"] != "all"]
    fig = go.Figure([
        go.Bar(x=quarters["period"], y=quarters["historical_25"], name=i18n.t("col_historical_25", lang),
               marker_color=THEME.muted),
        go.Scatter(x=quarters["period"], y=quarters["model_25"], name=i18n.t("col_model_25", lang), mode="lines+markers",
                   line=dict(color=THEME.accent, width=3)),
        go.Scatter(x=quarters["period"], y=quarters["model_10"], name=i18n.t("col_model_10", lang), mode="lines+markers",
                   line=dict(color=THEME.warn, width=2, dash="dot")),
    ])
    fig.update_layout(template=THEME.plotly_template(), height=320, margin=dict(l=50, r=10, t=40, b=40),
                      legend=dict(orientation="h", y=1.12), yaxis=dict(tickformat=".0%", rangemode="tozero", automargin=True),
                      xaxis=dict(type="category", automargin=True))
    return fig


def figures_table(table: pd.DataFrame, lang: str) -> html.Table:
    pct = (lambda v: "–" if pd.isna(v) else f"{v:.1%}")  # noqa: E731 - NaN-safe percentage
    rows = [html.Tr([html.Td(i18n.t("backtest_all", lang) if r.period == "all" else r.period), html.Td(f"{r.inspections:,}", className="wj-number"),
                     html.Td(f"{r.violations:,}", className="wj-number"),
                     *(html.Td(pct(getattr(r, c)), className="wj-number") for c in backtest.COLUMNS[3:])])
            for r in table.itertuples()]
    return html.Table(className="wj-table wj-backtest-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + c, lang)) for c in backtest.COLUMNS])), html.Tbody(rows)])
