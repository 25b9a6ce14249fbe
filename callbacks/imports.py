"""Callbacks of the import page: stage an upload, preview it, validate (dry run), download the report, confirm.

Plain functions (tests call them). Nothing the browser sends is taken on trust: the role and the scope are the
session's (dashboard/context.py); an upload is known by a staging id that must be this user's, of this session
(dashboard/import_staging.py); the confirmation validates the stored file again on the server with the kind and
profile that were validated (recorded with the staged file), and writes through the same command as
`weijian import`, in one transaction with its audit entry. A refused confirmation is audited too.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from pathlib import Path

from dash import Dash, Input, Output, State, dcc, html, no_update
from flask import request, session

from dashboard import context, i18n, ids, import_staging, xlsx
from dashboard.auth import current_account
from dashboard.pages import import_page as page
from dashboard.tables import html_table
from data import audit
from data.imports import commands, preview as previews, profile as profiles, reasons
from data.imports.readers import UnreadableFile, read_table

log = logging.getLogger(__name__)
SHOWN = 200  # problems listed on the page; the XLSX report has all of them
UPLOADED_PROFILE = "upload:"  # the profile dropdown's value for an uploaded profile: this prefix + its staging id


class NoSection(ValueError):
    """The chosen profile maps no records of the chosen kind."""


def _state(state) -> dict:
    return dict(state) if isinstance(state, dict) else {}


def _lang(state) -> str:
    return i18n.normalise_language((state if isinstance(state, dict) else {}).get("lang"))


def _root() -> Path:
    return context.settings().cache_dir / "imports"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _owner() -> tuple[int, str]:
    return current_account().id, import_staging.session_key(session.get("csrf", ""))


def _staged(staged_id) -> import_staging.Staged:
    owner, key = _owner()
    return import_staging.get(_root(), staged_id, owner=owner, session=key, now=_now())


def _decode(contents: str, limit: int) -> bytes:
    """dcc.Upload's data URL → bytes; ValueError over the limit (checked before decoding) or when malformed."""
    _, _, encoded = (contents or "").partition(",")
    if len(encoded) * 3 // 4 > limit:
        raise OverflowError
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not a base64 data URL") from None
    if len(data) > limit:
        raise OverflowError
    return data


def _too_large_message(name: str, size: int, lang: str) -> str:
    return i18n.t("import_too_large", lang).format(name=name, size=f"{size / 1024 / 1024:.1f}",
                                                  mb=context.settings().import_max_mb)


