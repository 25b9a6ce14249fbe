"""Point → region assignment: which province, city and county each point lies in.

Vectorised: a raster of region codes (geo.raster_index) answers points far from any boundary by
array lookup; points in border cells are tested against their cell's few candidate leaves only
(one prepared intersects_xy call per leaf); points off the grid, or all points without an index, go
through one STRtree over the points, queried once with every polygon.
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
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import hierarchy, raster_index
from geo.raster_index import RasterIndex

CODE_COLUMNS = {"province": "province_adcode", "city": "city_adcode", "county": "county_adcode", "town": "town_adcode"}
FILLED_DOWN = ("province", "city", "county")  # a coarser leaf fills these with its own code; a town only where one is
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


@lru_cache(maxsize=16)
def _leaf_columns(adcodes: tuple[str, ...]) -> tuple[tuple[str, pd.CategoricalDtype, np.ndarray], ...]:
    """Per code column: its categories and each leaf's category code, with a trailing -1 for "no leaf".

    Cached per set of leaves: every batch of points assigned to the same boundaries reuses it.
    """
    chains = []
    for adcode in adcodes:
        chain = {r.level: r.adcode for r in hierarchy.ancestors(adcode)}
        row, last = {}, None
        for level, column in CODE_COLUMNS.items():
            last = chain.get(level, last if level in FILLED_DOWN else None)  # 济源 fills its county code with its own
            row[column] = last
        chains.append(row)
    columns = []
    for column in CODE_COLUMNS.values():
        codes = [row[column] for row in chains]
        categories = np.unique(np.array([str(c) for c in codes if c is not None], dtype=object)).astype(str)
        position = {code: i for i, code in enumerate(categories)}
        per_leaf = np.array([position.get(c, -1) if c is not None else -1 for c in codes] + [-1])
        # The smallest dtype pandas keeps codes of this many categories in, so from_codes takes them without a copy.
        dtype = next(t for t in (np.int8, np.int16, np.int32) if len(categories) < np.iinfo(t).max)
        columns.append((column, pd.CategoricalDtype(categories), per_leaf.astype(dtype)))
    return tuple(columns)


_MATCH_DTYPE = pd.CategoricalDtype([INSIDE, NEAR, OUTSIDE, MISSING])
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
    region or far from all are answered by array lookup and only the rest are tested exactly, against
    their cell's few candidate leaves; the answers are the same. Returns one row per input point, in
    input order: province_adcode, city_adcode, county_adcode, town_adcode (categorical; missing where unassigned,
    and the town wherever the leaf is not a town)
    and `region_match` (inside / near / outside / no_coordinates).
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    snap_deg = snap_m / _METRES_PER_DEGREE
    geoms = np.asarray(leaves.geometry.values)
    rank = np.argsort(np.argsort(leaves["adcode"].to_numpy().astype(str), kind="stable"))  # tie-break: smaller adcode
    if index is not None and snap_deg < index.reach:
        code = index.lookup(lon, lat)
        leaf_index = np.maximum(code, -1)
        match = np.where(code >= 0, _INSIDE, _OUTSIDE).astype("int8")
        deferred = np.flatnonzero(code <= raster_index.FIRST_SET)  # candidate sets, and OFF_GRID below them
        in_set = deferred[code[deferred] != raster_index.OFF_GRID]
        found, how = _by_candidates(lon[in_set], lat[in_set], raster_index.FIRST_SET - code[in_set], index, geoms, rank,
                                    snap_deg)
        leaf_index[in_set], match[in_set] = found, how
        off_grid = deferred[code[deferred] == raster_index.OFF_GRID]  # NaN lands here too
        has_xy = np.isfinite(lon[off_grid]) & np.isfinite(lat[off_grid])
        match[off_grid[~has_xy]] = _MISSING
        exact = off_grid[has_xy]
    else:
        has_xy = np.isfinite(lon) & np.isfinite(lat)
        leaf_index = np.full(len(lon), -1, dtype="int32")
        match = np.where(has_xy, _OUTSIDE, _MISSING).astype("int8")
        exact = np.flatnonzero(has_xy)
    found, how = _exact(lon[exact], lat[exact], geoms, rank, snap_deg)
    leaf_index[exact], match[exact] = found, how

    result = {column: pd.Categorical.from_codes(per_leaf[leaf_index], dtype=dtype, validate=False)
              for column, dtype, per_leaf in _leaf_columns(tuple(leaves["adcode"].astype(str)))}
    result["region_match"] = pd.Categorical.from_codes(match, dtype=_MATCH_DTYPE, validate=False)
    return pd.DataFrame(result)


def _first_per_point(point: np.ndarray, leaf: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For (point, leaf) pairs: each point's pair ordered first by `keys` (most significant first)."""
    order = np.lexsort((*reversed(keys), point))
    point, leaf = point[order], leaf[order]
    first = np.r_[True, point[1:] != point[:-1]] if len(point) else np.zeros(0, bool)
    return point[first], leaf[first]


