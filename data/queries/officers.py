"""Who may be made responsible for a regional case (an alert, a complaint, a ledger entry): the active inspectors of its
regions."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Table, select

from data.models import Inspector
from data.queries.base import scope_predicate
from data.queries.filters import Scope
from data.store import Store


def of_case(store: Store, table: Table, case_id: int, scope: Scope) -> pd.DataFrame:
    """badge_no and name of the active inspectors of the county, city or province of row `case_id` of `table`
    (a table with region codes); empty when the row is outside the scope or unknown."""
    with store.engine.connect() as conn:
        row = conn.execute(select(table.c.province_adcode, table.c.city_adcode, table.c.county_adcode).where(
            table.c.id == case_id, scope_predicate(table, scope))).first()
        if row is None:
            return pd.DataFrame(columns=["badge_no", "name"])
        found = conn.execute(select(Inspector.badge_no, Inspector.name).where(
            Inspector.region_adcode.in_([c for c in row if c]), Inspector.active.is_(True)).order_by(Inspector.badge_no)).all()
    return pd.DataFrame(found, columns=["badge_no", "name"])
