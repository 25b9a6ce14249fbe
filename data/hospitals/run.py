"""A status run: assess every medical institution in scope as of one or more days, store the history, set the latest.

One transaction (the caller's). The history holds one row per institution per `as_of`: running a day again
replaces that day's rows in scope, so a monthly run that is repeated does not double the chart. The
institutions' `entity.institution_status` follows the latest day of the run. The caller bumps the data version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import bindparam, delete, update
from sqlalchemy.engine import Connection

from data import audit, vocab
from data.bulk import insert_frame, next_id
from data.hospitals import dimensions, indicators, records, status
from data.models import Entity, InstitutionStatus
from data.queries.base import scope_predicate
from data.queries.filters import Scope


@dataclass(frozen=True)
class RunReport:
    assessed: int  # institutions per day
    days: tuple[dt.date, ...]
    statuses: dict[str, int]  # on the latest day
    indicator_version: int


def month_starts(last: dt.date, months: int) -> list[dt.date]:
    """`last` and the first days of the `months` - 1 months before it, oldest first: the monthly history's days."""
    if months < 1:
        raise ValueError("--months must be at least 1")
    firsts = pd.date_range(end=pd.Timestamp(last).replace(day=1) - pd.Timedelta(days=1), periods=months - 1, freq="MS")
    return sorted({d.date() for d in firsts} | {last})


def assess(conn: Connection, scope: Scope, days: list[dt.date], chosen: indicators.IndicatorSet) -> pd.DataFrame:
    """entity_id, as_of, the dimension scores, status, indicators and region codes for each day."""
    found = records.load(conn, scope, max(days))
    regions = found.entities.set_index("entity_id")[records.REGION_COLUMNS]
    frames = [status.assess(dimensions.compute(found, day, chosen.indicators), chosen).join(regions).assign(as_of=day)
              for day in days]
    return pd.concat(frames).reset_index()


def recompute(conn: Connection, scope: Scope, days: list[dt.date], *, actor: str, now: dt.datetime) -> RunReport:
    """Assess the institutions in scope on `days`, replace those days' history rows, set the latest status."""
    chosen = indicators.current(conn)
    rows = assess(conn, scope, days, chosen).assign(computed_at=now, indicator_version=chosen.version)
    table = InstitutionStatus.__table__
    conn.execute(delete(table).where(table.c.as_of.in_(days), scope_predicate(table, scope)))
    first_id = next_id(conn, table)
    rows.insert(0, "id", range(first_id, first_id + len(rows)))
    insert_frame(conn, table, rows)
    latest = rows[rows["as_of"] == max(days)]
    ent = Entity.__table__
    if len(latest):
        conn.execute(update(ent).where(ent.c.id == bindparam("entity")).values(institution_status=bindparam("value")),
                     [{"entity": int(e), "value": s} for e, s in zip(latest["entity_id"], latest["status"])])
    counts = {s: int((latest["status"] == s).sum()) for s in vocab.INSTITUTION_STATUSES}
    audit.append(conn, actor=actor, action="institution_status", target=",".join(sorted(scope.roots)),
                 detail={"days": [d.isoformat() for d in days], "assessed": len(latest), "statuses": counts,
                         "indicator_version": chosen.version}, now=now)
    return RunReport(assessed=len(latest), days=tuple(days), statuses=counts, indicator_version=chosen.version)
