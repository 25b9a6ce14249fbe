"""Risk scoring and back-test timings on a city-scale demo (≈ 30,000 entities), beside a per-entity baseline.

    .venv/bin/python bench/risk_score.py [--scale city] [--db sqlite:///var/bench/risk.db]

Builds the demo once into the given database (skipped when it already holds one), then times: loading
the history, the vectorised features + points for every entity, a whole scoring run (writes included,
rolled back), the back-test, and the same features computed entity by entity (the naive way) on a sample,
scaled up. Not part of `make test`; timings depend on the machine (two shared cores here: pessimistic).
"""

from __future__ import annotations

import argparse
import datetime as dt

from demo_db import demo_engine, timed
from data.queries.filters import Scope
from data.risk import backtest, features, history, params, score, scoring

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
        model = params.current(conn)
        load_s, found = timed(lambda: history.load(conn, scope))
    n = len(found.entities)
    as_of = UNTIL + dt.timedelta(days=1)
    vector_s, scored = timed(lambda: score.score(features.compute(found, as_of, model.features), model))
    sample = found.entities["entity_id"].iloc[:SAMPLE]

    def one_by_one():
        for entity_id in sample:
            part = features.History(*(frame[frame["entity_id"] == entity_id] for frame in (
                found.entities, found.inspections, found.penalties, found.complaints, found.alerts, found.grades)))
            score.score(features.compute(part, as_of, model.features), model)

    naive_s, _ = timed(one_by_one)
    with engine.connect() as conn:
        transaction = conn.begin()
        run_s, report = timed(lambda: scoring.recompute(conn, scope, actor="bench", now=dt.datetime.now(dt.UTC),
                                                        as_of=as_of))
        transaction.rollback()
    backtest_s, table = timed(lambda: backtest.run(backtest.database_case(found), model))
    print(f"{args.scale} demo, {n:,} entities, {len(found.inspections):,} inspections ({engine.dialect.name})")
    print(f"  load history                     {load_s:8.2f} s")
    print(f"  features + points, vectorised    {vector_s:8.2f} s   ({len(scored):,} scores)")
    print(f"  the same entity by entity        {naive_s / SAMPLE * n:8.2f} s   (estimated from {SAMPLE})")
    print(f"  whole scoring run (rolled back)  {run_s:8.2f} s   (levels {report.levels}, {report.entered:,} entries)")
    print(f"  back-test, {len(table) - 1} quarters              {backtest_s:8.2f} s")


if __name__ == "__main__":
    main()
