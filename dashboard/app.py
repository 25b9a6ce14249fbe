"""The Dash application factory: one Flask server, the store, the pages, the callbacks.

Everything the browser loads is served from this process (Dash's own bundles, assets/, the theme
CSS): no CDN, no tiles, nothing from the internet.
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, html
from flask import Flask, Response

from callbacks import alerts as alert_callbacks
from callbacks import analysis as analysis_callbacks
from callbacks import complaints as complaint_callbacks
from callbacks import draws as draw_callbacks
from callbacks import entity as entity_callbacks
from callbacks import imports as import_callbacks
from callbacks import kiosk as kiosk_callbacks
from callbacks import licences as licence_callbacks
from callbacks import effectiveness as effectiveness_callbacks
from callbacks import ledger as ledger_callbacks
from callbacks import manager as manager_callbacks
from callbacks import wall as wall_callbacks
from dashboard import api, audit_view, auth, display_admin, headers, i18n, public, rate_limits
from dashboard.context import AppContext
from dashboard.pages import alerts as alerts_page
from dashboard.pages import complaints as complaints_page
from dashboard.pages import analysis as analysis_page
from dashboard.pages import analysis_effectiveness as analysis_effectiveness_page
from dashboard.pages import analysis_risk as analysis_risk_page
from dashboard.pages import device as device_page
from dashboard.pages import draws as draws_page
from dashboard.pages import entity as entity_page
from dashboard.pages import import_page
from dashboard.pages import kiosk as kiosk_page
from dashboard.pages import licences as licences_page
from dashboard.pages import ledger as ledger_page
from dashboard.pages import manager as manager_page
from dashboard.pages import hospitals as hospitals_page
from dashboard.pages import practitioner as practitioner_page
from dashboard.pages import wall as wall_page
from dashboard.settings import Settings, get_settings
from dashboard.theme import THEME
from data import db
from data.store import Store

ASSETS = Path(__file__).resolve().parent.parent / "assets"

INDEX = """<!DOCTYPE html>
<html lang="zh-CN">
<head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}</head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body>
</html>"""


class DatabaseNotReady(RuntimeError):
    """The configured database has no schema yet (or an old one)."""


def create_app(settings: Settings | None = None) -> Dash:
    settings = settings or get_settings()
    settings.install_data_keyring()  # production without a data key stops here (dashboard/settings.py)
    store = Store.open(settings.db_url, settings.cache_url, settings.boundary_check_s)
    if db.current_revision(store.engine) is None:
        raise DatabaseNotReady(
            f"database {store.engine.url.render_as_string(hide_password=True)} has no schema: "
            "run `weijian db upgrade` and `weijian demo` (or `make run`)"
        )

    store.boundaries.load()  # imported boundaries answer like built-in regions from here on

    server = Flask("weijian")
    server.extensions["weijian"] = AppContext(settings, store)

    @server.before_request
    def current_boundaries() -> None:
        """A set imported since (`weijian boundaries import`, another process) is installed before the request is
        served, by every worker, at most one check per WEIJIAN_BOUNDARY_CHECK_S; first, so the gate sees it too."""
        store.boundaries.check()
    # An upload reaches its callback base64-encoded in JSON (4/3 of the file): bound the body just above that.
    server.config["MAX_CONTENT_LENGTH"] = settings.import_max_mb * 1024 * 1024 * 4 // 3 + 1024 * 1024

    auth.install(server, settings, store)
    audit_view.install(server, store)
    display_admin.install(server, settings, store)
    server.register_blueprint(api.blueprint())
    server.register_blueprint(public.blueprint())
    rate_limits.install(server, settings)

    @server.get("/theme.css")
    def theme_css() -> Response:
        return Response(THEME.css(), mimetype="text/css")

    app = Dash(
        "weijian",
        server=server,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        serve_locally=True,
        title=i18n.t("app_title", settings.language),
        external_stylesheets=["/theme.css"],
        suppress_callback_exceptions=True,
        update_title=None,
        csrf_token_name=auth.CSRF_COOKIE,  # the renderer sends it back as X-CSRFToken (dashboard/auth.py)
        csrf_header_name=auth.CSRF_HEADER,
    )
    app.index_string = INDEX
    dash.register_page("manager", path=manager_page.PATH, layout=manager_page.layout,
                       title=i18n.t("app_title", settings.language))
    dash.register_page("device", path_template=device_page.PATH_TEMPLATE, layout=device_page.layout,
                       title=i18n.t("device_title", settings.language))
    dash.register_page("entity", path_template=entity_page.PATH_TEMPLATE, layout=entity_page.layout,
                       title=i18n.t("entity_title", settings.language))
    dash.register_page("practitioner", path_template=practitioner_page.PATH_TEMPLATE, layout=practitioner_page.layout,
                       title=i18n.t("practitioner_title", settings.language))
    dash.register_page("hospitals", path=hospitals_page.PATH, layout=hospitals_page.layout,
                       title=i18n.t("fivedim_title", settings.language))
    dash.register_page("alerts", path=alerts_page.PATH, layout=alerts_page.layout,
                       title=i18n.t("alert_inbox", settings.language))
    dash.register_page("complaints", path=complaints_page.PATH, layout=complaints_page.layout,
                       title=i18n.t("complaint_inbox", settings.language))
    dash.register_page("wall", path=wall_page.PATH, layout=wall_page.layout, title=i18n.t("wall_title", settings.language))
    dash.register_page("kiosk", path=kiosk_page.PATH, layout=kiosk_page.layout,
                       title=i18n.t("kiosk_title", settings.language))
    dash.register_page("draws", path=draws_page.PATH, layout=draws_page.layout,
                       title=i18n.t("draws_title", settings.language))
    dash.register_page("licences", path=licences_page.PATH, layout=licences_page.layout,
                       title=i18n.t("licences_title", settings.language))
    dash.register_page("ledger", path=ledger_page.PATH, layout=ledger_page.layout,
                       title=i18n.t("ledger_title", settings.language))
    dash.register_page("analysis", path=analysis_page.PATH, layout=analysis_page.layout,
                       title=i18n.t("analysis_title", settings.language))
    dash.register_page("analysis_risk", path=analysis_risk_page.PATH, layout=analysis_risk_page.layout,
                       title=i18n.t("analysis_risk_title", settings.language))
    dash.register_page("analysis_effectiveness", path=analysis_effectiveness_page.PATH,
                       layout=analysis_effectiveness_page.layout, title=i18n.t("effect_title", settings.language))
    dash.register_page("import", path=import_page.PATH, layout=import_page.layout,
                       title=i18n.t("import_title", settings.language))
    app.layout = html.Div(dash.page_container, className="wj-root")
    manager_callbacks.register(app)
    wall_callbacks.register(app)
    alert_callbacks.register(app)
    complaint_callbacks.register(app)
    kiosk_callbacks.register(app)
    entity_callbacks.register(app)
    draw_callbacks.register(app)
    licence_callbacks.register(app)
    ledger_callbacks.register(app)
    analysis_callbacks.register(app)
    effectiveness_callbacks.register(app)
    import_callbacks.register(app)
    headers.install(app, settings)  # last: the CSP hashes the inline scripts of every callback
    return app
