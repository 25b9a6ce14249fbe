"""Imported boundaries: import of the NYC files, and point assignment to imported leaves (exact, no raster grid).

Measures, on a fresh SQLite database: `boundaries import` of the 5 boroughs and 262 NTAs; installing the stored
sets (what every process start does); what a server worker pays per request to notice a set imported
elsewhere (data/boundary_watch.py: a throttled call, a stamp query that finds nothing new, a reload); the first drawn layer (coverage simplification of Brooklyn's NTAs) and its
wire size; and geo.assign of 4,337 (the restaurants' count) and 1M random points over NYC's bounding box to the NTAs.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from shared_datasets import DATASETS  # noqa: E402

from data import boundary_sets, db  # noqa: E402
from data.boundary_watch import BoundaryWatch  # noqa: E402
from data.models import BoundarySet  # noqa: E402
from geo import assign, boundaries  # noqa: E402


def timed(action):
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _watch(engine, calls: int = 1000) -> None:
    """Per call: between two checks (a clock read), a check that finds the same stamp, a check that reloads."""
    now = [0.0]
    watch = BoundaryWatch(engine, interval_s=5.0, clock=lambda: now[0])
    watch.load()
    seconds, _ = timed(lambda: [watch.check() for _ in range(calls)])
    print(f"boundary watch between checks: {seconds / calls * 1e6:.1f} µs a request")

    def due_check():
        now[0] += watch.interval_s
        return watch.check()

    seconds, _ = timed(lambda: [due_check() for _ in range(calls)])
    print(f"boundary watch check, nothing new: {seconds / calls * 1000:.2f} ms (once per {watch.interval_s:g} s a worker)")
    with engine.begin() as conn:  # a newer stamp, as another process's import makes it
        conn.execute(update(BoundarySet).values(imported_at=dt.datetime.now(dt.UTC)))
    seconds, reloaded = timed(due_check)
    print(f"boundary watch check that reloads: {seconds * 1000:.0f} ms (reloaded: {reloaded})")


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-bounds-"))
    engine = db.make_engine(f"sqlite:///{folder / 'b.db'}")
    db.upgrade(engine)
    nyc = DATASETS / "nyc_boundaries"
    seconds, _ = timed(lambda: boundary_sets.import_file(engine, nyc / "borough.geojson", boundary_sets.Options(
        "borough_code", "name", level_name="borough", root="NYC", root_name="New York City")))
    print(f"import 5 boroughs: {seconds:.2f} s")
    seconds, _ = timed(lambda: boundary_sets.import_file(engine, nyc / "neighborhood_tabulation_area.geojson",
                                                         boundary_sets.Options("nta2020", "name", parent_field="borough_code",
                                                                               level_name="nta", root="NYC")))
    print(f"import 262 NTAs: {seconds:.2f} s")
    seconds, count = timed(lambda: boundary_sets.load(engine))
    print(f"install {count} stored regions: {seconds * 1000:.0f} ms")
    _watch(engine)
    seconds, layer = timed(lambda: boundaries.simplified_geojson("3", "county", folder))
    raw = json.dumps(layer, separators=(",", ":")).encode()
    print(f"Brooklyn NTA layer, first draw: {seconds * 1000:.0f} ms, {len(raw) / 1024:.0f} KB raw, "
          f"{len(gzip.compress(raw)) / 1024:.0f} KB gzipped")
    leaves = boundaries.polygons("NYC", "county", folder)
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = leaves.total_bounds
    for n in (4_337, 1_000_000):
        lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        seconds, result = timed(lambda lon=lon, lat=lat: assign.assign(lon, lat, leaves))
        summary = assign.summarise(result)
        print(f"assign {n:,} points to 262 NTAs (exact): {seconds:.2f} s, {n / seconds:,.0f} points/s "
              f"(inside {summary.inside:,}, near {summary.near:,}, outside {summary.outside:,})")


if __name__ == "__main__":
    main()
