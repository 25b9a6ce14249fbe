"""Entity file `/entity/<id>` (一户一档): one supervised entity, everything recorded about it, on one page.

Identity and licence (an expired licence, or one expiring within 90 days, is flagged), the region
chain back to the manager page, the hygiene grade history, the credit grade (诚信等级: current, its deductions,
its history), one timeline (figure and table) of its
inspections, penalties, complaints and alerts, the 双随机 draws that picked it (with their results), its
devices' readings against their limits, and the QR code of its public page. Built on the server from the URL; the entity is checked against the
viewer's scope first, and an id outside it answers exactly like an unknown one (no name, nothing).
The legal representative's name and phone are masked with `?mask=1` (screens in public view), and always for
a role that may not see personal data (dashboard/context.py UNMASKED_ROLES).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html
from flask import request

from dashboard import context, i18n, ids, masking, qr
from dashboard.auth import current_account
from dashboard.pages import hospitals as hospitals_page
from dashboard.pages import practitioner as practitioner_page
from dashboard.series import series_figure
from dashboard.tables import Column, cells, day, html_table, label_of
from dashboard.theme import THEME
from dashboard.urls import manager_url
from data import db, public_tokens
from data.draws import runs as draw_runs
from data.queries import entity_file, monitoring, practitioner_file, regions
from data.queries import credit as credit_queries
from data.queries import risk as risk_queries
from data.queries.filters import OutOfScope

PATH_TEMPLATE = "/entity/<entity_id>"
READING_DAYS = 7
RENEWING_ROLES = ("province_manager", "city_manager", "county_manager")  # a printed code is replaced by a manager
CHINA = dt.timezone(dt.timedelta(hours=8))
# How each kind of record names its kind and outcome in the catalogue.
LABELS = {"inspection": ("kind_", "result_"), "penalty": ("penalty_", "case_"),
          "complaint": ("channel_", "complaint_"), "alert": ("rule_", "status_")}


def layout(entity_id: str | None = None, lang: str | None = None, mask: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    masked = context.masks({"mask": masking.wanted(mask)})
    store, scope = context.store(), context.viewer_scope()
    try:
        entity = entity_file.profile(store, entity_id, scope)
    except OutOfScope:
        return _page(lang, [html.Div(i18n.t("entity_not_found", lang) + f": {entity_id}", className="wj-problem wj-refusal")])
    events = entity_file.timeline(store, entity["id"], scope)
    return _page(lang, [
        dcc.Store(id=ids.ENTITY_STATE, data={"entity_id": entity["id"], "lang": lang}),
        html.Nav(className="wj-breadcrumb", children=_chain(entity, lang)),
        html.Div(className="wj-entity-top", children=[
            html.Section(className="wj-panel wj-facts", children=[
                html.H2([entity["name"], _grade_badge(entity["grade"], lang)], className="wj-panel-title wj-entity-name"),
                html.Dl(children=_identity(entity, lang, masked)),
                html.Div(className="wj-spans", children=[
                    dcc.Link(i18n.t("mask_off" if masked else "mask_on", lang), className="wj-lang",
                             href=f"/entity/{entity['id']}?lang={lang}" + ("" if masked else "&mask=1")),
                    dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                             href=f"/entity/{entity['id']}?lang={'en' if lang == 'zh' else 'zh'}" + ("&mask=1" if masked else "")),
                ]),
            ]),
            html.Section(className="wj-panel", children=[
                html.H2(i18n.t("grade_history", lang), className="wj-panel-title"),
                grade_table(entity_file.grades(store, entity["id"], scope), lang),
            ]),
            html.Section(id=ids.ENTITY_QR, className="wj-panel wj-qr-panel", children=qr_panel(entity["id"], lang)),
        ]),
        risk_panel(entity["id"], lang),
        credit_panel(entity["id"], lang),
        *hospitals_page.entity_panel(entity, lang),
        html.Section(className="wj-panel", children=[
            html.H2(i18n.t("timeline", lang), className="wj-panel-title"),
            html.Div(i18n.t("timeline_counts", lang).format(*(int((events["event"] == e).sum()) for e in entity_file.EVENTS)),
                     className="wj-summary"),
            dcc.Graph(id=ids.ENTITY_TIMELINE, figure=timeline_figure(events, lang), config={"displayModeBar": False}),
            timeline_table(events, lang, masked),
        ]),
        draws_panel(entity["id"], lang),
        *_device_panels(entity, lang),
        *_practitioners(entity, lang),
    ])


def _chain(entity: dict, lang: str) -> list:
    """The entity's regions, from the viewer's top region down, each a link to the manager page there."""
    code = entity["county_adcode"] or entity["city_adcode"] or entity["province_adcode"]
    items: list = []
    for region in regions.chain(context.store(), code, context.viewer_scope()):
        if items:
            items.append(html.Span("›", className="wj-crumb-sep"))
        items.append(dcc.Link(region.name, className="wj-crumb", href=manager_url(region.adcode, "last-12-months", None, lang)))
    items += [html.Span("›", className="wj-crumb-sep"), html.Span(entity["name"], className="wj-crumb wj-crumb-current")]
    return items


def _grade_badge(grade: str | None, lang: str) -> html.Span:
    if not grade:
        return html.Span(i18n.t("ungraded", lang), className="wj-grade wj-grade-none")
    return html.Span(f"{grade} · {i18n.t('grade_meaning_' + grade, lang)}", className=f"wj-grade wj-grade-{grade}")


def _identity(entity: dict, lang: str, masked: bool) -> list:
    expiry = entity["licence_expiry"]
    state = entity_file.licence_state(expiry, dt.date.today())
    licence = [f"{expiry:%Y-%m-%d}" if expiry else "–"]
    if state in ("expired", "expiring"):
        licence += [" ", html.Span(i18n.t("licence_" + state, lang),
                                   className="wj-badge " + ("wj-badge-bad" if state == "expired" else "wj-badge-warn"))]
    person, phone = entity["legal_representative"], entity["contact_phone"]
    pairs = [
        ("credit_code", entity["credit_code"]),
        ("specialty", f"{i18n.specialty_label(entity['specialty'], lang)} · {i18n.t('subtype_' + entity['subtype'], lang)}"),
        ("address", entity["address"] or "–"),
        ("licence_no", entity["licence_no"] or "–"),
        ("licence_expiry", html.Span(licence, className=f"wj-licence-{state}")),
        ("legal_representative", (masking.person_name(person) if masked else person) or "–"),
        ("contact_phone", (masking.phone(phone) if masked else phone) or "–"),
    ]
    return [item for key, value in pairs for item in (html.Dt(i18n.t(key, lang)), html.Dd(value))]


def risk_panel(entity_id: int, lang: str) -> html.Section:
    """The latest risk score, its level, and every factor with its points (they add up to the score)."""
    latest = risk_queries.latest(context.store(), entity_id, context.viewer_scope())
    title = html.H2(i18n.t("risk_assessment", lang), className="wj-panel-title")
    if latest is None:
        return html.Section(id="entity-risk", className="wj-panel", children=[
            title, html.Div(i18n.t("risk_not_scored", lang), className="wj-hint")])
    rows = [html.Tr([html.Td(i18n.t("risk_factor_" + key, lang)), html.Td(f"{points:g}", className="wj-number")])
            for key, points in latest["factors"].items()]
    return html.Section(id="entity-risk", className="wj-panel", children=[
        title,
        html.Div(className="wj-summary", children=[
            html.Span(i18n.t("risk_" + latest["level"], lang), className=f"wj-badge wj-risk-{latest['level']}"),
            f" {i18n.t('risk_score_label', lang)} {latest['score']:g} · {i18n.t('risk_as_of', lang)} "
            f"{latest['as_of']:%Y-%m-%d} · {i18n.t('risk_model_version', lang)} {latest['model_version']}"]),
        html.Table(className="wj-table wj-risk-factors", children=[
            html.Thead(html.Tr([html.Th(i18n.t("col_risk_factor", lang)), html.Th(i18n.t("col_points", lang))])),
            html.Tbody(rows)]),
        html.P(i18n.t("risk_factors_hint", lang), className="wj-hint"),
    ])


def _credit_badge(grade: str, lang: str) -> html.Span:
    meaning = i18n.label("credit_meaning_" + grade, lang, "")
    return html.Span(f"{grade} · {meaning}" if meaning else grade, className=f"wj-grade wj-credit wj-credit-{grade}")


def credit_panel(entity_id: int, lang: str) -> html.Section:
    """The current credit grade (the latest assessment), the deductions it rests on, and every earlier grade."""
    found = credit_queries.assessments(context.store(), entity_id, context.viewer_scope())
    title = html.H2(i18n.t("credit_assessment", lang), className="wj-panel-title")
    if found.empty:
        return html.Section(id=ids.CREDIT_PANEL, className="wj-panel", children=[
            title, html.Div(i18n.t("credit_not_assessed", lang), className="wj-hint")])
    latest = found.iloc[-1]
    deductions = [html.Tr([html.Td(i18n.label("credit_indicator_" + key, lang, key)), html.Td(f"−{points:g}", className="wj-number")])
                  for key, points in latest["breakdown"].items()]
    history = [html.Tr([html.Td(f"{row.assessed_at.tz_convert(CHINA):%Y-%m-%d}"), html.Td(_credit_badge(row.grade, lang)),
                        html.Td(f"{row.score:g}", className="wj-number"), html.Td(str(row.criteria_version))])
               for row in found.iloc[::-1].itertuples()]
    return html.Section(id=ids.CREDIT_PANEL, className="wj-panel", children=[
        title,
        html.Div(className="wj-summary", children=[
            _credit_badge(latest["grade"], lang),
            f" {i18n.t('credit_score', lang)} {latest['score']:g} · {i18n.t('credit_assessed_on', lang)} "
            f"{latest['assessed_at'].tz_convert(CHINA):%Y-%m-%d} · {i18n.t('credit_criteria_version', lang)} "
            f"{latest['criteria_version']}"]),
        html.Div(className="wj-credit-tables", children=[
            html.Table(className="wj-table wj-risk-factors", id=ids.CREDIT_BREAKDOWN, children=[
                html.Thead(html.Tr([html.Th(i18n.t("credit_col_indicator", lang)), html.Th(i18n.t("credit_col_deduction", lang))])),
                html.Tbody(deductions or [html.Tr(html.Td(i18n.t("credit_no_deductions", lang), colSpan=2))])]),
            html.Div([
                html.H3(i18n.t("credit_history", lang)),
                html.Table(className="wj-table", id=ids.CREDIT_HISTORY, children=[
                    html.Thead(html.Tr([html.Th(i18n.t("credit_col_" + h, lang))
                                        for h in ("assessed_on", "grade", "score", "version")])),
                    html.Tbody(history)])]),
        ]),
        html.P(i18n.t("credit_breakdown_hint", lang), className="wj-hint"),
    ])


def qr_panel(entity_id: int, lang: str, notice: str | None = None) -> list:
    """The public page's QR code (issuing a token on the first view), its URL, and for managers the renew button."""
    with context.store().engine.begin() as conn:
        token = public_tokens.ensure(conn, entity_id, dt.datetime.now(dt.UTC))
    url = qr.public_url(context.settings().public_base_url or request.host_url, token)
    account = current_account()
    children = [
        html.H2(i18n.t("public_code", lang), className="wj-panel-title"),
        html.Div(html.Img(src=qr.data_uri(url), alt=url, className="wj-qr", id="entity-qr-image"), className="wj-qr-frame"),
        html.A(url, href=url, className="wj-qr-url", target="_blank", rel="noopener"),
        html.P(i18n.t("public_code_hint", lang), className="wj-hint"),
    ]
    if account is not None and account.role in RENEWING_ROLES:
        children.append(html.Button(i18n.t("renew_code", lang), id=ids.ENTITY_RENEW, className="wj-button wj-renew"))
    if notice:
        children.append(html.P(notice, className="wj-notice"))
    return children


