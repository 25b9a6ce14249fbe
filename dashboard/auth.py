"""Login, sessions and the gate every request passes, in front of the pages, the Dash callbacks and the API.

- Every path needs a logged-in user except the login page, static assets, device ingest (which
  has its own token) and the venues' public pages under /public/ (a random token each). Anonymous page requests go to /login; anonymous callback and API requests get
  401 and nothing else.
- The viewer's scope is their home region, read from the session on the server (dashboard/context.py),
  never from what the browser sends; the queries apply it again.
- Sessions: signed cookie, HttpOnly, SameSite=Lax, Secure in production; idle logout after 30 minutes
  (the cookie's signature carries its age, so an old cookie is refused by the server, not only by the
  browser).
- CSRF: every state-changing request (POST, …; Dash callbacks and the import page's uploads are POSTs) must
  come from this site's own pages (Origin / Referer check) AND carry the session's token, set at login:
  plain forms as a hidden `csrf` field, Dash callbacks as the X-CSRFToken header, which Dash's renderer reads
  from the `weijian_csrf` cookie (Dash's `csrf_token_name`; SameSite=Strict, readable by this site's pages
  only) and adds to its own requests: no script of ours, nothing inline under the strict CSP. Refused: 403,
  before any callback or form handler runs. The login form has its own token (there is no session yet);
  device ingest and API programs authenticate with a bearer token, which a browser never adds by itself.
- Administrators (三员) do not read supervision data: their data requests get 403.
- Programs reading the API send an account's API token (data/api_tokens.py) instead of a session cookie:
  the same account, role and scope, for that request only.
- Display screens log in once through /display/<token> (data/displays.py) and keep a session that is
  re-checked on every request: token not revoked, address inside its ranges. They reach only the wall,
  the kiosk and the (read-only, masked) alert feed, and only the callbacks of those pages: a crafted
  callback for the manager's export or an entity file gets 403.
"""

from __future__ import annotations

import datetime as dt
import html
import secrets
from urllib.parse import quote, urlparse

from flask import Flask, Response, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from dashboard import i18n
from dashboard.settings import Settings
from data import accounts, api_tokens, displays
from data.accounts import Account

IDLE = dt.timedelta(minutes=30)
CSRF_COOKIE = "weijian_csrf"  # the session's token, for Dash's renderer to send back (not HttpOnly on purpose)
CSRF_HEADER = "X-CSRFToken"
# "/public/" is the venues' public pages: dashboard/public.py answers every path under it (a page or a 404).
PUBLIC_PREFIXES = ("/login", "/display/", "/assets/", "/theme.css", "/_favicon.ico", "/favicon.ico", "/api/v1/readings",
                   "/public/")
# The auditor's viewer and the secadmin's display tokens check the role themselves (audit_view, display_admin).
ADMIN_ALLOWED = ("/logout", "/audit", "/admin/displays")


class User(UserMixin):
    """flask-login's view of an Account."""

    def __init__(self, account: Account):
        self.account = account

    def get_id(self) -> str:
        return self.account.session_id or str(self.account.id)


def login(account: Account) -> None:
    """Start a session for `account` (also used by tests inside a request context)."""
    session.clear()
    session.permanent = True
    login_user(User(account))
    session["csrf"] = secrets.token_urlsafe(24)


def current_account() -> Account | None:
    return current_user.account if current_user and current_user.is_authenticated else None


