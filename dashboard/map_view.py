"""What the manager page's map shows for a region, a layer and the filters: one builder for the page and its exports.

The page draws these traces with Plotly (callbacks/manager.py); the offline HTML export draws the same traces
with Leaflet (dashboard/offline_map.py), so a file emailed from the page holds exactly what the viewer saw:
the same query, the same scope, the same classes and the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.theme import THEME
from data.queries.filters import Filters, Scope
from geo import boundaries
from layers.base import Layer, View

CHINA_TIME = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class MapView:
    view: View
    frame: pd.DataFrame  # the layer's rows (regions or points), with its attrs (computed_at)
    geojson: dict  # the drawn regions: the children of the region, or the region itself when it has none
    traces: list[BaseTraceType]
    title: str  # "<region> · <what the layer shows>"
    leaf: bool  # a region without children: points, no region labels

    def period_line(self, filters: Filters, lang: str) -> str:
        """"2026-01-01 – 2026-06-30 · 计算于 2026-07-01 08:00:00": the period and when its figures were computed."""
        period, computed = filters.period, self.frame.attrs.get("computed_at")
        line = f"{period.start} – {period.end}"
        if computed is not None:
            line += f" · {i18n.t('computed_at', lang)} {computed.astimezone(CHINA_TIME):%Y-%m-%d %H:%M:%S}"
        return line


def build(layer: Layer, store, filters: Filters, scope: Scope, region, kids: pd.DataFrame, lang: str,
          cache_dir: Path) -> MapView:
    """The map of `region` (already checked against `scope` by the caller; the layer's query checks it again)."""
    leaf = kids.empty
    view = layer.view(leaf)
    frame = layer.data(leaf, store, filters, scope)
    drawn_level = region.level if leaf else kids["level"].iloc[0]
    geojson = boundaries.simplified_geojson(filters.region, drawn_level, cache_dir)
    return MapView(view, frame, geojson, view.traces(frame, geojson, THEME, lang),
                   f"{region.name} · {i18n.t(view.map_title, lang)}", leaf)