def grade_table(frame: pd.DataFrame, lang: str) -> html.Table | html.Div:
    if frame.empty:
        return html.Div(i18n.t("no_records", lang), className="wj-hint")
    head = ["graded_on", "grade", "score", "grader"]
    rows = [html.Tr([html.Td(f"{g.graded_on:%Y-%m-%d}"), html.Td(html.Span(g.grade, className=f"wj-grade wj-grade-{g.grade}")),
                     html.Td(str(g.score)), html.Td(g.grader)]) for g in frame.iloc[::-1].itertuples()]
    return html.Table(className="wj-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in head])), html.Tbody(rows)])


def _labels(events: pd.DataFrame, lang: str) -> tuple[list[str], list[str], list[str]]:
    """The translated kind, outcome and detail of each record."""
    kind, outcome, detail = [], [], []
    for event, k, o, d in zip(events["event"], events["kind"], events["outcome"], events["detail"]):
        kind_prefix, outcome_prefix = LABELS[event]
        kind.append(i18n.t(kind_prefix + k, lang))
        outcome.append(i18n.t(outcome_prefix + o, lang))
        d = d if isinstance(d, str) else ""  # missing: None or NaN, by pandas' string dtype
        detail.append(i18n.t("indicator_" + d, lang) if event == "alert" and d else d)
    return kind, outcome, detail


def _local(events: pd.DataFrame) -> pd.Series:
    return events["at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)


def timeline_figure(events: pd.DataFrame, lang: str) -> go.Figure:
    """One lane per kind of record; failed inspections, penalties and alerts in the alarm colours."""
    lanes = [i18n.t("event_" + e, lang) for e in entity_file.EVENTS]
    kind, outcome, detail = _labels(events, lang)
    frame = events.assign(local=_local(events), kind_label=kind, outcome_label=outcome, detail_label=detail)
    styles = [
        ("inspection", frame["outcome"] == "compliant", THEME.good, "circle", i18n.t("result_compliant", lang)),
        ("inspection", frame["outcome"] == "non_compliant", THEME.bad, "circle", i18n.t("result_non_compliant", lang)),
        ("penalty", frame["event"] == "penalty", THEME.warn, "diamond", i18n.t("event_penalty", lang)),
        ("complaint", frame["event"] == "complaint", THEME.accent, "triangle-up", i18n.t("event_complaint", lang)),
        ("alert", frame["event"] == "alert", THEME.bad, "square", i18n.t("event_alert", lang)),
    ]
    fig = go.Figure()
    for event, mask, colour, symbol, name in styles:
        part = frame[(frame["event"] == event) & mask]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["local"], y=[i18n.t("event_" + event, lang)] * len(part), mode="markers", name=name,
            marker=dict(color=colour, symbol=symbol, size=12, line=dict(width=1, color=THEME.background)),
            customdata=list(zip(part["kind_label"], part["outcome_label"], part["detail_label"])),
            hovertemplate="%{x|%Y-%m-%d} · %{customdata[0]} · %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        ))
    fig.update_layout(template=THEME.plotly_template(), height=250, margin=dict(l=10, r=20, t=30, b=10), showlegend=True,
                      legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom", font=dict(size=13)),
                      xaxis=dict(type="date", tickformat="%Y-%m", automargin=True),
                      yaxis=dict(categoryorder="array", categoryarray=lanes[::-1], range=[-0.6, len(lanes) - 0.4],
                                 type="category", automargin=True))
    return fig


def timeline_table(events: pd.DataFrame, lang: str, masked: bool) -> html.Table | html.Div:
    if events.empty:
        return html.Div(i18n.t("no_records", lang), className="wj-hint")
    kind, outcome, detail = _labels(events, lang)
    local = _local(events)
    head = ["date", "event", "kind", "outcome", "amount", "reference", "detail"]
    bad = {"non_compliant", "fine", "suspension", "revocation"}
    rows = []
    for i, row in enumerate(events.itertuples()):
        when = f"{local.iloc[i]:%Y-%m-%d}" if row.whole_day else f"{local.iloc[i]:%Y-%m-%d %H:%M}"
        reference = row.reference if isinstance(row.reference, str) else ""  # a prescription alert has no device
        if row.event == "alert" and reference:
            reference = dcc.Link(reference, href=f"/device/{reference}?lang={lang}")
        amount = f"{row.amount:,.0f}" if pd.notna(row.amount) and row.amount > 0 else ""
        flagged = row.outcome in bad or (row.event == "penalty" and row.kind in bad) or row.event == "alert"
        rows.append(html.Tr(className=f"wj-event wj-event-{row.event}" + (" wj-event-flagged" if flagged else ""), children=[
            html.Td(when), html.Td(i18n.t("event_" + row.event, lang)), html.Td(kind[i]), html.Td(outcome[i]),
            html.Td(amount, className="wj-number"), html.Td(reference),
            html.Td(masking.free_text(detail[i]) if masked else detail[i]),
        ]))
    return html.Table(className="wj-table wj-timeline-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in head])), html.Tbody(rows)])


def _practitioners(entity: dict, lang: str) -> list:
    """A medical institution's practitioners (一人一档), each a link to their file; nothing for other entities."""
    if entity["specialty"] != "medical":
        return []
    staff = practitioner_file.at_entity(context.store(), entity["id"], context.viewer_scope())
    return [practitioner_page.staff_panel(staff, lang)]


def _device_panels(entity: dict, lang: str) -> list:
    """Each device's last READING_DAYS days (up to its last report) against its limits, as on the device page."""
    store, scope = context.store(), context.viewer_scope()
    devices = entity_file.devices(store, entity["id"], scope)
    if devices.empty:
        return []
    graphs = []
    for device in devices.itertuples():
        end = db.as_utc(device.last_seen_at.to_pydatetime()) if pd.notna(device.last_seen_at) else dt.datetime.now(dt.UTC)
        readings = monitoring.device_readings(store, device.id, scope, end - dt.timedelta(days=READING_DAYS), end)
        limits = monitoring.device_limits(store, {"scene": device.scene, "subtype": entity["subtype"]})
        for indicator, limit in limits.items():
            part = readings[readings["indicator"] == indicator]
            if part.empty:
                continue
            title = f"{i18n.t('indicator_' + indicator, lang)} · {i18n.t('scene_' + device.scene, lang)}"
            graphs.append(html.Div(className="wj-panel", children=[
                dcc.Graph(figure=series_figure(part, limit, THEME, lang, title), config={"displayModeBar": False}),
                html.P([dcc.Link(device.id, href=f"/device/{device.id}?lang={lang}"),
                        f" · {i18n.t('limit', lang)}: {limit.describe()} · {limit.standard} {limit.clause}" if limit else ""],
                       className="wj-hint"),
            ]))
    return [html.Section(className="wj-panel", children=[
        html.H2(f"{i18n.t('entity_devices', lang)} · {i18n.t('last_days', lang).format(READING_DAYS)}", className="wj-panel-title"),
        html.Div(className="wj-series", children=graphs or [html.Div(i18n.t("no_data", lang), className="wj-hint")]),
    ])]


DRAW_COLUMNS = (
    Column("draw_id", "col_draw_no"),
    Column("run_day", "col_draw_date", day),
    Column("inspectors", "col_inspectors"),
    Column("inspected_on", "col_inspected_on", day),
    Column("result", "col_result", label_of("result_")),
)


def draws_panel(entity_id: int, lang: str) -> html.Section:
    """The 双随机 draws that picked this entity, each linked to its 公示 list, with the result once recorded."""
    store, scope = context.store(), context.viewer_scope()
    with store.engine.connect() as conn:
        frame = draw_runs.of_entity(conn, entity_id, scope)
    frame["run_day"] = [t.astimezone(CHINA).date() for t in frame["run_at"]]
    frame["inspectors"] = frame["inspector"] + "、" + frame["second_inspector"]
    headers, rows = cells(frame, DRAW_COLUMNS, lang)
    return html.Section(className="wj-panel", id=ids.ENTITY_DRAWS, children=[
        html.H2(i18n.t("entity_draws", lang), className="wj-panel-title"),
        html_table(headers, rows, links=[f"/draws?run={d}&lang={lang}" for d in frame["draw_id"]],
                   empty=i18n.t("no_records", lang)),
    ])


def _page(lang: str, body: list) -> html.Div:
    return html.Div(className="wj-page wj-entity-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("entity_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("alert_inbox", lang), href=f"/alerts?lang={lang}", className="wj-lang"),
        ]),
        *body,
    ])
