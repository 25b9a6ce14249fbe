"""Risk layer: supervised entities by risk level (low / medium / high / very high), once a risk model exists.

Nothing computes entity.risk_level yet (issue 8), so the layer is available only when some entity the
viewer may see has one: until then it is not offered, and a URL asking for it gets the default layer.
The regions view colours each child region by the share of high and very-high risk among the assessed
entities (the ones a supervisor must visit first; unassessed ones are not evidence of anything and only
appear in the tooltip); the ranking counts high and very-high entities. Inside a county each entity is
a point in its level's colour, the four colours of Chinese risk grading (blue, yellow, orange, red).
"""

from __future__ import annotations

import pandas as pd
from plotly.basedatatypes import BaseTraceType

from dashboard import i18n
from dashboard.theme import Theme
from data.queries import entities
from layers import classes
from layers.base import Layer, View
from layers.classes import EntityClass

LEVELS = (
    EntityClass(None, "risk_unassessed", "risk_unassessed", lambda theme: theme.ungraded),
    EntityClass("low", "risk_low", "risk_low", lambda theme: theme.risk_low),
    EntityClass("medium", "risk_medium", "risk_medium", lambda theme: theme.risk_medium),
    EntityClass("high", "risk_high", "risk_high", lambda theme: theme.risk_high),
    EntityClass("very_high", "risk_very_high", "risk_very_high", lambda theme: theme.risk_very_high),
)
TOOLTIP_ORDER = (*LEVELS[:0:-1], LEVELS[0])  # very high first, the unassessed last
WORST = ("high", "very_high")


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.share_traces(frame, geojson, theme, lang, share="share_high", share_label="share_high",
                                classes=TOOLTIP_ORDER)


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.point_traces(frame, geojson, theme, lang, column="risk_level", classes=LEVELS, title="risk")


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["risk_high"] + frame["risk_very_high"],
                         "id": frame["adcode"]})


def specialty_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return classes.by_specialty(frame, "risk_level", WORST, lang)


def summary(frame: pd.DataFrame, lang: str) -> str:
    if "risk_level" in frame.columns:  # the entity view
        counts = {c.value: int(frame["risk_level"].isna().sum() if c.value is None else (frame["risk_level"] == c.value).sum())
                  for c in LEVELS}
    else:
        counts = {c.value: int(frame[c.count_column].sum()) for c in LEVELS}
    assessed = sum(n for level, n in counts.items() if level is not None)
    share = f"{(counts['high'] + counts['very_high']) / assessed:.1%}" if assessed else "–"
    parts = [f"{i18n.t(c.label, lang)} {counts[c.value]:,}" for c in TOOLTIP_ORDER]
    return " · ".join(parts) + f" · {i18n.t('share_high', lang)} {share}"


RISK = Layer(
    key="risk",
    regions_view=View(
        query=entities.risk_by_child,
        required=("adcode", "name", "entities", *entities.RISK_COLUMNS, "assessed", "share_high"),
        traces=region_traces, rank=region_ranking, rank_title="ranking_risk_high",
        map_title="map_title_risk", summary=summary,
    ),
    points_view=View(
        query=entities.points,
        required=("id", "name", "specialty", "risk_level", "lon", "lat"),
        traces=point_traces, rank=specialty_ranking, rank_title="ranking_risk_specialty",
        map_title="map_title_risk_points", summary=summary,
    ),
    availability=entities.risk_assessed,
)
