"""Hexagon aggregation of points for dense views, vectorised with numpy.

Pointy-top hexagons of a given size (centre to corner) in Web Mercator metres; each point goes to the
hexagon whose centre is nearest (cube-coordinate rounding), so every point lands in exactly one cell.

Why not H3 (issue 9 allows "H3 or hexbin"): the hexagons are drawn only inside one county, at one size
(HEX_SIZE_M in layers/complaint.py), recomputed from the period's complaints on each view and never
stored, linked or drilled into; H3's strengths (ids stable across resolutions, parent/child cells) have
no user here. H3's resolutions also step by a factor of ~2.6 in edge length (res 8 ≈ 530 m, res 7 ≈
1.4 km), so the size could not be chosen, and its cells are not all equal on the map (pentagons,
distortion away from each base cell). It would add a dependency (h3 is not installed) for no gain; if
hexagons are ever stored or compared across zooms, h3 v4 (latlng_to_cell, cell_to_parent) is the switch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

_TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
_TO_WGS84 = Transformer.from_crs("EPSG:3857", "EPSG:4326", always_xy=True)
SQRT3 = np.sqrt(3.0)


def _axial_round(q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = -q - r
    rq, rr, rs = np.round(q), np.round(r), np.round(s)
    dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    rq = np.where(fix_q, -rr - rs, rq)
    rr = np.where(fix_r, -rq - rs, rr)
    return rq.astype("int64"), rr.astype("int64")


def aggregate(lon, lat, size_m: float, weights=None) -> pd.DataFrame:
    """q, r (cell ids), count (or weight sum), centre lon/lat of every non-empty hexagon."""
    x, y = _TO_MERCATOR.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    size = size_m / np.cos(np.radians(np.nanmean(lat)))  # metres on the ground → Mercator units
    q = (SQRT3 / 3 * x - y / 3) / size
    r = (2 / 3 * y) / size
    cq, cr = _axial_round(q, r)
    frame = pd.DataFrame({"q": cq, "r": cr, "count": np.ones(len(cq)) if weights is None else np.asarray(weights)})
    cells = frame.groupby(["q", "r"], as_index=False)["count"].sum()
    cx = size * SQRT3 * (cells["q"] + cells["r"] / 2)
    cy = size * 1.5 * cells["r"]
    cells["lon"], cells["lat"] = _TO_WGS84.transform(cx.to_numpy(), cy.to_numpy())
    cells.attrs["size_mercator"] = size
    return cells


def outlines(cells: pd.DataFrame) -> list[list[tuple[float, float]]]:
    """The six corners (closed ring, lon/lat) of each cell, for drawing."""
    size = cells.attrs["size_mercator"]
    cx = size * SQRT3 * (cells["q"].to_numpy() + cells["r"].to_numpy() / 2)
    cy = size * 1.5 * cells["r"].to_numpy()
    angles = np.radians(60 * np.arange(7) - 30)
    xs = cx[:, None] + size * np.cos(angles)[None, :]
    ys = cy[:, None] + size * np.sin(angles)[None, :]
    lons, lats = _TO_WGS84.transform(xs.ravel(), ys.ravel())
    lons, lats = lons.reshape(xs.shape), lats.reshape(ys.shape)
    return [list(zip(lo, la, strict=True)) for lo, la in zip(lons, lats, strict=True)]
