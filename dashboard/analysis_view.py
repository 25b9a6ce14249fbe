"""The six sections of the analysis page (综合分析) as data: what each queries, which table it shows and exports,
and which charts it draws, each chart saying which filter a click on it sets (its `dim`).

Used by callbacks/analysis.py for the page and for the exports, so a file holds exactly the rows of the table on
screen, with the same headers in the reader's language. Figures come from dashboard/figures.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import i18n
from dashboard.figures import breakdown_figure, class_colours, map_figure, stacked_figure, trend_figure
from dashboard.theme import THEME
from data import vocab
from data.queries import analysis, construction
from data.queries.analysis import AnalysisFilters
from data.queries.filters import Scope
from data.store import Store

SECTIONS = ("licences", "entities", "inspections", "penalties", "spatial", "construction")
DIMENSIONS = ("specialty", "region", "month", "subtype")  # what a chart click may set (cross-filters)
# The choropleth's measures: (key and i18n key, the section that answers it, the column of its by_region frame).
MAP_MEASURES = {
    "analysis_measure_entities": ("entities", "entities"),
    "analysis_measure_expired": ("licences", "expired"),
    "analysis_measure_inspections": ("inspections", "inspections"),
    "analysis_measure_rate": ("inspections", "rate"),
    "analysis_measure_penalties": ("penalties", "penalties"),
    "analysis_measure_amount": ("penalties", "penalty_amount"),
    "analysis_measure_projects": ("construction", "projects"),
}
DEFAULT_MEASURE = "analysis_measure_rate"
# (field, i18n key of the header, kind: text | int | pct | money | number)
REGION_NAME = (("name", "col_name", "text"), ("adcode", "col_adcode", "text"))
TABLES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "licences": (("specialty", "specialty", "text"), ("entities", "entities", "int"),
                 ("licensed", "analysis_licensed", "int"), ("valid", "analysis_valid", "int"),
                 ("due", "analysis_due", "int"), ("expired", "analysis_expired", "int"),
                 ("unlicensed", "analysis_unlicensed", "int"), ("expiring_in_period", "analysis_expiring_in_period", "int")),
    "entities": (*REGION_NAME, ("entities", "entities", "int"), ("grade_A", "grade_A", "int"),
                 ("grade_B", "grade_B", "int"), ("grade_C", "grade_C", "int"), ("ungraded", "ungraded", "int")),
    "inspections": (*REGION_NAME, ("inspections", "inspections", "int"), ("non_compliant", "non_compliant", "int"),
                    ("rate", "rate", "pct")),
    "penalties": (*REGION_NAME, ("penalties", "penalties", "int"), ("penalty_amount", "penalty_amount_yuan", "money")),
    "spatial": (*REGION_NAME, ("entities", "entities", "int"), ("expired", "analysis_expired", "int"),
                ("inspections", "inspections", "int"), ("non_compliant", "non_compliant", "int"), ("rate", "rate", "pct"),
                ("penalties", "penalties", "int"), ("penalty_amount", "penalty_amount_yuan", "money"),
                ("projects", "analysis_projects", "int")),
    "construction": (("project_type", "analysis_project_type", "text"), ("projects", "analysis_projects", "int"),
                     ("design_review", "analysis_stage_design_review", "int"),
                     ("completion_acceptance", "analysis_stage_completion_acceptance", "int"),
                     ("approved", "analysis_outcome_approved", "int"), ("conditional", "analysis_outcome_conditional", "int"),
                     ("rejected", "analysis_outcome_rejected", "int"), ("pending", "analysis_outcome_pending", "int"),
                     ("mean_days", "analysis_mean_days", "number")),
}


@dataclass(frozen=True)
class Chart:
    name: str  # unique on the page
    title: str
    dim: str | None  # the filter a click sets (DIMENSIONS), None: not clickable
    figure: go.Figure
    wide: bool = False


def frames(section: str, store: Store, af: AnalysisFilters, scope: Scope, today: dt.date) -> dict[str, pd.DataFrame]:
    """The query answers a section draws (its own, or for the map every section's by_region)."""
    if section == "licences":
        return analysis.licence_figures(store, af, scope, today)
    if section == "entities":
        return analysis.entity_figures(store, af, scope)
    if section == "inspections":
        return analysis.record_figures(store, af, scope, analysis.INSPECTIONS)
    if section == "penalties":
        return analysis.record_figures(store, af, scope, analysis.PENALTIES)
    if section == "construction":
        return construction.figures(store, af, scope)
    if section == "spatial":
        parts = {name: frames(name, store, af, scope, today)["by_region"] for name in
                 ("entities", "licences", "inspections", "penalties", "construction")}
        merged = parts["entities"][["adcode", "name", "entities"]]
        for name, columns in (("licences", ["expired"]), ("inspections", ["inspections", "non_compliant", "rate"]),
                              ("penalties", ["penalties", "penalty_amount"]), ("construction", ["projects"])):
            merged = merged.merge(parts[name][["adcode", *columns]], on="adcode", how="left")
        return {"by_region": merged}
    raise ValueError(f"section {section!r} is not one of {', '.join(SECTIONS)}")


def _label(prefix: str):
    return lambda value, lang: i18n.label(prefix + str(value), lang, str(value))


def _specialty(value, lang: str) -> str:
    return i18n.specialty_label(value, lang) if value in vocab.SPECIALTIES else str(value)


LABELS = {"specialty": _specialty, "project_type": _label("analysis_project_type_"), "subtype": _label("subtype_")}


def table(section: str, parts: dict[str, pd.DataFrame], lang: str) -> tuple[list[str], list[dict]]:
    """(headers in `lang`, rows as {field: value}) of a section's table; numbers stay numbers, rates in %."""
    spec = TABLES[section]
    frame = parts["by_specialty" if section == "licences" else "by_kind" if section == "construction" else "by_region"]
    frame = frame[[field for field, _, _ in spec]].copy()
    for field, _, kind in spec:
        if field in LABELS:
            frame[field] = [LABELS[field](v, lang) for v in frame[field]]
        if kind == "pct":
            frame[field] = (frame[field] * 100).round(1)
        if kind == "money":
            frame[field] = frame[field].astype(float).round(2)
    frame = frame.astype(object)
    frame = frame.where(frame.notna(), None)
    headers = [i18n.t(header, lang) + (" (%)" if kind == "pct" else "") for _, header, kind in spec]
    return headers, frame.to_dict("records")


def charts(section: str, parts: dict[str, pd.DataFrame], af: AnalysisFilters, lang: str, measure: str,
           geojson: dict | None) -> list[Chart]:
    """The section's charts; `geojson` (the regions of the breakdown) is needed by the map only."""
    t = lambda key: i18n.t(key, lang)  # noqa: E731 - a short alias for the many labels below
    specialties = parts.get("by_specialty")
    regions = parts.get("by_region")
    out: list[Chart] = []
    if section == "licences":
        series = [(t(f"analysis_{m}"), m) for m in ("valid", "due", "expired", "unlicensed")]
        colours = (THEME.good, THEME.warn, THEME.bad, THEME.muted)
        out.append(Chart("licence-specialty", t("analysis_licences_by_specialty"), "specialty", stacked_figure(
            [_specialty(s, lang) for s in specialties["specialty"]], specialties["specialty"].tolist(),
            [(name, specialties[m].tolist(), c) for (name, m), c in zip(series, colours)], THEME, af.specialty)))
        out.append(Chart("licence-region", t("analysis_licences_by_region"), "region", stacked_figure(
            regions["name"].tolist(), regions["adcode"].tolist(),
            [(name, regions[m].tolist(), c) for (name, m), c in zip(series, colours)], THEME)))
    elif section == "entities":
        out.append(Chart("entity-specialty", t("breakdown_specialty"), "specialty", _bars(
            specialties, "specialty", "entities", lang, af.specialty)))
        out.append(Chart("entity-subtype", t("analysis_by_subtype"), "subtype", _bars(
            parts["by_kind"], "subtype", "entities", lang, af.subtype)))
        grades = [(t(g), regions[g].tolist(), c) for g, c in zip(analysis.GRADE_COLUMNS, (
            THEME.grade_a, THEME.grade_b, THEME.grade_c, THEME.ungraded))]
        out.append(Chart("entity-grades", t("analysis_grades_by_region"), "region", stacked_figure(
            regions["name"].tolist(), regions["adcode"].tolist(), grades, THEME), wide=True))
    elif section in ("inspections", "penalties"):
        first, second = ("inspections", "non_compliant") if section == "inspections" else ("penalties", "penalty_amount")
        monthly = parts["by_month"]
        months = [f"{m:%Y-%m}" for m in monthly["month"]]
        out.append(Chart(f"{section}-trend", t("trend_by_month"), "month", trend_figure(
            months, [(t(first), monthly[first].tolist()), (t(second), monthly[second].tolist())], THEME), wide=True))
        out.append(Chart(f"{section}-specialty", t("breakdown_specialty"), "specialty", _bars(
            specialties, "specialty", first, lang, af.specialty)))
        value = "rate" if section == "inspections" else first
        ranked = regions.sort_values([value, "name"], ascending=[False, True], na_position="last")
        out.append(Chart(f"{section}-region", t("analysis_rate_by_region" if section == "inspections" else "penalties"),
                         "region", breakdown_figure(ranked["name"].tolist(), _values(ranked[value], value),
                                                    ranked["adcode"].tolist(), THEME)))
        kinds = parts["by_kind"]
        prefix = "inspection_kind_" if section == "inspections" else "penalty_kind_"
        out.append(Chart(f"{section}-kind", t("analysis_by_kind"), None, breakdown_figure(
            [i18n.label(prefix + k, lang, k) for k in kinds["kind"]], kinds["records"].tolist(), kinds["kind"].tolist(),
            THEME)))
    elif section == "spatial":
        out.append(Chart("spatial-map", t(measure), "region", _map(regions, measure, geojson, lang), wide=True))
    elif section == "construction":
        monthly = parts["by_month"]
        months = [f"{m:%Y-%m}" for m in monthly["month"]]
        out.append(Chart("construction-trend", t("analysis_projects_by_month"), "month", trend_figure(
            months, [(t("analysis_projects"), monthly["projects"].tolist()),
                     (t("analysis_outcome_rejected"), monthly["rejected"].tolist())], THEME), wide=True))
        out.append(Chart("construction-specialty", t("breakdown_specialty"), "specialty", _bars(
            specialties, "specialty", "projects", lang, af.specialty)))
        out.append(Chart("construction-region", t("analysis_projects_by_region"), "region", breakdown_figure(
            regions["name"].tolist(), regions["projects"].tolist(), regions["adcode"].tolist(), THEME)))
        stages = parts["by_stage"]
        outcomes = [(t(f"analysis_outcome_{o}"), stages[o].tolist(), c) for o, c in zip(
            construction.OUTCOMES, (THEME.good, THEME.warn, THEME.bad, THEME.muted))]
        out.append(Chart("construction-stage", t("analysis_by_stage"), None, stacked_figure(
            [t(f"analysis_stage_{s}") for s in stages["stage"]], stages["stage"].tolist(), outcomes, THEME)))
    return out


def _values(series: pd.Series, column: str) -> list:
    return ((series.fillna(0) * 100).round(1) if column == "rate" else series).tolist()


def _bars(frame: pd.DataFrame, key: str, value: str, lang: str, selected: str | None) -> go.Figure:
    ordered = frame.sort_values([value, key], ascending=[False, True])
    labels = [LABELS[key](k, lang) for k in ordered[key]]
    return breakdown_figure(labels, ordered[value].tolist(), ordered[key].tolist(), THEME, selected=selected)


def _map(frame: pd.DataFrame, measure: str, geojson: dict, lang: str) -> go.Figure:
    """A choropleth of the measure by region, in natural-breaks classes (as the manager map's layers)."""
    _, column = MAP_MEASURES[measure]
    values = _values(frame[column], column)
    name = i18n.t(measure, lang)
    trace = go.Choropleth(
        geojson=geojson, featureidkey="properties.adcode", locations=frame["adcode"], z=values,
        customdata=np.column_stack([frame["name"]]), hovertemplate="<b>%{customdata[0]}</b><br>" + name + ": %{z:,}<extra></extra>",
        marker=dict(line=dict(color=THEME.boundary, width=0.8)), name=name,
        **class_colours(values, "natural_breaks", THEME, colorbar=dict(title=dict(text=name), thickness=12, len=0.6, x=0.98,
                                                                        **({"ticksuffix": "%"} if column == "rate" else {}))))
    return map_figure([trace], geojson, THEME, labels=True)
