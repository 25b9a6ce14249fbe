"""A Store is the database engine plus the query cache: what every query function receives."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from data import db
from data.cache import QueryCache


@dataclass(frozen=True)
class Store:
    engine: Engine
    cache: QueryCache

    @classmethod
    def open(cls, database_url: str, cache_url: str = "simple://") -> Store:
        return cls(db.make_engine(database_url), QueryCache(cache_url))

    def data_version(self) -> int:
        with self.engine.connect() as conn:
            return db.data_version(conn)
