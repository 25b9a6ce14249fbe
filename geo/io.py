"""Reading the text files users bring: CSV in whatever encoding a Chinese office produced."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# Tried in order: UTF-8 (with or without BOM) must decode strictly; GB18030 is a superset of GBK and
# GB2312; cp1252 last, for Western exports (it decodes almost any byte, so it cannot come earlier).
ENCODINGS = ("utf-8-sig", "gb18030", "cp1252")


def detect_encoding(path: Path) -> str:
    data = Path(path).read_bytes()
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ValueError(f"{path}: not UTF-8, GB18030/GBK or cp1252 text")


def read_csv_detecting_encoding(path: Path) -> tuple[pd.DataFrame, str]:
    """(frame with every column as text, encoding used)."""
    encoding = detect_encoding(path)
    frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False, na_values=[])
    return frame, encoding
