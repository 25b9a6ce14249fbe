"""The manager page's map as one self-contained HTML file (folium/Leaflet) that opens without a network.

Officers email the file and open it where there is no internet, so nothing in it may be fetched: folium
links Leaflet (and jQuery, Bootstrap, Font Awesome, awesome-markers, which only its marker icons need) to
CDNs, so the map is given Leaflet alone, and the rendered page gets leaflet.js and leaflet.css inlined from
the copy `make map-assets` fetches from the npm registry at install time (the CSS's images as data: URIs, its comments dropped).
There are no tiles: the ground is the drawn regions themselves. A render that still links anything remote
raises instead of writing a file that would silently break offline.

The map is drawn from the same Plotly traces as the page (dashboard/map_view.py), translated here:
choropleth traces become GeoJSON polygons filled by their colour scale at each z, marker traces become
circle markers, text traces become region labels; each hover template becomes the feature's popup, with
every value HTML-escaped (names come from imported data). The legend repeats the page's classes.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path

import folium
import numpy as np
from branca.element import Element, MacroElement
from jinja2 import Template
from plotly.colors import find_intermediate_color, hex_to_rgb, unlabel_rgb

from dashboard.theme import THEME, Theme

ROOT = Path(__file__).resolve().parent.parent
LEAFLET_VERSION = "1.9.3"  # as in the Makefile (LEAFLET_PKG): the version folium's templates are written against
LEAFLET_DIR = ROOT / "vendor" / f"leaflet-{LEAFLET_VERSION}"
# What folium writes as the script and style sheet links: the vendored files' names, never a CDN (folium's own
# default), and each link is replaced by the file's inlined content after rendering.
LEAFLET_JS = [("leaflet", f"vendor/leaflet-{LEAFLET_VERSION}/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", f"vendor/leaflet-{LEAFLET_VERSION}/leaflet.css")]

_PLACEHOLDER = re.compile(r"%\{(customdata\[(\d+)\]|z|location)(?::([^}]*))?\}")
_EXTRA = re.compile(r"<extra>.*?</extra>", re.S)
_CSS_URL = re.compile(r"url\((images/[\w.-]+\.png)\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.M)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_REMOTE_LINK = re.compile(r"<script[^>]*\ssrc=|<link[^>]*\shref=|@import", re.I)


class MapAssetsMissing(RuntimeError):
    """Leaflet has not been fetched into vendor/ (run `make map-assets`, which `make run` and `make test` do)."""


def render(traces, geojson: dict, *, title: str, subtitle: str, labels: bool, theme: Theme = THEME) -> str:
    """The HTML document of the map: `traces` (Plotly, as layers' `traces` build them) over the regions of `geojson`."""
    fmap = folium.Map(location=None, tiles=None, zoom_control=True, control_scale=True, zoom_snap=0.25)
    fmap.default_js, fmap.default_css = LEAFLET_JS, LEAFLET_CSS
    fmap.get_root().title = html.escape(title)  # branca writes it into <title> as it is
    legend: list[str] = []
    for trace in traces:
        if trace.type == "choropleth":
            _choropleth(fmap, trace, legend)
        elif trace.type == "scattergeo" and "markers" in (trace.mode or ""):
            _markers(fmap, trace, legend)
    if labels:
        _Labels(geojson).add_to(fmap)
    fmap.fit_bounds(_bounds(geojson))
    fmap.get_root().header.add_child(Element(f"<style>{_page_css(theme)}</style>"))
    fmap.get_root().html.add_child(Element(_overlay(title, subtitle, legend)))
    return _inline_leaflet(fmap.get_root().render())


def _choropleth(fmap: folium.Map, trace, legend: list[str]) -> None:
    key = (trace.featureidkey or "id").removeprefix("properties.")
    polygons = {str(f["properties"].get(key, f.get("id"))): f for f in trace.geojson["features"]}
    z = [_number(v) for v in _seq(trace.z)]
    zmin = trace.zmin if trace.zmin is not None else min((v for v in z if v is not None), default=0)
    zmax = trace.zmax if trace.zmax is not None else max((v for v in z if v is not None), default=1)
    scale = [(float(stop), colour) for stop, colour in trace.colorscale]
    line = trace.marker.line
    features, popups = [], _popups(trace)
    for i, code in enumerate(_seq(trace.locations)):
        polygon = polygons.get(str(code))
        if polygon is None:
            continue
        fill = _colour_at(scale, z[i], zmin, zmax)
        features.append({"type": "Feature", "geometry": polygon["geometry"],
                         "properties": {"fill": fill, "popup": popups[i]}})
    if not features:
        return
    style = {"color": line.color or THEME.boundary, "weight": line.width if line.width is not None else 1,
             "fillOpacity": 0 if _transparent(scale) else 0.85}
    folium.GeoJson({"type": "FeatureCollection", "features": features}, name=trace.name,
                   style_function=lambda f: {**style, "fillColor": f["properties"]["fill"]},
                   popup=_geojson_popup(trace), smooth_factor=0.5).add_to(fmap)
    if trace.showscale is not False and _seq(trace.colorbar.ticktext):
        legend.append(_class_legend(trace, scale, zmin, zmax))
    elif trace.showscale is not False and not _transparent(scale) and len({c for _, c in scale}) > 1:
        legend.append(_ramp_legend(trace, scale, zmin, zmax))
    elif trace.showlegend and trace.name:
        legend.append(_legend_row(f"border:3px solid {html.escape(line.color or '')}", trace.name))


def _markers(fmap: folium.Map, trace, legend: list[str]) -> None:
    marker, popups = trace.marker, _popups(trace)
    points = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
               "properties": {"popup": popups[i]}}
              for i, (lon, lat) in enumerate(zip(_seq(trace.lon), _seq(trace.lat)))
              if _number(lon) is not None and _number(lat) is not None]
    if trace.showlegend is not False and trace.name:
        legend.append(_legend_row(f"background:{html.escape(str(marker.color))};border-radius:50%", trace.name))
    if not points:
        return
    radius = (marker.size or 7) / 2 + 1
    style = {"color": marker.line.color or THEME.background, "weight": marker.line.width or 0.5,
             "fill": True, "fillColor": marker.color, "fillOpacity": 0.95}
    folium.GeoJson({"type": "FeatureCollection", "features": points}, name=trace.name,
                   marker=folium.CircleMarker(radius=radius), style_function=lambda _f: style,
                   popup=_geojson_popup(trace)).add_to(fmap)


