"""Inspection layer: non-compliant inspections per region (choropleth), and entities by their results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import class_colours, region_outline
from dashboard.theme import Theme
from data.queries import inspections
from layers.base import Layer, View

# Natural breaks: non-compliance counts are skewed (a provincial capital has many times a rural county's
# inspections), so classes follow the gaps in the data; quantiles would split near-equal counties apart
# and lump the few large ones with the middling.
SCHEME = "natural_breaks"


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    rate = (frame["rate"].fillna(0) * 100).round(1)
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + i18n.t("non_compliant", lang) + ": %{z:,}<br>"
        + i18n.t("inspections", lang) + ": %{customdata[1]:,}<br>"
        + i18n.t("rate", lang) + ": %{customdata[2]}%<extra></extra>"
    )
    return [
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.adcode",
            locations=frame["adcode"],
            z=frame["non_compliant"],
            customdata=np.column_stack([frame["name"], frame["inspections"], rate]),
            hovertemplate=hover,
            marker=dict(line=dict(color=theme.boundary, width=0.8)),
            **class_colours(frame["non_compliant"], SCHEME, theme,
                            colorbar=dict(title=dict(text=i18n.t("non_compliant", lang)), thickness=12, len=0.6, x=0.98)),
            name=i18n.t("non_compliant", lang),
        )
    ]


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    outline = region_outline(geojson, theme)
    classes = [
        (frame["non_compliant"] > 0, theme.bad, i18n.t("class_non_compliant", lang)),
        ((frame["non_compliant"] == 0) & (frame["inspections"] > 0), theme.good, i18n.t("class_compliant", lang)),
        (frame["inspections"] == 0, theme.muted, i18n.t("class_not_inspected", lang)),
    ]
    traces: list[BaseTraceType] = [outline]
    for mask, colour, label in classes:
        part = frame[mask]
        specialty = [i18n.specialty_label(s, lang) for s in part["specialty"]]
        grade = part["grade"].fillna(i18n.t("ungraded", lang))
        traces.append(
            go.Scattergeo(
                lon=part["lon"],
                lat=part["lat"],
                mode="markers",
                marker=dict(size=7, color=colour, line=dict(width=0.5, color=theme.background)),
                name=f"{label} ({len(part):,})",
                customdata=np.column_stack([part["name"], specialty, grade, part["inspections"], part["non_compliant"], part["id"]])
                if len(part) else None,
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} · " + i18n.t("grade", lang) + " %{customdata[2]}<br>"
                    + i18n.t("inspections", lang) + " %{customdata[3]} · " + i18n.t("non_compliant", lang)
                    + " %{customdata[4]}<extra></extra>"
                ),
            )
        )
    return traces


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["non_compliant"], "id": frame["adcode"]})


def entity_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    failed = frame[frame["non_compliant"] > 0]
    return pd.DataFrame({"name": failed["name"], "value": failed["non_compliant"], "id": failed["id"]})


def summary(frame: pd.DataFrame, lang: str) -> str:
    inspected, failed = int(frame["inspections"].sum()), int(frame["non_compliant"].sum())
    rate = f"{failed / inspected:.1%}" if inspected else "–"
    line = (f"{i18n.t('inspections', lang)} {inspected:,} · {i18n.t('non_compliant', lang)} {failed:,} · "
            f"{i18n.t('rate', lang)} {rate}")
    if "id" in frame.columns:  # the entity view
        line += f" · {i18n.t('entities', lang)} {len(frame):,}"
    return line


def entity_link(point: dict, lang: str) -> str | None:
    """A clicked entity point opens its entity file (its id is the last of the point's customdata)."""
    data = point.get("customdata")
    last = str(data[-1]) if isinstance(data, list) and data else ""
    return f"/entity/{last}?lang={lang}" if last.isdigit() else None


INSPECTION = Layer(
    key="inspection",
    regions_view=View(
        query=inspections.noncompliance_by_child,
        required=("adcode", "name", "inspections", "non_compliant", "rate"),
        traces=region_traces,
        rank=region_ranking,
        rank_title="ranking_children",
        map_title="map_title_regions",
        summary=summary,
    ),
    points_view=View(
        query=inspections.entity_results,
        required=("id", "name", "specialty", "grade", "lon", "lat", "inspections", "non_compliant"),
        traces=point_traces,
        rank=entity_ranking,
        rank_title="ranking_entities",
        map_title="map_title_points",
        summary=summary,
    ),
    point_link=entity_link,
)
