"""A Store is the database engine plus the query cache: what every query function receives.

It also carries the watch that keeps this process's imported boundaries as the database holds them
(data/boundary_watch.py); the app checks it at request time, other users of a Store never need to."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from data import db
from data.boundary_watch import CHECK_EVERY_S, BoundaryWatch
from data.cache import QueryCache


@dataclass(frozen=True)
class Store:
    engine: Engine
    cache: QueryCache
    boundary_check_s: float = field(default=CHECK_EVERY_S, compare=False)
    boundaries: BoundaryWatch = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "boundaries", BoundaryWatch(self.engine, self.boundary_check_s))  # frozen: set once

    @classmethod
    def open(cls, database_url: str, cache_url: str = "simple://", boundary_check_s: float = CHECK_EVERY_S) -> Store:
        return cls(db.make_engine(database_url), QueryCache(cache_url), boundary_check_s)

    def data_version(self) -> int:
        with self.engine.connect() as conn:
            return db.data_version(conn)