def _by_candidates(lon, lat, set_ids, index: RasterIndex, geoms, rank, snap_deg) -> tuple[np.ndarray, np.ndarray]:
    """Leaf index (-1 where none) and match of points in candidate-set cells, testing each point only
    against its cell's leaves: one prepared intersects_xy call per leaf over all its candidate points."""
    found = np.full(len(lon), -1, dtype="int32")
    how = np.full(len(lon), _OUTSIDE, dtype="int8")
    point, leaf = index.candidates(set_ids)
    order = np.argsort(leaf, kind="stable")
    point, leaf = point[order], leaf[order]
    hit = _per_leaf(point, leaf, geoms, lambda polygon, pts: shapely.intersects_xy(polygon, lon[pts], lat[pts]))
    covered, by = _first_per_point(point[hit], leaf[hit], rank[leaf[hit]])
    found[covered], how[covered] = by, _INSIDE
    if snap_deg > 0:
        open_pair = found[point] < 0
        point, leaf = point[open_pair], leaf[open_pair]
        points = shapely.points(lon[point], lat[point])  # one per open pair
        # Prepared dwithin first (indexed); the costly exact distance only for the few pairs that are close.
        close = _per_leaf(np.arange(len(point)), leaf, geoms,
                          lambda polygon, pairs: shapely.dwithin(polygon, points[pairs], snap_deg))
        point, leaf, points = point[close], leaf[close], points[close]
        # Only a point close to two or more leaves needs the distances to choose the nearest.
        contested = np.bincount(point, minlength=len(lon))[point] > 1
        distance = np.zeros(len(point))
        distance[contested] = shapely.distance(geoms[leaf[contested]], points[contested])
        snapped, by = _first_per_point(point, leaf, distance, rank[leaf])
        found[snapped], how[snapped] = by, _NEAR
    return found, how


def _per_leaf(point: np.ndarray, leaf: np.ndarray, geoms: np.ndarray, test) -> np.ndarray:
    """test(prepared polygon, its points) over (point, leaf) pairs sorted by leaf: one vectorised call per leaf."""
    result = np.zeros(len(point), dtype=bool)
    bounds = np.flatnonzero(np.r_[True, leaf[1:] != leaf[:-1], True]) if len(leaf) else np.zeros(1, np.int64)
    for start, end in zip(bounds[:-1], bounds[1:]):
        polygon = geoms[leaf[start]]
        shapely.prepare(polygon)
        result[start:end] = test(polygon, point[start:end])
    return result


def _exact(lon: np.ndarray, lat: np.ndarray, geoms: np.ndarray, rank: np.ndarray, snap_deg: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """Leaf index (-1 where none) and _INSIDE/_NEAR of finite points, by exact tests on all the polygons."""
    found = np.full(len(lon), -1, dtype="int32")
    how = np.full(len(lon), _OUTSIDE, dtype="int8")
    if not len(lon) or not len(geoms):
        return found, how
    points = shapely.points(lon, lat)
    poly_hits, point_hits = shapely.STRtree(points).query(geoms, predicate="covers")
    covered, by = _first_per_point(point_hits, poly_hits, rank[poly_hits])  # on a shared border: smaller adcode
    found[covered], how[covered] = by, _INSIDE

    unmatched = np.flatnonzero(found < 0)
    if len(unmatched) and snap_deg > 0:
        near_tree = shapely.STRtree(points[unmatched])
        poly_hits, point_hits = near_tree.query(geoms, predicate="dwithin", distance=snap_deg)
        # Nearest polygon wins; equal distances fall back to the smaller adcode.
        distance = shapely.distance(geoms[poly_hits], points[unmatched][point_hits])
        snapped, by = _first_per_point(point_hits, poly_hits, distance, rank[poly_hits])
        found[unmatched[snapped]], how[unmatched[snapped]] = by, _NEAR
    return found, how


def exact_leaf(lon: np.ndarray, lat: np.ndarray, leaves: gpd.GeoDataFrame, snap_m: float = 50.0) -> np.ndarray:
    """Position in `leaves` (adcode, geometry) of the leaf each point lies in, -1 where none: `assign`'s rules
    without its code columns, for leaves not (yet) in geo.hierarchy (towns being imported).

    Few leaves and many points (a county's towns): one prepared intersects_xy per leaf, in adcode order, over the
    points still open (so a point on a shared border stays with the smaller code); the rest are snapped."""
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    found = np.full(len(lon), -1, dtype="int32")
    geoms = np.asarray(leaves.geometry.values)
    codes = leaves["adcode"].to_numpy().astype(str)
    still_open = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    for leaf in np.argsort(codes, kind="stable"):
        shapely.prepare(geoms[leaf])
        hit = shapely.intersects_xy(geoms[leaf], lon[still_open], lat[still_open])
        found[still_open[hit]] = leaf
        still_open = still_open[~hit]
    if len(still_open) and snap_m > 0:
        rank = np.argsort(np.argsort(codes, kind="stable"))
        found[still_open] = _exact(lon[still_open], lat[still_open], geoms, rank, snap_m / _METRES_PER_DEGREE)[0]
    return found


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
