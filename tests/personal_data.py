"""Reading personal columns in tests that query the database with plain SQL: the stored values are ciphertexts."""

from __future__ import annotations

import pandas as pd

from data import crypto
from data.personal import PERSONAL_COLUMNS


def decrypted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` (read with plain SQL) with the personal columns of `table` decrypted by the installed key."""
    out = frame.copy()
    ring = crypto.keyring()
    for name in PERSONAL_COLUMNS[table]:
        if name in out:
            out[name] = [ring.decrypt(v, f"{table}.{name}") for v in out[name].astype(object).where(out[name].notna(), None)]
    return out
