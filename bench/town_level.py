"""A town level (网格) under a county that already holds records: what importing, deleting and placing cost.

On the county-scale demo built over 金水区 alone (3,000 entities and their records; var/bench/town.db, built
once), with the 3 × 3 grid of tests/test_town_level.py (8 cells: the last left out): `boundaries import` of the
cells, which places every stored row in its cell and rebuilds the county's rollups in the same transaction;
`boundaries delete` of them (the rows leave their cells); and geo.towns.place of 1M random points over the
county to the cells (exact point-in-polygon per county with towns, after the raster-indexed county assignment).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from demo_db import CACHE, demo_engine, timed  # noqa: E402
from test_town_level import COUNTY, UNTIL, _cells, _written  # noqa: E402

from data import boundary_sets  # noqa: E402
from geo import boundaries, towns  # noqa: E402

URL = f"sqlite:///{(Path('var') / 'bench' / 'town.db').resolve()}"
POINTS = 1_000_000


def main() -> None:
    Path("var/bench").mkdir(parents=True, exist_ok=True)
    engine = demo_engine(URL, COUNTY, "county", UNTIL, seed=11)
    boundary_sets.load(engine)
    for stale in boundary_sets.listing(engine)["id"]:  # a previous run's cells
        boundary_sets.delete_set(engine, int(stale))
    cells = gpd.GeoDataFrame(_cells(CACHE), crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as folder:
        path = _written(cells, Path(folder))
        seconds, outcome = timed(boundary_sets.import_file, engine, path, boundary_sets.Options(
            "code", "name", parent_field="county", level_name="网格"))
    placed = sum(outcome.placed.values())
    print(f"import {len(outcome.taken)} cells under {COUNTY}, placing the stored rows: {seconds:.2f} s "
          f"({placed:,} rows now in a cell: entities {outcome.placed['entity']:,}, "
          f"inspections {outcome.placed['inspection']:,})")

    # Points the county assignment put in the county (what geo.towns.place is given), drawn over its bounding box.
    rng = np.random.default_rng(1)
    minx, miny, maxx, maxy = cells.total_bounds
    lon, lat = rng.uniform(minx, maxx, 2 * POINTS), rng.uniform(miny, maxy, 2 * POINTS)
    county = boundaries.polygons(COUNTY, "county", CACHE).geometry.iloc[0]
    inside = shapely.intersects_xy(county, lon, lat)
    lon, lat = lon[inside][:POINTS], lat[inside][:POINTS]
    counties = np.full(len(lon), COUNTY, dtype=object)
    layer = towns.town_layer(COUNTY)
    seconds, codes = timed(towns.place, lon, lat, counties, layer)
    print(f"place {len(lon):,} points of the county in its {len(layer)} cells (exact): {seconds:.2f} s, "
          f"{len(lon) / seconds:,.0f} points/s, {np.mean(codes != None):.1%} in a cell")  # noqa: E711
    sjoin_s, _ = timed(gpd.sjoin, gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"),
                       layer[["adcode", "geometry"]], "left", "intersects")
    print(f"  baseline geopandas.sjoin of the same points: {sjoin_s:.2f} s, {len(lon) / sjoin_s:,.0f} points/s")

    set_id = int(boundary_sets.listing(engine)["id"].iloc[-1])
    seconds, deleted = timed(boundary_sets.delete_set, engine, set_id)
    print(f"delete the cells: {seconds:.2f} s ({sum(deleted.unplaced.values()):,} rows left their cell)")
    engine.dispose()


if __name__ == "__main__":
    main()