def upload(contents: str | None, filename: str | None, state: dict | None) -> tuple:
    """(state with the new staging id, message): the file is kept on the server, read once to count its rows."""
    lang = _lang(state)
    if not contents:
        return no_update, ""
    if not context.may_import():
        return no_update, i18n.t("import_roles_only", lang)
    name = str(filename or "upload")
    limit = context.settings().import_max_mb * 1024 * 1024
    try:
        data = _decode(contents, limit)
    except OverflowError:
        return {**_state(state), "staged": None}, _too_large_message(name, len(contents) * 3 // 4, lang)
    except ValueError as exc:
        return {**_state(state), "staged": None}, i18n.t("import_unreadable", lang).format(reason=exc)
    owner, key = _owner()
    try:
        staged = import_staging.stage(_root(), data, name, owner=owner, session=key, now=_now())
    except import_staging.UnsupportedFile:
        return {**_state(state), "staged": None}, i18n.t("import_unsupported", lang).format(name=name)
    try:
        frame, how = read_table(staged.path)
    except UnreadableFile as exc:
        import_staging.discard(_root(), staged)
        return {**_state(state), "staged": None}, i18n.t("import_unreadable", lang).format(reason=str(exc).replace(
            str(staged.path), name))
    return {**_state(state), "staged": staged.id}, i18n.t("import_uploaded", lang).format(name=name, rows=f"{len(frame):,}", how=how)


def upload_profile(contents: str | None, filename: str | None, state: dict | None) -> tuple:
    """(state, profile options, chosen profile, message): an uploaded YAML profile is checked now, kept if valid."""
    lang = _lang(state)
    if not contents:
        return no_update, no_update, no_update, ""
    if not context.may_import():
        return no_update, no_update, no_update, i18n.t("import_roles_only", lang)
    name = str(filename or "profile.yaml")
    try:
        data = _decode(contents, 1024 * 1024)
        owner, key = _owner()
        staged = import_staging.stage(_root(), data, name, owner=owner, session=key, now=_now(),
                                      allowed=import_staging.PROFILE_SUFFIXES)
    except OverflowError:
        return no_update, no_update, no_update, _too_large_message(name, len(contents) * 3 // 4, lang)
    except (ValueError, import_staging.UnsupportedFile):
        return no_update, no_update, no_update, i18n.t("import_unsupported", lang).format(name=name)
    try:
        profiles.load(staged.path)
    except profiles.ProfileError as exc:
        import_staging.discard(_root(), staged)
        reason = str(exc).replace(str(staged.path), name)
        return no_update, no_update, no_update, i18n.t("import_profile_invalid", lang).format(reason=reason)
    value = UPLOADED_PROFILE + staged.id
    options = [*page.profile_options(), {"label": i18n.t("import_profile_uploaded", lang).format(name=name), "value": value}]
    return {**_state(state), "profile_upload": staged.id}, options, value, i18n.t("import_profile_uploaded", lang).format(name=name)


def too_large(refused: dict | None, state: dict | None) -> str:
    """The message for a file the browser refused to read for its size (assets/40_import.js)."""
    if not isinstance(refused, dict):
        return no_update
    try:
        size = int(refused.get("size", 0))
    except (TypeError, ValueError):
        size = 0
    return _too_large_message(str(refused.get("name", ""))[:200], size, _lang(state))


def _profile(value) -> tuple[profiles.Profile, str]:
    """(the profile, its name for the report and the audit): a shipped one, or an upload of this user's session."""
    if isinstance(value, str) and value.startswith(UPLOADED_PROFILE):
        staged = _staged(value[len(UPLOADED_PROFILE):])
        return profiles.load(staged.path), staged.filename
    if value not in profiles.available():
        raise profiles.ProfileError(f"no profile {value!r}")
    return profiles.load(value), str(value)


def _spec(mapping: profiles.Profile, kind: str) -> profiles.KindSpec:
    if kind not in mapping.kinds:
        raise NoSection(kind)
    return mapping.spec(kind)


def _job(kind: str, profile_value, staged: import_staging.Staged):
    mapping, label = _profile(profile_value)
    _spec(mapping, kind)
    settings = context.settings()
    job = commands.command(kind, context.store().engine, staged.path, mapping, region=settings.region,
                           cache_dir=settings.cache_dir, scope=context.viewer_scope())
    return job, label


def _failure(exc: Exception, kind: str, staged: import_staging.Staged | None, lang: str) -> str:
    text = str(exc).replace(str(staged.path), staged.filename) if staged else str(exc)
    if isinstance(exc, import_staging.StagingError):
        return i18n.t("import_stale", lang)
    if isinstance(exc, NoSection):
        return i18n.t("import_profile_no_kind", lang).format(kind=i18n.label(f"import_kind_{kind}", lang, kind))
    if isinstance(exc, profiles.ProfileError):
        return i18n.t("import_profile_invalid", lang).format(reason=text)
    if isinstance(exc, commands.MappingError):
        return i18n.t("import_mapping_error", lang).format(reason=text)
    return i18n.t("import_unreadable", lang).format(reason=text)


EXPECTED = (import_staging.StagingError, profiles.ProfileError, commands.MappingError, UnreadableFile, ValueError)


def show_preview(state: dict | None, kind: str | None, profile_value) -> html.Div | str:
    """The first rows with the mapping applied, or why they cannot be shown."""
    lang = _lang(state)
    staged_id = (state or {}).get("staged")
    if not staged_id or not profile_value:
        return ""
    if not context.may_import():
        return html.Div(i18n.t("import_roles_only", lang), className="wj-problem")
    staged = None
    try:
        staged = _staged(staged_id)
        mapping, _label = _profile(profile_value)
        frame, _how = read_table(staged.path)
        table = previews.mapped_rows(frame, _spec(mapping, str(kind)))
    except EXPECTED as exc:
        return html.Div(_failure(exc, str(kind), staged, lang), className="wj-problem")
    rows = [["" if v is None else str(v) for v in r] for r in table.itertuples(index=False)]
    headers = [i18n.t("import_col_row", lang), *table.columns[1:]]
    return html.Div([html.H2(i18n.t("import_preview", lang).format(n=len(rows)), className="wj-panel-title"),
                     html.Div(html_table(headers, rows), className="wj-table-scroll")])


def _report(outcome: commands.Outcome, staged: import_staging.Staged, kind: str, label: str) -> dict:
    return {"file": staged.filename, "kind": kind, "profile": label, "rows": outcome.rows, "taken": outcome.taken,
            "inserted": outcome.inserted, "updated": outcome.updated, "unchanged": outcome.unchanged,
            "refused": outcome.refused, "dry_run": outcome.dry_run, "written": outcome.written,
            "problems": [p.as_dict() for p in outcome.problems]}


def _code_label(code: str, lang: str) -> str:
    return i18n.label(f"import_code_{code}", lang, code)


def problem_rows(report: dict, lang: str, limit: int | None = None) -> tuple[list[str], list[list]]:
    """The report's problems for the page and the XLSX report, each reason worded in `lang` (data/imports/reasons.py)."""
    headers = [i18n.t(k, lang) for k in ("import_col_row", "import_col_field", "import_col_value", "import_col_reason",
                                         "import_col_code", "import_col_outcome")]
    problems = report["problems"] if limit is None else report["problems"][:limit]
    rows = [[p["row"], p["field"], p["value"], reasons.text(p["key"], p["params"], p["value"], lang),
             _code_label(p["code"], lang), i18n.t("import_refused" if p["refused"] else "import_taken_notice", lang)]
            for p in problems]
    return headers, rows


def summary(report: dict, lang: str) -> str:
    return i18n.t("import_summary", lang).format(**{k: f"{report[k]:,}" for k in (
        "rows", "taken", "inserted", "updated", "unchanged", "refused")}, problems=f"{len(report['problems']):,}")


def render_report(report: dict, lang: str) -> html.Div:
    counts: dict[str, int] = {}
    for p in report["problems"]:
        counts[p["code"]] = counts.get(p["code"], 0) + 1
    headers, rows = problem_rows(report, lang, SHOWN)
    parts = [html.H2(i18n.t("import_report", lang), className="wj-panel-title"),
             html.Div(summary(report, lang), className="wj-summary"),
             html.Ul([html.Li(f"{_code_label(code, lang)}: {n:,}") for code, n in counts.items()])]
    if not rows:
        parts.append(html.Div(i18n.t("import_no_problems", lang), className="wj-hint"))
    else:
        if len(report["problems"]) > SHOWN:
            parts.append(html.Div(i18n.t("import_shown", lang).format(n=SHOWN), className="wj-hint"))
        parts.append(html.Div(html_table(headers, [[str(v) for v in r] for r in rows]), className="wj-table-scroll"))
    return html.Div(parts)


def validate(clicks: int | None, kind: str | None, profile_value, state: dict | None) -> tuple:
    """(report, message): a dry run of the stored file, in the viewer's scope; its report kept for the download."""
    lang = _lang(state)
    if not clicks:
        return no_update, no_update
    if not context.may_import():
        return "", i18n.t("import_roles_only", lang)
    if not (state or {}).get("staged"):
        return "", i18n.t("import_upload_first", lang)
    staged = None
    try:
        staged = _staged(state["staged"])
        job, label = _job(str(kind), profile_value, staged)
        outcome = job.run(dry_run=True)
    except EXPECTED as exc:
        return "", _failure(exc, str(kind), staged, lang)
    report = _report(outcome, staged, str(kind), label)
    import_staging.record_validation(_root(), staged, str(kind), profile_value, report)
    return render_report(report, lang), ""


def report_xlsx(report: dict, lang: str) -> bytes:
    """The report as a workbook: a summary sheet and every problem, headers in the reader's language."""
    items = [("import_file_name", report["file"]), ("import_kind", i18n.t(f"import_kind_{report['kind']}", lang)),
             ("import_profile", report["profile"]), ("import_rows", report["rows"]), ("import_inserted", report["inserted"]),
             ("import_updated", report["updated"]), ("import_unchanged", report["unchanged"]),
             ("import_refused_count", report["refused"]), ("import_problem_count", len(report["problems"]))]
    headers, rows = problem_rows(report, lang)
    return xlsx.sheets_bytes([
        (i18n.t("import_sheet_summary", lang), [i18n.t("import_item", lang), i18n.t("import_value", lang)],
         [(i18n.t(k, lang), v) for k, v in items]),
        (i18n.t("import_sheet_problems", lang), headers, rows)])


def export(clicks: int | None, state: dict | None) -> tuple:
    """(download, message): the last validation's report of this session's upload."""
    lang = _lang(state)
    if not clicks:
        return no_update, no_update
    if not context.may_import():
        return no_update, i18n.t("import_roles_only", lang)
    try:
        staged = _staged((state or {}).get("staged"))
    except import_staging.StagingError:
        return no_update, i18n.t("import_stale", lang)
    report = import_staging.report(_root(), staged)
    if report is None:
        return no_update, i18n.t("import_validate_first", lang)
    name = f"{i18n.t('import_report_name', lang)}_{Path(report['file']).stem}.xlsx"
    return dcc.send_bytes(report_xlsx(report, lang), name), ""


def _refused(reason: str, staged_id, lang: str, message_key: str) -> str:
    account = current_account()
    with context.store().engine.begin() as conn:
        audit.append(conn, actor=account.username if account else "anonymous", action="import_refused",
                     target=f"upload:{str(staged_id)[:40]}", detail={"reason": reason}, now=_now(), ip=request.remote_addr)
    return i18n.t(message_key, lang)


def confirm(clicks: int | None, kind: str | None, profile_value, state: dict | None) -> tuple:
    """(result message, report): validate the stored file again and write it, as validated, audited."""
    lang = _lang(state)
    if not clicks:
        return no_update, no_update
    staged_id = (state or {}).get("staged")
    if not context.may_import():
        return _refused("role", staged_id, lang, "import_roles_only"), no_update
    try:
        staged = _staged(staged_id)
    except import_staging.StagingError:
        log.warning("refused import confirmation of staging id %r", str(staged_id)[:40])
        return _refused("unknown, expired or another session's upload", staged_id, lang, "import_stale"), no_update
    validated = staged.validated
    if validated is None:
        return i18n.t("import_validate_first", lang), no_update
    if (validated["kind"], validated["profile"]) != (kind, profile_value):
        return i18n.t("import_changed", lang), no_update
    account = current_account()

    def entry(conn, outcome: commands.Outcome) -> None:
        audit.append(conn, actor=account.username, action="import", target=f"{validated['kind']}:{staged.filename}"[:128],
                     detail={"profile": label, "rows": outcome.rows, "inserted": outcome.inserted,
                             "updated": outcome.updated, "unchanged": outcome.unchanged, "refused": outcome.refused,
                             "problems": len(outcome.problems)}, now=_now(), ip=request.remote_addr)

    try:
        job, label = _job(validated["kind"], validated["profile"], staged)
        outcome = job.run(audit=entry)
    except EXPECTED as exc:
        return _failure(exc, validated["kind"], staged, lang), no_update
    report = _report(outcome, staged, validated["kind"], label)
    import_staging.record_validation(_root(), staged, validated["kind"], validated["profile"], report)
    if outcome.taken == 0:
        return i18n.t("import_nothing_taken", lang), render_report(report, lang)
    done = i18n.t("import_done", lang).format(name=staged.filename, **{k: f"{report[k]:,}" for k in (
        "inserted", "updated", "unchanged", "refused")})
    return done, render_report(report, lang)


def register(app: Dash) -> None:
    app.callback(Output(ids.IMPORT_STATE, "data", allow_duplicate=True), Output(ids.IMPORT_MESSAGE, "children"),
                 Input(ids.IMPORT_UPLOAD, "contents"), State(ids.IMPORT_UPLOAD, "filename"), State(ids.IMPORT_STATE, "data"),
                 prevent_initial_call=True)(upload)
    app.callback(Output(ids.IMPORT_STATE, "data", allow_duplicate=True), Output(ids.IMPORT_PROFILE, "options"),
                 Output(ids.IMPORT_PROFILE, "value"), Output(ids.IMPORT_MESSAGE, "children", allow_duplicate=True),
                 Input(ids.IMPORT_PROFILE_UPLOAD, "contents"), State(ids.IMPORT_PROFILE_UPLOAD, "filename"),
                 State(ids.IMPORT_STATE, "data"), prevent_initial_call=True)(upload_profile)
    app.callback(Output(ids.IMPORT_MESSAGE, "children", allow_duplicate=True), Input(ids.IMPORT_TOO_LARGE, "data"),
                 State(ids.IMPORT_STATE, "data"), prevent_initial_call=True)(too_large)
    app.callback(Output(ids.IMPORT_PREVIEW, "children"), Input(ids.IMPORT_STATE, "data"), Input(ids.IMPORT_KIND, "value"),
                 Input(ids.IMPORT_PROFILE, "value"))(show_preview)
    app.callback(Output(ids.IMPORT_REPORT, "children"), Output(ids.IMPORT_RESULT, "children"),
                 Input(ids.IMPORT_VALIDATE, "n_clicks"), State(ids.IMPORT_KIND, "value"), State(ids.IMPORT_PROFILE, "value"),
                 State(ids.IMPORT_STATE, "data"), prevent_initial_call=True)(validate)
    app.callback(Output(ids.IMPORT_DOWNLOAD, "data"), Output(ids.IMPORT_RESULT, "children", allow_duplicate=True),
                 Input(ids.IMPORT_EXPORT, "n_clicks"), State(ids.IMPORT_STATE, "data"), prevent_initial_call=True)(export)
    app.callback(Output(ids.IMPORT_RESULT, "children", allow_duplicate=True),
                 Output(ids.IMPORT_REPORT, "children", allow_duplicate=True),
                 Input(ids.IMPORT_CONFIRM, "n_clicks"), State(ids.IMPORT_KIND, "value"), State(ids.IMPORT_PROFILE, "value"),
                 State(ids.IMPORT_STATE, "data"), prevent_initial_call=True)(confirm)
