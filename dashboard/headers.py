"""Security headers of every answer, by flask-talisman: a strict Content-Security-Policy and the usual rest.

The policy allows scripts only from this server and, inline, only the few Dash writes into its index page
(the renderer's start and the clientside callbacks), each by its SHA-256 (`Dash.csp_hashes()`, refreshed
before each request because Dash registers some of them at its first request): no 'unsafe-inline' and no
'unsafe-eval' for scripts, nothing from another host. Styles do allow inline: Dash's core components and
AG Grid inject their own <style> elements at run time, which no hash can name in advance; an injected
style cannot run code. Pages may be framed by this site only (the kiosk's frames). HTTPS, HSTS and Secure
cookies in production; the development server stays on plain HTTP.
"""

from __future__ import annotations

from dash import Dash
from flask_talisman import Talisman

from dashboard.settings import Settings


def policy(app: Dash) -> dict:
    return {
        "default-src": "'self'",
        "script-src": _scripts(app),
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # Plotly's PNG export and the SVG QR codes
        "font-src": "'self'",
        "connect-src": "'self'",
        "frame-src": "'self'",
        "frame-ancestors": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }


def _scripts(app: Dash) -> list[str]:
    return ["'self'", *sorted(set(app.csp_hashes()))]


def install(app: Dash, settings: Settings) -> None:
    production = settings.environment == "production"
    talisman = Talisman(app.server, content_security_policy=policy(app), force_https=production,
                        strict_transport_security=production, session_cookie_secure=production,
                        session_cookie_http_only=True, frame_options="SAMEORIGIN", referrer_policy="same-origin")

    @app.server.before_request
    def _current_script_hashes() -> None:
        talisman.content_security_policy["script-src"] = _scripts(app)
