"""The frame of the administrators' server-rendered pages (/audit, /admin/displays).

Administrators (三员) read no supervision data and never reach the Dash app, so their pages are plain HTML:
no script at all, which the strict CSP (dashboard/headers.py) allows without a hash; same fonts and theme.
"""

from __future__ import annotations

import html

from dashboard import i18n


def document(lang: str, subtitle: str, body: str, page_class: str) -> str:
    """A whole page: header with the app title, `subtitle` and the logout link, then `body` (already HTML)."""
    title = html.escape(i18n.t("app_title", lang))
    subtitle = html.escape(subtitle)
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8"><title>{subtitle}</title>
<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="/assets/10_layout.css">
<link rel="stylesheet" href="/assets/fonts/noto-sans-sc/400.css"><link rel="stylesheet" href="/assets/fonts/noto-sans-sc/700.css">
</head><body><main class="wj-page {page_class}"><header class="wj-header"><h1>{title}
<span class="wj-subtitle">{subtitle}</span></h1><a class="wj-lang" href="/logout">⏻</a></header>{body}
</main></body></html>"""
