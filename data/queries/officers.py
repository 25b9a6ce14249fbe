"""The active officers a case may be passed to: those of its county, city or province (alerts, complaints)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data.models import Inspector


def of_case(conn: Connection, case_table, case_id: int, scope_condition) -> pd.DataFrame:
    """badge_no and name of the active officers of the case's regions; empty when the case is out of scope."""
    row = conn.execute(select(case_table.c.province_adcode, case_table.c.city_adcode, case_table.c.county_adcode).where(
        case_table.c.id == case_id, scope_condition)).first()
    if row is None:
        return pd.DataFrame(columns=["badge_no", "name"])
    codes = [c for c in row if c]
    found = conn.execute(select(Inspector.badge_no, Inspector.name).where(
        Inspector.region_adcode.in_(codes), Inspector.active.is_(True)).order_by(Inspector.badge_no)).all()
    return pd.DataFrame(found, columns=["badge_no", "name"])
