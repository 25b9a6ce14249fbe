"""Cost of encryption at rest on the bulk path: rows/s of data/bulk.insert_frame for the same frame of entities
(with legal representative and phone) into a table whose two personal columns are plain text and into one whose
columns are Encrypted (AES-256-GCM per value, data/personal.py), on SQLite and PostgreSQL.

    .venv/bin/python bench/crypto_bulk.py [--rows 100000] [--databases sqlite,postgresql]

Best of three runs each; the tables are emptied between runs. Also the time of encrypt_many alone.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data import bulk, crypto  # noqa: E402
from data.personal import Encrypted  # noqa: E402

PG = os.environ.get("WEIJIAN_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")


def _tables() -> tuple[MetaData, Table, Table]:
    meta = MetaData()

    def table(name: str, personal) -> Table:
        return Table(name, meta, Column("id", Integer, primary_key=True), Column("name", String(128)),
                     Column("legal_representative", personal("entity.legal_representative")),
                     Column("contact_phone", personal("entity.contact_phone")))

    return meta, table("bench_plain", lambda _c: Text()), table("entity", Encrypted)  # the AAD names entity's columns


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    surnames, given = np.array(list("王李张刘陈杨赵黄周吴")), np.array(list("伟芳娜敏静丽强磊军洋"))
    return pd.DataFrame({
        "id": np.arange(1, rows + 1), "name": [f"单位{i}" for i in range(rows)],
        "legal_representative": np.char.add(surnames[rng.integers(0, 10, rows)], given[rng.integers(0, 10, rows)]),
        "contact_phone": np.char.add("139", rng.integers(10_000_000, 99_999_999, rows).astype(str))})


def _rate(engine, table: Table, frame: pd.DataFrame) -> float:
    best = float("inf")
    for _ in range(3):
        with engine.begin() as conn:
            conn.execute(table.delete())
        start = time.perf_counter()
        with engine.begin() as conn:
            bulk.insert_frame(conn, table, frame)
        best = min(best, time.perf_counter() - start)
    return len(frame) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    crypto.install(crypto.Keyring([crypto.new_key("bench")]))
    frame = _frame(args.rows)
    ring = crypto.keyring()
    start = time.perf_counter()
    ring.encrypt_many(frame["contact_phone"], "entity.contact_phone")
    print(f"encrypt_many alone: {args.rows / (time.perf_counter() - start):,.0f} values/s")
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.databases.split(","):
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            if kind == "sqlite":
                engine = create_engine(f"sqlite:///{folder}/bench.db")
            else:
                with create_engine(PG).begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
                engine = create_engine(PG, connect_args={"options": f"-csearch_path={schema}"})
            meta, plain, sealed = _tables()
            meta.create_all(engine)
            before, after = _rate(engine, plain, frame), _rate(engine, sealed, frame)
            print(f"{kind:10s} {args.rows:,} rows: plain {before:,.0f} rows/s, encrypted {after:,.0f} rows/s "
                  f"({after / before:.0%} of plain)")
            engine.dispose()
            if kind != "sqlite":
                with create_engine(PG).begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


if __name__ == "__main__":
    main()
