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


def ratings(conn: Connection, entity_ids: Iterable[int], as_of: dt.date) -> pd.Series:
    """Rating of each entity (index: entity id), 'missing' for those without a counting record."""
    ids = sorted({int(i) for i in entity_ids})
    table = SelfInspection.__table__
    years = (str(as_of.year), str(as_of.year - 1))
    frames = []
    for start in range(0, len(ids), CHUNK):
        query = select(table.c.entity_id, table.c.period, table.c.completed, table.c.findings, table.c.rectified).where(
            table.c.entity_id.in_(ids[start:start + CHUNK]),
            or_(*(table.c.period.startswith(year) for year in years)),
            or_(table.c.submitted_on.is_(None), table.c.submitted_on <= as_of))
        frames.append(pd.DataFrame(conn.execute(query).all(),
                                   columns=["entity_id", "period", "completed", "findings", "rectified"]))
    out = pd.Series("missing", index=pd.Index(ids, name="entity_id"), dtype=object)
    records = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(records):
        latest = records.sort_values(["entity_id", "period"]).drop_duplicates("entity_id", keep="last")
        rated = [rate_record(bool(c), int(f), int(r)) for c, f, r in
                 zip(latest["completed"], latest["findings"], latest["rectified"])]
        out.loc[latest["entity_id"].to_numpy()] = rated
    return out


def rating(conn: Connection, entity_id: int, as_of: dt.date) -> str:
    """One entity's rating (what the risk model asks)."""
    return str(ratings(conn, [entity_id], as_of).iloc[0])
