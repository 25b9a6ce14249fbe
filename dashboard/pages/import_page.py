"""Import `/import`: upload a file, see its first rows as the profile maps them, validate, download the report, confirm.

`/import?lang=en`. The steps are the command's (data/imports/commands.py, as `weijian import` runs them): choose
the kind of records and a shipped profile (or upload a profile YAML, checked when uploaded), upload a file (CSV
in any encoding the readers take, XLSX, GeoJSON, zipped Shapefile, GeoPackage, up to WEIJIAN_IMPORT_MAX_MB),
read the preview, validate (a dry run: every problem with its row, field, value and reason; counts taken and
refused), download that report as XLSX, then confirm: the server validates the stored file again and writes
the valid records in one transaction, audited. Only managers and officers import, each within their scope
(callbacks/imports.py checks every step on the server; the page only leaves the controls out for others).
"""

from __future__ import annotations

from dash import dcc, html

from dashboard import context, i18n, ids
from data.imports import profile as profiles

PATH = "/import"
KINDS = profiles.KINDS
ACCEPT = ".csv,.gz,.xlsx,.geojson,.json,.zip,.shz,.gpkg"


def kind_options(lang: str) -> list[dict]:
    return [{"label": i18n.t(f"import_kind_{k}", lang), "value": k} for k in KINDS]


def profile_options() -> list[dict]:
    return [{"label": name, "value": name} for name in profiles.available()]


def layout(lang: str | None = None, **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    header = html.Header(className="wj-header", children=[
        html.H1([i18n.t("app_title", lang), html.Span(i18n.t("import_title", lang), className="wj-subtitle")]),
        dcc.Link(i18n.t("language_switch", lang), className="wj-lang", href=f"{PATH}?lang={'en' if lang == 'zh' else 'zh'}"),
    ])
    page = html.Div(className="wj-page wj-import-page", lang="en" if lang == "en" else "zh-CN", children=[header])
    if not context.may_import():
        page.children.append(html.Section(className="wj-panel", children=[
            html.Div(i18n.t("import_roles_only", lang), className="wj-problem")]))
        return page
    limit_mb = context.settings().import_max_mb
    page.children += [
        dcc.Store(id=ids.IMPORT_STATE, data={"lang": lang, "staged": None, "profile_upload": None}),
        dcc.Store(id=ids.IMPORT_TOO_LARGE),
        dcc.Download(id=ids.IMPORT_DOWNLOAD),
        html.Section(className="wj-panel", children=[
            html.Div(className="wj-filters", children=[
                html.Label([i18n.t("import_kind", lang), dcc.Dropdown(id=ids.IMPORT_KIND, options=kind_options(lang),
                                                                     value="entities", clearable=False)]),
                html.Label([i18n.t("import_profile", lang), dcc.Dropdown(id=ids.IMPORT_PROFILE, options=profile_options(),
                                                                        clearable=False)]),
                dcc.Upload(id=ids.IMPORT_PROFILE_UPLOAD, accept=".yaml,.yml", className="wj-upload wj-upload-small",
                           max_size=1024 * 1024, children=html.Div(i18n.t("import_profile_upload", lang))),
            ]),
            html.Div(className="wj-upload-limit", **{"data-max-bytes": str(limit_mb * 1024 * 1024)}, children=[
                dcc.Upload(id=ids.IMPORT_UPLOAD, accept=ACCEPT, className="wj-upload", max_size=limit_mb * 1024 * 1024,
                           children=html.Div(i18n.t("import_file", lang).format(mb=limit_mb))),
            ]),
            html.Div(id=ids.IMPORT_MESSAGE, className="wj-hint"),
        ]),
        html.Section(className="wj-panel", children=[html.Div(id=ids.IMPORT_PREVIEW)]),
        html.Section(className="wj-panel", children=[
            html.Div(className="wj-filters", children=[
                html.Button(i18n.t("import_validate", lang), id=ids.IMPORT_VALIDATE, className="wj-button"),
                html.Button(i18n.t("import_report_xlsx", lang), id=ids.IMPORT_EXPORT, className="wj-button"),
                html.Button(i18n.t("import_confirm", lang), id=ids.IMPORT_CONFIRM, className="wj-button wj-button-primary"),
            ]),
            html.Div(id=ids.IMPORT_RESULT, className="wj-summary"),
            html.Div(id=ids.IMPORT_REPORT),
        ]),
    ]
    return page
