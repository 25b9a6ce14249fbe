"""Benchmarks, printed as one table; each figure beside its naive baseline measured in the same run.

    make bench                                   # assignment, demo builds, province drill-down
    .venv/bin/python bench/run.py --scales county,city,province --skip-drilldown

Not part of `make test`: timings depend on the machine; the numbers go into the issue notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

import drilldown
import payload

from dashboard.settings import Settings
from data import db
from data.demo.build import build
from geo import assign, boundaries, hierarchy

CACHE = Path(os.environ.get("WEIJIAN_VAR_DIR", "var")) / "cache"


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_assignment(root: str, n: int, rows: list) -> None:
    leaves = boundaries.polygons(root, "county", CACHE)
    minx, miny, maxx, maxy = leaves.total_bounds
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)

    build_s, index = _timed(lambda: boundaries.raster_index(root, CACHE), repeat=1)
    ours_s, ours = _timed(lambda: assign.assign(lon, lat, leaves, index=index), repeat=5)
    exact_s, exact = _timed(lambda: assign.assign(lon, lat, leaves))

    def naive():
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        joined = gpd.sjoin(points, leaves[["adcode", "geometry"]], how="left", predicate="within")
        return joined[~joined.index.duplicated()]["adcode"]

    naive_s, joined = _timed(naive, repeat=1)
    inside = (ours["region_match"] == "inside").to_numpy()
    agree = (ours["county_adcode"].astype(str).to_numpy()[inside] == joined.astype(str).to_numpy()[inside]).mean()
    label = f"assign {n:,} points, {len(leaves)} polygons of {root}"
    rows.append((label + ", grid + exact border", f"{n / ours_s:,.0f} pts/s ({ours_s * 1000:.0f} ms)",
                 f"sjoin {n / naive_s:,.0f} pts/s ({naive_s:.2f}s)",
                 f"{naive_s / ours_s:.0f}x; same as sjoin {agree:.4%}; same as exact {ours.equals(exact)}"))
    rows.append((label + ", exact path only", f"{n / exact_s:,.0f} pts/s ({exact_s:.2f}s)", "",
                 f"grid built/loaded in {build_s:.1f}s"))


def bench_boundary_sizes(region: str, rows: list) -> None:
    """Bytes of the simplified boundaries a map downloads per level (target: <= 40 KB gzipped)."""
    levels = [(region, "city"), (hierarchy.children(region)["adcode"].iloc[0], "county"), (region, "county")]
    for root, level in levels:
        raw, gzipped = boundaries.wire_bytes(root, level, CACHE)
        rows.append((f"boundaries {hierarchy.get_region(root).name} by {level}", f"{gzipped / 1024:,.0f} KB gzipped",
                     f"{raw / 1024:,.0f} KB raw", "target <= 40 KB gzipped"))


def bench_demo(scale: str, region: str, rows: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        engine = db.make_engine(f"sqlite:///{path}")
        report = build(engine, region, scale, seed=1, cache_dir=CACHE, until=dt.date(2026, 11, 23), progress=lambda _m: None)
        engine.dispose()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
    rows.append((f"demo {scale} ({region}), SQLite", f"{report.seconds:.1f}s, {size / 2**20:,.0f} MiB",
                 f"{report.rows['entity']:,} entities", f"{report.records:,} records"))


def main() -> None:
    Settings().install_data_keyring()  # the development key in var/data_key: what `make run` reads the data with
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--scales", default="county,city")
    parser.add_argument("--region", default="410000")
    parser.add_argument("--skip-drilldown", action="store_true", help="skip the province-scale drill-down")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []
    bench_assignment(args.region, args.points, rows)
    bench_assignment("100000", args.points, rows)
    bench_boundary_sizes(args.region, rows)
    for scale in filter(None, args.scales.split(",")):
        bench_demo(scale, args.region, rows)
    if not args.skip_drilldown:
        drilldown.run(rows)
        payload.run(drilldown.database_urls()["SQLite"], rows)
    widths = [max(len(r[i]) for r in rows + [("benchmark", "ours", "baseline", "ratio")]) for i in range(4)]
    for row in [("benchmark", "ours", "baseline", "ratio")] + rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
