"""Draws `/draws` (双随机一公开): run a risk-weighted random draw, read past runs, export the 公示 list.

`/draws?run=12&lang=en`. A manager sets the pool (region and everything below it, specialty, subtype), the
count and optionally a seed (empty: a random one, recorded) and runs it (callbacks/draws.py); the page then
shows that run: who, when, seed, pool, the weights it used and the drawn entities with their two inspectors
and, once recorded, the result of the 双随机 inspection. Every run stays in the list below; nothing re-rolls
quietly. Officers read runs but do not run them. Runs outside the viewer's region are not listed and a
crafted `run=` answers like an unknown one. Below the form, managers declare and withdraw conflicts of
interest (回避) for the inspectors and entities of their region, and the managers of the configured region
edit the draw weights (a new version each time); both are read-only for everyone else.
"""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard import context, i18n, ids
from dashboard.auth import current_account
from dashboard.tables import Column, cells, day, html_table, label_of, specialty
from data import db, vocab
from data.draws import conflicts, runs, weights
from geo import hierarchy

PATH = "/draws"
RUNNING_ROLES = context.DRAW_MANAGER_ROLES  # who may run a draw


def region_name(code, _lang: str) -> str:
    try:
        return hierarchy.get_region(str(code)).name
    except KeyError:
        return str(code)


ITEM_COLUMNS = (
    Column("rank", "col_rank"),
    Column("name", "col_entity"),
    Column("credit_code", "col_credit_code"),
    Column("county_adcode", "col_county", region_name),
    Column("risk_level", "col_risk_level", label_of("risk_")),
    Column("self_inspection", "col_self_inspection", label_of("self_inspection_")),
    Column("weight", "col_weight", lambda v, _l: f"{v:g}"),
    Column("inspectors", "col_inspectors"),
    Column("run_day", "col_draw_date", day),
    Column("inspected_on", "col_inspected_on", day),
    Column("result", "col_result", label_of("result_")),
)
RUN_COLUMNS = (
    Column("id", "col_draw_no"),
    Column("run_day", "col_draw_date", day),
    Column("run_by", "col_run_by"),
    Column("region_adcode", "col_region", region_name),
    Column("specialty", "specialty", specialty),
    Column("subtype", "col_subtype"),
    Column("drawn", "col_drawn"),
    Column("pool_size", "col_pool"),
    Column("seed", "col_seed"),
)
WEIGHT_COLUMNS = (Column("factor", "col_factor", label_of("factor_")), Column("value", "col_value"),
                  Column("weight", "col_weight", lambda v, _l: f"{v:g}"), Column("note", "col_note"))


def publication(items: pd.DataFrame, run_row: dict) -> pd.DataFrame:
    """The 公示 list's frame: the items with both inspectors in one cell and the run's day (China time)."""
    out = items.copy()
    out["inspectors"] = [f"{a}（{ab}）、{b}（{bb}）" for a, ab, b, bb in zip(
        out["inspector"], out["inspector_badge"], out["second_inspector"], out["second_inspector_badge"])]
    out["run_day"] = db.as_utc(run_row["run_at"]).astimezone(runs.CHINA).date()
    return out


def layout(run: str | None = None, lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    store, scope = context.store(), context.viewer_scope()
    account = current_account()
    with store.engine.connect() as conn:
        past = runs.runs(conn, scope)
        chosen = runs.get(conn, int(run), scope) if run and str(run).isdigit() else None
        items = runs.items_of(conn, chosen["id"], scope) if chosen else None
        used = weights.load(conn, chosen["weights_version"] if chosen else None)
        newest = weights.load(conn)
        conflict_list = conflicts.listing(conn, scope)
    past["run_day"] = [db.as_utc(t).astimezone(runs.CHINA).date() for t in past["run_at"]]
    headers, rows = cells(past, RUN_COLUMNS, lang)
    return html.Div(className="wj-page wj-draws-page", lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Location(id=ids.DRAW_NAV, refresh="callback-nav"),
        dcc.Store(id=ids.DRAW_STATE, data={"run": chosen["id"] if chosen else None, "lang": lang}),
        html.Header(className="wj-header", children=[
            html.H1([i18n.t("app_title", lang), html.Span(i18n.t("draws_title", lang), className="wj-subtitle")]),
            dcc.Link(i18n.t("language_switch", lang), className="wj-lang",
                     href=f"{PATH}?lang={'en' if lang == 'zh' else 'zh'}" + (f"&run={chosen['id']}" if chosen else "")),
        ]),
        _form(account, lang),
        *([_run_panel(chosen, items, used, lang)] if chosen else
          [html.Div(i18n.t("draw_not_found", lang) + f": {run}", className="wj-problem")] if run else []),
        _conflicts_panel(conflict_list, lang),
        _weights_panel(newest, lang),
        html.Section(className="wj-panel", children=[
            html.H2(i18n.t("draw_past_runs", lang), className="wj-panel-title"),
            html_table(headers, rows, links=[f"{PATH}?run={i}&lang={lang}" for i in past["id"]],
                       empty=i18n.t("no_records", lang)),
        ]),
    ])


