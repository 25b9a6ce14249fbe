"""URLs of pages, built from their state so every view can be bookmarked and shared."""

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
