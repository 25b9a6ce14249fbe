"""`weijian credit assess|criteria`: credit grades (诚信等级) per entity and the criteria they follow.

The configured region bounds what `assess` reads and writes; `--region` narrows it. `criteria --load FILE`
stores a checked file as the next criteria version (who and why recorded, audited); a bad file changes nothing
and every problem names its line and field.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from dashboard.cli_errors import fail as _fail
from dashboard.cli_risk import open_store, region_scope

credit_app = typer.Typer(help="Credit grades per entity (诚信等级) and their criteria.", no_args_is_help=True)


@credit_app.command("assess")
def credit_assess(region: str = typer.Option("", help="Only the entities under this region code (default: the configured region)."),
                  as_of: str = typer.Option("", "--as-of", help="Assess from records before this day (YYYY-MM-DD; default today).")) -> None:
    """Assess every entity's credit grade under the criteria in force and add it to the grade history."""
    from data import db
    from data.credit import runs

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    with open_store().engine.begin() as conn:
        report = runs.assess(conn, region_scope(region), actor="cli", now=dt.datetime.now(dt.UTC), as_of=day)
        db.bump_data_version(conn)
    grades = ", ".join(f"{grade} {n:,}" for grade, n in report.grades.items())
    typer.echo(f"assessed {report.assessed:,} entities (criteria version {report.criteria_version}): {grades}")


@credit_app.command("criteria")
def credit_criteria(load: Path = typer.Option(None, "--load", help="A criteria CSV (key,kind,points,cap,window_days,source) to store as the next version."),
                    reason: str = typer.Option("", help="Why the criteria change (required with --load)."),
                    actor: str = typer.Option("cli", "--as", help="Who changes them (recorded).")) -> None:
    """Print the criteria in force; with --load, check a file and store it as the next version first."""
    import pandas as pd

    from data import db
    from data.credit import criteria

    store = open_store()
    if load is not None:
        if not load.exists():
            _fail(f"{load}: not found")
        if not reason.strip():
            _fail("--reason is required with --load")
        try:
            rows = criteria.read(load)
        except ValueError as exc:
            _fail(str(exc))
        with store.engine.begin() as conn:
            version = criteria.load(conn, rows, actor=actor, reason=reason, now=dt.datetime.now(dt.UTC))
            db.bump_data_version(conn)
        typer.echo(f"stored {len(rows)} criteria as version {version}")
    with store.engine.connect() as conn:
        rows = criteria.rows_in_force(conn)
    if not rows:
        _fail("no credit criteria stored: run `weijian db upgrade`")
    frame = pd.DataFrame(rows)[["key", "kind", "points", "cap", "window_days", "source"]]
    typer.echo(f"credit criteria version {rows[0]['version']} (since {rows[0]['valid_from']:%Y-%m-%d}, {rows[0]['reason']}):")
    typer.echo(frame.to_string(index=False, na_rep="–"))
