"""What the command-center wall shows besides the map: the KPI tiles and the monthly trend of a region.

KPIs are this month's (China time) figures from the same totals as every other view (rollups for
whole months, raw rows for the partial one), plus what is open now: complaints not closed, devices
not offline, alerts not closed and overdue. The trend reads whole months from the rollups.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import func, select

from data.models import Complaint, Entity, RollupRegionMonth
from data.queries import alerts, licences, monitoring, regions, summary
from data.queries.base import cached_query, scope_predicate
from data.queries.filters import Filters, Period, Scope
from data.store import Store

TREND_MEASURES = ("inspections", "non_compliant", "penalties", "complaints")


def _region_condition(table, store: Store, region: str, scope: Scope) -> list:
    level = regions.get_region(store, region, scope).level
    conditions = [scope_predicate(table, scope)]
    if level in regions.LEVEL_COLUMN:
        conditions.append(table.c[regions.LEVEL_COLUMN[level]] == region)
    return conditions


@cached_query
def kpis(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """One row: entities, inspections, non_compliant, rate, penalties, penalty_amount, complaints_open,
    complaints_overdue (past the case's or the step's due date), devices, devices_online, online_share,
    alerts_open, alerts_overdue (the period: this month so far), and the licences: licence_days (the largest
    reminder threshold), licences_due (expiring within it, from the period's last day), licences_soon (within
    the smallest), licence_soon_days, licences_expired."""
    ent, comp = Entity.__table__, Complaint.__table__
    with store.engine.connect() as conn:
        entities = conn.execute(select(func.count()).select_from(ent).where(
            *_region_condition(ent, store, filters.region, scope),
            *([ent.c.specialty == filters.specialty] if filters.specialty else []))).scalar_one()
        today = filters.period.end  # the wall's period runs to today; a cached answer is dated by it
        late = (comp.c.due_on < today) | (comp.c.step_due_on < today)
        complaints_open, complaints_overdue = conn.execute(select(func.count(), func.count().filter(late)).where(
            *_region_condition(comp, store, filters.region, scope), comp.c.status != "closed",
            *([comp.c.specialty == filters.specialty] if filters.specialty else []))).one()
    measures = ("inspections", "non_compliant", "penalties", "penalty_amount")
    per_child = summary.child_totals(store, filters, scope, measures)  # empty for a region without children
    totals = per_child[list(measures)].sum() if len(per_child) else pd.Series(0, index=list(measures))
    devices = monitoring.devices(store, filters, scope)
    feed = alerts.feed(store, scope, filters.region, status="unclosed", limit=100_000)
    online = int((devices["state"] != "offline").sum())
    due = licences.due(store, filters.region, scope, filters.period.end)
    by_bucket, limits = licences.counts(due), due.attrs["thresholds"]
    row = {
        "entities": int(entities), "inspections": int(totals["inspections"]), "non_compliant": int(totals["non_compliant"]),
        "rate": float(totals["non_compliant"] / totals["inspections"]) if totals["inspections"] else None,
        "penalties": int(totals["penalties"]), "penalty_amount": float(totals["penalty_amount"]),
        "complaints_open": int(complaints_open), "complaints_overdue": int(complaints_overdue),
        "devices": len(devices), "devices_online": online,
        "online_share": online / len(devices) if len(devices) else None,
        "alerts_open": len(feed), "alerts_overdue": int(feed["overdue"].sum()) if len(feed) else 0,
        "licence_days": limits[0], "licences_due": int((due["bucket"] != licences.EXPIRED).sum()),
        "licence_soon_days": limits[-1], "licences_soon": by_bucket[str(limits[-1])],
        "licences_expired": by_bucket[licences.EXPIRED],
    }
    return pd.DataFrame([row])


@cached_query
def monthly(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """month (first day) and TREND_MEASURES for each month of the period, zeros where none."""
    table = RollupRegionMonth.__table__
    conditions = _region_condition(table, store, filters.region, scope)
    conditions.append(table.c.month.between(filters.period.start.replace(day=1), filters.period.end))
    if filters.specialty:
        conditions.append(table.c.specialty == filters.specialty)
    query = (select(table.c.month, *(func.sum(table.c[m]).label(m) for m in TREND_MEASURES))
             .where(*conditions).group_by(table.c.month).order_by(table.c.month))
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["month", *TREND_MEASURES])
    months = pd.date_range(filters.period.start.replace(day=1), filters.period.end, freq="MS").date
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame = frame.set_index("month").reindex(months, fill_value=0).rename_axis("month").reset_index()
    frame[list(TREND_MEASURES)] = frame[list(TREND_MEASURES)].astype(int)
    return frame


def this_month(today: dt.date) -> Period:
    return Period(today.replace(day=1), today)