class _Labels(MacroElement):
    """Region names at their label points, as divIcon markers. folium.Marker would first give each marker
    Leaflet's default icon, an image file the standalone page does not have (a failed load offline)."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this.labels|tojson }}.forEach(([lat, lon, html]) => L.marker([lat, lon], {interactive: false, keyboard: false,
    icon: L.divIcon({className: "wj-map-label-anchor", iconSize: [0, 0], html: html})}).addTo({{ this._parent.get_name() }}));
{% endmacro %}
""")

    def __init__(self, geojson: dict):
        super().__init__()
        self._name = "Labels"
        self.labels = [[f["properties"]["label_lat"], f["properties"]["label_lon"],
                        f'<span class="wj-map-label">{html.escape(str(f["properties"]["name"]))}</span>']
                       for f in geojson["features"]]


def _geojson_popup(trace) -> folium.GeoJsonPopup | None:
    if trace.hoverinfo == "skip" or not trace.hovertemplate:
        return None
    return folium.GeoJsonPopup(fields=["popup"], labels=False, class_name="wj-map-popup")


def _popups(trace) -> list[str]:
    """The trace's hover template filled for each of its items, as Plotly would fill it, every value escaped."""
    template = _EXTRA.sub("", trace.hovertemplate or "")
    count = len(_seq(trace.locations) if trace.type == "choropleth" else _seq(trace.lon))
    if trace.hoverinfo == "skip" or not template:
        return [""] * count
    rows = np.asarray(trace.customdata, dtype=object) if trace.customdata is not None else np.empty((count, 0))
    z = _seq(trace.z) if trace.type == "choropleth" else [None] * count
    locations = _seq(trace.locations) if trace.type == "choropleth" else [None] * count

    def filled(row, z_value, location) -> str:
        def fill(match: re.Match) -> str:
            field, column, spec = match.group(1), match.group(2), match.group(3)
            value = row[int(column)] if column is not None else z_value if field == "z" else location
            return html.escape(_formatted(value, spec))

        return _PLACEHOLDER.sub(fill, template)

    return [filled(row, z_value, location) for row, z_value, location in zip(rows, z, locations)]


def _formatted(value, spec: str | None) -> str:
    """A value as Plotly's d3-format would show it for the specs our templates use (",", ".1f", ".4f", …)."""
    number = _number(value)
    if value is None or (number is not None and math.isnan(number)):
        return "–"
    if spec and number is not None:
        if "f" not in spec and float(number).is_integer():
            number = int(number)
        return format(number, spec)
    return str(value)


def _seq(values) -> list:
    """A trace's data array as a list (Plotly keeps numpy arrays, whose truth value is ambiguous)."""
    return [] if values is None else list(values)


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(float(c) for c in (hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour)[:3]))


def _colour_at(scale: list[tuple[float, str]], z: float | None, zmin: float, zmax: float) -> str:
    """The colour of `z` on a Plotly colour scale (stops in 0..1 between zmin and zmax): stepped or continuous."""
    if len({colour for _, colour in scale}) == 1 or z is None:
        return scale[0][1]
    t = 0.0 if zmax <= zmin else min(max((z - zmin) / (zmax - zmin), 0.0), 1.0)
    for (low, low_colour), (high, high_colour) in zip(scale, scale[1:]):
        if low <= t <= high:
            if low_colour == high_colour or high <= low:
                return low_colour
            r, g, b = find_intermediate_color(_rgb(low_colour), _rgb(high_colour), (t - low) / (high - low))
            return f"rgb({r:.0f},{g:.0f},{b:.0f})"
    return scale[-1][1]


