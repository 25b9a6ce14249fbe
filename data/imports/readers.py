"""Reading the files an import is given: CSV (encoding detected as by geo/io.py), gzipped CSV, XLSX, and the
spatial formats GeoJSON, zipped Shapefile and GeoPackage (through pyogrio).

A spatial file's attributes become columns like a CSV's, and a point's coordinates the two columns
GEOMETRY_X and GEOMETRY_Y (`lon: geometry.x` in a profile), as text, exactly as stored: the profile's `crs`
says what they mean, as for a CSV, so one conversion path (geo/crs.py) serves every format. A feature that is
not a point (or has no geometry) gets empty coordinates, and so is refused as "no coordinates".

Every cell comes back as text ("" where empty) so the validation, not the reader, decides what a value
means: pandas' own guesses ("NA" → NaN, "0123" → 123) would hide exactly the problems we must report.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd
import pyogrio

from geo.io import ENCODINGS

GEOMETRY_X, GEOMETRY_Y = "geometry.x", "geometry.y"
SPATIAL = {".geojson": "GeoJSON", ".json": "GeoJSON", ".zip": "Shapefile (zip)", ".shz": "Shapefile (zip)",
           ".gpkg": "GeoPackage"}


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (missing, wrong format, undecodable)."""


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{name}: not UTF-8, GB18030/GBK or cp1252 text")


def _read_spatial(path: Path) -> pd.DataFrame:
    """Attributes as text and point coordinates as GEOMETRY_X / GEOMETRY_Y, in the file's feature order."""
    frame = pyogrio.read_dataframe(path)
    geometry = frame.geometry
    points = (geometry.geom_type == "Point").to_numpy() & ~geometry.is_empty.to_numpy()
    text = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(object)
    text = text.where(text.notna(), "").astype(str)
    xs, ys = geometry.x.where(points), geometry.y.where(points)
    text[GEOMETRY_X] = xs.map(repr, na_action="ignore").fillna("").to_numpy()
    text[GEOMETRY_Y] = ys.map(repr, na_action="ignore").fillna("").to_numpy()
    return text


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """(frame of text, how it was read: the encoding, 'xlsx' or the spatial format). Row i of the frame is row
    i + 2 of the file (for a spatial file: feature i + 1, counted from 1, plus the header row a CSV would have)."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] and suffixes[-1] in SPATIAL:
        try:
            return _read_spatial(path), SPATIAL[suffixes[-1]]
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
            raise UnreadableFile(f"{path}: not a readable {SPATIAL[suffixes[-1]]} ({exc})") from exc
    try:
        if suffixes[-1:] == [".xlsx"]:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, na_values=[], engine="openpyxl")
            return frame.fillna(""), "xlsx"
        data = path.read_bytes()
        if suffixes[-1:] == [".gz"]:
            data = gzip.decompress(data)
        text, encoding = _decode(data, path.name)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[])
    except (OSError, EOFError, ValueError, pd.errors.ParserError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(f"{path}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, encoding + (" (gzip)" if suffixes[-1:] == [".gz"] else "")
