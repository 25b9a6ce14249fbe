"""The public page of a venue, `/public/<token>`: what its QR code opens on a visitor's phone.

Anonymous (auth.PUBLIC_PREFIXES lets "/public/" through, and this blueprint answers every path under
it: a token page or a 404, never anything else). Plain server-rendered HTML, mobile first: no Dash,
no script at all, CSS from assets/ and /theme.css. It shows name, address, specialty, hygiene grade,
the current credit grade (诚信等级, with the day it was assessed) and the latest inspection, and no personal
data (data/queries/public.py returns none).
Chinese by default, `?lang=en`. An unknown or revoked token is a friendly page with status 404.
"""

from __future__ import annotations

import datetime as dt
import html

from flask import Blueprint, Response, current_app, request

from dashboard import i18n

PAGE_CSS = "/assets/30_public.css"
CHINA = dt.timezone(dt.timedelta(hours=8))


def blueprint() -> Blueprint:
    bp = Blueprint("public", __name__)

    @bp.get("/public/", defaults={"token": ""})
    @bp.get("/public/<path:token>")
    def public_page(token: str) -> Response:
        from data.queries import public

        context = current_app.extensions["weijian"]
        lang = i18n.normalise_language(request.args.get("lang") or context.settings.language)
        found = public.card(context.store, token)  # None also for "a/b", "../x" and other non-tokens
        body, status = (_card(found, lang, token), 200) if found is not None else (_not_found(lang), 404)
        response = Response(_document(lang, body), status=status, mimetype="text/html")
        response.headers["Cache-Control"] = "no-cache"  # a revoked code must stop working at once
        return response

    return bp


def _t(key: str, lang: str) -> str:
    return html.escape(i18n.t(key, lang))


def _row(label: str, value: str, css: str = "") -> str:
    return f'<div class="wj-pub-row"><dt>{label}</dt><dd class="{css}">{value}</dd></div>'


def _card(card, lang: str, token: str) -> str:
    esc = html.escape
    specialty = f"{esc(i18n.specialty_label(card.specialty, lang))} · {esc(i18n.t('subtype_' + card.subtype, lang))}"
    if card.grade:
        grade = (f'<span class="wj-pub-grade wj-pub-grade-{esc(card.grade)}">{esc(card.grade)}</span>'
                 f'<span class="wj-pub-grade-text">{_t("grade_meaning_" + card.grade, lang)}</span>')
        if card.graded_on:
            grade += f'<span class="wj-pub-note">{_t("graded_on", lang)} {card.graded_on:%Y-%m-%d}</span>'
    else:
        grade = _t("ungraded", lang)
    if card.last_inspected_on:
        ok = card.last_result == "compliant"
        inspection = (f'{card.last_inspected_on:%Y-%m-%d} · <span class="wj-pub-{"good" if ok else "bad"}">'
                      f'{_t("result_" + card.last_result, lang)}</span>')
    else:
        inspection = _t("not_inspected", lang)
    other = "en" if lang == "zh" else "zh"
    return f"""<header class="wj-pub-header"><span class="wj-pub-authority">{_t('public_title', lang)}</span>
<a class="wj-pub-lang" href="/public/{esc(token, quote=True)}?lang={other}">{_t('language_switch', lang)}</a></header>
<main class="wj-pub-card"><h1 id="public-name">{esc(card.name)}</h1>
<dl>{_row(_t('address', lang), esc(card.address or '–'))}
{_row(_t('specialty', lang), specialty)}
{_row(_t('grade', lang), grade, 'wj-pub-grade-cell')}
{_credit_row(card, lang)}
{_row(_t('last_inspection', lang), inspection)}</dl></main>
<footer class="wj-pub-footer">{_t('public_footer', lang)}</footer>"""


def _credit_row(card, lang: str) -> str:
    """The current credit grade and the day (China time) it was assessed; 暂无 before the first assessment."""
    if card.credit_grade is None:
        return _row(_t("credit_level", lang), _t("not_available", lang), "wj-pub-muted")
    esc = html.escape
    meaning = i18n.label("credit_meaning_" + card.credit_grade, lang, "")
    day = card.credit_assessed_at.astimezone(CHINA)
    value = (f'<span id="public-credit" class="wj-pub-grade wj-pub-credit wj-pub-credit-{esc(card.credit_grade, quote=True)}">'
             f'{esc(card.credit_grade)}</span>'
             + (f'<span class="wj-pub-grade-text">{esc(meaning)}</span>' if meaning else "")
             + f'<span class="wj-pub-note">{_t("credit_assessed_on", lang)} {day:%Y-%m-%d}</span>')
    return _row(_t("credit_level", lang), value, "wj-pub-grade-cell")


def _not_found(lang: str) -> str:
    return f"""<header class="wj-pub-header"><span class="wj-pub-authority">{_t('public_title', lang)}</span></header>
<main class="wj-pub-card wj-pub-missing"><h1>{_t('public_not_found', lang)}</h1>
<p>{_t('public_not_found_hint', lang)}</p></main>"""


def _document(lang: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_t('public_title', lang)}</title>
<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="{PAGE_CSS}"></head>
<body class="wj-public">{body}</body></html>"""
