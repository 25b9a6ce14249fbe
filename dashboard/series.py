"""The time-series figure of one indicator, with its allowed band and limit lines (device page)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.theme import Theme
from data.monitoring.limits import Limit


def series_figure(frame: pd.DataFrame, limit: Limit | None, theme: Theme, lang: str, title: str) -> go.Figure:
    """Readings of one indicator (China time) with the allowed range shaded and the limits drawn.

    Readings beyond a limit are drawn again in the alarm colour, so an exceedance reads at a glance.
    """
    local = frame["measured_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    fig = go.Figure(go.Scatter(x=local, y=frame["value"], mode="lines", line=dict(color=theme.accent, width=1.5),
                               name=title, hovertemplate="%{x|%m-%d %H:%M} · %{y:.4g}<extra></extra>"))
    if limit is not None and (limit.low is not None or limit.high is not None):
        beyond = frame["value"].map(limit.breached).astype(bool)
        fig.add_trace(go.Scatter(x=local[beyond], y=frame["value"][beyond], mode="markers",
                                 marker=dict(color=theme.bad, size=6), name=i18n.t("state_over_limit", lang),
                                 hovertemplate="%{x|%m-%d %H:%M} · %{y:.4g}<extra></extra>"))
        top = limit.high if limit.high is not None else max(float(frame["value"].max() or 0), (limit.low or 0) * 2)
        fig.add_hrect(y0=limit.low or 0, y1=top, fillcolor=theme.good, opacity=0.12, line_width=0, layer="below")
        for bound in (limit.low, limit.high):
            if bound is not None:
                fig.add_hline(y=bound, line=dict(color=theme.bad, dash="dash", width=1),
                              annotation_text=f"{bound:g} {limit.unit}", annotation_position="top left",
                              annotation_font_color=theme.bad)
    unit = limit.unit if limit is not None else ""
    fig.update_layout(template=theme.plotly_template(), margin=dict(l=10, r=20, t=36, b=10), height=240,
                      title=dict(text=f"{title} ({unit})" if unit else title, font=dict(size=14), x=0.01),
                      showlegend=False, xaxis=dict(type="date", tickformat="%m-%d\n%H:%M", automargin=True),
                      yaxis=dict(rangemode="tozero", automargin=True, tickformat=".3~g"))
    return fig
