"""Which columns hold personal data, and how every path to the database encrypts and decrypts them.

Personal columns (the only ones; names of businesses, officers' badge names and practitioners' names are
public or work identities and stay plain, see README "Personal data"):

    entity.legal_representative, entity.contact_phone    法定代表人, 联系电话
    practitioner.id_number, practitioner.phone           身份证号, 手机号

Paths, each covered here:
- ORM and Core (`insert(Entity)`, `select(table.c.phone)`): the column type `Encrypted` encrypts bound values
  and decrypts results.
- The bulk loader (data/bulk.py: COPY / executemany of rendered text, no SQLAlchemy types) calls
  `protect_frame` before rendering.
- Cached queries select the ciphertext (`sealed`), cache it, and `reveal` it after the cache read: the query
  cache (in-process or Redis) never holds plaintext personal data, for any viewer.

No query compares these columns by value except a practitioner lookup by ID number, which matches the blind
index `practitioner.id_number_index` (data/crypto.py). Equality on an Encrypted column never matches (random
nonces): use the blind index. Inserts fill the index by themselves (a column default, and `protect_frame`); an
UPDATE that changes an ID number must set the index too, as `rotate` does (no other code updates one).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, Table, Text, type_coerce
from sqlalchemy.types import TypeDecorator

from data import crypto

PERSONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "entity": ("legal_representative", "contact_phone"),
    "practitioner": ("id_number", "phone"),
}
# (table, source column) → the column holding its blind index.
BLIND_INDEXES: dict[tuple[str, str], str] = {("practitioner", "id_number"): "id_number_index"}


class Encrypted(TypeDecorator):
    """Text stored as an AES-GCM ciphertext bound to `column` ("table.column"); None stays NULL."""

    impl = Text
    cache_ok = True

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def process_bind_param(self, value, dialect):
        return crypto.keyring().encrypt(value, self.column)

    def process_result_value(self, value, dialect):
        return crypto.keyring().decrypt(value, self.column)


def blind_index_default(table: str, source: str):
    """A column default that fills the blind index from the inserted row's `source` value (Core and ORM inserts)."""
    name = f"{table}.{source}"

    def fill(context) -> str | None:
        return crypto.keyring().blind_index(context.get_current_parameters().get(source), name)

    return fill


def protect_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """For the bulk loader: a copy of `frame` with its personal columns encrypted and blind indexes added."""
    personal = [c for c in frame.columns if isinstance(table.c[c].type, Encrypted)]
    if not personal:
        return frame
    ring = crypto.keyring()
    out = frame.copy()
    for name in personal:
        source, values = f"{table.name}.{name}", frame[name].astype(object).where(frame[name].notna(), None).tolist()
        index = BLIND_INDEXES.get((table.name, name))
        if index and index not in frame.columns:
            out[index] = [ring.blind_index(v, source) for v in values]
        out[name] = ring.encrypt_many(values, source)
    return out


def sealed(table: Table, name: str) -> ColumnElement:
    """`table.c[name]` selected as stored (the ciphertext), for answers that are cached before `reveal`."""
    return type_coerce(table.c[name], Text).label(name)


def reveal(row: dict | None, table: str) -> dict | None:
    """A cached record with its personal columns decrypted (for this request only)."""
    if row is None:
        return None
    ring = crypto.keyring()
    return {k: ring.decrypt(v, f"{table}.{k}") if k in PERSONAL_COLUMNS[table] else v for k, v in row.items()}


def _raw_table(name: str):
    """The table with its personal columns as plain text: ciphertexts in and out, no Encrypted type in the way."""
    from sqlalchemy import column, table

    index = [BLIND_INDEXES[(name, c)] for c in PERSONAL_COLUMNS[name] if (name, c) in BLIND_INDEXES]
    return table(name, column("id"), *(column(c, Text) for c in (*PERSONAL_COLUMNS[name], *index)))


def rotate(engine, batch_size: int = 1000, progress=lambda _message: None) -> dict[str, int]:
    """Re-encrypt every personal value not under the current key (and refresh its blind index), in batches of
    `batch_size` rows, one transaction per batch: an interruption leaves finished batches under the new key and
    the rest under the old one, both readable while the old key stays configured. Returns rows changed per table."""
    from sqlalchemy import bindparam, select

    ring, changed = crypto.keyring(), {}
    for name, columns in PERSONAL_COLUMNS.items():
        raw, last_id, changed[name] = _raw_table(name), None, 0
        while True:
            with engine.begin() as conn:
                query = select(raw.c.id, *(raw.c[c] for c in columns)).order_by(raw.c.id).limit(batch_size)
                rows = conn.execute(query if last_id is None else query.where(raw.c.id > last_id)).mappings().all()
                if not rows:
                    break
                last_id = rows[-1]["id"]
                stale = [r for r in rows if not all(ring.is_current(r[c]) for c in columns)]
                updates = []
                for row in stale:
                    plain = {c: ring.decrypt(row[c], f"{name}.{c}") for c in columns}
                    values = {f"new_{c}": ring.encrypt(plain[c], f"{name}.{c}") for c in columns}
                    for (table_name, source), index in BLIND_INDEXES.items():
                        if table_name == name:
                            values[f"new_{index}"] = ring.blind_index(plain[source], f"{name}.{source}")
                    updates.append({"row_id": row["id"], **values})
                if updates:
                    targets = [k.removeprefix("new_") for k in updates[0] if k != "row_id"]
                    conn.execute(raw.update().where(raw.c.id == bindparam("row_id"))
                                 .values({t: bindparam(f"new_{t}") for t in targets}), updates)
                changed[name] += len(updates)
            progress(f"{name}: up to id {last_id}, {changed[name]:,} re-encrypted")
    return changed