def _transparent(scale: list[tuple[float, str]]) -> bool:
    return all(colour.replace(" ", "").endswith(",0)") and colour.startswith("rgba") for _, colour in scale)


def _class_legend(trace, scale, zmin: float, zmax: float) -> str:
    rows = [_legend_row(f"background:{_colour_at(scale, value, zmin, zmax)}", str(label))
            for value, label in zip(_seq(trace.colorbar.tickvals), _seq(trace.colorbar.ticktext))]
    return _legend_block(trace.colorbar.title.text or trace.name or "", reversed(rows))


def _ramp_legend(trace, scale, zmin: float, zmax: float) -> str:
    stops = ", ".join(f"{colour} {stop * 100:.0f}%" for stop, colour in scale)
    bar = (f'<div class="wj-map-ramp" style="background:linear-gradient(to right, {stops})"></div>'
           f'<div class="wj-map-ramp-ends"><span>{_formatted(zmin, ",")}</span><span>{_formatted(zmax, ",")}</span></div>')
    return _legend_block(trace.colorbar.title.text or trace.name or "", [bar])


def _legend_block(title: str, rows) -> str:
    return f'<div class="wj-map-legend-title">{html.escape(title)}</div>' + "".join(rows)


def _legend_row(swatch_style: str, label: str) -> str:
    return (f'<div class="wj-map-legend-row"><span class="wj-map-swatch" style="{swatch_style}"></span>'
            f"{html.escape(label)}</div>")


def _bounds(geojson: dict) -> list[list[float]]:
    lons, lats = [], []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            lons.append(coords[0])
            lats.append(coords[1])
        else:
            for part in coords:
                walk(part)

    for feature in geojson["features"]:
        walk(feature["geometry"]["coordinates"])
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _overlay(title: str, subtitle: str, legend: list[str]) -> str:
    box = f'<div class="wj-map-legend">{"".join(legend)}</div>' if legend else ""
    return (f'<div class="wj-map-head"><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></div>{box}')


def _page_css(theme: Theme) -> str:
    return f"""
html, body {{ background: {theme.panel}; color: {theme.text}; font-family: {theme.font_family}; }}
.folium-map.leaflet-container {{ background: {theme.panel}; font-family: {theme.font_family}; }}
.wj-map-head {{ position: absolute; top: 10px; left: 56px; z-index: 1000; background: rgba(11,26,46,0.85);
  padding: 6px 12px; border-radius: 4px; pointer-events: none; }}
.wj-map-head h1 {{ font-size: 18px; margin: 0; }}
.wj-map-head p {{ font-size: 12px; margin: 2px 0 0; color: {theme.muted}; }}
.wj-map-legend {{ position: absolute; bottom: 28px; right: 10px; z-index: 1000; background: rgba(11,26,46,0.85);
  padding: 8px 10px; border-radius: 4px; font-size: 12px; max-width: 260px; }}
.wj-map-legend-title {{ font-weight: bold; margin: 4px 0; }}
.wj-map-legend-row {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; }}
.wj-map-swatch {{ display: inline-block; width: 14px; height: 14px; box-sizing: border-box; }}
.wj-map-ramp {{ width: 200px; height: 12px; }}
.wj-map-ramp-ends {{ display: flex; justify-content: space-between; width: 200px; }}
.wj-map-label {{ display: inline-block; transform: translate(-50%, -50%); white-space: nowrap; font-size: 12px;
  color: {theme.text}; text-shadow: 0 0 3px {theme.background}, 0 0 3px {theme.background}; pointer-events: none; }}
.wj-map-popup {{ font-family: {theme.font_family}; font-size: 13px; }}
"""


def _inline_leaflet(document: str) -> str:
    """The document with Leaflet's script and style sheet inlined from vendor/; raises if anything remote is left."""
    if not (LEAFLET_DIR / "leaflet.js").is_file():
        raise MapAssetsMissing(f"{LEAFLET_DIR} has no leaflet.js: run `make map-assets` (fetches leaflet@{LEAFLET_VERSION})")
    script = _SOURCE_MAP.sub("", (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8"))
    css = _CSS_URL.sub(lambda m: "url(data:image/png;base64,"
                       + base64.b64encode((LEAFLET_DIR / m.group(1)).read_bytes()).decode("ascii") + ")",
                       _CSS_COMMENT.sub("", (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")))
    for _, url in LEAFLET_JS:
        document = document.replace(f'<script src="{url}"></script>', f"<script>{script}</script>")
    for _, url in LEAFLET_CSS:
        document = document.replace(f'<link rel="stylesheet" href="{url}"/>', f"<style>{css}</style>")
    left = _REMOTE_LINK.search(document)
    if left:
        raise RuntimeError(f"the offline map still links a file: {document[left.start():left.start() + 120]!r}")
    return document
