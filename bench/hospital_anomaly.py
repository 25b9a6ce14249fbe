"""The seasonal anomaly detection and the fever-surge rule over a city's hospitals for a year of daily data.

    .venv/bin/python bench/hospital_anomaly.py [--hospitals 22,900] [--repeat 3]

A year of the demo generator's daily counts (8 indicators, weekly rhythm, winter flu peak) for the pilot
city's 22 reporting hospitals and for 900 (every hospital of a city-scale demo city), five hospitals to a
county, with a surge planted in 4 hospitals of one county. Times: seasonal.score over the whole year (every day of every series), and
fever_surge.areas over every day of the year; the best of `repeat` runs (the machine is shared: figures
are pessimistic). Also reports the false alarms of the normal year and the surge found, with rules.yaml's
parameters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.demo import hospital_ops as demo  # noqa: E402
from data.monitoring import fever_surge, rules, seasonal  # noqa: E402

FIRST, LAST = dt.date(2025, 7, 1), dt.date(2026, 6, 30)
HOSPITALS_PER_COUNTY = 5


def _best(repeat: int, fn):
    times, answer = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - t0)
    return min(times), answer


def run(n: int, repeat: int) -> dict:
    spec = yaml.safe_load(rules.SEED.read_text(encoding="utf-8"))
    baseline = seasonal.Baseline.from_params(spec["ops_anomaly"]["params"])
    surge = fever_surge.SurgeRule.from_params(spec["fever_surge"]["params"])
    ids = [f"H{i:04d}" for i in range(n)]
    counties = max(1, n // HOSPITALS_PER_COUNTY)
    county = {d: f"4101{i % counties:02d}" for i, d in enumerate(ids)}
    counts = demo.daily_counts(np.random.default_rng(1), ids, FIRST, LAST)
    planted = [d for d in ids if county[d] == "410100"][:4]
    days = list(pd.date_range("2026-01-12", "2026-01-14"))
    counts = demo.plant(counts, planted, days, 3.0)
    totals = seasonal.daily_totals(counts)
    score_s, scored = _best(repeat, lambda: seasonal.score(totals, baseline))
    scored = scored.assign(county_adcode=scored["device_id"].map(county))
    every_day = pd.date_range(FIRST, LAST, freq="D")
    areas_s, found = _best(repeat, lambda: fever_surge.areas(scored, surge, every_day))
    normal = scored[~(scored["device_id"].isin(planted) & scored["day"].isin(days))]
    return {"hospitals": n, "values": len(scored), "score_s": score_s, "values_per_s": len(scored) / score_s,
            "areas_s": areas_s, "false_alarms": int(normal["anomalous"].sum()),
            "surge_areas": sorted(found.loc[found["surge"], "area"].unique())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", default="22,900")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'hospitals':>9} {'values':>10} {'score s':>8} {'values/s':>12} {'surge rule s':>12} "
          f"{'false alarms':>12}  surge found in")
    for n in (int(x) for x in args.hospitals.split(",")):
        r = run(n, args.repeat)
        print(f"{r['hospitals']:>9} {r['values']:>10,} {r['score_s']:>8.3f} {r['values_per_s']:>12,.0f} "
              f"{r['areas_s']:>12.3f} {r['false_alarms']:>12}  {', '.join(r['surge_areas']) or '—'}")


if __name__ == "__main__":
    main()
