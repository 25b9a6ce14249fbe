"""`weijian draw --region ADCODE --count N --seed S [--specialty X] [--subtype T] --as WHO`: a 双随机 draw.

Prints the drawn entities with their two inspectors as CSV on stdout (UTF-8, a header row, one row per
entity in draw order), so it pipes into a file or another tool; what the run was (its number, seed, pool,
weights) goes to stderr. The run is recorded and audited like one from the draws page: running it again
with another seed is another recorded run. Without --seed a random seed is drawn and printed (and recorded).
The configured region bounds the draw: a region outside it is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import sys

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

CSV_COLUMNS = ("rank", "entity_id", "credit_code", "name", "county_adcode", "risk_level", "self_inspection", "weight",
               "inspector_badge", "inspector", "second_inspector_badge", "second_inspector")


def draw_command(
    region: str = typer.Option(..., "--region", help="The pool: entities of this region and everything below it."),
    count: int = typer.Option(..., "--count", min=1, help="How many entities to draw."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed of the draw (default: a random one, recorded)."),
    specialty: str | None = typer.Option(None, "--specialty", help="Only entities of this specialty (e.g. medical)."),
    subtype: str | None = typer.Option(None, "--subtype", help="Only entities of this subtype (e.g. hotel)."),
    actor: str = typer.Option("", "--as", help="Who runs the draw (recorded; default: cli:<login name>)."),
) -> None:
    """Draw entities and two inspectors each (risk- and self-inspection-weighted), record the run, print CSV."""
    from data import db
    from data.draws import runs
    from data.draws.weights import WeightsError
    from data.queries.filters import OutOfScope, Scope, UnknownRegion

    settings = get_settings()
    engine = db.make_engine(settings.db_url)
    who = actor or f"cli:{getpass.getuser()}"
    try:
        result = runs.run(engine, runs.Request(region, count, specialty or None, subtype or None),
                          Scope.of(settings.region), actor=who, now=dt.datetime.now(dt.UTC), seed=seed)
    except (OutOfScope, UnknownRegion) as exc:
        fail(f"--region {region}: {exc.args[0] if exc.args else exc}")
    except (ValueError, WeightsError) as exc:
        fail(str(exc))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(result.items[list(CSV_COLUMNS)].itertuples(index=False, name=None))
    weights = ", ".join(f"{r['factor']}={r['value']}:{r['weight']:g}" for r in result.weights.rows())
    typer.echo(f"draw {result.draw_id}: {len(result.items)} of {result.pool_size:,} entities in the pool "
               f"(asked {count}), seed {result.seed}{'' if result.seed_chosen else ' (random, recorded)'}, "
               f"weights v{result.weights.version} ({weights}); passed over for want of inspectors: "
               f"{result.passed_over}", err=True)
    if len(result.items) < count:
        typer.echo(f"warning: only {len(result.items)} entities could be drawn", err=True)