def install(server: Flask, settings: Settings, store) -> None:
    server.secret_key = settings.resolved_secret_key()
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_NAME="weijian_session",
        SESSION_COOKIE_SECURE=settings.environment == "production", PERMANENT_SESSION_LIFETIME=IDLE,
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    manager = LoginManager(server)
    manager.session_protection = "strong"

    @manager.user_loader
    def _load(user_id: str) -> User | None:
        with store.engine.connect() as conn:
            if user_id.startswith(displays.SESSION_PREFIX) and user_id[1:].isdigit():
                account = displays.active(conn, int(user_id[1:]))  # None once revoked: the screen is logged out
            else:
                account = accounts.get(conn, int(user_id)) if user_id.isdigit() else None
        return User(account) if account else None

    @manager.request_loader
    def _load_from_api_token(req) -> User | None:
        """`Authorization: Bearer <API token>` on the read API: the token's account, for this request only."""
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.lower().startswith("bearer "):
            return None
        with store.engine.connect() as conn:
            account = api_tokens.account(conn, header[7:].strip())
        return User(account) if account else None

    @server.before_request
    def _gate():
        path = request.path
        if path.startswith(PUBLIC_PREFIXES):
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin():
            if path.startswith("/api/"):
                return Response('{"error": "cross-site request refused"}', status=403, mimetype="application/json")
            return Response("cross-site request refused", status=403)
        account = current_account()
        if account is None:
            if path.startswith(("/_dash", "/api/")):
                return Response('{"error": "login required"}', status=401, mimetype="application/json")
            return redirect("/login?next=" + quote(_safe_next(request.full_path.rstrip("?")), safe="/"))
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _bearer_api() and not _carries_token():
            lang = i18n.normalise_language(request.args.get("lang"))
            if path.startswith("/api/"):
                return Response('{"error": "missing or stale CSRF token"}', status=403, mimetype="application/json")
            return Response(i18n.t("form_token_stale", lang), status=403)
        if not account.reads_data and not path.startswith(ADMIN_ALLOWED):
            return Response("administrators do not read supervision data", status=403)
        if account.is_display_screen:
            return _display_gate(account, path, store)
        return None

    @server.after_request
    def _csrf_cookie(response: Response) -> Response:
        """Hand the session's token to Dash's renderer (and take it back once the session has none)."""
        token = session.get("csrf")
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="Strict", path="/",
                                secure=settings.environment == "production")
        elif not token and CSRF_COOKIE in request.cookies:
            response.delete_cookie(CSRF_COOKIE, path="/")
        return response

    @server.get("/display/<token>")
    def _display(token: str):
        with store.engine.begin() as conn:
            account = displays.redeem(conn, token[:128], ip=request.remote_addr, now=dt.datetime.now(dt.UTC))
        if account is None:
            return Response("display token unknown, revoked, or not valid from this address", status=403)
        login(account)
        return redirect(_safe_next(request.args.get("next", "/wall")))

    @server.route("/login", methods=["GET", "POST"])
    def _login():
        lang = i18n.normalise_language(request.args.get("lang") or settings.language)
        error = ""
        if request.method == "POST":
            expected = session.get("login_csrf")
            if not expected or not secrets.compare_digest(request.form.get("csrf", ""), expected):
                return Response("missing or stale form token: reload the login page", status=400)
            with store.engine.begin() as conn:
                account = accounts.authenticate(conn, request.form.get("username", "")[:64],
                                                request.form.get("password", "")[:256],
                                                otp=request.form.get("otp", "")[:8],
                                                now=dt.datetime.now(dt.UTC), ip=request.remote_addr)
            if account is not None:
                login(account)
                return redirect(_safe_next(request.args.get("next", "/")))
            error = i18n.t("login_failed", lang)
        # One token per session (not per page view): a second tab or a prefetch must not void the first form.
        token = session.setdefault("login_csrf", secrets.token_urlsafe(24))
        return Response(_login_page(lang, token, error, request.args.get("next", "/")), mimetype="text/html")

    @server.route("/logout")
    def _logout():
        logout_user()
        session.clear()
        return redirect("/login")


DISPLAY_PAGES = ("/wall", "/kiosk", "/alerts")
DISPLAY_DASH = ("/_dash-layout", "/_dash-dependencies", "/_dash-component-suites/", "/_reload-hash", "/logout")
DISPLAY_OUTPUTS = ("wall-", "kiosk-", "alert-")
PAGES_CONTENT = "_pages_content"  # Dash pages' router: renders the page named by its pathname input


