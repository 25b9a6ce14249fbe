"""Kiosk `/kiosk`: a playlist of views that a presenter leaves rotating in a lobby, set entirely by its URL.

`/kiosk?views=wall,region:410100,alerts,device:WJ4101050001&interval=60&reload=3600&lang=en`

This page is a thin shell: two same-origin iframes, cross-faded by assets/30_kiosk.js, each loading
a view's own page with `kiosk=1&mask=1`. Each page then leaves out its controls and masks personal
data itself, on the server (a kiosk view cannot be unmasked from its URL), and refuses a region
outside the viewer's scope (from the session, never from this URL). The views:

- `wall`: the wall of the viewer's home region; `region:CODE`: the wall of that region (the wall,
  not the manager map: it is the page made to be read unattended, it refreshes itself and has no controls),
  CODE being a six-digit adcode or an imported region's code (BK0101, Mission); a code that names no region
  is not understood, a comma ends it (it separates the views);
- `alerts`: the alert inbox of the home region, read-only; `device:ID`: a device page.

Unknown names are listed on a small notice and skipped. The shell reloads itself every `reload`
seconds (long-running TV browsers leak memory) and, after a short back-off, when a view fails to
load or a script fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from dash import dcc, html

from dashboard import i18n, ids
from dashboard.auth import current_account
from dashboard.urls import page_url
from geo import hierarchy

PATH = "/kiosk"
DEFAULT_VIEWS = "wall,alerts"
DEFAULT_INTERVAL_S, MIN_INTERVAL_S, MAX_INTERVAL_S = 60, 2, 3600  # 2 s only makes sense for tests
DEFAULT_RELOAD_S, MIN_RELOAD_S, MAX_RELOAD_S = 3600, 60, 86400
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class View:
    """One entry of the playlist: its name as written in the URL and the page it shows."""

    name: str
    path: str  # the page with its own (quoted) arguments, e.g. /wall?region=410100

    def url(self, lang: str) -> str:
        """The page as a kiosk view: no controls, masked, in the kiosk's language."""
        return self.path + ("&" if "?" in self.path else "?") + urlencode({"kiosk": 1, "mask": 1, "lang": lang})


def _names_a_region(code: str) -> bool:
    try:
        hierarchy.get_region(code)
    except KeyError:
        return False
    return True


def parse_views(text: str | None, home: str) -> tuple[list[View], list[str]]:
    """(the views to rotate, the names not understood), from the `views` argument; `home` is the
    viewer's home region, for the views that name none. A region view must name a known region
    (built-in or imported); scope is the page's business, on the server, when the view loads."""
    views, unknown = [], []
    for name in (n.strip() for n in (text if text is not None else DEFAULT_VIEWS).split(",")):
        kind, _, arg = name.partition(":")
        if not name:
            continue
        if name == "wall":
            views.append(View(name, page_url("/wall", region=home)))
        elif name == "alerts":
            views.append(View(name, page_url("/alerts", region=home)))
        elif kind == "region" and _names_a_region(arg):
            views.append(View(name, page_url("/wall", region=arg)))
        elif kind == "device" and _DEVICE_ID.fullmatch(arg):
            views.append(View(name, f"/device/{arg}"))
        else:
            unknown.append(name)
    return views, unknown


def bounded_seconds(value: str | None, default: int, low: int, high: int) -> int:
    """A number of seconds from the URL, held to low..high; the default for anything not a number."""
    try:
        return min(max(int(value), low), high) if value else default
    except ValueError:
        return default


def marker(lang: str) -> html.Span:
    """The visible note that a screen shows personal data masked, for its header."""
    return html.Span(i18n.t("masked", lang), className="wj-masked")


def layout(views: str | None = None, interval: str | None = None, reload: str | None = None, lang: str | None = None,
           **_ignored) -> html.Div:
    lang = i18n.normalise_language(lang)
    account = current_account()
    playlist, unknown = parse_views(views, account.region_adcode)
    notices = []
    if unknown:
        notices.append(i18n.t("kiosk_unknown_views", lang).format("、".join(unknown)))
    if not playlist:
        notices.append(i18n.t("kiosk_no_views", lang))
    config = {
        "views": [view.url(lang) for view in playlist],
        "interval_ms": bounded_seconds(interval, DEFAULT_INTERVAL_S, MIN_INTERVAL_S, MAX_INTERVAL_S) * 1000,
        "reload_ms": bounded_seconds(reload, DEFAULT_RELOAD_S, MIN_RELOAD_S, MAX_RELOAD_S) * 1000,
        "failed_label": i18n.t("kiosk_reloading", lang),
        "frames": [ids.KIOSK_FRAME_A, ids.KIOSK_FRAME_B], "failed": ids.KIOSK_FAILED,
    }
    title = i18n.t("kiosk_title", lang)
    return html.Div(className="wj-kiosk wj-kiosk-shell", lang="en" if lang == "en" else "zh-CN", children=[
        dcc.Store(id=ids.KIOSK_CONFIG, data=config),
        dcc.Store(id=ids.KIOSK_STARTED),
        html.Iframe(id=ids.KIOSK_FRAME_A, className="wj-kiosk-frame", title=title),
        html.Iframe(id=ids.KIOSK_FRAME_B, className="wj-kiosk-frame", title=title),
        html.Div(" · ".join(notices), id=ids.KIOSK_NOTICE, className="wj-kiosk-notice"),
        html.Div(id=ids.KIOSK_FAILED, className="wj-kiosk-notice wj-kiosk-failed"),
    ])
