"""Bytes a browser receives for a province-wide map of every entity: Plotly figure JSON vs folium.

Three versions of the same points: the entity view's traces as drawn today (hover text per point),
positions and colour class only (details fetched on click), and a folium MarkerCluster page.
"""

from __future__ import annotations

import gzip
import time

import folium
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from folium.plugins import MarkerCluster
from sqlalchemy import text

from dashboard.theme import THEME
from data import db
from layers.inspection import point_traces


def _entities(url: str) -> pd.DataFrame:
    engine = db.make_engine(url)
    with engine.connect() as conn:
        frame = pd.read_sql(text("SELECT id, name, specialty, grade, lon, lat FROM entity"), conn)
    engine.dispose()
    frame["inspections"] = 1
    frame["non_compliant"] = (frame["id"] % 9 == 0).astype(int)
    return frame


def _sizes(payload: str) -> str:
    raw = payload.encode()
    return f"{len(raw) / 2**20:,.1f} MB ({len(gzip.compress(raw, 6)) / 2**20:,.1f} MB gzipped)"


def run(url: str, rows: list) -> None:
    frame = _entities(url)
    empty = {"type": "FeatureCollection", "features": []}
    started = time.perf_counter()
    full = pio.to_json(go.Figure(point_traces(frame, empty, THEME, "zh")), validate=False)
    full_s = time.perf_counter() - started
    # float32 positions (~1 m at these longitudes) and int32 ids: Plotly ships typed arrays as they are.
    lean_traces = [go.Scattergeo(lon=part["lon"].to_numpy("float32"), lat=part["lat"].to_numpy("float32"),
                                 mode="markers", customdata=part["id"].to_numpy("int32"), hoverinfo="none",
                                 marker=dict(size=4, color=colour))
                   for part, colour in ((frame[frame["non_compliant"] > 0], THEME.bad),
                                        (frame[frame["non_compliant"] == 0], THEME.good))]
    started = time.perf_counter()
    lean = pio.to_json(go.Figure(lean_traces), validate=False)
    lean_s = time.perf_counter() - started
    started = time.perf_counter()
    fmap = folium.Map(location=[frame["lat"].mean(), frame["lon"].mean()], zoom_start=7, tiles=None)
    cluster = MarkerCluster().add_to(fmap)
    for lat, lon, name in zip(frame["lat"], frame["lon"], frame["name"], strict=True):
        folium.Marker([lat, lon], tooltip=name).add_to(cluster)
    html = fmap.get_root().render()
    folium_s = time.perf_counter() - started
    n = len(frame)
    rows.append((f"map payload, {n:,} entities, hover text per point", _sizes(full), f"folium MarkerCluster {_sizes(html)}",
                 f"{full_s:.1f}s vs {folium_s:.1f}s to build"))
    rows.append((f"map payload, {n:,} entities, float32 positions + class, details on click", _sizes(lean), "",
                 f"{lean_s:.2f}s to build"))
