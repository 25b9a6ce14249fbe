"""A map layer is data: its queries, the columns they must return, its legend, and how rows become traces.

Pages and callbacks never name a layer; they ask the registry (layers.registry.REGISTRY). A layer
draws two views: a choropleth of the child regions of the current region, and points of entities
once the region has no children left to drill into.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from plotly.basedatatypes import BaseTraceType

from dashboard.theme import Theme
from data.queries.base import Query
from data.queries.filters import Filters, Scope
from data.store import Store

TraceBuilder = Callable[[pd.DataFrame, dict, Theme, str], list[BaseTraceType]]


class LayerDataError(RuntimeError):
    """A query returned a frame without the columns its layer needs: a programming error, said plainly."""


@dataclass(frozen=True)
class Layer:
    key: str  # also the i18n key of its title
    regions_query: Query
    regions_required: tuple[str, ...]
    regions_traces: TraceBuilder  # (frame, geojson of the child regions, theme, lang) → traces
    points_query: Query
    points_required: tuple[str, ...]
    points_traces: TraceBuilder  # (frame, geojson of the leaf region, theme, lang) → traces

    def regions(self, store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
        return _checked(self.key, self.regions_query(store, filters, scope), self.regions_required)

    def points(self, store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
        return _checked(self.key, self.points_query(store, filters, scope), self.points_required)


def _checked(key: str, frame: pd.DataFrame, required: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LayerDataError(f"layer {key!r}: query returned no column(s) {', '.join(missing)}")
    return frame
