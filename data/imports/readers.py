"""Reading the files an import is given: CSV (encoding detected as by geo/io.py), gzipped CSV, XLSX.

Every cell comes back as text ("" where empty) so the validation, not the reader, decides what a value
means: pandas' own guesses ("NA" → NaN, "0123" → 123) would hide exactly the problems we must report.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pandas as pd

from geo.io import ENCODINGS


class UnreadableFile(ValueError):
    """The file cannot be read as a table at all (missing, wrong format, undecodable)."""


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{name}: not UTF-8, GB18030/GBK or cp1252 text")


def read_table(path: Path) -> tuple[pd.DataFrame, str]:
    """(frame of text, how it was read: the encoding, or 'xlsx'). Row i of the frame is row i + 2 of the file."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    suffixes = [s.lower() for s in path.suffixes]
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
