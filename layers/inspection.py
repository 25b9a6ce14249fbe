"""Inspection layer: non-compliant inspections per region (choropleth), and entities by their results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import integer_ticks
from dashboard.theme import Theme
from data.queries import inspections
from layers.base import Layer


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
            colorscale=theme.colorscale(),
            zmin=0,
            marker=dict(line=dict(color=theme.boundary, width=0.8)),
            colorbar=dict(title=dict(text=i18n.t("non_compliant", lang)), thickness=12, len=0.6, x=0.98,
                          **integer_ticks(float(frame["non_compliant"].max() if len(frame) else 0))),
            name=i18n.t("non_compliant", lang),
        )
    ]


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    outline = go.Choropleth(
        geojson=geojson,
        featureidkey="properties.adcode",
        locations=[f["properties"]["adcode"] for f in geojson["features"]],
        z=[0] * len(geojson["features"]),
        colorscale=[[0, theme.background], [1, theme.background]],
        showscale=False,
        hoverinfo="skip",
        marker=dict(line=dict(color=theme.boundary, width=1.5)),
    )
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


INSPECTION = Layer(
    key="inspection",
    regions_query=inspections.noncompliance_by_child,
    regions_required=("adcode", "name", "inspections", "non_compliant", "rate"),
    regions_traces=region_traces,
    points_query=inspections.entity_results,
    points_required=("id", "name", "specialty", "grade", "lon", "lat", "inspections", "non_compliant"),
    points_traces=point_traces,
)
