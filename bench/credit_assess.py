"""Credit assessment timings on a demo (city scale by default, ≈ 30,000 entities), beside a per-entity baseline.

    .venv/bin/python bench/credit_assess.py [--scale city] [--db sqlite:///var/bench/risk.db]

Shares the risk bench's database (the demo build grades it too). Times: loading the history, the vectorised
indicators + grades for every entity, a whole assessment run (writes included, rolled back), and the same
assessment computed entity by entity (the naive way) on a sample, scaled up. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime as dt

from demo_db import demo_engine, timed
from data.credit import criteria, grading, indicators, runs
from data.queries.filters import Scope
from data.risk import features, history

UNTIL = dt.date(2026, 6, 30)
SAMPLE = 200



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="city")
    parser.add_argument("--db", default="sqlite:///var/bench/risk.db")
    parser.add_argument("--region", default="410000")
    args = parser.parse_args()
    engine = demo_engine(args.db, args.region, args.scale, UNTIL)
    scope = Scope.of(args.region)
    with engine.connect() as conn:
        rules = criteria.current(conn)
        load_s, found = timed(lambda: history.load(conn, scope))
    n = len(found.entities)
    as_of = UNTIL + dt.timedelta(days=1)
    vector_s, graded = timed(lambda: grading.assess(indicators.compute(found, as_of, rules.deductions), rules))
    sample = found.entities["entity_id"].iloc[:SAMPLE]

    def one_by_one():
        for entity_id in sample:
            part = features.History(*(frame[frame["entity_id"] == entity_id] for frame in (
                found.entities, found.inspections, found.penalties, found.complaints, found.alerts, found.grades,
                found.self_inspections)))
            grading.assess(indicators.compute(part, as_of, rules.deductions), rules)

    naive_s, _ = timed(one_by_one)
    with engine.connect() as conn:
        transaction = conn.begin()
        run_s, report = timed(lambda: runs.assess(conn, scope, actor="bench", now=dt.datetime.now(dt.UTC), as_of=as_of))
        transaction.rollback()
    print(f"{args.scale} demo, {n:,} entities, {len(found.inspections):,} inspections ({engine.dialect.name})")
    print(f"  load history                        {load_s:8.2f} s")
    print(f"  indicators + grades, vectorised     {vector_s:8.2f} s   ({len(graded):,} grades)")
    print(f"  the same entity by entity           {naive_s / SAMPLE * n:8.2f} s   (estimated from {SAMPLE})")
    print(f"  whole assessment run (rolled back)  {run_s:8.2f} s   (grades {report.grades})")


if __name__ == "__main__":
    main()