def _form(account, lang: str) -> html.Section:
    if account is None or account.role not in RUNNING_ROLES:
        return html.Section(className="wj-panel", children=[html.Div(i18n.t("draw_managers_only", lang), className="wj-hint")])
    options = [{"label": i18n.specialty_label(s, lang), "value": s} for s in vocab.SPECIALTIES]
    return html.Section(className="wj-panel wj-draw-form", children=[
        html.H2(i18n.t("draw_new", lang), className="wj-panel-title"),
        html.Div(className="wj-filters", children=[
            html.Label([i18n.t("col_region", lang), dcc.Input(id=ids.DRAW_REGION, value=account.region_adcode, type="text")]),
            html.Label([i18n.t("specialty", lang), dcc.Dropdown(id=ids.DRAW_SPECIALTY, options=options,
                                                                placeholder=i18n.t("all_specialties", lang))]),
            html.Label([i18n.t("col_subtype", lang), dcc.Input(id=ids.DRAW_SUBTYPE, type="text")]),
            html.Label([i18n.t("draw_count", lang), dcc.Input(id=ids.DRAW_COUNT, type="number", min=1, value=10)]),
            html.Label([i18n.t("col_seed", lang), dcc.Input(id=ids.DRAW_SEED, type="number", min=0,
                                                            placeholder=i18n.t("draw_seed_random", lang))]),
            html.Button(i18n.t("draw_run", lang), id=ids.DRAW_RUN, className="wj-button"),
        ]),
        html.Div(id=ids.DRAW_MESSAGE, className="wj-hint"),
    ])


CONFLICT_COLUMNS = (Column("badge_no", "drawconf_badge"), Column("inspector", "drawconf_col_inspector"),
                    Column("entity_id", "drawconf_entity"), Column("entity", "col_entity"),
                    Column("county_adcode", "col_county", region_name), Column("reason", "drawconf_reason"),
                    Column("declared_on", "drawconf_col_declared_on", day))
_FACTOR_PREFIX = {"risk_level": "risk_", "self_inspection": "self_inspection_"}


def conflict_table(frame: pd.DataFrame, lang: str) -> html.Table:
    """The declared conflicts of the viewer's scope; its rows link to the entity file."""
    headers, rows = cells(frame, CONFLICT_COLUMNS, lang)
    return html_table(headers, rows, links=[f"/entity/{e}?lang={lang}" for e in frame["entity_id"]], link_column=3,
                      empty=i18n.t("no_records", lang))


def _conflicts_panel(frame: pd.DataFrame, lang: str) -> html.Section:
    """Declare or withdraw a conflict (managers: context.manages_draws); the list is for every reader of the page."""
    form = html.Div(className="wj-filters", children=[
        html.Label([i18n.t("drawconf_badge", lang), dcc.Input(id=ids.DRAWCONF_BADGE, type="text")]),
        html.Label([i18n.t("drawconf_entity", lang), dcc.Input(id=ids.DRAWCONF_ENTITY, type="number", min=1)]),
        html.Label([i18n.t("drawconf_reason", lang), dcc.Input(id=ids.DRAWCONF_REASON, type="text",
                                                               maxLength=conflicts.REASON_MAX)]),
        html.Button(i18n.t("drawconf_declare", lang), id=ids.DRAWCONF_DECLARE, className="wj-button"),
        html.Button(i18n.t("drawconf_withdraw", lang), id=ids.DRAWCONF_WITHDRAW, className="wj-button"),
    ]) if context.manages_draws() else html.Div(i18n.t("drawconf_managers_only", lang), className="wj-hint")
    return html.Section(className="wj-panel wj-draw-form", children=[
        html.H2(i18n.t("drawconf_title", lang), className="wj-panel-title"),
        form,
        html.Div(id=ids.DRAWCONF_MESSAGE, className="wj-hint"),
        html.Div(conflict_table(frame, lang), id=ids.DRAWCONF_LIST),
    ])


