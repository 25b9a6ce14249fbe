"""Callback of the licence list: its XLSX export, the region re-checked against the session's scope and audited."""

from __future__ import annotations

import datetime as dt

from dash import Dash, Input, Output, State, dcc, no_update
from flask import request

from dashboard import context, i18n, ids, xlsx
from dashboard.auth import current_account
from dashboard.pages import licences as page
from data import audit
from data.queries.filters import OutOfScope, UnknownRegion


def export(clicks: int | None, state: dict | None) -> tuple:
    """(dcc.Download data or no_update, message)."""
    if not clicks:
        return no_update, ""
    state = state if isinstance(state, dict) else {}
    lang = i18n.normalise_language(state.get("lang"))
    region = str(state.get("region"))
    try:
        frame, headers, rows = page.listing(region, lang)
        detail = {"region": region, "rows": len(rows), "day": page.today().isoformat()}
    except (OutOfScope, UnknownRegion):
        frame, detail = None, {"region": region, "refused": "out_of_scope"}
    with context.store().engine.begin() as conn:
        audit.append(conn, actor=current_account().username, action="export", target=f"licences:{region}",
                     detail=detail, now=dt.datetime.now(dt.UTC), ip=request.remote_addr)
    if frame is None:
        return no_update, i18n.t("out_of_scope", lang)
    filename = f"{i18n.t('licences_export_name', lang)}_{region}_{page.today():%Y%m%d}.xlsx"
    return dcc.send_bytes(xlsx.workbook_bytes(i18n.t("licences_title", lang), headers, rows), filename), ""


def register(app: Dash) -> None:
    app.callback(Output(ids.LICENCE_DOWNLOAD, "data"), Output(ids.LICENCE_EXPORT_MESSAGE, "children"),
                 Input(ids.LICENCE_EXPORT, "n_clicks"), State(ids.LICENCE_STATE, "data"), prevent_initial_call=True)(export)
