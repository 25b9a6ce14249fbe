"""Callbacks of the draws page: run a draw (managers), export a run's 公示 list as XLSX, declare or withdraw a
conflict of interest (managers, within their scope), save a new version of the draw weights (managers of the
configured region: dashboard/context.may_change_draw_weights).

Plain functions (tests call them). Everything the browser sends is re-checked on the server: the role and
scope are the session's, the region is checked against the scope inside data/draws, the run to export is
looked up within the scope (another region's run answers like an unknown one), the inspector and entity of a
conflict must both be in the scope (data/draws/conflicts.py). Runs, exports, conflicts and weights are audited.
"""

from __future__ import annotations

import datetime as dt
import logging

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from flask import request

from dashboard import context, i18n, ids, xlsx
from dashboard.auth import current_account
from dashboard.pages import draws as page
from dashboard.tables import cells
from data import audit
from data.draws import conflicts, runs, weights
from data.draws.weights import WeightsError
from data.queries.filters import OutOfScope, UnknownRegion

log = logging.getLogger(__name__)


def run_draw(clicks: int | None, region: str | None, specialty: str | None, subtype: str | None, count, seed,
             state: dict | None) -> tuple:
    """(URL of the new run's page or no_update, message)."""
    if not clicks:
        return no_update, ""
    lang = i18n.normalise_language((state or {}).get("lang"))
    account = current_account()
    if account is None or account.role not in page.RUNNING_ROLES:
        return no_update, i18n.t("draw_managers_only", lang)
    try:
        request_ = runs.Request(str(region or "").strip(), int(count or 0), specialty or None,
                                (subtype or "").strip() or None)
        done = runs.run(context.store().engine, request_, context.viewer_scope(), actor=account.username,
                        now=dt.datetime.now(dt.UTC), seed=None if seed in (None, "") else int(seed), ip=request.remote_addr)
    except OutOfScope:
        log.warning("refused draw for region %r outside scope %s", region, context.viewer_scope().key())
        return no_update, i18n.t("out_of_scope", lang)
    except UnknownRegion:
        return no_update, f"{i18n.t('unknown_region', lang)}: {region}"
    except (ValueError, TypeError, WeightsError) as exc:
        return no_update, f"{i18n.t('draw_refused', lang)}: {exc}"
    return f"{page.PATH}?run={done.draw_id}&lang={lang}", ""


def export(clicks: int | None, state: dict | None) -> tuple:
    """(dcc.Download data or no_update, message): the run's 公示 list with the page's headers and cells."""
    if not clicks:
        return no_update, ""
    state = state if isinstance(state, dict) else {}
    lang = i18n.normalise_language(state.get("lang"))
    account, scope = current_account(), context.viewer_scope()
    run_id = state.get("run")
    with context.store().engine.connect() as conn:
        chosen = runs.get(conn, int(run_id), scope) if str(run_id).isdigit() else None
        items = runs.items_of(conn, chosen["id"], scope) if chosen else None
    with context.store().engine.begin() as conn:
        detail = {"run": run_id, "rows": 0 if items is None else len(items)}
        if chosen is None:
            detail["refused"] = "unknown_or_out_of_scope"
        audit.append(conn, actor=account.username, action="export", target=f"random_draw:{run_id}", detail=detail,
                     now=dt.datetime.now(dt.UTC), ip=request.remote_addr)
    if chosen is None:
        return no_update, i18n.t("draw_not_found", lang)
    headers, rows = cells(page.publication(items, chosen), page.ITEM_COLUMNS, lang)
    filename = f"{i18n.t('draw_export_name', lang)}_{chosen['id']}.xlsx"
    return dcc.send_bytes(xlsx.workbook_bytes(i18n.t("draw_publication", lang), headers, rows), filename), ""


