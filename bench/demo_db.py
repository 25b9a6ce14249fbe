"""What the benchmark scripts share: a demo database to measure on, and a timer.

The database is built once and kept (var/bench/…), under the development data key in var/data_key, the key
`make run` reads its data with: the demo encrypts personal data, so a build without an installed key fails.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from dashboard.settings import Settings
from data import db
from data.demo.build import build, has_entities

CACHE = Path(os.environ.get("WEIJIAN_VAR_DIR", "var")) / "cache"


def timed(fn, *args):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - started, result


def demo_engine(url: str, region: str, scale: str, until: dt.date, seed: int = 7):
    """An engine on the demo database at `url`, upgraded, built first when it holds no entities."""
    Settings().install_data_keyring()
    engine = db.make_engine(url)
    db.upgrade(engine)
    if not has_entities(engine):
        build(engine, region, scale, seed=seed, cache_dir=CACHE, until=until, progress=lambda _m: None)
    return engine
