"""What the manager page shows beside its map: the monthly trend, breakdowns by specialty and by type, and the
table of child regions (or, inside a region without children, of its entities with their last results).

All follow the same Filters and Scope as the map; province and city answers come from the rollups
(data/queries/summary.py), raw rows are read only for partial months and for a leaf region's entities.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

from data import rollups, vocab
from data.models import Inspection
from data.queries import entities, inspections, regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Scope
from data.store import Store

MEASURES = rollups.RECORD_MEASURES  # inspections, non_compliant, penalties, penalty_amount, complaints
REGION_COLUMNS = ["adcode", "name", "entities", *MEASURES, "rate"]
ENTITY_COLUMNS = ["id", "name", "specialty", "subtype", "grade", "address", "inspections", "non_compliant",
                  "last_inspected_on", "last_result"]


def _rate(frame: pd.DataFrame) -> pd.Series:
    return (frame["non_compliant"] / frame["inspections"].where(frame["inspections"] > 0)).round(4)


@cached_query
def monthly(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """month (first day) and every record measure for each month the period touches, zeros where none.

    Exact for any period: the first and last month count only their days inside the period."""
    frame = summary.totals_by(store, filters, scope, "month", MEASURES)
    months = pd.date_range(filters.period.start.replace(day=1), filters.period.end, freq="MS").date
    frame = frame.set_index("month").reindex(months, fill_value=0).rename_axis("month").reset_index()
    frame["rate"] = _rate(frame)
    return frame


@cached_query
def by_specialty(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """specialty and every record measure, one row per specialty of the vocabulary (zeros where none)."""
    frame = summary.totals_by(store, filters, scope, "specialty", MEASURES)
    frame = frame.set_index("specialty").reindex(list(vocab.SPECIALTIES), fill_value=0).rename_axis("specialty")
    frame = frame.reset_index()
    frame["rate"] = _rate(frame)
    return frame


def _kinds(store: Store, filters: Filters, scope: Scope, source: str, vocabulary: tuple[str, ...]) -> pd.DataFrame:
    """kind and records, every kind of a closed vocabulary (zeros where none) then any other, most first."""
    frame = summary.kind_totals(store, filters, scope, source).set_index("kind")
    frame = frame.reindex(list(dict.fromkeys([*vocabulary, *frame.index])), fill_value=0).rename_axis("kind")
    return frame.reset_index().sort_values(["records", "kind"], ascending=[False, True], ignore_index=True)


@cached_query
def inspection_kinds(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """kind (routine, random_draw, campaign, complaint) and the number of inspections of that kind."""
    return _kinds(store, filters, scope, "inspection", vocab.INSPECTION_KINDS)


@cached_query
def penalty_kinds(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """kind (warning, fine, suspension, revocation) and the number of penalties decided."""
    return _kinds(store, filters, scope, "penalty", vocab.PENALTY_KINDS)


@cached_query
def complaint_categories(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """kind (the complaint's category, free text of the receiving hotline) and the number of complaints."""
    return _kinds(store, filters, scope, "complaint", ())


@cached_query
def child_figures(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """REGION_COLUMNS for every child region: entities registered now, the period's records and the rate."""
    frame = summary.child_totals(store, filters, scope, MEASURES)
    counts = entities.counts_by_child(store, filters, scope)[["adcode", "entities"]]
    frame = frame.merge(counts, on="adcode", how="left")
    frame["entities"] = frame["entities"].fillna(0).astype(int)
    frame["rate"] = _rate(frame)
    return frame[REGION_COLUMNS]


@cached_query
def entity_figures(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """ENTITY_COLUMNS for the entities located in filters.region: the period's inspections and the last one's
    date and result (None when not inspected in the period)."""
    frame = inspections.entity_results(store, filters, scope)
    region = regions.get_region(store, filters.region, scope)
    insp = Inspection.__table__
    conditions = [insp.c[regions.LEVEL_COLUMN[region.level]] == filters.region, scope_predicate(insp, scope),
                  insp.c.inspected_on.between(filters.period.start, filters.period.end)]
    if filters.specialty:
        conditions.append(insp.c.specialty == filters.specialty)
    order = func.row_number().over(partition_by=insp.c.entity_id, order_by=(insp.c.inspected_on.desc(), insp.c.id.desc()))
    ranked = select(insp.c.entity_id, insp.c.inspected_on, insp.c.result, order.label("n")).where(*conditions).subquery()
    with store.engine.connect() as conn:
        last = pd.DataFrame(conn.execute(select(ranked.c.entity_id, ranked.c.inspected_on, ranked.c.result)
                                         .where(ranked.c.n == 1)).all(),
                            columns=["id", "last_inspected_on", "last_result"])
    last["last_inspected_on"] = pd.to_datetime(last["last_inspected_on"]).dt.date
    frame = frame.merge(last, on="id", how="left")
    frame = frame.astype({"last_inspected_on": object, "last_result": object})
    frame = frame.where(frame.notna(), None)
    return frame[ENTITY_COLUMNS]
