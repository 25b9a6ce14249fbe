"""Practitioner file `/practitioner/<id>` (一人一档): one doctor or nurse, their rights, registrations and alerts.

Licence number, kind, practice category and scope, title, prescribing rights; the registrations at
institutions in the viewer's region (each a link to the institution's file, which links back here);
the prescription-check alerts about them (each naming the institution). Built on the server; the
practitioner is checked against the viewer's scope first (a registration at an institution in it),
and an id outside it answers exactly like an unknown one. The ID number and phone are shown in full
only to roles that need them (dashboard/context.py), and masked for everyone with `?mask=1`.
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, masking
from data.queries import practitioner_file
from data.queries.filters import OutOfScope

PATH_TEMPLATE = "/practitioner/<practitioner_id>"
CHINA = "Asia/Shanghai"


def layout(practitioner_id: str | None = None, lang: str | None = None, mask: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    requested_mask = masking.wanted(mask)
    store, scope = context.store(), context.viewer_scope()
    try:
        person = practitioner_file.profile(store, practitioner_id, scope)
    except OutOfScope:
        return _page(lang, [html.Div(i18n.t("practitioner_not_found", lang) + f": {practitioner_id}",
                                     className="wj-problem wj-refusal")])
    shown = context.shows_practitioner_data(requested_mask)
    base = f"/practitioner/{person['id']}?lang="
    return _page(lang, [
        html.Div(className="wj-entity-top", children=[
            html.Section(className="wj-panel wj-facts", children=[
                html.H2(person["name"], className="wj-panel-title wj-entity-name"),
                html.Dl(children=identity(person, lang, shown)),
                html.Div(className="wj-spans", children=[
                    dcc.Link(i18n.t("mask_off" if requested_mask else "mask_on", lang), className="wj-lang",
                             href=base + lang + ("" if requested_mask else "&mask=1")),
                    dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                             href=base + ("en" if lang == "zh" else "zh") + ("&mask=1" if requested_mask else "")),
                ]),
            ]),
            html.Section(className="wj-panel", children=[
                html.H2(i18n.t("registrations", lang), className="wj-panel-title"),
                registration_table(practitioner_file.registrations(store, person["id"], scope), lang),
            ]),
        ]),
        html.Section(className="wj-panel", children=[
            html.H2(i18n.t("practitioner_history", lang), className="wj-panel-title"),
            alert_table(practitioner_file.alerts(store, person["id"], scope), lang),
            html.P(i18n.t("history_not_linked", lang), className="wj-hint"),
        ]),
    ])


def identity(person: dict, lang: str, shown: bool) -> list:
    """The facts list; personal columns (practitioner_file.PERSONAL_COLUMNS) masked unless `shown`."""
    rights = [i18n.t("right_" + r, lang) for r in ("rx_ordinary", "rx_narcotic") if person[r]]
    if person["rx_ordinary"]:
        rights.append(i18n.t("right_psych2", lang))  # 第二类精神药品: with the ordinary right (rules.csv)
    id_number = person["id_number"] if shown else masking.id_number(person["id_number"])
    phone = person["phone"] if shown else masking.phone(person["phone"])
    pairs = [
        ("practitioner_licence_no", person["licence_no"]),
        ("practitioner_kind", i18n.t("kind_" + person["kind"], lang)),
        ("practice_category", _category(person["category"], lang)),
        ("practice_scope", person["scope"] or "–"),
        ("professional_title", person["title"] or "–"),
        ("prescribing_rights", " · ".join(rights) or i18n.t("no_rights", lang)),
        ("id_number", id_number or "–"),
        ("phone", phone or "–"),
    ]
    return [item for key, value in pairs for item in (html.Dt(i18n.t(key, lang)), html.Dd(value))]


def _category(value, lang: str) -> str:
    """A doctor's practice category; a nurse has none (missing reads as None or NaN, by pandas' string dtype)."""
    return i18n.t("category_" + value, lang) if isinstance(value, str) else "–"


def _day(value) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def registration_table(frame: pd.DataFrame, lang: str) -> html.Table | html.Div:
    if frame.empty:
        return html.Div(i18n.t("no_records", lang), className="wj-hint")
    head = ["institution", "main", "valid_from", "valid_to"]
    rows = [html.Tr([
        html.Td(dcc.Link(r.institution, href=f"/entity/{r.entity_id}?lang={lang}")),
        html.Td(i18n.t("registration_main" if r.main else "registration_other", lang)),
        html.Td(_day(r.valid_from)), html.Td(_day(r.valid_to) or i18n.t("open_ended", lang)),
    ]) for r in frame.itertuples()]
    return html.Table(className="wj-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in head])), html.Tbody(rows)])


def alert_table(frame: pd.DataFrame, lang: str) -> html.Table | html.Div:
    if frame.empty:
        return html.Div(i18n.t("no_records", lang), className="wj-hint")
    head = ["date", "rule", "institution", "status", "occurrences", "message"]
    local = frame["raised_at"].dt.tz_convert(CHINA)
    rows = [html.Tr(className="wj-event wj-event-alert wj-event-flagged", children=[
        html.Td(f"{local.iloc[i]:%Y-%m-%d %H:%M}"), html.Td(i18n.t("rule_" + r.rule, lang)),
        html.Td(dcc.Link(r.institution or "", href=f"/entity/{r.entity_id}?lang={lang}")),
        html.Td(i18n.t("status_" + r.status, lang)), html.Td(str(r.occurrences), className="wj-number"),
        html.Td(masking.free_text(r.message)),
    ]) for i, r in enumerate(frame.itertuples())]
    return html.Table(className="wj-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in head])), html.Tbody(rows)])


def staff_panel(frame: pd.DataFrame, lang: str) -> html.Section:
    """The entity file's panel of practitioners registered there, each a link to their file."""
    if frame.empty:
        body = html.Div(i18n.t("no_records", lang), className="wj-hint")
    else:
        head = ["col_person_name", "practitioner_kind", "practice_category", "professional_title", "col_main", "col_valid_to"]
        rows = [html.Tr([
            html.Td(dcc.Link(r.name, href=f"/practitioner/{r.id}?lang={lang}")), html.Td(i18n.t("kind_" + r.kind, lang)),
            html.Td(_category(r.category, lang)), html.Td(r.title if pd.notna(r.title) else "–"),
            html.Td(i18n.t("registration_main" if r.main else "registration_other", lang)),
            html.Td(_day(r.valid_to) or i18n.t("open_ended", lang)),
        ]) for r in frame.itertuples()]
        body = html.Table(className="wj-table", children=[
            html.Thead(html.Tr([html.Th(i18n.t(h, lang)) for h in head])),
            html.Tbody(rows)])
    return html.Section(className="wj-panel", id="entity-practitioners", children=[
        html.H2(f"{i18n.t('practitioners', lang)} · {len(frame)}", className="wj-panel-title"), body])


def _page(lang: str, body: list) -> html.Div:
    return html.Div(className="wj-page wj-entity-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("practitioner_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("alert_inbox", lang), href=f"/alerts?lang={lang}", className="wj-lang"),
        ]),
        *body,
    ])
