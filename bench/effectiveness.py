"""Effectiveness index timings on a demo database: every indicator's query, and the whole ranking, uncached.

    .venv/bin/python bench/effectiveness.py [--scale city] [--db sqlite:///var/bench/effect.db] [--month 2026-05]

Builds the demo once into the given database (skipped when it already holds one), then times, for the
province's cities and for the first city's counties: each indicator's computation for the month (alone: the draws' and alerts' rows fetched for it), and the
ranking as a page asks for it (this month and the previous one, cache empty), then the same answered from
the cache. Not part of `make test`; timings depend on the machine (two shared cores here: pessimistic).
"""

from __future__ import annotations

import argparse
import datetime as dt

from sqlalchemy import func, select

from demo_db import demo_engine, timed
from data.cache import QueryCache
from data.effectiveness import indicators, score
from data.models import Entity, Inspection
from data.queries import effectiveness
from data.queries.filters import Scope
from data.store import Store

UNTIL = dt.date(2026, 6, 30)



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="city")
    parser.add_argument("--db", default="sqlite:///var/bench/effect.db")
    parser.add_argument("--region", default="410000")
    parser.add_argument("--month", default="2026-05")
    args = parser.parse_args()
    engine = demo_engine(args.db, args.region, args.scale, UNTIL)
    month = dt.date.fromisoformat(f"{args.month}-01")
    scope = Scope.of(args.region)
    store = Store(engine, QueryCache())
    with engine.connect() as conn:
        entities = conn.execute(select(func.count()).select_from(Entity)).scalar_one()
        inspections = conn.execute(select(func.count()).select_from(Inspection)).scalar_one()
        indicator_set = indicators.current(conn)
    print(f"{args.scale} demo, {entities:,} entities, {inspections:,} inspections ({engine.dialect.name}), month {args.month}")
    first_city = None
    for region in (args.region, None):
        region = region or first_city
        grouping, ranked = effectiveness.ranked_regions(store, region, scope)
        first_city = first_city or ranked["adcode"].iloc[0]
        print(f"  {region}: {len(ranked)} regions ranked by {grouping.column}")
        now = dt.datetime.now(dt.UTC)
        with engine.connect() as conn:
            for indicator in indicator_set.indicators:
                window = score.month_window(month, indicator.window_months, now)
                seconds, frame = timed(score.COMPUTE[indicator.key], conn, grouping, window, score.Memo())
                print(f"    {indicator.key:24s} {seconds * 1000:8.1f} ms  ({int((frame['denominator'] > 0).sum())} regions with data)")
        filters = effectiveness.month_filters(region, month, UNTIL)
        cold, ranking = timed(effectiveness.ranking, store, filters, scope)
        warm, _ = timed(effectiveness.ranking, store, filters, scope)
        print(f"    ranking, both months, uncached {cold:8.2f} s; from the cache {warm * 1000:.1f} ms "
              f"({ranking['score'].notna().sum()} of {len(ranking)} with an index)")


if __name__ == "__main__":
    main()