def change_conflict(action: str, badge: str | None, entity: int | str | None, reason: str | None,
                    state: dict | None) -> tuple:
    """(the refreshed list of conflicts, message) after declaring ("declare") or withdrawing ("withdraw") a
    conflict of inspector `badge` with entity `entity`; refused, with the field named, for anything else."""
    lang = i18n.normalise_language((state or {}).get("lang"))
    if not context.manages_draws():
        return no_update, i18n.t("drawconf_managers_only", lang)
    account, scope, engine = current_account(), context.viewer_scope(), context.store().engine
    change = conflicts.declare if action == "declare" else conflicts.withdraw
    extra = {"reason": reason} if action == "declare" else {}
    try:
        with engine.begin() as conn:
            change(conn, badge=str(badge or ""), entity_id=entity, scope=scope, actor=account.username,
                   now=dt.datetime.now(dt.UTC), ip=request.remote_addr, **extra)
    except OutOfScope as exc:
        log.warning("refused conflict %s by %s: %s", action, account.username, exc)
        return no_update, f"{i18n.t('out_of_scope', lang)}: {exc}"
    except conflicts.ConflictError as exc:
        return no_update, f"{i18n.t('drawconf_refused', lang)}: {exc}"
    with engine.connect() as conn:
        listing = conflicts.listing(conn, scope)
    done = i18n.t("drawconf_declared" if action == "declare" else "drawconf_withdrawn", lang)
    return page.conflict_table(listing, lang), f"{done}: {badge} · {entity}"


def save_weights(clicks: int | None, values: list, cell_ids: list[dict], state: dict | None) -> tuple:
    """(message, panel title): the editor's cells as a new weights version, or the problems, every cell named."""
    if not clicks:
        return no_update, no_update
    lang = i18n.normalise_language((state or {}).get("lang"))
    region = page.region_name(context.settings().region, lang)
    if not context.may_change_draw_weights():
        return i18n.t("drawconf_weights_province_only", lang).format(region=region), no_update
    cells = {(cell["factor"], cell["value"]): value for cell, value in zip(cell_ids, values)}
    try:
        with context.store().engine.begin() as conn:
            saved = weights.save_version(conn, cells, actor=current_account().username, now=dt.datetime.now(dt.UTC),
                                         ip=request.remote_addr)
    except WeightsError as exc:
        return f"{i18n.t('drawconf_refused', lang)}: {exc}", no_update
    if saved is None:
        return i18n.t("drawconf_weights_unchanged", lang), no_update
    return (i18n.t("drawconf_weights_saved", lang).format(version=saved.version),
            i18n.t("drawconf_weights_title", lang).format(version=saved.version))


def register(app: Dash) -> None:
    app.callback(Output(ids.DRAW_NAV, "href"), Output(ids.DRAW_MESSAGE, "children"),
                 Input(ids.DRAW_RUN, "n_clicks"), State(ids.DRAW_REGION, "value"), State(ids.DRAW_SPECIALTY, "value"),
                 State(ids.DRAW_SUBTYPE, "value"), State(ids.DRAW_COUNT, "value"), State(ids.DRAW_SEED, "value"),
                 State(ids.DRAW_STATE, "data"), prevent_initial_call=True)(run_draw)
    app.callback(Output(ids.DRAW_DOWNLOAD, "data"), Output(ids.DRAW_EXPORT_MESSAGE, "children"),
                 Input(ids.DRAW_EXPORT, "n_clicks"), State(ids.DRAW_STATE, "data"), prevent_initial_call=True)(export)

    @app.callback(Output(ids.DRAWCONF_LIST, "children"), Output(ids.DRAWCONF_MESSAGE, "children"),
                  Input(ids.DRAWCONF_DECLARE, "n_clicks"), Input(ids.DRAWCONF_WITHDRAW, "n_clicks"),
                  State(ids.DRAWCONF_BADGE, "value"), State(ids.DRAWCONF_ENTITY, "value"),
                  State(ids.DRAWCONF_REASON, "value"), State(ids.DRAW_STATE, "data"), prevent_initial_call=True)
    def _change_conflict(_declare, _withdraw, badge, entity, reason, state):
        action = "withdraw" if ctx.triggered_id == ids.DRAWCONF_WITHDRAW else "declare"
        return change_conflict(action, badge, entity, reason, state)

    app.callback(Output(ids.DRAWCONF_WEIGHTS_MESSAGE, "children"), Output(ids.DRAWCONF_WEIGHTS_TITLE, "children"),
                 Input(ids.DRAWCONF_WEIGHTS_SAVE, "n_clicks"), State({"type": ids.DRAWCONF_WEIGHT, "factor": ALL, "value": ALL}, "value"),
                 State({"type": ids.DRAWCONF_WEIGHT, "factor": ALL, "value": ALL}, "id"), State(ids.DRAW_STATE, "data"),
                 prevent_initial_call=True)(save_weights)
