"""The auditor's viewer of the audit log: `/audit` (filters: actor, action, dates) and `/audit.xlsx`.

三员分立: only the auditor reads the log; the system and security administrators, who are the people
it watches, get 403, as does every data role. Server-rendered HTML (no Dash): the auditor role reads no
supervision data, so it never reaches the Dash callbacks. The chain is verified on every view and the
result shown on top; an export is itself an audit entry.
"""

from __future__ import annotations

import datetime as dt
import html
from urllib.parse import urlencode

from flask import Flask, Response, request

from dashboard import admin_page, i18n, xlsx
from dashboard.auth import current_account
from data import audit

COLUMNS = ("at", "actor", "action", "target", "detail", "ip")
CHINA = dt.timezone(dt.timedelta(hours=8))
LIMIT = 500


class BadFilter(ValueError):
    """A filter the auditor typed that is not a date: answered with 400 and the field named, because silently
    dropping it would show more (or other) entries than asked for and the auditor would not notice."""

    def __init__(self, field: str, value: str):
        super().__init__(field, value)
        self.field, self.value = field, value


def _day(field: str) -> dt.datetime | None:
    """The YYYY-MM-DD date in the query field as the start of that day in China time; empty means no bound."""
    text = (request.args.get(field) or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), CHINA)
    except ValueError:
        raise BadFilter(field, text) from None


def _filters() -> dict:
    until = _day("until")
    return {"actor": (request.args.get("actor") or "").strip()[:64] or None,
            "action": (request.args.get("action") or "").strip()[:32] or None,
            "since": _day("since"),
            "until": until + dt.timedelta(days=1) if until else None}


def _bad_filter_message(exc: BadFilter, lang: str) -> str:
    return i18n.t("audit_bad_date", lang).format(field=i18n.t("audit_" + exc.field, lang), value=exc.value[:40])


def _row(entry: dict) -> list[str]:
    return [entry["at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"), entry["actor"], entry["action"],
            entry["target"], entry["detail"], entry["ip"] or ""]


def install(server: Flask, store) -> None:
    def refused(lang: str) -> Response | None:
        account = current_account()
        if account is None or account.role != "auditor":
            return Response(i18n.t("audit_only_auditor", lang), status=403)
        return None

    @server.get("/audit")
    def _audit_page():
        lang = i18n.normalise_language(request.args.get("lang"))
        refusal = refused(lang)
        if refusal is not None:
            return refusal
        try:
            filters, problem = _filters(), None
        except BadFilter as exc:
            filters, problem = None, _bad_filter_message(exc, lang)
        with store.engine.connect() as conn:
            entries = [] if problem else audit.entries(conn, **filters, limit=LIMIT)
            broken = audit.verify(conn)
            known = audit.actions(conn)
        return Response(_page(lang, entries, broken, known, problem), status=400 if problem else 200,
                        mimetype="text/html")

    @server.get("/audit.xlsx")
    def _audit_export():
        lang = i18n.normalise_language(request.args.get("lang"))
        refusal = refused(lang)
        if refusal is not None:
            return refusal
        try:
            filters = _filters()
        except BadFilter as exc:
            return Response(_bad_filter_message(exc, lang), status=400, mimetype="text/plain")
        with store.engine.begin() as conn:
            entries = audit.entries(conn, **filters, limit=100_000)
            audit.append(conn, actor=current_account().username, action="export", target="audit_log",
                         detail={**{k: str(v) for k, v in filters.items() if v}, "rows": len(entries)},
                         now=dt.datetime.now(dt.UTC), ip=request.remote_addr)
        content = xlsx.workbook_bytes(i18n.t("audit_title", lang), [i18n.t("audit_" + c, lang) for c in COLUMNS],
                                      (_row(e) for e in entries))
        name = f"audit_{dt.datetime.now(CHINA):%Y%m%d_%H%M}.xlsx"
        return Response(content, headers={"Content-Disposition": f"attachment; filename={name}"},
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _page(lang: str, entries: list[dict], broken: int | None, known: list[str], problem: str | None) -> str:
    t = lambda key: html.escape(i18n.t(key, lang))  # noqa: E731 - short alias for the template
    args = {k: request.args.get(k, "") for k in ("actor", "action", "since", "until")}
    status = (f'<p class="wj-hint">{t("audit_chain_ok")}</p>' if broken is None else
              f'<p class="wj-problem">{html.escape(i18n.t("audit_chain_broken", lang).format(id=broken))}</p>')
    options = "".join(f'<option value="{html.escape(a)}"{" selected" if a == args["action"] else ""}>{html.escape(a)}</option>'
                      for a in known)
    head = "".join(f"<th>{t('audit_' + c)}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in _row(e)) + "</tr>" for e in entries)
    export = "/audit.xlsx?" + urlencode({**{k: v for k, v in args.items() if v}, "lang": lang})
    body = f"""{status}
<form method="get" action="/audit" class="wj-filters"><input type="hidden" name="lang" value="{lang}">
<label>{t('audit_actor')}<input name="actor" value="{html.escape(args['actor'])}" maxlength="64"></label>
<label>{t('audit_action')}<select name="action"><option value="">{t('audit_all_actions')}</option>{options}</select></label>
<label>{t('audit_since')}<input type="date" name="since" value="{html.escape(args['since'])}"></label>
<label>{t('audit_until')}<input type="date" name="until" value="{html.escape(args['until'])}"></label>
<button type="submit" class="wj-button">{t('audit_filter')}</button>
<a class="wj-button" href="{html.escape(export)}">{t('audit_export')}</a></form>
{f'<p class="wj-problem" id="audit-problem">{html.escape(problem)}</p>' if problem else ''}
<p class="wj-summary">{html.escape(i18n.t('audit_shown', lang).format(n=len(entries)))}</p>
<table class="wj-table" id="audit-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"""
    return admin_page.document(lang, i18n.t("audit_title", lang), body, "wj-audit")
