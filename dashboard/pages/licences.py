"""Licence expiry `/licences` (许可证到期提醒): the region's entities whose licence has expired or expires within
the reminder thresholds (dataset_meta `licence_reminder_days`, default 90/30/7 days), soonest first, with the
count per threshold and an XLSX export of the same rows (callbacks/licences.py).

`/licences?region=410105&lang=en`; the region defaults to the viewer's home region and is checked against the
viewer's scope (outside it: the refusal, nothing else).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.auth import current_account
from dashboard.tables import Column, cells, day, html_table, specialty
from dashboard.urls import page_url
from data.queries import licences
from data.queries.filters import OutOfScope, UnknownRegion
from geo import hierarchy

PATH = "/licences"
CHINA = dt.timezone(dt.timedelta(hours=8))


def _bucket(value, lang: str) -> str:
    if value == licences.EXPIRED:
        return i18n.t("licence_expired", lang)
    return i18n.t("licence_within", lang).format(days=value)


def _county(code, _lang: str) -> str:
    try:
        return hierarchy.get_region(str(code)).name
    except KeyError:
        return str(code)


COLUMNS = (
    Column("name", "col_entity"),
    Column("specialty", "specialty", specialty),
    Column("county_adcode", "col_county", _county),
    Column("licence_no", "licence_no"),
    Column("licence_expiry", "licence_expiry", day),
    Column("days_left", "col_days_left"),
    Column("bucket", "col_reminder", _bucket),
)


def today() -> dt.date:
    return dt.datetime.now(CHINA).date()


def listing(region: str, lang: str) -> tuple[pd.DataFrame, list[str], list[list[str]]]:
    """The due entities of a region in scope and their table cells (the page and the export share them)."""
    frame = licences.due(context.store(), region, context.viewer_scope(), today())
    headers, rows = cells(frame, COLUMNS, lang)
    return frame, headers, rows


def layout(region: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    region = region or current_account().region_adcode
    try:
        frame, headers, rows = listing(region, lang)
    except OutOfScope:
        body = [html.Div(i18n.t("out_of_scope", lang) + f": {region}", className="wj-problem wj-refusal")]
    except UnknownRegion:
        body = [html.Div(i18n.t("unknown_region", lang) + f": {region}", className="wj-problem wj-refusal")]
    else:
        counts = licences.counts(frame)
        summary = " · ".join(f"{_bucket(k, lang)} {n:,}" for k, n in counts.items())
        body = [html.Section(className="wj-panel", children=[
            html.H2(f"{i18n.t('licences_title', lang)} · {_county(region, lang)}", className="wj-panel-title"),
            html.Div(summary, id=ids.LICENCE_STATE + "-summary", className="wj-summary"),
            html.Div(className="wj-filters", children=[
                html.Button(i18n.t("export_xlsx", lang), id=ids.LICENCE_EXPORT, className="wj-button"),
                html.Div(id=ids.LICENCE_EXPORT_MESSAGE, className="wj-hint")]),
            dcc.Download(id=ids.LICENCE_DOWNLOAD),
            html_table(headers, rows, links=[f"/entity/{e}?lang={lang}" for e in frame["id"]],
                       empty=i18n.t("no_records", lang)),
        ])]
    return html.Div(className="wj-page wj-licences-page", lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Store(id=ids.LICENCE_STATE, data={"region": region, "lang": lang}),
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("licences_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                     href=page_url(PATH, region=region, lang="en" if lang == "zh" else "zh")),
        ]),
        *body,
    ])
