"""Five-dimension status timings on a city-scale demo (≈ 10,000 medical institutions among 30,000 entities).

    .venv/bin/python bench/institution_status.py [--db sqlite:///var/bench/city.db] [--region 410100]

Builds the demo once into the given database (skipped when it already holds one), then times: loading the
records, the vectorised indicators + scores for one day, and whole runs (writes included, rolled back) of
one day and of a six-month history. Not part of `make test`; two shared cores here: pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt

from demo_db import demo_engine, timed
from data.hospitals import dimensions, indicators, records, run, status
from data.queries.filters import Scope

UNTIL = dt.date(2026, 6, 30)



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite:///var/bench/city.db")
    parser.add_argument("--region", default="410100")
    args = parser.parse_args()
    engine = demo_engine(args.db, args.region, "city", UNTIL)
    scope, as_of = Scope.of(args.region), UNTIL + dt.timedelta(days=1)
    with engine.connect() as conn:
        chosen = indicators.current(conn)
        load_s, found = timed(lambda: records.load(conn, scope, as_of))
    vector_s, assessed = timed(lambda: status.assess(dimensions.compute(found, as_of, chosen.indicators), chosen))
    timings = {}
    for months in (1, 6):
        with engine.connect() as conn:
            transaction = conn.begin()
            days = run.month_starts(as_of, months)
            timings[months] = timed(lambda days=days: run.recompute(conn, scope, days, actor="bench",
                                                                    now=dt.datetime.now(dt.UTC)))
            transaction.rollback()
    print(f"city demo, {len(found.entities):,} medical institutions ({engine.dialect.name})")
    print(f"  load records                     {load_s:8.2f} s")
    print(f"  indicators + scores, one day     {vector_s:8.2f} s   ({len(assessed):,} institutions)")
    for months, (seconds, report) in timings.items():
        print(f"  whole run, {months} day(s) (rolled back) {seconds:8.2f} s   ({report.statuses})")


if __name__ == "__main__":
    main()
