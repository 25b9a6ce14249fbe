"""The security administrator's page of display tokens: `/admin/displays` (list, issue, revoke).

三员分立: display tokens are security policy, so only the security administrator (secadmin) manages them;
the system administrator and the auditor get 403 like every data role. The same actions exist on the
command line (`weijian display …`, dashboard/cli_accounts.py); both go through data/displays.py, which
audits them. A new token is shown once, in the answer to the form that issued it: only its hash is kept.
Forms carry the session's CSRF token (set at login), which the gate in dashboard/auth.py checks, with the
request's origin, before any handler here runs. No script on the page: it works under the strict CSP unchanged.
"""

from __future__ import annotations

import datetime as dt
import html

from flask import Flask, Response, redirect, request, session

from dashboard import admin_page, i18n
from dashboard.auth import current_account
from dashboard.settings import Settings
from data import displays

PATH = "/admin/displays"
COLUMNS = ("id", "label", "region_adcode", "ip_ranges", "created_by", "created_at", "last_used_at", "revoked_at")


def install(server: Flask, settings: Settings, store) -> None:
    def refused(lang: str) -> Response | None:
        account = current_account()
        if account is None or account.role != "secadmin":
            return Response(i18n.t("displays_only_secadmin", lang), status=403)
        return None

    def page(lang: str, *, problem: str = "", issued: str = "", status: int = 200) -> Response:
        with store.engine.connect() as conn:
            tokens = displays.listing(conn)
        return Response(_page(lang, tokens, problem, issued, settings.region), status=status, mimetype="text/html")

    @server.get(PATH)
    def _displays():
        lang = i18n.normalise_language(request.args.get("lang"))
        return refused(lang) or page(lang)

    @server.post(PATH)
    def _issue():
        lang = i18n.normalise_language(request.args.get("lang"))
        refusal = refused(lang)
        if refusal is not None:
            return refusal
        label = request.form.get("label", "").strip()
        if not label:
            return page(lang, problem=i18n.t("displays_label_missing", lang), status=400)
        try:
            with store.engine.begin() as conn:
                _, token = displays.issue(conn, label=label, region=request.form.get("region", "").strip(),
                                          ip_ranges=request.form.get("ip_ranges", ""),
                                          actor=current_account().username, now=dt.datetime.now(dt.UTC))
        except displays.DisplayTokenError as exc:
            return page(lang, problem=str(exc), status=400)
        base = settings.public_base_url or request.host_url.rstrip("/")
        return page(lang, issued=f"{base}/display/{token}")

    @server.post(PATH + "/<int:token_id>/revoke")
    def _revoke(token_id: int):
        lang = i18n.normalise_language(request.args.get("lang"))
        refusal = refused(lang)
        if refusal is not None:
            return refusal
        try:
            with store.engine.begin() as conn:
                displays.revoke(conn, token_id, actor=current_account().username, now=dt.datetime.now(dt.UTC))
        except displays.DisplayTokenError as exc:
            return page(lang, problem=str(exc), status=400)
        return redirect(f"{PATH}?lang={lang}", code=303)


def _cell(value) -> str:
    if isinstance(value, dt.datetime):
        value = value.strftime("%Y-%m-%d %H:%M")
    return html.escape("" if value is None else str(value))


def _page(lang: str, tokens: list[dict], problem: str, issued: str, region: str) -> str:
    t = lambda key: html.escape(i18n.t(key, lang))  # noqa: E731 - short alias for the template
    csrf = html.escape(session.get("csrf", ""), quote=True)
    hidden = f'<input type="hidden" name="csrf" value="{csrf}">'
    head = "".join(f"<th>{t('displays_' + c)}</th>" for c in COLUMNS) + "<th></th>"
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(token[c])}</td>" for c in COLUMNS) + "<td>" +
        ("" if token["revoked_at"] else
         f'<form method="post" action="{PATH}/{token["id"]}/revoke?lang={lang}">{hidden}'
         f'<button type="submit" class="wj-button" id="revoke-{token["id"]}">{t("displays_revoke")}</button></form>') +
        "</td></tr>" for token in tokens)
    shown = (f'<p class="wj-hint">{t("displays_issued_once")}</p><p><code id="display-url">{html.escape(issued)}</code></p>'
             if issued else "")
    body = f"""{shown}{f'<p class="wj-problem" id="displays-problem">{html.escape(problem)}</p>' if problem else ''}
<form method="post" action="{PATH}?lang={lang}" class="wj-filters" id="display-issue">{hidden}
<label>{t('displays_label')}<input name="label" id="display-label" maxlength="64" required></label>
<label>{t('displays_region_adcode')}<input name="region" id="display-region" value="{html.escape(region)}" maxlength="12"></label>
<label>{t('displays_ip_ranges')}<input name="ip_ranges" id="display-ip" placeholder="10.1.2.0/24" required></label>
<button type="submit" class="wj-button" id="display-issue-button">{t('displays_issue')}</button></form>
<table class="wj-table" id="display-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"""
    return admin_page.document(lang, i18n.t("displays_title", lang), body, "wj-displays")
