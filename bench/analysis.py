"""The analysis page's queries (data/queries/analysis.py, construction.py), cold (empty cache), per section, for a
province, against a demo database; and the inspections section of one specialty from the rollups beside the same
with an entity subtype (hospitals), answered from the raw rows of that subtype only (the rollups hold no subtype).

    .venv/bin/python bench/analysis.py --database sqlite:///var/weijian.db --region 410000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from data import db
from data.cache import QueryCache
from data.queries import analysis, construction
from data.queries.analysis import AnalysisFilters
from data.queries.filters import Period, Scope
from data.store import Store

SECTIONS = {
    "licences": lambda s, af, sc: analysis.licence_figures(s, af, sc, af.period.end),
    "entities": analysis.entity_figures,
    "inspections": lambda s, af, sc: analysis.record_figures(s, af, sc, analysis.INSPECTIONS),
    "penalties": lambda s, af, sc: analysis.record_figures(s, af, sc, analysis.PENALTIES),
    "construction": construction.figures,
}


def cold(engine, fn, af: AnalysisFilters, scope: Scope, repeat: int = 3) -> float:
    """Best of `repeat` runs, each with a fresh cache."""
    best = float("inf")
    for _ in range(repeat):
        store = Store(engine, QueryCache("simple://"))
        started = time.perf_counter()
        fn(store, af, scope)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--region", default="410000")
    parser.add_argument("--until", default="2026-06-30")
    args = parser.parse_args()
    engine = db.make_engine(args.database)
    until = dt.date.fromisoformat(args.until)
    period = Period(dt.date(until.year - 1, until.month, 1) + dt.timedelta(days=9), until - dt.timedelta(days=10))
    scope = Scope.of(args.region)
    print(f"{'section':<28}{'seconds':>10}")
    for name, fn in SECTIONS.items():
        print(f"{name:<28}{cold(engine, fn, AnalysisFilters(args.region, period), scope):>10.3f}")
    raw = AnalysisFilters(args.region, period, "medical", "hospital")
    rolled = AnalysisFilters(args.region, period, "medical")
    print(f"{'inspections, medical':<28}{cold(engine, SECTIONS['inspections'], rolled, scope):>10.3f}  (rollups)")
    print(f"{'inspections, hospitals':<28}{cold(engine, SECTIONS['inspections'], raw, scope):>10.3f}  (raw rows)")


if __name__ == "__main__":
    main()
