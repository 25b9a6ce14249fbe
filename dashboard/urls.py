"""URLs of pages, built from their state so every view can be bookmarked and shared.

Every argument is quoted: a region may be an imported one whose code holds spaces, '/', '&' or '+'
("Castro/Upper Market"), which the page must read back as it was written."""

from __future__ import annotations

from urllib.parse import urlencode

from layers.registry import DEFAULT_LAYER


def manager_url(region: str, period: str, specialty: str | None, lang: str, layer: str = DEFAULT_LAYER) -> str:
    params = {"region": region, "period": period}
    if specialty:
        params["specialty"] = specialty
    if layer != DEFAULT_LAYER:
        params["layer"] = layer
    if lang != "zh":
        params["lang"] = lang
    return "/?" + urlencode(params)


def wall_url(region: str, layer: str, interval: int, lang: str) -> str:
    params = {"region": region, "layer": layer, "interval": interval}
    if lang != "zh":
        params["lang"] = lang
    return "/wall?" + urlencode(params)


def page_url(path: str, **params) -> str:
    """`path` with `params` as its (quoted) query, for the pages that take only a few arguments."""
    return f"{path}?{urlencode(params)}" if params else path
