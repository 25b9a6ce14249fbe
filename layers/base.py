"""A map layer is data: its queries, the columns they must return, its legend, and how rows become traces.

Pages and callbacks never name a layer; they ask the registry (layers.registry.REGISTRY). A layer
draws two views: a choropleth of the child regions of the current region, and points of entities
once the region has no children left to drill into. It also says what the page's charts beside the
map follow: which monthly measures the trend draws, and by which type its records break down. A layer may depend on data that does not exist
yet (risk levels before a risk model has run): it then says so through `available`, and the registry
offers only the layers available to the viewer, so no page lists an empty layer and no URL draws one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from plotly.basedatatypes import BaseTraceType

from dashboard.theme import Theme
from data.queries import overview
from data.queries.base import Query
from data.queries.filters import Filters, Scope
from data.store import Store

TraceBuilder = Callable[[pd.DataFrame, dict, Theme, str], list[BaseTraceType]]
Ranker = Callable[[pd.DataFrame, str], pd.DataFrame]  # (frame, lang) → name, value, id (id drills down when a region code)
Summariser = Callable[[pd.DataFrame, str], str]  # (frame, lang) → one line of totals
PointLink = Callable[[dict, str], "str | None"]  # (a clicked point of the points view, lang) → a page URL
Availability = Callable[[Store, Scope], bool]  # does the data this layer shows exist for this viewer?


class LayerDataError(RuntimeError):
    """A query returned a frame without the columns its layer needs: a programming error, said plainly."""


@dataclass(frozen=True)
class View:
    """One of a layer's two views: what to query, what it must return, how to draw, rank and sum it up."""

    query: Query
    required: tuple[str, ...]
    traces: TraceBuilder  # (frame, geojson of the regions drawn, theme, lang) → traces
    rank: Ranker
    rank_title: str  # i18n key
    map_title: str  # i18n key
    summary: Summariser


@dataclass(frozen=True)
class Breakdown:
    """The records of a layer by type: a query answering (kind, records), its chart title and its labels."""

    query: Query
    title: str  # i18n key
    label_prefix: str | None  # i18n key prefix of each kind; None: kinds are shown as stored (free text)


INSPECTION_KINDS = Breakdown(overview.inspection_kinds, "breakdown_inspection_kinds", "inspection_kind_")
PENALTY_KINDS = Breakdown(overview.penalty_kinds, "breakdown_penalty_kinds", "penalty_kind_")
COMPLAINT_CATEGORIES = Breakdown(overview.complaint_categories, "breakdown_complaint_categories", None)


@dataclass(frozen=True)
class Layer:
    key: str  # also the i18n key of its name
    regions_view: View  # the children of the current region, as a choropleth
    points_view: View  # a region without children: its points
    point_link: PointLink | None = None  # where a click on one of its points leads (None: nowhere yet)
    # The monthly measures of the trend (data.queries.overview.MEASURES; also i18n keys): the first as bars,
    # a second as a line on its own axis. Inspections by default, for layers whose records have no monthly count.
    trend: tuple[str, ...] = ("inspections", "non_compliant")
    kinds: Breakdown = INSPECTION_KINDS
    availability: Availability | None = None  # None: always available

    def available(self, store: Store, scope: Scope) -> bool:
        return self.availability is None or self.availability(store, scope)

    def view(self, leaf: bool) -> View:
        return self.points_view if leaf else self.regions_view

    def data(self, leaf: bool, store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
        view = self.view(leaf)
        return _checked(self.key, view.query(store, filters, scope), view.required)


def _checked(key: str, frame: pd.DataFrame, required: tuple[str, ...]) -> pd.DataFrame:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LayerDataError(f"layer {key!r}: query returned no column(s) {', '.join(missing)}")
    return frame
