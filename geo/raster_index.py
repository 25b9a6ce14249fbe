"""A grid of region codes that answers point → region for most points by one array lookup.

Each cell of a fine grid over the root region holds one int code:
- a leaf index (>= 0) when the cell lies wholly inside that one leaf polygon and touches no other;
- OUTSIDE (-1) when no polygon comes within `reach` degrees of the cell, so no point in it can snap;
- otherwise (a boundary passes through it, polygons overlap there, or a polygon is near) a *candidate
  set* code <= -2: the set of leaves that touch the cell or come within `reach` of it. Only the points
  in those cells are tested exactly, and only against their few candidates (geo.assign), so every
  answer equals exact point-in-polygon on the full-resolution boundaries, tie-break and snap included.

Why candidate sets and not one BORDER flag: a border point then costs two or three prepared-polygon
tests instead of an STRtree over all polygons, and a cell inside a county next to a border no longer
needs to defer (only cells that a boundary actually touches do), so fewer points take the exact path.

The grid is built once per root (rasterio burns every polygon and boundary with all_touched) and
cached on disk; lookups are integer index math on int32 cell numbers, no per-point Python.

It is stored as two levels: a coarse grid of BLOCK × BLOCK cells whose block holds one code where all its
cells agree (most of the root: the inside of counties and the space around the root), and the fine
tiles of the other blocks. Why: Henan's fine grid is 59 MB, and every server process holds up to four such
grids; nested it is 5 MB (9 % of its blocks are mixed; China: 75 → 13 MB, 17 %). The coarse grid is small
enough to stay in cache, so a lookup of 1M points also got faster (13 → 10 ms), not slower.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio import features, windows
from scipy import ndimage

CELL_DEG = 0.001  # ~100 m; Henan's grid is ~6,300 × 5,000 cells, 60 MB as int16
MAX_CELLS = 40_000_000  # larger roots (all of China) get coarser cells; more points then take the exact path
OUTSIDE = -1
FIRST_SET = -2  # candidate set k is stored as FIRST_SET - k
OFF_GRID = np.iinfo(np.int32).min  # what lookup returns for points off the grid or without coordinates
FORMAT = 3  # bump when the stored arrays change meaning, so old caches are rebuilt
BLOCK_SHIFT = 4
BLOCK = 1 << BLOCK_SHIFT  # fine cells per side of a coarse block
TILE = 1 << 30  # a coarse value >= TILE points at tile (value - TILE); leaf and set codes stay far below it


@dataclass(frozen=True)
class RasterIndex:
    coarse: np.ndarray  # int32, one per block: its cells' common code, or TILE + its tile
    tiles: np.ndarray  # (tiles, BLOCK, BLOCK) of int16 (int32 for many leaves/sets): cell → leaf / OUTSIDE / set
    shape: tuple[int, int]  # the fine grid's rows and columns
    minx: float
    maxy: float
    cell: float
    reach: float  # degrees: a point in a cell that is not a candidate set is farther than this from every other leaf
    set_offsets: np.ndarray  # candidate set k is set_members[set_offsets[k]:set_offsets[k + 1]]
    set_members: np.ndarray  # leaf indices

    def lookup(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Cell code (int32) per point; OFF_GRID for points off the grid or with NaN coordinates."""
        rows, cols = self.shape
        inverse = 1.0 / self.cell
        col = np.subtract(lon, self.minx)
        col *= inverse
        row = np.subtract(self.maxy, lat)
        row *= inverse
        on_grid = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)  # False for NaN
        with np.errstate(invalid="ignore"):  # NaN / off-grid casts are masked out below
            r, c = row.astype(np.int32), col.astype(np.int32)
        off_grid = ~on_grid
        r[off_grid] = 0
        c[off_grid] = 0
        block = r >> BLOCK_SHIFT
        block *= self.coarse.shape[1]
        block += c >> BLOCK_SHIFT
        out = self.coarse.ravel().take(block)
        tiled = np.flatnonzero(out >= TILE)
        r, c = r[tiled], c[tiled]
        cell = (out[tiled] - TILE) << (2 * BLOCK_SHIFT)
        cell += (r & (BLOCK - 1)) << BLOCK_SHIFT
        cell += c & (BLOCK - 1)
        out[tiled] = self.tiles.ravel().take(cell)
        out[off_grid] = OFF_GRID
        return out

    def deferred_share(self) -> float:
        """Share of the fine cells that defer to exact tests (candidate sets)."""
        return float((self.tiles <= FIRST_SET).sum() / (self.shape[0] * self.shape[1]))

    def candidates(self, set_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point position, leaf index) for every candidate leaf of each point's candidate set."""
        starts = self.set_offsets[set_ids]
        sizes = self.set_offsets[set_ids + 1] - starts
        point = np.repeat(np.arange(len(set_ids)), sizes)
        within = np.arange(len(point)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return point, self.set_members[np.repeat(starts, sizes) + within]


def cell_size(leaves: gpd.GeoDataFrame) -> float:
    """CELL_DEG, or coarser so the grid stays under MAX_CELLS."""
    minx, miny, maxx, maxy = leaves.total_bounds
    return max(CELL_DEG, round(float(np.sqrt((maxx - minx) * (maxy - miny) / MAX_CELLS)), 4))


def build(leaves: gpd.GeoDataFrame, cell: float, reach: float) -> RasterIndex:
    """Burn every leaf (all_touched) into its own window to find the cells that are safe to answer from the grid.

    A cell is answered by its code when exactly one leaf touches it and no boundary does (it lies
    inside that leaf), or when no leaf comes within `reach` of it (OUTSIDE). Every other cell gets the
    leaves whose geometry meets the cell widened by `reach`, found by exact tests on the polygons, so
    the candidates never depend on how the burn rounds.
    """
    grow = int(np.ceil(reach / cell))  # a leaf more than `grow` cells away is farther than `reach`
    pad = grow + 2
    minx, miny, maxx, maxy = leaves.total_bounds
    minx, maxy = minx - pad * cell, maxy + pad * cell
    width = int(np.ceil((maxx + pad * cell - minx) / cell))
    height = int(np.ceil((maxy - (miny - pad * cell)) / cell))
    transform = Affine(cell, 0.0, minx, 0.0, -cell, maxy)
    geoms = leaves.geometry.values
    touching = np.zeros((height, width), dtype=np.uint8)  # leaves touching the cell, capped at 2
    only = np.full((height, width), OUTSIDE, dtype=np.int32)
    near_any = np.zeros((height, width), dtype=bool)
    for i, geom in enumerate(geoms):
        window = windows.from_bounds(*shapely.bounds(geom), transform=transform)
        r0, c0 = max(int(window.row_off) - grow - 1, 0), max(int(window.col_off) - grow - 1, 0)
        r1 = min(int(np.ceil(window.row_off + window.height)) + grow + 2, height)
        c1 = min(int(np.ceil(window.col_off + window.width)) + grow + 2, width)
        burned = features.rasterize([(geom, 1)], out_shape=(r1 - r0, c1 - c0), all_touched=True, dtype=np.uint8,
                                    transform=transform @ Affine.translation(c0, r0)).astype(bool)
        block = (slice(r0, r1), slice(c0, c1))
        touching[block] = np.minimum(touching[block] + burned, 2)
        only[block][burned] = i
        near_any[block] |= ndimage.binary_dilation(burned, np.ones((3, 3), bool), iterations=grow) if grow else burned
    boundary = features.rasterize(((line, 1) for line in shapely.boundary(geoms)), out_shape=(height, width),
                                  transform=transform, fill=0, dtype=np.uint8, all_touched=True).astype(bool)
    _mark_sampled_boundaries(geoms, boundary, minx, maxy, cell)

    pure = (touching == 1) & ~boundary
    deferred = np.flatnonzero(~pure & near_any)
    deferred, set_of_cell, offsets, members = _candidate_sets(geoms, deferred, width, transform, grow)
    dtype = np.int16 if max(len(geoms), len(offsets) - 1 - FIRST_SET) < np.iinfo(np.int16).max else np.int32
    codes = np.full((height, width), OUTSIDE, dtype=dtype)
    codes[pure] = only[pure]
    codes.ravel()[deferred] = (FIRST_SET - set_of_cell).astype(dtype)
    coarse, tiles = _nest(codes)
    return RasterIndex(coarse, tiles, codes.shape, float(minx), float(maxy), cell, reach, offsets, members)


def _nest(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The coarse grid and tiles of a fine grid: a block whose cells all hold one code keeps only that code."""
    height, width = codes.shape
    rows, cols = -(-height // BLOCK), -(-width // BLOCK)
    padded = np.full((rows * BLOCK, cols * BLOCK), OUTSIDE, dtype=codes.dtype)
    padded[:height, :width] = codes
    blocks = padded.reshape(rows, BLOCK, cols, BLOCK).swapaxes(1, 2).reshape(rows * cols, BLOCK, BLOCK)
    first = blocks[:, 0, 0]
    mixed = np.flatnonzero((blocks != first[:, None, None]).any(axis=(1, 2)))
    coarse = first.astype(np.int32)
    coarse[mixed] = TILE + np.arange(len(mixed), dtype=np.int32)
    return coarse.reshape(rows, cols), np.ascontiguousarray(blocks[mixed])


def _candidate_sets(geoms: np.ndarray, cells: np.ndarray, width: int, transform: Affine, grow: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The cells that meet a leaf, their set ids, and the sets (CSR offsets, leaf indices): the leaves meeting each cell widened by `grow`.

    Cells with the same leaves share one set (a Zobrist hash per cell: XOR of one random key per leaf).
    """
    rows, cols = np.divmod(cells, width)
    cell, minx, maxy = transform.a, transform.c, transform.f
    x0, y0 = minx + (cols - grow) * cell, maxy - (rows - grow) * cell
    x1, y1 = minx + (cols + 1 + grow) * cell, maxy - (rows + 1 + grow) * cell
    cell_hits, leaf_hits = shapely.STRtree(geoms).query(shapely.box(x0, y1, x1, y0), predicate="intersects")
    order = np.lexsort((leaf_hits, cell_hits))
    cell_hits, leaf_hits = cell_hits[order], leaf_hits[order]
    keys = np.random.default_rng(0).integers(1, 2**63, size=len(geoms), dtype=np.uint64)
    # The burn is generous at cell edges: a cell it puts near a leaf may meet none exactly; it stays OUTSIDE.
    kept, starts = np.unique(cell_hits, return_index=True)
    hashes = np.bitwise_xor.reduceat(keys[leaf_hits], starts) if len(kept) else np.zeros(0, np.uint64)
    _, first, set_of_cell = np.unique(hashes, return_index=True, return_inverse=True)
    ends = np.r_[starts[1:], len(cell_hits)]
    members = [leaf_hits[starts[c]:ends[c]] for c in first]
    offsets = np.r_[0, np.cumsum([len(m) for m in members])].astype(np.int64)
    flat = np.concatenate(members).astype(np.int32) if members else np.zeros(0, np.int32)
    return cells[kept], set_of_cell.astype(np.int64), offsets, flat


def _mark_sampled_boundaries(geoms: np.ndarray, boundary: np.ndarray, minx: float, maxy: float, cell: float) -> None:
    """Also mark the cells of every vertex and of points every half cell along each boundary.

    GDAL's all_touched line burn can miss a cell where a vertex sits exactly on a cell edge (it did for
    32 of China's vertices); a missed border cell would be answered from the grid near a boundary.
    """
    xy = shapely.get_coordinates(shapely.segmentize(shapely.boundary(geoms), cell / 2))
    rows = ((maxy - xy[:, 1]) / cell).astype(np.int64)
    cols = ((xy[:, 0] - minx) / cell).astype(np.int64)
    boundary[rows, cols] = True


def load_or_build(leaves: gpd.GeoDataFrame, path: Path, cell: float, reach: float) -> RasterIndex:
    if path.exists():
        stored = np.load(path)
        if int(stored["format"]) == FORMAT and float(stored["reach"]) == reach:
            return RasterIndex(stored["coarse"], stored["tiles"], tuple(int(n) for n in stored["shape"]),
                               float(stored["minx"]), float(stored["maxy"]), float(stored["cell"]),
                               float(stored["reach"]), stored["set_offsets"], stored["set_members"])
    index = build(leaves, cell, reach)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, coarse=index.coarse, tiles=index.tiles, shape=np.array(index.shape), minx=index.minx,
                        maxy=index.maxy, cell=index.cell, reach=index.reach, set_offsets=index.set_offsets,
                        set_members=index.set_members, format=FORMAT)
    tmp.replace(path)
    return index
