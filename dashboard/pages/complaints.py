"""Complaint inbox `/complaints`: the region's complaints with their step, due dates, overdue and repeat flags.

"处理" on an unclosed complaint opens its action panel with the steps its status allows (pass on to an
officer of its region, start, report back with the finding, close after the call-back, extend once),
taken as the logged-in user; the server checks scope, region, assignee and four eyes again
(callbacks/complaints.py, data/complaints/workflow.py). The complainant's own details are not stored
here; addresses and notes are masked on a masked screen (`mask=1`, display accounts).
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, ids, masking
from dashboard.pages.kiosk import marker
from dashboard.urls import page_url
from data import vocab
from data.complaints import workflow
from data.queries import complaint_cases
from data.queries.filters import OutOfScope, UnknownRegion

PATH = "/complaints"
STATUS_CHOICES = ("unclosed", "overdue", "all", *vocab.COMPLAINT_STATUSES)
HEAD = ["received_at", "category", "entity", "address", "status", "assignee", "step_due_on", "case_due_on"]


def layout(region: str | None = None, status: str | None = None, lang: str | None = None, mask: str | None = None,
           **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    region = region or context.settings().region
    status = status if status in STATUS_CHOICES else "unclosed"
    view = masking.view_state(mask, None)
    view["mask"] = masked = context.masks(view)
    try:
        feed = complaint_cases.feed(store, scope, region, status="unclosed" if status == "overdue" else status,
                                    overdue_only=status == "overdue")
        counts = complaint_cases.counts(store, scope, region)
    except (OutOfScope, UnknownRegion) as exc:
        return html.Div(className="wj-page", children=[html.Div(str(exc), className="wj-problem wj-refusal")])
    trail = complaint_cases.trail(store, scope, [int(i) for i in feed["id"]])
    if masked:
        feed = feed.assign(address=feed["address"].map(masking.free_text))
        trail = trail.assign(actor=trail["actor"].map(masking.person_name), note=trail["note"].map(masking.free_text))
    return html.Div(className="wj-page", lang="en" if lang == "en" else "zh-CN", children=[
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("complaint_inbox", lang), className="wj-subtitle")]),
            html.Div(className="wj-header-meta", children=[
                *([marker(lang)] if masked else []),
                dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                         href=_url(region, status, "en" if lang == "zh" else "zh", masked)),
            ]),
        ]),
        html.Nav(className="wj-breadcrumb", children=[
            dcc.Link(_choice_label(s, lang), href=_url(region, s, lang, masked),
                     className="wj-crumb" + (" wj-crumb-current" if s == status else "")) for s in STATUS_CHOICES]),
        html.Div(className="wj-summary", children=i18n.t("complaint_summary", lang).format(
            f"{counts['unclosed']:,}", f"{counts['overdue']:,}", f"{counts['repeat']:,}")),
        dcc.Location(id=ids.COMPLAINT_NAV, refresh=True),
        dcc.Store(id=ids.COMPLAINT_SELECTED),
        dcc.Store(id=ids.COMPLAINT_LANG, data=lang),
        dcc.Store(id=ids.COMPLAINT_VIEW, data=view),
        html.Section(id=ids.COMPLAINT_PANEL, className="wj-panel wj-action-panel"),
        html.Div(id=ids.COMPLAINT_MESSAGE),
        html.Section(className="wj-panel", children=[complaint_table(feed, trail, lang)]),
    ])


def _choice_label(choice: str, lang: str) -> str:
    if choice in vocab.COMPLAINT_STATUSES:
        return i18n.t("complaint_" + choice, lang)
    return i18n.t("complaint_filter_overdue" if choice == "overdue" else "status_" + choice, lang)


def complaint_table(feed: pd.DataFrame, trail: pd.DataFrame, lang: str) -> html.Table | html.Div:
    """Complaints, newest first, each followed by its recorded steps; a button per unclosed one."""
    if feed.empty:
        return html.Div(i18n.t("no_complaints", lang), className="wj-hint")
    rows = []
    for c in feed.itertuples():
        flags = []
        if c.overdue:
            flags.append(html.Span(i18n.t("overdue", lang), className="wj-badge wj-badge-bad"))
        if c.repeat_of_id is not None and pd.notna(c.repeat_of_id):
            flags.append(html.Span(i18n.t("complaint_repeat_of", lang).format(int(c.repeat_of_id)), className="wj-badge"))
        if c.repeats:
            flags.append(html.Span(i18n.t("complaint_repeated", lang).format(int(c.repeats)), className="wj-badge"))
        if c.extended:
            flags.append(html.Span(i18n.t("complaint_extended", lang), className="wj-badge"))
        entity = (dcc.Link(c.entity, href=f"/entity/{int(c.entity_id)}?lang={lang}")
                  if c.entity and pd.notna(c.entity_id) else "–")
        rows.append(html.Tr(className="wj-complaint", children=[
            html.Td(f"#{int(c.id)} · {c.received_at.tz_convert('Asia/Shanghai'):%Y-%m-%d %H:%M}"),
            html.Td(c.category), html.Td(entity), html.Td(c.address or "–"),
            html.Td([i18n.t("complaint_" + c.status, lang), " ", *flags]),
            html.Td(c.assignee or "–"), html.Td(_day(c.step_due_on)), html.Td(_day(c.due_on)),
            html.Td(html.Button(i18n.t("take_step", lang), id={"type": ids.COMPLAINT_PICK, "id": int(c.id)},
                                className="wj-button") if c.status in workflow.UNCLOSED else ""),
        ]))
        steps = trail[trail["complaint_id"] == c.id]
        if len(steps):
            rows.append(html.Tr(className="wj-trail", children=html.Td(colSpan=len(HEAD) + 1, children=html.Ol([
                html.Li(f"{s.at.tz_convert('Asia/Shanghai'):%m-%d %H:%M} · "
                        f"{i18n.t('complaint_action_' + s.action, lang)} · {s.actor}" + (f" · {s.note}" if s.note else ""))
                for s in steps.itertuples()]))))
    return html.Table(className="wj-table", children=[
        html.Thead(html.Tr([html.Th(i18n.t("col_" + h, lang)) for h in HEAD] + [html.Th("")])),
        html.Tbody(rows)])


def _day(value) -> str:
    return "–" if value is None or pd.isna(value) else str(value)


def _url(region: str, status: str, lang: str, masked: bool) -> str:
    """The inbox's own links keep the mask on: a masked screen stays masked when someone clicks."""
    return page_url(PATH, region=region, status=status, lang=lang, **({"mask": 1} if masked else {}))
