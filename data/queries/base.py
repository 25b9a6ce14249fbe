"""Shared machinery of query functions: scope check, scope predicate, cache key."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, or_

from data.models import REGION_COLUMNS
from data.queries.filters import Filters, Scope
from data.store import Store

Query = Callable[[Store, Filters, Scope], pd.DataFrame]


def scope_predicate(table, scope: Scope) -> ColumnElement[bool]:
    """Rows whose province, city, county or town code is one of the scope's roots."""
    roots = sorted(scope.roots)
    return or_(*(table.c[column].in_(roots) for column in REGION_COLUMNS))


def cached_query(fn: Query) -> Query:
    """Check scope, then answer from the cache keyed by name + filters + scope + data version."""

    @functools.wraps(fn)
    def wrapper(store: Store, filters: Filters, scope: Scope) -> pd.DataFrame:
        scope.check(filters.region)
        key = store.cache.make_key(
            f"{fn.__module__}.{fn.__qualname__}", filters.key(), scope.key(), f"v{store.data_version()}"
        )
        frame, computed_at, _ = store.cache.get_or_compute(key, lambda: fn(store, filters, scope))
        frame = frame.copy()
        frame.attrs["computed_at"] = computed_at
        return frame

    return wrapper


def cached_record(store: Store, name: str, record: str, scope: Scope, compute: Callable[[], Any]) -> Any:
    """The cached answer of a one-record query (`record` like "entity=12"), keyed like every query:
    name + record + scope + data version."""
    key = store.cache.make_key(name, record, scope.key(), f"v{store.data_version()}")
    return store.cache.get_or_compute(key, compute)[0]
