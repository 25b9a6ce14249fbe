"""Callbacks of the effectiveness index: the XLSX export of /analysis/effectiveness and the wall's ranking panel.

Both are plain functions (tests call them). The region and month come from the browser, so the scope is the
session's and the queries check it again; a refused export is audited like a successful one. The wall panel
shows region names and index values only (aggregates: a display screen may show them), for the last whole
month; when it fails it changes nothing, so the last good ranking stays up like the rest of the wall.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import request

from dashboard import auth, context, exports, i18n, ids, xlsx
from dashboard.pages.analysis_effectiveness import number, parse_month
from data.queries import effectiveness, regions
from data.queries.filters import OutOfScope

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")
WALL_ROWS = 5  # the alert feed above it must keep room on a 1080p wall
EXPORT_COLUMNS = (("name", "effect_region"), ("adcode", "col_adcode"), ("rank", "effect_rank"), ("index", "effect_score"),
                  ("previous_index", "effect_previous"), ("change", "effect_change"), ("category", "effect_category"),
                  ("indicator", "effect_indicator"), ("value", "effect_value"), ("score", "effect_norm_score"),
                  ("weight", "effect_weight"), ("contribution", "effect_contribution"),
                  ("previous_value", "effect_previous_value"))


def export_rows(ranking: pd.DataFrame, parts: pd.DataFrame, lang: str) -> list[list]:
    """One row per ranked region × indicator, numbers kept as numbers (Excel sums them), missing left empty."""
    frame = parts.merge(ranking.rename(columns={"score": "index", "previous_score": "previous_index"})[
        ["adcode", "rank", "index", "previous_index", "change"]], on="adcode")
    frame = frame.sort_values(["rank", "adcode"], na_position="last", kind="stable")
    frame["category"] = [i18n.t("effect_category_" + c, lang) for c in frame["category"]]
    frame["indicator"] = [i18n.t("effect_ind_" + k, lang) for k in frame["indicator"]]
    frame = frame[[field for field, _ in EXPORT_COLUMNS]].astype(object)
    return frame.where(frame.notna(), None).values.tolist()


def export(n_clicks: int | None, state: dict) -> tuple:
    """(dcc.Download data or no_update, message): the month's ranking with every region's breakdown as XLSX."""
    if not n_clicks:
        return no_update, ""
    state = state or {}
    lang = i18n.normalise_language(state.get("lang"))
    account = auth.current_account()
    detail = {"page": "effectiveness", "region": state.get("region"), "month": state.get("month"), "format": "xlsx"}
    store, scope = context.store(), context.viewer_scope()
    today = dt.datetime.now(CHINA).date()
    try:
        filters = effectiveness.month_filters(str(state.get("region")), parse_month(state.get("month"), today), today)
        ranking = effectiveness.ranking(store, filters, scope)
        parts = effectiveness.breakdown(store, filters, scope)
        name = regions.get_region(store, filters.region, scope).name
    except OutOfScope:
        log.warning("refused effectiveness export of region %r outside scope %s", state.get("region"), scope.key())
        _audit(account, str(state.get("region")), {**detail, "refused": "out_of_scope"})
        return no_update, i18n.t("out_of_scope", lang)
    except (KeyError, ValueError, LookupError):
        return no_update, i18n.t("effect_bad_month", lang)
    rows = export_rows(ranking, parts, lang)
    content = xlsx.workbook_bytes(f"{name} {filters.period.start:%Y-%m}", [i18n.t(h, lang) for _, h in EXPORT_COLUMNS], rows)
    filename = f"{i18n.t('effect_export_name', lang)}_{name}_{filters.period.start:%Y-%m}.xlsx"
    _audit(account, filters.region, {**detail, "rows": len(rows), "file": filename})
    return dcc.send_bytes(content, filename, type=exports.MEDIA["xlsx"]), ""


def _audit(account, target: str, detail: dict) -> None:
    exports.audit_export(context.store(), actor=account.username, target=target, detail=detail, ip=request.remote_addr)


def wall_panel(_tick: int | None, state: dict, today: dt.date | None = None) -> list:
    """The wall's effectiveness panel: the last whole month's (before `today`, China time) top regions, index
    and change."""
    state = state or {}
    lang = i18n.normalise_language(state.get("lang"))
    try:
        today = today or dt.datetime.now(CHINA).date()
        month = effectiveness.previous_month(today)
        ranking = effectiveness.ranking(context.store(), effectiveness.month_filters(str(state.get("region")), month, today),
                                        context.viewer_scope())
    except OutOfScope:
        log.warning("refused wall effectiveness panel for region %r outside scope", state.get("region"))
        raise PreventUpdate from None
    except Exception:  # noqa: BLE001 - keep the last good panel, like the rest of the wall
        log.exception("wall effectiveness panel failed; keeping the last good data on screen")
        raise PreventUpdate from None
    title = html.Div(i18n.t("effect_wall_title", lang).format(month=f"{month:%Y-%m}"), className="wj-effect-wall-month")
    ranked = ranking[ranking["score"].notna()].head(WALL_ROWS)
    if ranked.empty:
        return [title, html.Div(i18n.t("effect_no_regions", lang), className="wj-hospitals-none")]
    rows = [html.Tr([html.Th(i18n.t(k, lang)) for k in ("effect_rank", "effect_region", "effect_score", "effect_change")])]
    for r in ranked.itertuples():
        trend = "" if pd.isna(r.change) else ("wj-effect-up" if r.change > 0 else "wj-effect-down" if r.change < 0 else "")
        rows.append(html.Tr([html.Td(f"{r.rank}"), html.Td(r.name), html.Td(number(r.score)),
                             html.Td(number(r.change, "{:+.1f}"), className=trend)]))
    return [title, html.Table(rows, className="wj-effect-wall-table")]


def register(app: Dash) -> None:
    app.callback(Output(ids.EFFECT_DOWNLOAD, "data"), Output(ids.EFFECT_EXPORT_MESSAGE, "children"),
                 Input(ids.EFFECT_EXPORT, "n_clicks"), State(ids.EFFECT_STATE, "data"), prevent_initial_call=True)(export)
    app.callback(Output(ids.EFFECT_WALL_RANKING, "children"),
                 Input(ids.WALL_TICK, "n_intervals"), State(ids.WALL_STATE, "data"))(wall_panel)
