"""Administrative penalties by region: number of cases and amounts."""

from __future__ import annotations

import pandas as pd

from data.queries import summary
from data.queries.base import cached_query
from data.queries.filters import Filters, Scope
from data.store import Store


@cached_query
def by_child(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
    """adcode, name, penalties, penalty_amount (yuan) per child region, from the rollups."""
    return summary.child_totals(store, filters, scope, ("penalties", "penalty_amount"))
