"""Point → region assignment: which province, city and county each point lies in.

Vectorised: a raster of region codes (geo.raster_index) answers points far from any boundary by
array lookup; the rest go through one STRtree over the points, queried once with every polygon.
Querying *with the polygons* lets GEOS prepare each polygon once and test all candidate points
against it, instead of testing each point against an unprepared polygon (what a plain
`sjoin(points, polygons)` does); see bench/run.py for the measured difference.

Rules, pinned by tests/test_assign.py:
- a point on a shared border is covered by both neighbours; it goes to the one with the smaller
  adcode, so the answer never depends on input order;
- a point in no polygon but within `snap_m` metres of one (slivers between coastline and boundary,
  rounding of coordinates to 3 decimals) takes that nearest region and is marked `near`;
- anything else is `outside`: its codes are empty, it is counted, never dropped;
- a leaf region coarser than a county (济源, 东莞: no counties below the city) fills the finer code with
  its own, so every assigned row has a county code.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import hierarchy, raster_index
from geo.raster_index import RasterIndex

CODE_COLUMNS = {"province": "province_adcode", "city": "city_adcode", "county": "county_adcode"}
INSIDE, NEAR, OUTSIDE, MISSING = "inside", "near", "outside", "no_coordinates"
_METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class AssignmentSummary:
    total: int
    inside: int
    near: int
    outside: int
    no_coordinates: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _ancestor_codes(leaves: pd.DataFrame) -> pd.DataFrame:
    """For each leaf polygon, its code at each of province/city/county (the leaf's own code below it)."""
    rows = []
    for adcode in leaves["adcode"]:
        chain = {r.level: r.adcode for r in hierarchy.ancestors(adcode)}
        row = {}
        last = None
        for level, column in CODE_COLUMNS.items():
            last = chain.get(level, last)
            row[column] = last
        rows.append(row)
    return pd.DataFrame(rows, index=leaves.index)


_MATCH_NAMES = np.array([INSIDE, NEAR, OUTSIDE, MISSING])
_INSIDE, _NEAR, _OUTSIDE, _MISSING = range(4)


def assign(
    lon: np.ndarray,
    lat: np.ndarray,
    leaves: gpd.GeoDataFrame,
    snap_m: float = 50.0,
    index: RasterIndex | None = None,
) -> pd.DataFrame:
    """Assign WGS-84 points to the leaf polygons tiling a region (geo.boundaries.polygons(root, 'county')).

    With a raster `index` of the same leaves (geo.raster_index), points in cells wholly inside one
    region or wholly outside all are answered by array lookup and only the rest are tested exactly;
    the answers are the same. Returns one row per input point, in input order: province_adcode,
    city_adcode, county_adcode (categorical; missing where unassigned) and `region_match` (inside /
    near / outside / no_coordinates).
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    has_xy = np.isfinite(lon) & np.isfinite(lat)
    if index is not None and snap_m < index.min_cell_m():
        looked_up = index.lookup(lon, lat)  # NaN and off-grid points come back as BORDER
        leaf_index = np.maximum(looked_up, -1).astype("int64")  # BORDER → -1 until tested
        # BORDER (-2) → still unknown, OUTSIDE (-1) → outside, a leaf (>= 0) → inside.
        match = np.where(looked_up >= 0, _INSIDE, _OUTSIDE).astype("int8")
        match[~has_xy] = _MISSING
        exact = np.flatnonzero((looked_up == raster_index.BORDER) & has_xy)
    else:
        leaf_index = np.full(len(lon), -1, dtype="int64")
        match = np.where(has_xy, _OUTSIDE, _MISSING).astype("int8")
        exact = np.flatnonzero(has_xy)
    found, how = _exact(lon[exact], lat[exact], leaves, snap_m)
    leaf_index[exact] = found
    match[exact] = np.where(found >= 0, how, _OUTSIDE)

    codes = _ancestor_codes(leaves.reset_index(drop=True))
    result = {}
    for column in CODE_COLUMNS.values():
        categories, per_leaf = np.unique(codes[column].to_numpy().astype(str), return_inverse=True)
        # One gather per column: leaf_index -1 picks the trailing -1 (missing).
        result[column] = pd.Categorical.from_codes(np.r_[per_leaf, -1][leaf_index], categories)
    result["region_match"] = pd.Categorical.from_codes(match, _MATCH_NAMES)
    return pd.DataFrame(result)


def _exact(lon: np.ndarray, lat: np.ndarray, leaves: gpd.GeoDataFrame, snap_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Leaf index (-1 where none) and _INSIDE/_NEAR of finite points, by exact tests on the polygons."""
    found = np.full(len(lon), -1, dtype="int64")
    how = np.full(len(lon), _OUTSIDE, dtype="int8")
    polygons = leaves.geometry.values
    if not len(lon) or not len(polygons):
        return found, how
    codes = leaves["adcode"].to_numpy()
    points = shapely.points(lon, lat)
    poly_hits, point_hits = shapely.STRtree(points).query(polygons, predicate="covers")
    if len(point_hits):
        # Deterministic tie-break on borders: smallest adcode wins.
        order = np.lexsort((codes[poly_hits], point_hits))
        point_hits, poly_hits = point_hits[order], poly_hits[order]
        first = np.r_[True, point_hits[1:] != point_hits[:-1]]
        found[point_hits[first]] = poly_hits[first]
        how[point_hits[first]] = _INSIDE

    unmatched = np.flatnonzero(found < 0)
    if len(unmatched) and snap_m > 0:
        near_tree = shapely.STRtree(points[unmatched])
        poly_hits, point_hits = near_tree.query(polygons, predicate="dwithin", distance=snap_m / _METRES_PER_DEGREE)
        if len(point_hits):
            # Nearest polygon wins; equal distances fall back to the smaller adcode.
            distance = shapely.distance(polygons[poly_hits], points[unmatched][point_hits])
            order = np.lexsort((codes[poly_hits], distance, point_hits))
            point_hits, poly_hits = point_hits[order], poly_hits[order]
            first = np.r_[True, point_hits[1:] != point_hits[:-1]]
            found[unmatched[point_hits[first]]] = poly_hits[first]
            how[unmatched[point_hits[first]]] = _NEAR
    return found, how


def summarise(result: pd.DataFrame) -> AssignmentSummary:
    counts = result["region_match"].value_counts()
    return AssignmentSummary(
        total=len(result),
        inside=int(counts.get(INSIDE, 0)),
        near=int(counts.get(NEAR, 0)),
        outside=int(counts.get(OUTSIDE, 0)),
        no_coordinates=int(counts.get(MISSING, 0)),
    )


def parse_coordinates(lon: pd.Series, lat: pd.Series, lon_name: str, lat_name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Numeric lon/lat arrays (NaN where unusable) and one message per unusable row naming row and field.

    Rows are numbered from 1 (the first data row; the header is line 1 of the file). Unusable: empty,
    not a number, outside -180..180 / -90..90, or exactly 0,0 (a common placeholder for "unknown").
    """
    x = pd.to_numeric(lon, errors="coerce").to_numpy(dtype="float64", copy=True)
    y = pd.to_numeric(lat, errors="coerce").to_numpy(dtype="float64", copy=True)
    problems: list[tuple[int, str]] = []
    bad = np.zeros(len(x), dtype=bool)
    for raw, values, name, low, high in ((lon, x, lon_name, -180, 180), (lat, y, lat_name, -90, 90)):
        empty = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
        not_number = ~empty & np.isnan(values)
        out_of_range = ~np.isnan(values) & ((values < low) | (values > high))
        problems += [(i, f"{name} is empty") for i in np.flatnonzero(empty)]
        problems += [(i, f"{name} {raw.iloc[i]!r} is not a number") for i in np.flatnonzero(not_number)]
        problems += [(i, f"{name} {values[i]:g} is outside {low}..{high}") for i in np.flatnonzero(out_of_range)]
        bad |= empty | not_number | out_of_range
    zero = (x == 0) & (y == 0)
    problems += [(i, f"{lon_name},{lat_name} is 0,0 (a placeholder, not a place)") for i in np.flatnonzero(zero)]
    bad |= zero
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y, [f"row {i + 1}: {message}" for i, message in sorted(problems, key=lambda p: p[0])]
