"""Complaint layer: complaints per region in natural-breaks classes with Gi* hot and cold spots outlined;
inside a county, complaints aggregated into hexagons with their own Gi* (distance band)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import class_colours, region_outline
from dashboard.theme import Theme
from data.queries import complaints
from geo import hexagons, hotspots
from layers.base import COMPLAINT_CATEGORIES, Layer, View

HEX_SIZE_M = 600
# Natural breaks: complaint counts are skewed (cities with many residents and entities report far more).
SCHEME = "natural_breaks"


def _spot_outlines(geojson: dict, codes, spots, z, p, theme: Theme, lang: str) -> list[BaseTraceType]:
    traces = []
    for spot, colour in (("hot", theme.bad), ("cold", theme.accent)):
        mask = np.asarray(spots) == spot
        if not mask.any():
            continue
        traces.append(go.Choropleth(
            geojson=geojson, featureidkey="properties.adcode", locations=np.asarray(codes)[mask],
            z=np.zeros(mask.sum()), colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker=dict(line=dict(color=colour, width=3.5)),
            customdata=np.column_stack([np.asarray(z)[mask].round(2), np.asarray(p)[mask]]),
            hovertemplate=i18n.t(f"spot_{spot}", lang) + " Gi* z=%{customdata[0]}, p=%{customdata[1]:.4f}<extra></extra>",
            name=i18n.t(f"spot_{spot}", lang), showlegend=True,
        ))
    return traces


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    polygons = {f["properties"]["adcode"]: f for f in geojson["features"]}
    frame = frame[frame["adcode"].isin(polygons)]
    legend = dict(title=dict(text=i18n.t("complaints", lang)), thickness=12, len=0.6, x=0.98)
    spots = hotspots.regions(
        _frame_with_geometry(frame, polygons), "complaints") if len(frame) >= 3 else None
    rate = frame["per_1000_entities"].fillna(0)
    traces: list[BaseTraceType] = [go.Choropleth(
        geojson=geojson, featureidkey="properties.adcode", locations=frame["adcode"],
        z=frame["complaints"], **class_colours(frame["complaints"], SCHEME, theme, colorbar=legend),
        marker=dict(line=dict(color=theme.boundary, width=0.8)),
        customdata=np.column_stack([
            frame["name"], frame["complaints"], rate,
            spots["z"].round(2) if spots is not None else np.zeros(len(frame)),
            spots["p"] if spots is not None else np.ones(len(frame)),
        ]),
        hovertemplate=("<b>%{customdata[0]}</b><br>" + i18n.t("complaints", lang) + ": %{customdata[1]:,}<br>"
                       + i18n.t("per_1000_entities", lang) + ": %{customdata[2]}<br>"
                       "Gi* z=%{customdata[3]}, p=%{customdata[4]:.4f}<extra></extra>"),
        name=i18n.t("complaints", lang), showlegend=False,
    )]
    if spots is not None:
        traces += _spot_outlines(geojson, frame["adcode"], spots["spot"], spots["z"], spots["p"], theme, lang)
    return traces


def _frame_with_geometry(frame: pd.DataFrame, polygons: dict) -> gpd.GeoDataFrame:
    geometry = [shapely.geometry.shape(polygons[code]["geometry"]) for code in frame["adcode"]]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs="EPSG:4326")


def hexagon_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    outline = region_outline(geojson, theme)
    if frame.empty:
        return [outline]
    cells = hexagons.aggregate(frame["lon"], frame["lat"], HEX_SIZE_M)
    ids = (cells["q"].astype(str) + ":" + cells["r"].astype(str)).tolist()
    hex_geojson = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "properties": {"adcode": i}, "geometry": {"type": "Polygon", "coordinates": [ring[::-1]]}}
        for i, ring in zip(ids, hexagons.outlines(cells), strict=True)]}
    spots = hotspots.points(cells["lon"], cells["lat"], cells["count"], band_m=HEX_SIZE_M * 3.5) \
        if len(cells) >= 3 else pd.DataFrame({"z": np.zeros(len(cells)), "p": np.ones(len(cells)), "spot": "none"})
    cells_trace = go.Choropleth(
        geojson=hex_geojson, featureidkey="properties.adcode", locations=ids, z=cells["count"], zmin=0,
        colorscale=theme.colorscale(skip_darkest=True), marker=dict(line=dict(color=theme.panel, width=0.5)),
        colorbar=dict(title=dict(text=i18n.t("complaints", lang)), thickness=12, len=0.6, x=0.98),
        customdata=np.column_stack([cells["count"], spots["z"].round(2), spots["p"]]),
        hovertemplate=(i18n.t("complaints", lang) + ": %{customdata[0]:.0f}<br>"
                       "Gi* z=%{customdata[1]}, p=%{customdata[2]:.4f}<extra></extra>"),
        showlegend=False,
    )
    return [outline, cells_trace, *_spot_outlines(hex_geojson, ids, spots["spot"], spots["z"], spots["p"], theme, lang)]


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["complaints"], "id": frame["adcode"]})


def category_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    counts = frame.groupby("category").size()
    return pd.DataFrame({"name": counts.index, "value": counts.to_numpy(), "id": [None] * len(counts)})


def summary(frame: pd.DataFrame, lang: str) -> str:
    total = int(frame["complaints"].sum()) if "complaints" in frame.columns else len(frame)
    line = f"{i18n.t('complaints', lang)} {total:,}"
    if "status" in frame.columns:
        line += f" · {i18n.t('complaints_open', lang)} {int((frame['status'] != 'closed').sum()):,}"
    return line


COMPLAINT = Layer(
    key="complaint",
    regions_view=View(
        query=complaints.by_child,
        required=("adcode", "name", "complaints", "entities", "per_1000_entities"),
        traces=region_traces,
        rank=region_ranking,
        rank_title="ranking_complaints",
        map_title="map_title_complaints",
        summary=summary,
    ),
    points_view=View(
        query=complaints.points,
        required=("id", "lon", "lat", "category", "status"),
        traces=hexagon_traces,
        rank=category_ranking,
        rank_title="ranking_categories",
        map_title="map_title_complaint_hexagons",
        summary=summary,
    ),
    trend=("complaints",),
    kinds=COMPLAINT_CATEGORIES,
)