def _weights_panel(newest: weights.Weights, lang: str) -> html.Section:
    """The newest weights, one input per cell for those who may change them (context.may_change_draw_weights)."""
    editable = context.may_change_draw_weights()
    rows = []
    for row in newest.rows():
        factor, value = row["factor"], row["value"]
        cell = (dcc.Input(id={"type": ids.DRAWCONF_WEIGHT, "factor": factor, "value": value}, type="number", min=0,
                          step="any", value=row["weight"], className="wj-weight-input")
                if editable else f"{row['weight']:g}")
        rows.append(html.Tr([html.Td(i18n.t(f"factor_{factor}", lang)),
                             html.Td(label_of(_FACTOR_PREFIX[factor])(value, lang)), html.Td(cell), html.Td(row["note"])]))
    head = html.Tr([html.Th(i18n.t(key, lang)) for key in ("col_factor", "col_value", "col_weight", "col_note")])
    hint = i18n.t("drawconf_weights_province_only", lang).format(region=region_name(context.settings().region, lang))
    return html.Section(className="wj-panel wj-draw-weights", children=[
        html.H2(i18n.t("drawconf_weights_title", lang).format(version=newest.version), id=ids.DRAWCONF_WEIGHTS_TITLE,
                className="wj-panel-title"),
        html.Table(className="wj-table", children=[html.Thead(head), html.Tbody(rows)]),
        html.Div(className="wj-filters", children=[
            html.Button(i18n.t("drawconf_weights_save", lang), id=ids.DRAWCONF_WEIGHTS_SAVE, className="wj-button"),
        ]) if editable else html.Div(hint, className="wj-hint"),
        html.Div(id=ids.DRAWCONF_WEIGHTS_MESSAGE, className="wj-hint"),
    ])


def _run_panel(chosen: dict, items: pd.DataFrame, used: weights.Weights, lang: str) -> html.Section:
    listing = publication(items, chosen)
    headers, rows = cells(listing, ITEM_COLUMNS, lang)
    table = pd.DataFrame(used.rows())
    prefixes = {"risk_level": "risk_", "self_inspection": "self_inspection_"}
    table["value"] = [label_of(prefixes[f])(v, lang) for f, v in zip(table["factor"], table["value"])]
    weight_headers, weight_rows = cells(table, WEIGHT_COLUMNS, lang)
    seed_note = i18n.t("draw_seed_given" if chosen["seed_chosen"] else "draw_seed_drawn", lang)
    summary = i18n.t("draw_summary", lang).format(
        no=chosen["id"], at=f"{db.as_utc(chosen['run_at']).astimezone(runs.CHINA):%Y-%m-%d %H:%M}", by=chosen["run_by"],
        region=region_name(chosen["region_adcode"], lang), specialty=specialty(chosen["specialty"], lang),
        subtype=chosen["subtype"] or "–", drawn=len(items), requested=chosen["requested"], pool=chosen["pool_size"],
        seed=chosen["seed"], seed_note=seed_note, version=chosen["weights_version"])
    return html.Section(className="wj-panel", children=[
        html.H2(i18n.t("draw_publication", lang), className="wj-panel-title"),
        html.Div(summary, id=ids.DRAW_SUMMARY, className="wj-summary"),
        html.Div(className="wj-filters", children=[
            html.Button(i18n.t("export_xlsx", lang), id=ids.DRAW_EXPORT, className="wj-button"),
            html.Div(id=ids.DRAW_EXPORT_MESSAGE, className="wj-hint")]),
        dcc.Download(id=ids.DRAW_DOWNLOAD),
        html_table(headers, rows, links=[f"/entity/{e}?lang={lang}" for e in listing["entity_id"]], link_column=1,
                   empty=i18n.t("no_records", lang)),
        html.H3(i18n.t("draw_weights", lang).format(version=chosen["weights_version"])),
        html_table(weight_headers, weight_rows),
    ])
