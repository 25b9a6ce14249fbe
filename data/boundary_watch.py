"""Keeps one process's imported boundaries (geo.custom) as its database holds them, without a restart.

geo.custom is filled per process. `weijian boundaries import` runs in a process of its own and installs the new
set there only, so a server's workers (gunicorn starts several, each with its own geo.custom) would keep
answering "unknown region" for it until restarted. Each worker therefore compares, at request time, the stored
sets' stamp (count@max(imported_at), data/boundary_sets.stamp) with the one it installed (geo.custom.version())
and reloads when they differ. The comparison is one aggregate over a table of a few rows, made at most once per
`interval_s` per process (other requests in between pay a clock read), so a new set is seen within that
interval by every worker, each on its own next request.

A failed check (the database briefly unreachable) keeps what is installed and is retried after the interval:
the request itself then fails or succeeds on its own, not because of the boundaries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from data import boundary_sets
from geo import custom

log = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0  # a set imported on the command line is seen by every worker within this


class BoundaryWatch:
    """The throttled stamp comparison of one process and one database (see the module doc)."""

    def __init__(self, engine: Engine, interval_s: float = CHECK_EVERY_S, clock: Callable[[], float] = time.monotonic):
        self.engine, self.interval_s, self._clock = engine, interval_s, clock
        self._due = clock()  # the first request checks
        self._lock = threading.Lock()

    def load(self) -> int:
        """Install the stored sets now (at startup); the next check is one interval away. Returns how many regions."""
        count = boundary_sets.load(self.engine)
        self._due = self._clock() + self.interval_s
        return count

    def check(self) -> bool:
        """Reload when the stored sets changed since they were installed; True when it did. At most one check per
        interval: a thread arriving while another checks does not wait for it, it answers with what is installed."""
        if self._clock() < self._due or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._clock() < self._due:  # another thread checked while this one reached the lock
                return False
            self._due = self._clock() + self.interval_s
            with self.engine.connect() as conn:
                stored = boundary_sets.stamp(conn)
            installed = custom.version()
            if stored == installed:
                return False
            count = boundary_sets.load(self.engine)
            log.info("imported boundaries changed (%s → %s): %d regions installed", installed or "none",
                     stored or "none", count)
            return True
        except SQLAlchemyError as exc:
            log.warning("imported boundaries not checked (%s); retrying in %.0f s", exc.__class__.__name__, self.interval_s)
            return False
        finally:
            self._lock.release()
