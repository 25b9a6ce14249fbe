"""Penalty layer: administrative penalties (行政处罚) decided in the period, per region and per entity.

The regions view colours child regions by the number of cases (how often supervision ended in a
penalty), with the amounts in the tooltip and the summary: a few large fines would otherwise hide
where cases are frequent. Province and city views read the rollups (data/queries/penalties.by_child).
Inside a county each penalised entity is a point sized and coloured by the total amount, so the
heavy cases stand out (the ranking beside it orders them by amount too); warnings (no amount) stay
visible at the smallest size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import class_colours, integer_ticks, region_outline
from dashboard.theme import Theme
from data.queries import penalties
from layers.base import PENALTY_KINDS, Layer, View

# Natural breaks: case counts are skewed like the inspections they come from (few regions with many cases).
SCHEME = "natural_breaks"
SMALLEST, LARGEST = 7, 24  # marker diameters in px; the area grows with the amount


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    hover = ("<b>%{customdata[0]}</b><br>" + i18n.t("penalties", lang) + ": %{z:,}<br>"
             + i18n.t("penalty_amount", lang) + ": ¥%{customdata[1]:,.0f}<extra></extra>")
    return [go.Choropleth(
        geojson=geojson, featureidkey="properties.adcode", locations=frame["adcode"], z=frame["penalties"],
        customdata=np.column_stack([frame["name"], frame["penalty_amount"]]), hovertemplate=hover,
        marker=dict(line=dict(color=theme.boundary, width=0.8)),
        **class_colours(frame["penalties"], SCHEME, theme,
                        colorbar=dict(title=dict(text=i18n.t("penalties", lang)), thickness=12, len=0.6, x=0.98)),
        name=i18n.t("penalties", lang),
    )]


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    outline = region_outline(geojson, theme)
    if frame.empty:
        return [outline]
    frame = frame.sort_values("penalty_amount")  # the largest drawn last, on top
    amount = frame["penalty_amount"].to_numpy()
    top = float(amount.max())
    size = SMALLEST + (LARGEST - SMALLEST) * np.sqrt(amount / top) if top > 0 else np.full(len(frame), SMALLEST)
    # The two darkest steps of the sequential scale vanish as dots on the dark ground: the smallest amount
    # starts at the light blue. Only warnings (no amount at all): one colour, no colour bar of zeros.
    bright = theme.sequential[2:]
    marker = dict(size=size, opacity=0.9, line=dict(width=0.5, color=theme.background), color=bright[0])
    if top > 0:
        marker.update(color=amount, cmin=0, cmax=top,
                      colorscale=[[i / (len(bright) - 1), c] for i, c in enumerate(bright)],
                      colorbar=dict(title=dict(text=i18n.t("penalty_amount_yuan", lang)), thickness=12, len=0.6,
                                    x=0.98, **integer_ticks(top)))
    specialty = [i18n.specialty_label(s, lang) for s in frame["specialty"]]
    return [outline, go.Scattergeo(
        lon=frame["lon"], lat=frame["lat"], mode="markers", marker=marker,
        customdata=np.column_stack([frame["name"], specialty, frame["penalties"], amount, frame["id"]]),
        hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]}<br>" + i18n.t("penalties", lang)
                       + ": %{customdata[2]} · " + i18n.t("penalty_amount", lang) + ": ¥%{customdata[3]:,.0f}<extra></extra>"),
        name=i18n.t("penalised_entities", lang), showlegend=False,
    )]


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["penalties"], "id": frame["adcode"]})


def entity_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Entities by amount in whole yuan, like the points' sizes (the case count is in the tooltip); entities
    with warnings only have no amount and, like every zero, no bar."""
    return pd.DataFrame({"name": frame["name"], "value": frame["penalty_amount"].round().astype(int), "id": frame["id"]})


def summary(frame: pd.DataFrame, lang: str) -> str:
    line = (f"{i18n.t('penalties', lang)} {int(frame['penalties'].sum()):,} · "
            f"{i18n.t('penalty_amount', lang)} ¥{float(frame['penalty_amount'].sum()):,.0f}")
    if "id" in frame.columns:  # the entity view
        line += f" · {i18n.t('penalised_entities', lang)} {len(frame):,}"
    return line


PENALTY = Layer(
    key="penalty",
    regions_view=View(
        query=penalties.by_child,
        required=("adcode", "name", "penalties", "penalty_amount"),
        traces=region_traces, rank=region_ranking, rank_title="ranking_penalties",
        map_title="map_title_penalties", summary=summary,
    ),
    points_view=View(
        query=penalties.by_entity,
        required=("id", "name", "specialty", "lon", "lat", "penalties", "penalty_amount"),
        traces=point_traces, rank=entity_ranking, rank_title="ranking_penalised",
        map_title="map_title_penalty_points", summary=summary,
    ),
    trend=("penalties", "penalty_amount"),
    kinds=PENALTY_KINDS,
)
