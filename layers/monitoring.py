"""Monitoring layer: devices needing attention per region (over a limit or offline now), and each device by state.

The state is the alert condition now (data/queries/monitoring.py), not the period's; the period
gives the regions' uptime (reports received / due), shown beside it. A device point links to its page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.figures import class_colours, region_outline
from dashboard.theme import Theme
from data.queries import monitoring
from layers.base import Layer, View

# Natural breaks: devices needing attention are small counts, zero in most regions and a handful in a few;
# quantiles would give the many zeros several classes of their own.
SCHEME = "natural_breaks"


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    uptime = (frame["uptime"] * 100).round(1).astype(object).where(frame["uptime"].notna(), "–")
    hover = (
        "<b>%{customdata[0]}</b><br>"
        + i18n.t("devices_attention", lang) + ": %{z:,}<br>"
        + i18n.t("state_over_limit", lang) + ": %{customdata[1]:,} · " + i18n.t("state_offline", lang)
        + ": %{customdata[2]:,}<br>"
        + i18n.t("devices", lang) + ": %{customdata[3]:,} · " + i18n.t("uptime", lang) + ": %{customdata[4]}%<extra></extra>"
    )
    return [go.Choropleth(
        geojson=geojson, featureidkey="properties.adcode", locations=frame["adcode"], z=frame["attention"],
        customdata=np.column_stack([frame["name"], frame["over_limit"], frame["offline"], frame["devices"], uptime]),
        hovertemplate=hover, marker=dict(line=dict(color=theme.boundary, width=0.8)),
        **class_colours(frame["attention"], SCHEME, theme,
                        colorbar=dict(title=dict(text=i18n.t("devices_attention", lang)), thickness=12, len=0.6, x=0.98)),
        name=i18n.t("devices_attention", lang),
    )]


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    traces: list[BaseTraceType] = [region_outline(geojson, theme)]
    colours = {"over_limit": theme.bad, "offline": theme.muted, "normal": theme.good}
    for state in ("normal", "offline", "over_limit"):  # problems drawn last, on top
        part = frame[frame["state"] == state]
        scene = [i18n.t(f"scene_{s}", lang) for s in part["scene"]]
        traces.append(go.Scattergeo(
            lon=part["lon"], lat=part["lat"], mode="markers",
            marker=dict(size=9 if state != "normal" else 7, color=colours[state], symbol="diamond",
                        line=dict(width=0.5, color=theme.background)),
            name=f"{i18n.t('state_' + state, lang)} ({len(part):,})",
            customdata=np.column_stack([part["entity"], scene, part["id"]]) if len(part) else None,
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}<extra></extra>",
        ))
    return traces


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["attention"], "id": frame["adcode"]})


def device_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Devices needing attention, over-limit first; a bar per device, all of weight 1 or 2."""
    weight = frame["state"].map({"over_limit": 2, "offline": 1}).fillna(0)
    keep = weight > 0
    return pd.DataFrame({"name": frame["entity"][keep] + " · " + frame["id"][keep], "value": weight[keep],
                         "id": frame["id"][keep]})


def summary(frame: pd.DataFrame, lang: str) -> str:
    if "state" in frame.columns:  # the device view
        counts = frame["state"].value_counts()
        total = len(frame)
    else:
        counts = frame[["normal", "over_limit", "offline"]].sum()
        total = int(frame["devices"].sum())
    line = (f"{i18n.t('devices', lang)} {total:,} · {i18n.t('state_over_limit', lang)} {int(counts.get('over_limit', 0)):,}"
            f" · {i18n.t('state_offline', lang)} {int(counts.get('offline', 0)):,}")
    if "device_expected" in frame.columns:
        expected, reported = frame["device_expected"].sum(), frame["device_reported"].sum()
        line += f" · {i18n.t('uptime', lang)} {reported / expected:.1%}" if expected else ""
    return line


def device_link(point: dict, lang: str) -> str | None:
    """A clicked device point opens the device's page."""
    data = point.get("customdata")
    return f"/device/{data[-1]}?lang={lang}" if isinstance(data, list) and data and isinstance(data[-1], str) else None


MONITORING = Layer(
    key="monitoring",
    regions_view=View(
        query=monitoring.state_by_child,
        required=("adcode", "name", "devices", "normal", "over_limit", "offline", "attention", "uptime"),
        traces=region_traces, rank=region_ranking, rank_title="ranking_devices_children",
        map_title="map_title_devices_regions", summary=summary,
    ),
    points_view=View(
        query=monitoring.devices,
        required=("id", "scene", "entity", "lon", "lat", "state"),
        traces=point_traces, rank=device_ranking, rank_title="ranking_devices",
        map_title="map_title_devices", summary=summary,
    ),
    point_link=device_link,
)
