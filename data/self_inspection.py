"""Rating an entity's self-inspection record (依法执业自查): good, poor or missing.

The one place that says what a good self-inspector is, used by the 双随机 draw weights (data/draws) and by the
risk model. It looks at the entity's latest self-inspection of this year or last year (periods `2025`,
`2025-H1`, `2025-Q3` sort in time order as text within a year, and a year's whole-year record sorts first):

- missing: none of this year or last year, or the latest says it was not done (跳过自查: drawn most often);
- poor: done, but less than GOOD_RECTIFIED_SHARE of what it found was put right;
- good: done, and (nearly) everything it found was put right, or it found nothing.

Only records submitted on or before `as_of` count, so a rating (and a draw) can be recomputed as of its day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from data.models import SelfInspection

PERIOD = re.compile(r"\d{4}(-H[12]|-Q[1-4])?")
# Share of its own findings an entity must have rectified to count as a good self-inspector. Below it, the
# self-inspection found problems and left them: the case 自查 exists to catch.
GOOD_RECTIFIED_SHARE = 0.8
CHUNK = 500


def is_period(text: str) -> bool:
    return PERIOD.fullmatch(text or "") is not None


def rate_record(completed: bool | None, findings: int, rectified: int) -> str:
    """The rating one record earns; None (no record) is 'missing'."""
    if not completed:
        return "missing"
    if findings and rectified < GOOD_RECTIFIED_SHARE * findings:
        return "poor"
    return "good"


RECORD_COLUMNS = ["entity_id", "period", "completed", "findings", "rectified", "submitted_on"]
# How much each rating adds to the risk model's self_inspection_missed feature (data/risk/features.py).
MISSED = {"good": 0.0, "poor": 0.5, "missing": 1.0}


def ratings(conn: Connection, entity_ids: Iterable[int], as_of: dt.date) -> pd.Series:
    """Rating of each entity (index: entity id), 'missing' for those without a counting record."""
    ids = sorted({int(i) for i in entity_ids})
    table = SelfInspection.__table__
    years = (str(as_of.year), str(as_of.year - 1))
    frames = []
    for start in range(0, len(ids), CHUNK):
        query = select(*(table.c[c] for c in RECORD_COLUMNS)).where(
            table.c.entity_id.in_(ids[start:start + CHUNK]), or_(*(table.c.period.startswith(year) for year in years)))
        frames.append(pd.DataFrame(conn.execute(query).all(), columns=RECORD_COLUMNS))
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=RECORD_COLUMNS)
    return rate_frame(records, pd.Index(ids, name="entity_id"), as_of)


def rate_frame(records: pd.DataFrame, entity_ids: pd.Index, as_of: dt.date) -> pd.Series:
    """The rating rule over a frame of records (RECORD_COLUMNS): the one rule the draws and the risk model share.

    Counts the records of as_of's year and the year before that were submitted on or before `as_of` (or
    carry no submission date: a 'not done' row); the latest period of each entity decides.
    """
    out = pd.Series("missing", index=entity_ids, dtype=object)
    if records.empty:
        return out
    years = {str(as_of.year), str(as_of.year - 1)}
    submitted = pd.to_datetime(records["submitted_on"])
    keep = records["period"].str[:4].isin(years) & (submitted.isna() | (submitted <= pd.Timestamp(as_of)))
    keep &= records["entity_id"].isin(entity_ids)
    latest = records[keep.to_numpy()].sort_values(["entity_id", "period"]).drop_duplicates("entity_id", keep="last")
    rated = [rate_record(bool(c), int(f), int(r)) for c, f, r in
             zip(latest["completed"], latest["findings"], latest["rectified"])]
    out.loc[latest["entity_id"].to_numpy()] = rated
    return out


def rating(conn: Connection, entity_id: int, as_of: dt.date) -> str:
    """One entity's rating (what the risk model asks)."""
    return str(ratings(conn, [entity_id], as_of).iloc[0])
