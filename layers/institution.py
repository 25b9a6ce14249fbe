"""Medical institutions' five-dimension status (五维监管): normal / attention / warning, once a run has assessed them.

Offered only when some institution the viewer may see has been assessed (`weijian hospitals status`, or
the demo). The regions view colours each child region by the share of institutions on attention or
warning among the assessed; the ranking counts those on warning. Inside a county each medical
institution is a point in its status colour (green, amber, red; grey: not assessed), linking to its file.
"""

from __future__ import annotations

import pandas as pd
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.theme import Theme
from data.queries import institution_status
from layers import classes
from layers.base import Layer, View
from layers.classes import EntityClass
from layers.inspection import entity_link

STATUSES = (
    EntityClass(None, "status_unassessed", "fivedim_status_unassessed", lambda theme: theme.ungraded),
    EntityClass("normal", "status_normal", "fivedim_status_normal", lambda theme: theme.good),
    EntityClass("attention", "status_attention", "fivedim_status_attention", lambda theme: theme.warn),
    EntityClass("warning", "status_warning", "fivedim_status_warning", lambda theme: theme.bad),
)
TOOLTIP_ORDER = (*STATUSES[:0:-1], STATUSES[0])  # warning first, the unassessed last


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.share_traces(frame, geojson, theme, lang, share="share_worst", share_label="fivedim_share_worst",
                                classes=TOOLTIP_ORDER)


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.point_traces(frame, geojson, theme, lang, column="institution_status", classes=STATUSES,
                                title="fivedim_status")


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["status_warning"], "id": frame["adcode"]})


def subtype_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    counts = frame[frame["institution_status"] == "warning"].groupby("subtype").size()
    return pd.DataFrame({"name": [i18n.t("subtype_" + s, lang) for s in counts.index], "value": counts.to_numpy(),
                         "id": [None] * len(counts)})


def summary(frame: pd.DataFrame, lang: str) -> str:
    if "institution_status" in frame.columns:  # the points view
        counts = {c.value: int(frame["institution_status"].isna().sum() if c.value is None
                               else (frame["institution_status"] == c.value).sum()) for c in STATUSES}
    else:
        counts = {c.value: int(frame[c.count_column].sum()) for c in STATUSES}
    assessed = sum(n for status, n in counts.items() if status is not None)
    share = f"{(counts['attention'] + counts['warning']) / assessed:.1%}" if assessed else "–"
    return (" · ".join(f"{i18n.t(c.label, lang)} {counts[c.value]:,}" for c in TOOLTIP_ORDER)
            + f" · {i18n.t('fivedim_share_worst', lang)} {share}")


INSTITUTION = Layer(
    key="fivedim",
    regions_view=View(
        query=institution_status.status_by_child,
        required=("adcode", "name", "entities", *institution_status.STATUS_COLUMNS, "assessed", "share_worst"),
        traces=region_traces, rank=region_ranking, rank_title="fivedim_ranking_warning",
        map_title="fivedim_map_title", summary=summary,
    ),
    points_view=View(
        query=institution_status.points,
        required=tuple(institution_status.POINT_COLUMNS),
        traces=point_traces, rank=subtype_ranking, rank_title="fivedim_ranking_subtype",
        map_title="fivedim_map_title_points", summary=summary,
    ),
    point_link=entity_link,
    availability=institution_status.assessed,
)
