"""Drawing shared by the layers that sort entities into a few classes (hygiene grade, risk level).

Both show, per child region, the share of the worst classes as a choropleth with every class count in
the tooltip, and inside a county each entity as a point coloured by its class with one legend entry per
class. They differ only in their classes, colours and words, which they pass in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import class_colours, region_outline
from dashboard.theme import Theme

# Quantiles: a share is bounded (0-100 %) and regions bunch within a few points of each other, so
# natural breaks would give one outlier a class and everyone else one colour; quantile classes hold as
# many regions each and rank the regions against each other, which is what a share is read for.
SCHEME = "quantiles"


@dataclass(frozen=True)
class EntityClass:
    value: str | None  # as stored (None: not graded / not assessed)
    count_column: str  # its count in the regions frame
    label: str  # i18n key
    colour: Callable[[Theme], str]


def share_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str, *, share: str, share_label: str,
                 classes: tuple[EntityClass, ...]) -> list[BaseTraceType]:
    """The regions with a share coloured by it (in %), every count in the tooltip.

    A region with nothing classed (no share) keeps the plain ground, with its counts and "–" in its
    tooltip, instead of passing for 0 %."""
    counts = ("<br>".join(f"{i18n.t(c.label, lang)}: %{{customdata[{i + 1}]:,}}" for i, c in enumerate(classes))
              + f"<br>{i18n.t('entities', lang)}: %{{customdata[{len(classes) + 1}]:,}}<extra></extra>")

    def customdata(part: pd.DataFrame):
        return np.column_stack([part["name"], *(part[c.count_column] for c in classes), part["entities"]]) if len(part) else None

    known, unknown = frame[frame[share].notna()], frame[frame[share].isna()]
    return [
        go.Choropleth(
            geojson=geojson, featureidkey="properties.adcode", locations=unknown["adcode"], z=np.zeros(len(unknown)),
            colorscale=[[0, theme.background], [1, theme.background]], showscale=False, customdata=customdata(unknown),
            hovertemplate="<b>%{customdata[0]}</b><br>" + i18n.t(share_label, lang) + ": –<br>" + counts,
            marker=dict(line=dict(color=theme.boundary, width=0.8)), showlegend=False,
        ),
        go.Choropleth(
            geojson=geojson, featureidkey="properties.adcode", locations=known["adcode"],
            z=(known[share] * 100).round(1), customdata=customdata(known),
            hovertemplate="<b>%{customdata[0]}</b><br>" + i18n.t(share_label, lang) + ": %{z:.1f}%<br>" + counts,
            marker=dict(line=dict(color=theme.boundary, width=0.8)),
            **class_colours((known[share] * 100).round(1), SCHEME, theme,
                            colorbar=dict(title=dict(text=i18n.t(share_label, lang)), thickness=12, len=0.6, x=0.98,
                                          ticksuffix="%")),
            name=i18n.t(share_label, lang),
        ),
    ]


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str, *, column: str,
                 classes: tuple[EntityClass, ...], title: str) -> list[BaseTraceType]:
    """One trace per class, in the given order (the worst last, drawn on top), named with its count."""
    traces: list[BaseTraceType] = [region_outline(geojson, theme)]
    for entity_class in classes:
        part = frame[frame[column].isna()] if entity_class.value is None else frame[frame[column] == entity_class.value]
        label = i18n.t(entity_class.label, lang)
        specialty = [i18n.specialty_label(s, lang) for s in part["specialty"]]
        traces.append(go.Scattergeo(
            lon=part["lon"], lat=part["lat"], mode="markers",
            marker=dict(size=8, color=entity_class.colour(theme), line=dict(width=0.5, color=theme.background)),
            name=f"{label} ({len(part):,})",
            customdata=np.column_stack([part["name"], specialty, [label] * len(part), part["id"]]) if len(part) else None,
            hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[1]} · " + i18n.t(title, lang)
                           + ": %{customdata[2]}<extra></extra>"),
        ))
    return traces


def by_specialty(frame: pd.DataFrame, column: str, worst: tuple[str, ...], lang: str) -> pd.DataFrame:
    """How many entities of the worst classes each specialty has: the ranking of a points view."""
    counts = frame[frame[column].isin(worst)].groupby("specialty").size()
    return pd.DataFrame({"name": [i18n.specialty_label(s, lang) for s in counts.index], "value": counts.to_numpy(),
                         "id": [None] * len(counts)})
