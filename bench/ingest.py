"""Ingest benchmark: readings per second through POST /api/v1/readings (gunicorn, two workers) with rule
evaluation, into SQLite and PostgreSQL, and the time from a reading's arrival to its alert in the feed.

    .venv/bin/python bench/ingest.py [--batches 200] [--databases sqlite,postgresql]

Each client thread posts batches of 1,000 hourly PM2.5 readings for its own devices (about 2 % over
the limit, so rules raise and clear alerts as they go). Baseline in the same run: the same batches
through `ingest()` in-process, one thread, no HTTP.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.settings import Settings  # noqa: E402
from data import db, models  # noqa: E402
from data.monitoring import devices, ingest  # noqa: E402
from data.queries import alerts as alert_queries  # noqa: E402
from data.queries.filters import Scope  # noqa: E402
from data.store import Store  # noqa: E402

PG = os.environ.get("WEIJIAN_BENCH_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
CODES = {"province_adcode": "410000", "city_adcode": "410100", "county_adcode": "410105"}
BATCH = 1000
START = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def _database(kind: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'ingest.db'}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS weijian_bench_ingest CASCADE"))
        conn.execute(text("CREATE SCHEMA weijian_bench_ingest"))
    return f"{PG}?options=-csearch_path%3Dweijian_bench_ingest"


def _setup(url: str, n_devices: int) -> dict[str, str]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Region), [{"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
                                            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
                                            {"adcode": "410105", "name": "金水区", "level": "county", "parent_adcode": "410100"}])
        conn.execute(insert(models.Entity), [{"id": i, "credit_code": f"9141010500000{i:05d}"[:18], "name": f"场所{i}",
                                              "specialty": "public_place", "subtype": "venue", **CODES}
                                             for i in range(1, n_devices + 1)])
        conn.execute(insert(models.Device), [{"id": f"D{i:04d}", "entity_id": i, "scene": "public_air", "interval_s": 3600,
                                              "installed_on": dt.date(2019, 1, 1), "active": True, **CODES}
                                             for i in range(1, n_devices + 1)])
        tokens = {f"D{i:04d}": devices.issue_token(conn, f"D{i:04d}") for i in range(1, n_devices + 1)}
    engine.dispose()
    return tokens


def _batches(device_id: str, count: int, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    out = []
    for b in range(count):
        values = rng.gamma(4, 10, BATCH)  # mean 40 µg/m³, ~2 % over 75
        out.append(json.dumps([{"device_id": device_id, "indicator": "pm25",
                                "measured_at": (START + dt.timedelta(hours=b * BATCH + i)).isoformat(),
                                "value": round(float(v), 1), "unit": "µg/m³"} for i, v in enumerate(values)]).encode())
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, tmp: Path, port: int) -> subprocess.Popen:
    env = dict(os.environ, WEIJIAN_DATABASE_URL=url, WEIJIAN_VAR_DIR=str(tmp), WEIJIAN_REGION="410000")
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                             "dashboard.wsgi:server"], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _post_all(port: int, work: list[tuple[str, list[bytes]]], latencies: list[float]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for token, bodies in work:
        for body in bodies:
            started = time.perf_counter()
            conn.request("POST", "/api/v1/readings", body, {"Content-Type": "application/json",
                                                            "Authorization": f"Bearer {token}"})
            answer = conn.getresponse()
            payload = json.loads(answer.read())
            if answer.status != 200 or payload["accepted"] != BATCH:
                raise RuntimeError(f"{answer.status}: {str(payload)[:200]}")
            latencies.append(time.perf_counter() - started)


def bench(kind: str, batches: int, threads: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="wj-ingest-"))
    url = _database(kind, tmp)
    n_devices = threads * 2
    probes = 20
    tokens = _setup(url, n_devices + 1 + probes)
    per_device = max(1, batches // n_devices)
    work = {d: _batches(d, per_device, i) for i, d in enumerate(sorted(tokens)[:n_devices])}

    # Baseline: the same kind of batches in-process, one thread, no HTTP (a spare device).
    engine = db.make_engine(url)
    spare = sorted(tokens)[n_devices]
    local = _batches(spare, 20, 99)
    started = time.perf_counter()
    for body in local:
        ingest.ingest(engine, json.loads(body), token_device=spare)
    in_process = 20 * BATCH / (time.perf_counter() - started)

    port = _free_port()
    proc = _serve(url, tmp, port)
    try:
        devices_sorted = sorted(work)
        shares = [[(tokens[d], work[d]) for d in devices_sorted[t::threads]] for t in range(threads)]
        latencies: list[float] = []
        started = time.perf_counter()
        pool = [threading.Thread(target=_post_all, args=(port, share, latencies)) for share in shares]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started
        sent = len(latencies) * BATCH

        # Arrival → alert in the feed: each probe device posts one over-limit reading of now; poll the
        # wall's feed query (newest first) until its alert shows.
        store = Store.open(url)
        lag = []
        for probe in sorted(tokens)[n_devices + 1:]:
            body = json.dumps([{"device_id": probe, "indicator": "pm25", "value": 300.0, "unit": "µg/m³",
                                "measured_at": dt.datetime.now(dt.UTC).isoformat()}])
            t0 = time.perf_counter()
            conn = http.client.HTTPConnection("127.0.0.1", port)
            conn.request("POST", "/api/v1/readings", body, {"Content-Type": "application/json",
                                                            "Authorization": f"Bearer {tokens[probe]}"})
            conn.getresponse().read()
            while time.perf_counter() - t0 < 30:
                feed = alert_queries.feed(store, Scope.of("410000"), "410105", limit=5)
                if (feed["device_id"] == probe).any():
                    break
                time.sleep(0.005)
            else:
                raise RuntimeError(f"the alert of {probe} did not show in the feed within 30 s")
            lag.append(time.perf_counter() - t0)
    finally:
        proc.terminate()
        proc.wait(10)
    return {"database": kind, "readings": sent, "seconds": elapsed, "per_s": sent / elapsed,
            "batch_p50_ms": statistics.median(latencies) * 1000,
            "batch_p95_ms": float(np.percentile(latencies, 95)) * 1000, "in_process_per_s": in_process,
            "alert_lag_p95_ms": float(np.percentile(lag, 95)) * 1000}


def main() -> None:
    Settings().install_data_keyring()  # the development key in var/data_key: what `make run` reads the data with
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=200, help="Batches of 1,000 readings per database.")
    parser.add_argument("--threads", type=int, default=4, help="Concurrent client connections.")
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = [bench(kind, args.batches, args.threads) for kind in args.databases.split(",")]
    print(f"{'database':<11}{'readings':>10}{'s':>8}{'HTTP /s':>10}{'in-proc /s':>12}{'batch p50':>11}"
          f"{'batch p95':>11}{'alert lag p95':>15}")
    for r in rows:
        print(f"{r['database']:<11}{r['readings']:>10,}{r['seconds']:>8.1f}{r['per_s']:>10,.0f}{r['in_process_per_s']:>12,.0f}"
              f"{r['batch_p50_ms']:>9.0f}ms{r['batch_p95_ms']:>9.0f}ms{r['alert_lag_p95_ms']:>13.0f}ms")
    print("alert lag = POST of an over-limit reading → the alert in the feed query; the wall adds its refresh interval.")


if __name__ == "__main__":
    main()
