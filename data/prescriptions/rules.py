"""The prescription checks' parameters as data: seeded from rules.csv (each row with its legal source).

The province edits the table, not the code; `load` returns it as a DataFrame for data.prescriptions.checks.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from data import vocab
from data.models import PrescriptionRule

SEED = Path(__file__).with_name("rules.csv")
ANY = "*"
_VOCABULARIES = {"rule": vocab.RX_RULES, "drug_class": vocab.DRUG_CLASSES, "dosage_form": vocab.DOSAGE_FORMS,
                 "setting": vocab.RX_SETTINGS, "category": vocab.PRACTICE_CATEGORIES, "department": vocab.DEPARTMENTS}


def seed_rows() -> pd.DataFrame:
    """rules.csv, checked: every value of the vocabulary (or "*"), a source on every row."""
    frame = pd.read_csv(SEED, dtype=str, keep_default_na=False)
    for column, allowed in _VOCABULARIES.items():
        bad = ~frame[column].isin(allowed + ((ANY,) if column != "rule" else ()))
        if bad.any():
            row = int(bad.idxmax()) + 2
            raise ValueError(f"{SEED.name} row {row}: {column} {frame.at[row - 2, column]!r} is not one of {allowed}")
    if (frame["source"].str.strip() == "").any():
        raise ValueError(f"{SEED.name} row {int((frame['source'].str.strip() == '').idxmax()) + 2}: source is empty")
    out = frame.assign(
        max_days=pd.to_numeric(frame["max_days"].replace("", None)),
        max_doses=pd.to_numeric(frame["max_doses"].replace("", None)).astype("Int64"),
        required_right=frame["required_right"].replace("", None),
        extendable=frame["extendable"] == "1",
    )
    return out


def seed(conn: Connection) -> int:
    """Store rules.csv when the table is empty (an edited table is left alone). Returns rows added."""
    if conn.execute(select(PrescriptionRule.id).limit(1)).first() is not None:
        return 0
    rows = seed_rows().astype(object).where(lambda f: f.notna(), None).to_dict("records")
    conn.execute(insert(PrescriptionRule), rows)
    return len(rows)


def load(conn: Connection) -> pd.DataFrame:
    """Every stored rule row (id, rule, what it applies to, its parameters, its source)."""
    table = PrescriptionRule.__table__
    return pd.DataFrame(conn.execute(select(table).order_by(table.c.id)).mappings().all())
