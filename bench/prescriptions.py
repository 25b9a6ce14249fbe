"""Prescription-check benchmark: rule evaluation per second, and a month of prescriptions ingested and checked.

    .venv/bin/python bench/prescriptions.py [--month 10000000] [--chunk 1000000] [--databases sqlite,postgresql]

A city of ≈ 3,500 medical institutions and ≈ 50,000 practitioners (data/demo/practitioners.py), and its
prescriptions with violations planted at known rates. Prints:
- rule evaluation (data/prescriptions/checks.py) over 1M prescriptions, best of three, in prescriptions/s,
  with recall and precision against the plant;
- a month (default 10M) through data/prescriptions/ingest.store in batches of `--chunk`, all in one
  transaction per database (SQLite file; PostgreSQL schema weijian_bench_rx, COPY, the table's unique and
  foreign-key constraints checked once at the end of the month): seconds stored + checked + alerts raised
  + commit, generation not counted (it is the hospitals' side).
The machine is shared: figures are pessimistic when other jobs run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.settings import Settings  # noqa: E402
from data import db, models  # noqa: E402
from data.bulk import constraints_deferred, insert_frame  # noqa: E402
from data.demo import practitioners  # noqa: E402
from data.prescriptions import checks, ingest, rules  # noqa: E402

PG = os.environ.get("WEIJIAN_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
UNTIL = dt.date(2026, 6, 30)
MONTH = dt.date(2026, 6, 1)
INSTITUTIONS = 3_500


def city() -> pd.DataFrame:
    """≈ 3,500 medical institutions of one city: a third hospitals (≈ 45 staff each), clinics, village clinics."""
    index = np.arange(INSTITUTIONS)
    return pd.DataFrame({"id": index + 1, "credit_code": [f"12410100MC{i:08d}" for i in index],
                         "name": np.where(index % 9 == 4, "口腔诊所", "医院"), "specialty": "medical",
                         "subtype": np.array(["hospital", "clinic", "village_clinic"])[index % 3],
                         "province_adcode": "410000", "city_adcode": "410100",
                         "county_adcode": np.array(["410102", "410103", "410104", "410105"])[index % 4]})


def bench_evaluation(world, rows: list) -> None:
    ents, staff, regs, deps = world
    batch, plant = practitioners.prescriptions(np.random.default_rng(2), staff, regs, deps, MONTH, 1_000_000)
    reference = checks.Reference(staff, regs, deps, rules.seed_rows().reset_index(names="id"))
    best, found = float("inf"), None
    for _ in range(3):
        t0 = time.perf_counter()
        found = checks.evaluate(batch, reference)
        best = min(best, time.perf_counter() - t0)
    got, want = set(zip(found["row"], found["rule"])), set(zip(plant["row"], plant["rule"]))
    rows.append(("rule evaluation, 1M prescriptions", f"{best:.2f} s", f"{len(batch) / best:,.0f} prescriptions/s"))
    rows.append(("recall / precision on the plant", f"{len(got & want) / len(want):.3f}",
                 f"{len(got & want) / len(got):.3f} ({len(want):,} planted)"))


def _url(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'rx.db'}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS weijian_bench_rx CASCADE"))
        conn.execute(text("CREATE SCHEMA weijian_bench_rx"))
    admin.dispose()
    return f"{PG}?options=-csearch_path%3Dweijian_bench_rx"


def bench_month(kind: str, world, month_rows: int, chunk: int, tmp: Path, rows: list) -> None:
    ents, staff, regs, deps = world
    engine = db.make_engine(_url(kind, tmp))
    db.upgrade(engine)
    with engine.begin() as conn:
        for model, frame in ((models.Entity, ents), (models.Practitioner, staff),
                             (models.PractitionerRegistration, regs), (models.EntityDepartment, deps)):
            insert_frame(conn, model.__table__, frame)
    rng = np.random.default_rng(3)
    stored = generating = 0.0
    hits = raised = 0
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn, constraints_deferred(conn, models.Prescription.__table__):
        for first in range(0, month_rows, chunk):
            t0 = time.perf_counter()
            batch, _ = practitioners.prescriptions(rng, staff, regs, deps, MONTH, min(chunk, month_rows - first), first)
            t1 = time.perf_counter()
            result = ingest.store(conn, batch, now, "bench", "bench", defer=False)
            t2 = time.perf_counter()
            generating, stored = generating + t1 - t0, stored + t2 - t1
            hits, raised = hits + sum(result.hits.values()), raised + result.alerts["raised"]
            print(f"  {kind}: {first + len(batch):,} stored and checked, {stored:.0f} s", flush=True)
        t0 = time.perf_counter()
    commit = time.perf_counter() - t0
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(models.Prescription)).scalar()
    engine.dispose()
    rows.append((f"month of {month_rows:,} prescriptions → {kind}", f"{stored + commit:.0f} s",
                 f"{count / (stored + commit):,.0f}/s · {hits:,} hits · {raised:,} alerts (generation {generating:.0f} s apart)"))


def main() -> None:
    Settings().install_data_keyring()  # the development key in var/data_key: what `make run` reads the data with
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    world = (city(), *practitioners.practitioners(np.random.default_rng(1), city(), UNTIL))
    rows = [("practitioners, registrations", f"{len(world[1]):,}", f"{len(world[2]):,} (≈ 3,500 institutions)")]
    bench_evaluation(world, rows)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            bench_month(kind, world, args.month, args.chunk, Path(tmp), rows)
    width = max(len(r[0]) for r in rows)
    print("\nprescription checks (2 shared cores: figures are pessimistic under load)")
    for name, a, b in rows:
        print(f"  {name:<{width}}  {a:>10}  {b}")


if __name__ == "__main__":
    main()
