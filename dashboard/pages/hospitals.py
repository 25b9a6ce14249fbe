"""Medical institutions' five dimensions (医疗机构五维监管): the ranking page `/hospitals` and the entity file's panel.

`/hospitals?status=warning&lang=en` ranks the institutions of the viewer's scope on the latest day assessed,
the weakest dimension first, each a link to its file, with the counts per status. It names institutions, so a
display account (which sees aggregates only) is refused here as well as by the login's page list
(dashboard/auth.py DISPLAY_PAGES). The entity file of a medical institution shows the latest five scores as a
radar, their change over the monthly history as lines, and the indicators that deducted points.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import context, i18n
from dashboard.auth import current_account
from dashboard.tables import html_table
from dashboard.theme import THEME
from data import vocab
from data.queries import institution_status

PATH = "/hospitals"
DIMENSIONS = vocab.INSTITUTION_DIMENSIONS
STATUS_COLOURS = {"normal": THEME.good, "attention": THEME.warn, "warning": THEME.bad}


def _dimension_labels(lang: str) -> list[str]:
    return [i18n.t("fivedim_dim_" + d, lang) for d in DIMENSIONS]


def _status_badge(status: str, lang: str) -> html.Span:
    return html.Span(i18n.t("fivedim_status_" + status, lang), className=f"wj-badge wj-fivedim-{status}")


def radar_figure(latest: pd.Series, lang: str) -> go.Figure:
    """The five scores of one day as a closed radar (0-100)."""
    labels = _dimension_labels(lang)
    values = [float(latest[d]) for d in DIMENSIONS]
    figure = go.Figure(go.Scatterpolar(r=[*values, values[0]], theta=[*labels, labels[0]], fill="toself",
                                       line=dict(color=STATUS_COLOURS[latest["status"]]), name=i18n.t("fivedim_panel", lang)))
    figure.update_layout(template=THEME.plotly_template(), polar=dict(radialaxis=dict(range=[0, 100])),
                         showlegend=False, margin=dict(l=40, r=40, t=20, b=20), height=320)
    return figure


def change_figure(history: pd.DataFrame, lang: str) -> go.Figure:
    """Each dimension's score over the assessed days, one line each."""
    figure = go.Figure([go.Scatter(x=pd.to_datetime(history["as_of"]), y=history[d], mode="lines+markers", name=label)
                        for d, label in zip(DIMENSIONS, _dimension_labels(lang))])
    figure.update_layout(template=THEME.plotly_template(), yaxis=dict(range=[0, 105], title=i18n.t("fivedim_panel", lang)),
                         margin=dict(l=50, r=20, t=20, b=40), height=320, legend=dict(orientation="h"))
    return figure


def entity_panel(entity: dict, lang: str) -> list:
    """The five-dimension panel of a medical institution's file; nothing for other entities."""
    if entity["specialty"] != "medical":
        return []
    history = institution_status.history(context.store(), entity["id"], context.viewer_scope())
    title = html.H2(i18n.t("fivedim_panel", lang), className="wj-panel-title")
    if history.empty:
        return [html.Section(id="entity-fivedim", className="wj-panel", children=[
            title, html.Div(i18n.t("fivedim_not_assessed", lang), className="wj-hint")])]
    latest = history.iloc[-1]
    scores = html.Table(className="wj-table wj-fivedim-scores", children=[html.Tbody([
        html.Tr([html.Td(label), html.Td(f"{latest[d]:g}", className="wj-number")])
        for d, label in zip(DIMENSIONS, _dimension_labels(lang))])])
    deducted = [html.Tr([html.Td(i18n.t("fivedim_ind_" + key, lang)), html.Td(f"{value:g}"), html.Td(f"−{points:g}", className="wj-number")])
                for key, (value, points) in sorted(latest["indicators"].items(), key=lambda kv: -kv[1][1])]
    return [html.Section(id="entity-fivedim", className="wj-panel", children=[
        title,
        html.Div(className="wj-summary", children=[
            i18n.t("fivedim_latest", lang).format(f"{latest['as_of']:%Y-%m-%d}"), _status_badge(latest["status"], lang),
            *_position(entity, lang)]),
        html.Div(className="wj-fivedim-charts", children=[
            dcc.Graph(id="entity-fivedim-radar", figure=radar_figure(latest, lang), config={"displayModeBar": False}),
            dcc.Graph(id="entity-fivedim-change", figure=change_figure(history, lang), config={"displayModeBar": False}),
        ]),
        scores,
        html.H3(i18n.t("fivedim_deductions", lang)),
        html.Table(className="wj-table", children=[html.Tbody(deducted)]) if deducted
        else html.Div(i18n.t("no_records", lang), className="wj-hint"),
    ])]


def _position(entity: dict, lang: str) -> list:
    """The institution's rank in its county (" · 县区内排名 3 / 41"), linked to the ranking page."""
    found = institution_status.position(context.store(), entity["id"], context.viewer_scope())
    if found is None:
        return []
    return [" · ", dcc.Link(i18n.t("fivedim_position", lang).format(*found), href=f"{PATH}?lang={lang}",
                            id="entity-fivedim-position")]


def layout(status: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    account = current_account()
    if account is None or account.role == "display":
        return _page(lang, [html.Div(i18n.t("fivedim_aggregate_only", lang), className="wj-problem wj-refusal")])
    status = status if status in vocab.INSTITUTION_STATUSES else None
    store, scope = context.store(), context.viewer_scope()
    counts = institution_status.status_counts(store, scope)
    frame = institution_status.ranking(store, scope, status)
    day = institution_status.latest_day(store, scope)
    headers = [i18n.t("col_entity", lang), i18n.t("fivedim_status", lang), i18n.t("fivedim_weakest", lang),
               *_dimension_labels(lang)]
    rows = [[r.name, i18n.t("fivedim_status_" + r.status, lang), f"{r.weakest:g}", *(f"{getattr(r, d):g}" for d in DIMENSIONS)]
            for r in frame.itertuples()]
    filters = [dcc.Link(i18n.t("fivedim_all", lang), href=f"{PATH}?lang={lang}", className="wj-lang")] + [
        dcc.Link(f"{i18n.t('fivedim_status_' + s, lang)} {counts[s]:,}", href=f"{PATH}?status={s}&lang={lang}",
                 className="wj-lang") for s in vocab.INSTITUTION_STATUSES]
    return _page(lang, [
        html.Section(className="wj-panel", children=[
            html.H2(i18n.t("fivedim_ranking", lang), className="wj-panel-title"),
            html.Div(f"{i18n.t('fivedim_as_of', lang)}: {day:%Y-%m-%d}" if day else i18n.t("fivedim_not_assessed", lang),
                     className="wj-summary"),
            html.Div(filters, className="wj-spans"),
            html_table(headers, rows, links=[f"/entity/{e}?lang={lang}" for e in frame["entity_id"]],
                       empty=i18n.t("no_records", lang)),
        ]),
    ])


def _page(lang: str, body: list) -> html.Div:
    return html.Div(className="wj-page wj-hospitals-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("fivedim_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), href=f"{PATH}?lang={'en' if lang == 'zh' else 'zh'}", className="wj-lang"),
        ]),
        *body,
    ])
