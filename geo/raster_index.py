"""A grid of region codes that answers point → region for most points by array lookup.

Each cell of a fine grid over the root region holds the index of the leaf polygon that contains it
entirely, OUTSIDE when it lies entirely outside every polygon, or BORDER when a boundary passes
through it or a neighbouring cell. Points in BORDER cells (and outside the grid) go to the exact
path in geo.assign, so every answer is the one exact point-in-polygon on the full-resolution
boundaries gives, including the tie-break on shared borders and the 50 m snap: a point in a cell
that is not BORDER is more than one cell width away from any boundary.

The grid is built once per root (rasterio burns polygons and boundary lines) and cached on disk.
A cell is not BORDER only when no boundary touches it or its neighbours, so a point there is at least
one cell width from every boundary; the caller uses the lookup only when its snap distance is smaller.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from rasterio import features
from affine import Affine

CELL_DEG = 0.001  # ~100 m; Henan's grid is ~6,300 × 5,000 cells, 60 MB as int16
MAX_CELLS = 40_000_000  # larger roots (all of China) get coarser cells; more points then take the exact path
OUTSIDE = -1
BORDER = -2


@dataclass(frozen=True)
class RasterIndex:
    codes: np.ndarray  # int16 (or int32) cell → leaf index / OUTSIDE / BORDER
    minx: float
    maxy: float
    cell: float

    def min_cell_m(self) -> float:
        """The narrowest side of a cell in metres (east-west, at the grid's northern edge)."""
        return self.cell * 111_320.0 * float(np.cos(np.radians(min(abs(self.maxy), 89.0))))

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Leaf index per finite point; BORDER for points that need the exact test (also off-grid points)."""
        rows, cols = self.codes.shape
        col = (lon - self.minx) / self.cell
        row = (self.maxy - lat) / self.cell
        on_grid = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)  # False for NaN
        flat = np.where(on_grid, row, 0).astype(np.int64) * cols + np.where(on_grid, col, 0).astype(np.int64)
        return np.where(on_grid, self.codes.ravel()[flat], BORDER)


def cell_size(leaves: gpd.GeoDataFrame) -> float:
    """CELL_DEG, or coarser so the grid stays under MAX_CELLS."""
    minx, miny, maxx, maxy = leaves.total_bounds
    return max(CELL_DEG, round(float(np.sqrt((maxx - minx) * (maxy - miny) / MAX_CELLS)), 4))


def build(leaves: gpd.GeoDataFrame, cell: float) -> RasterIndex:
    minx, miny, maxx, maxy = leaves.total_bounds
    minx, miny, maxx, maxy = minx - 2 * cell, miny - 2 * cell, maxx + 2 * cell, maxy + 2 * cell
    width = int(np.ceil((maxx - minx) / cell))
    height = int(np.ceil((maxy - miny) / cell))
    transform = Affine(cell, 0.0, minx, 0.0, -cell, maxy)
    dtype = np.int16 if len(leaves) < 32_000 else np.int32
    codes = features.rasterize(
        zip(leaves.geometry.values, range(len(leaves)), strict=True), out_shape=(height, width), transform=transform,
        fill=OUTSIDE, dtype=dtype, all_touched=False,
    )
    border = features.rasterize(
        ((line, 1) for line in shapely.boundary(leaves.geometry.values)), out_shape=(height, width), transform=transform,
        fill=0, dtype=np.uint8, all_touched=True,
    ).astype(bool)
    # Widen the border band by one cell each way: a point outside it is over a cell away from any boundary.
    grown = border.copy()
    grown[1:, :] |= border[:-1, :]
    grown[:-1, :] |= border[1:, :]
    grown[:, 1:] |= border[:, :-1]
    grown[:, :-1] |= border[:, 1:]
    codes[grown] = BORDER
    return RasterIndex(codes, float(minx), float(maxy), cell)


def load_or_build(leaves: gpd.GeoDataFrame, path: Path, cell: float) -> RasterIndex:
    if path.exists():
        stored = np.load(path)
        return RasterIndex(stored["codes"], float(stored["minx"]), float(stored["maxy"]), float(stored["cell"]))
    index = build(leaves, cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, codes=index.codes, minx=index.minx, maxy=index.maxy, cell=index.cell)
    tmp.replace(path)
    return index
