"""Figure composition shared by pages: the offline map frame and the ranking bar chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard.theme import Theme
from geo import classify

CLASSES = 5  # legend classes of a choropleth

# Plotly's geo subplot asks for a world topojson even when no base layer is drawn; we serve an empty
# one from assets/ so nothing is fetched from the internet (config topojsonURL on every map graph).
TOPOJSON_URL = "/assets/topojson/"
MAP_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False, "scrollZoom": True}


def region_outline(geojson: dict, theme: Theme) -> go.Choropleth:
    """The drawn region(s) as a plain filled outline: the ground under a point or hexagon view."""
    features = geojson["features"]
    return go.Choropleth(
        geojson=geojson,
        featureidkey="properties.adcode",
        locations=[f["properties"]["adcode"] for f in features],
        z=[0] * len(features),
        colorscale=[[0, theme.background], [1, theme.background]],
        showscale=False,
        hoverinfo="skip",
        marker=dict(line=dict(color=theme.boundary, width=1.5)),
    )


# Past about forty regions their names overlap into noise (Brooklyn's 69 neighbourhoods); the hover text and
# the ranking beside the map name them instead.
MAX_LABELS = 40


def map_figure(traces: list[BaseTraceType], geojson: dict, theme: Theme, labels: bool) -> go.Figure:
    """A map of the given traces fitted to their locations, on a plain background (no tiles)."""
    fig = go.Figure(data=traces)
    features = geojson["features"]
    if labels and len(features) <= MAX_LABELS:
        fig.add_trace(
            go.Scattergeo(
                lon=[f["properties"]["label_lon"] for f in features],
                lat=[f["properties"]["label_lat"] for f in features],
                text=[f["properties"]["name"] for f in features],
                mode="text",
                # A halo of the background colour keeps the light labels readable on the light (amber, red) fills.
                textfont=dict(color=theme.text, size=12, family=theme.font_family,
                              shadow=", ".join(f"{x}px {y}px 2px {theme.background}" for x in (-1, 1) for y in (-1, 1))),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    fig.update_geos(
        visible=False,
        fitbounds="locations",
        projection_type="mercator",
        bgcolor=theme.panel,
        showland=False,
        showcountries=False,
        showcoastlines=False,
        showframe=False,
    )
    fig.update_layout(
        template=theme.plotly_template(),
        margin=dict(l=0, r=0, t=0, b=0),
        legend=dict(x=0.01, y=0.01, bgcolor="rgba(0,0,0,0.3)"),
        clickmode="event",
    )
    return fig


def class_colours(values, scheme: str, theme: Theme, colorbar: dict, k: int = CLASSES) -> dict:
    """zmin, zmax, a stepped colour scale and colour-bar ticks for a choropleth of the raw `values`.

    The map then shows a handful of classes (geo.classify, natural breaks or quantiles as the layer
    chooses) instead of a continuous ramp in which one large region washes the rest out, while z, the
    hover and the clicks keep the real numbers. `colorbar` is the layer's own colour-bar settings (title).
    """
    classes = classify.classify(values, scheme, k)
    # Plotly drops ticksuffix where ticktext is given: the class labels carry it themselves.
    labels = [label + colorbar.get("ticksuffix", "") for label in classes.labels]
    if not classes.bins:
        return dict(colorscale=theme.colorscale(), zmin=0, zmax=1, colorbar=colorbar)
    data = np.asarray(values, dtype="float64")
    low, high = float(np.nanmin(data)), classes.bins[-1]
    colours = theme.sequential[-len(classes.bins):]
    if high <= low:  # one value: one class
        return dict(colorscale=[[0, colours[-1]], [1, colours[-1]]], zmin=low, zmax=low + 1,
                    colorbar=dict(colorbar, tickvals=[low], ticktext=labels))
    edges = [0.0] + [(b - low) / (high - low) for b in classes.bins]
    scale = []
    for colour, start, end in zip(colours, edges[:-1], edges[1:]):
        scale += [[start, colour], [end, colour]]
    lower = [low, *classes.bins[:-1]]
    middles = [(a + b) / 2 for a, b in zip(lower, classes.bins)]
    return dict(colorscale=scale, zmin=low, zmax=high, colorbar=dict(colorbar, tickvals=middles, ticktext=labels))


def integer_ticks(maximum: float) -> dict:
    """Axis settings for counts: whole-number ticks, about five of them."""
    step = max(1, int(round(maximum / 5))) if maximum else 1
    magnitude = 10 ** (len(str(step)) - 1)
    return {"tick0": 0, "dtick": max(1, round(step / magnitude) * magnitude), "tickformat": ",d"}


def ranking_figure(frame: pd.DataFrame, label_column: str, value_column: str, id_column: str, theme: Theme, lang: str,
                   top: int = 20) -> go.Figure:
    """Horizontal bars, largest first (on top), at most `top`; bar customdata carries the id to drill into.

    Zero values are left out: a ranking of what did not happen says nothing."""
    frame = frame[frame[value_column] > 0]
    ranked = frame.sort_values([value_column, label_column], ascending=[False, True]).head(top).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=ranked[value_column],
            y=ranked[label_column],
            orientation="h",
            customdata=ranked[id_column],
            marker=dict(color=ranked[value_column], colorscale=theme.colorscale(skip_darkest=True), cmin=0),
            text=ranked[value_column],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        template=theme.plotly_template(),
        margin=dict(l=10, r=50, t=10, b=10),
        xaxis=dict(rangemode="tozero", automargin=True,
                   **integer_ticks(float(ranked[value_column].max() if len(ranked) else 0))),
        # At least ten bar slots, filled from the top: three bars stay bars, not slabs across the panel.
        yaxis=dict(automargin=True, type="category", range=[len(ranked) - max(len(ranked), 10) - 0.5, len(ranked) - 0.5]),
        bargap=0.25,
    )
    return fig


def trend_figure(months: list[str], series: list[tuple[str, list]], theme: Theme) -> go.Figure:
    """Monthly counts: the first series as bars, a second as a line on its own axis; every point carries its month.

    `series` is [(name, values)], `months` their YYYY-MM labels (the month a click narrows the period to)."""
    (name, values), *rest = series
    traces = [go.Bar(x=months, y=values, name=name, customdata=months, marker_color=theme.accent,
                     hovertemplate="%{x}: %{y:,}<extra>" + name + "</extra>")]
    for line_name, line_values in rest[:1]:
        traces.append(go.Scatter(x=months, y=line_values, name=line_name, customdata=months, mode="lines+markers",
                                 line=dict(color=theme.bad, width=2.5), yaxis="y2",
                                 hovertemplate="%{x}: %{y:,}<extra>" + line_name + "</extra>"))
    fig = go.Figure(traces)
    peak = max([0, *rest[0][1]]) if rest else 0
    fig.update_layout(
        template=theme.plotly_template(), margin=dict(l=10, r=10, t=30, b=10), bargap=0.3, clickmode="event",
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        xaxis=dict(type="category", automargin=True, tickangle=0, nticks=8),
        yaxis=dict(automargin=True, rangemode="tozero", **integer_ticks(float(max([0, *values])))),
        yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False, automargin=True,
                    **integer_ticks(float(peak))),
    )
    return fig


def breakdown_figure(labels: list[str], values: list, keys: list, theme: Theme, selected: str | None = None) -> go.Figure:
    """Horizontal bars in the given order (first on top), each carrying its key; `selected` stands out."""
    colours = [theme.accent if selected in (None, key) else theme.border for key in keys]
    fig = go.Figure(go.Bar(
        x=values[::-1], y=labels[::-1], customdata=keys[::-1], orientation="h", marker_color=colours[::-1],
        text=values[::-1], texttemplate="%{x:,}", textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,}<extra></extra>",
    ))
    fig.update_layout(
        template=theme.plotly_template(), margin=dict(l=10, r=50, t=10, b=10), bargap=0.25, clickmode="event",
        xaxis=dict(rangemode="tozero", automargin=True, **integer_ticks(float(max([0, *values])))),
        # At least eight bar slots, filled from the top: four kinds stay bars, not slabs.
        yaxis=dict(automargin=True, type="category", range=[len(labels) - max(len(labels), 8) - 0.5, len(labels) - 0.5]),
    )
    return fig


def stacked_figure(labels: list[str], keys: list, series: list[tuple[str, list, str]], theme: Theme,
                   selected: str | None = None) -> go.Figure:
    """Horizontal stacked bars in the given order (first on top): one trace per (name, values, colour), every bar
    carrying its key for a click; bars other than `selected` are faded when one is selected."""
    opacity = [1.0 if selected in (None, key) else 0.35 for key in keys][::-1]
    fig = go.Figure([go.Bar(x=values[::-1], y=labels[::-1], customdata=keys[::-1], orientation="h", name=name,
                            marker=dict(color=colour, opacity=opacity), hovertemplate="%{y} · " + name + ": %{x:,}<extra></extra>")
                     for name, values, colour in series])
    totals = [sum(parts) for parts in zip(*(values for _, values, _ in series))] or [0]
    fig.update_layout(
        template=theme.plotly_template(), barmode="stack", margin=dict(l=10, r=20, t=30, b=10), bargap=0.25,
        clickmode="event", legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"),
        xaxis=dict(rangemode="tozero", automargin=True, **integer_ticks(float(max(totals)))),
        yaxis=dict(automargin=True, type="category", range=[len(labels) - max(len(labels), 8) - 0.5, len(labels) - 0.5]),
    )
    return fig
