"""Grade layer: supervised entities by hygiene grade (量化分级 A / B / C, or not graded).

The regions view colours each child region by the share of C among its graded entities. C is the grade
that, under 量化分级管理, calls for the most frequent inspection, so this is where a supervisor has to put
inspectors. Not-graded entities are left out of the share on purpose: most of them are of specialties
that are not graded at all (occupational, radiation, disinfection…), so counting them would colour a
county full of factories as if its hotels were failing. The tooltip still gives all four counts, so a
grading backlog stays visible. The ranking counts C-grade entities (a share would put a county with one
C-grade pool on top). Inside a county every located entity is a point in its grade's colour.
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

GRADES = (
    EntityClass(None, "ungraded", "ungraded", lambda theme: theme.ungraded),
    EntityClass("A", "grade_a", "grade_A", lambda theme: theme.grade_a),
    EntityClass("B", "grade_b", "grade_B", lambda theme: theme.grade_b),
    EntityClass("C", "grade_c", "grade_C", lambda theme: theme.grade_c),
)
TOOLTIP_ORDER = (GRADES[1], GRADES[2], GRADES[3], GRADES[0])  # A, B, C, then the not graded


def region_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.share_traces(frame, geojson, theme, lang, share="share_c", share_label="share_c",
                                classes=TOOLTIP_ORDER)


def point_traces(frame: pd.DataFrame, geojson: dict, theme: Theme, lang: str) -> list[BaseTraceType]:
    return classes.point_traces(frame, geojson, theme, lang, column="grade", classes=GRADES, title="grade")


def region_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame({"name": frame["name"], "value": frame["grade_c"], "id": frame["adcode"]})


def specialty_ranking(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return classes.by_specialty(frame, "grade", ("C",), lang)


def summary(frame: pd.DataFrame, lang: str) -> str:
    if "grade" in frame.columns:  # the entity view
        counts = {c.label: int(frame["grade"].isna().sum() if c.value is None else (frame["grade"] == c.value).sum())
                  for c in GRADES}
        total = len(frame)
    else:
        counts = {c.label: int(frame[c.count_column].sum()) for c in GRADES}
        total = int(frame["entities"].sum())
    graded = counts["grade_A"] + counts["grade_B"] + counts["grade_C"]
    share = f"{counts['grade_C'] / graded:.1%}" if graded else "–"
    parts = [f"{i18n.t(c.label, lang)} {counts[c.label]:,}" for c in TOOLTIP_ORDER]
    return f"{i18n.t('entities', lang)} {total:,} · " + " · ".join(parts) + f" · {i18n.t('share_c', lang)} {share}"


GRADE = Layer(
    key="grade",
    regions_view=View(
        query=entities.grades_by_child,
        required=("adcode", "name", "entities", "grade_a", "grade_b", "grade_c", "ungraded", "graded", "share_c"),
        traces=region_traces, rank=region_ranking, rank_title="ranking_grade_c",
        map_title="map_title_grades", summary=summary,
    ),
    points_view=View(
        query=entities.points,
        required=("id", "name", "specialty", "grade", "lon", "lat"),
        traces=point_traces, rank=specialty_ranking, rank_title="ranking_grade_c_specialty",
        map_title="map_title_grade_points", summary=summary,
    ),
)