def _display_gate(account: Account, path: str, store) -> Response | None:
    """A display screen: from its addresses only, to its pages and their callbacks only."""
    if not displays.allows_ip(account.ip_ranges, request.remote_addr):
        with store.engine.begin() as conn:
            from data import audit

            audit.append(conn, actor=account.username, action="display_refused", target=account.session_id,
                         detail={"reason": "address outside the token's ranges", "path": path},
                         now=dt.datetime.now(dt.UTC), ip=request.remote_addr)
        logout_user()
        session.clear()
        return Response("this display token is not valid from this address", status=403)
    if path == "/_dash-update-component":
        return None if _display_callback(request.get_json(silent=True)) else Response("not for display screens", status=403)
    if path.startswith(DISPLAY_DASH) or path.startswith(DISPLAY_PAGES):
        return None
    return Response("display screens show the wall, the kiosk and the alert feed only", status=403)


def _display_callback(body) -> bool:
    """Whether a callback request only feeds the display pages (the router only to one of them)."""
    if not isinstance(body, dict) or not isinstance(body.get("outputs"), (list, dict)):
        return False
    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    for output in outputs:
        ident = output.get("id") if isinstance(output, dict) else None
        name = ident.get("type") if isinstance(ident, dict) else ident
        if not isinstance(name, str):
            return False
        if name.startswith("_pages_"):
            if name == PAGES_CONTENT and not _routes_to_display_page(body.get("inputs")):
                return False
        elif not name.startswith(DISPLAY_OUTPUTS):
            return False
    return True


def _routes_to_display_page(inputs) -> bool:
    for item in inputs if isinstance(inputs, list) else []:
        if isinstance(item, dict) and item.get("id") == "_pages_location" and item.get("property") == "pathname":
            value = item.get("value")
            return isinstance(value, str) and value.startswith(DISPLAY_PAGES)
    return False


def _carries_token() -> bool:
    """Whether the request sends the session's CSRF token (header for callbacks, `csrf` field for forms)."""
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER) or (request.form.get("csrf", "") if request.form else "")
    return bool(expected) and secrets.compare_digest(sent.encode(), expected.encode())


def _bearer_api() -> bool:
    """An API request authenticated by its bearer token (a program; a browser never adds that header itself)."""
    return request.path.startswith("/api/") and request.headers.get("Authorization", "").lower().startswith("bearer ")


def _same_origin() -> bool:
    source = request.headers.get("Origin") or request.headers.get("Referer")
    return bool(source) and urlparse(source).netloc == request.host


def _safe_next(target: str | None) -> str:
    """Only a path on this site: '//evil.example' and 'https://…' become '/'."""
    parsed = urlparse(target or "/")
    if parsed.scheme or parsed.netloc or not (target or "/").startswith("/") or (target or "").startswith("//"):
        return "/"
    return target or "/"


def _login_page(lang: str, token: str, error: str, next_path: str) -> str:
    t = lambda key: html.escape(i18n.t(key, lang))  # noqa: E731 - short alias for the template
    action = "/login?next=" + html.escape(quote(_safe_next(next_path), safe="/"), quote=True)
    failure = f'<p class="wj-problem">{html.escape(error)}</p>' if error else ""
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'zh-CN'}"><head><meta charset="utf-8"><title>{t('app_title')}</title>
<link rel="stylesheet" href="/theme.css"><link rel="stylesheet" href="/assets/10_layout.css">
<link rel="stylesheet" href="/assets/fonts/noto-sans-sc/400.css"><link rel="stylesheet" href="/assets/fonts/noto-sans-sc/700.css">
</head>
<body><main class="wj-login"><h1>{t('app_title')}</h1>{failure}
<form method="post" action="{action}" autocomplete="off">
<input type="hidden" name="csrf" value="{html.escape(token, quote=True)}">
<label>{t('username')}<input name="username" id="username" required maxlength="64" autofocus></label>
<label>{t('password')}<input name="password" id="password" type="password" required maxlength="256"></label>
<label>{t('otp')}<input name="otp" id="otp" inputmode="numeric" autocomplete="one-time-code" maxlength="8"
 placeholder="{t('otp_hint')}"></label>
<button type="submit" id="login">{t('login')}</button></form></main></body></html>"""
