"""The offline HTML map export (dashboard/exports.map_file): build time and file size per region level and layer.

Builds a county-scale demo of Henan (about 25 s) the first time and keeps it in var/bench/map_export.db. Each
export runs once to warm the caches (queries, boundaries), then five times; the median is printed. Leaflet
(inlined) is about 150 KB of every file, so the size says what the map itself adds.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time
from pathlib import Path

from dashboard import exports, offline_map
from demo_db import demo_engine
from data.queries.filters import Filters, Period, Scope
from data.store import Store
from layers import registry

VAR = Path(os.environ.get("WEIJIAN_VAR_DIR", "var"))
REGION = "410000"
PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
CASES = (("410000", "inspection"), ("410000", "complaint"), ("410100", "grade"), ("410103", "inspection"),
         ("410103", "complaint"))


def main() -> None:
    (VAR / "bench").mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(VAR / 'bench' / 'map_export.db').resolve()}"
    demo_engine(url, REGION, "county", PERIOD.end).dispose()  # built once; the store opens its own
    store = Store.open(url)
    leaflet = sum((offline_map.LEAFLET_DIR / name).stat().st_size for name in ("leaflet.js", "leaflet.css"))
    print(f"offline map export (Leaflet {offline_map.LEAFLET_VERSION}: {leaflet / 1024:.0f} KiB of each file)")
    print(f"{'region':>8} {'layer':<11} {'rows':>5} {'KiB':>6} {'median ms':>10}")
    for region, layer in CASES:
        args = (store, Filters(region, PERIOD), Scope.of(REGION), registry.REGISTRY[layer], "zh", VAR / "cache")
        made = exports.map_file(*args)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            exports.map_file(*args)
            times.append(time.perf_counter() - start)
        print(f"{region:>8} {layer:<11} {made.rows:>5} {len(made.content) / 1024:>6.0f} {statistics.median(times) * 1000:>10.0f}")


if __name__ == "__main__":
    main()
