"""`weijian prescriptions check FILE`: validate a batch of prescriptions, store and check it (data/prescriptions).

Prints what was taken, the duplicates, the hits per check and the alerts raised, then the first refused
rows (row as in the file: the header is row 1, field, value, reason). Exit code 1 when the file is
unreadable or no row could be taken.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

prescriptions_app = typer.Typer(help="Prescriptions: batch check against the rules (处方点评).", no_args_is_help=True)
SHOWN = 20


@prescriptions_app.command("check")
def check(file: Path = typer.Argument(..., help="CSV (UTF-8) or parquet, one prescription a row."),
          actor: str = typer.Option("cli", "--as", help="Who loads it (recorded in the audit log).")) -> None:
    """Store the file's valid prescriptions, check them and raise alerts, in one transaction."""
    from data import db
    from data.prescriptions import ingest

    engine = db.make_engine(get_settings().db_url)
    try:
        result = ingest.check_file(engine, file, actor)
    except (OSError, ValueError) as exc:
        fail(f"{file}: {exc}")
    typer.echo(f"accepted {result.accepted:,}, duplicates {result.duplicates:,}, refused {len(result.rejected):,}")
    for rule, count in result.hits.items():
        typer.echo(f"  {rule}: {count:,} prescriptions")
    typer.echo(f"alerts raised {result.alerts.get('raised', 0):,}, updated {result.alerts.get('updated', 0):,}")
    for problem in result.rejected[:SHOWN]:
        typer.echo(f"  row {problem.row}: {problem.field} {problem.value!r}: {problem.reason}")
    if len(result.rejected) > SHOWN:
        typer.echo(f"  … and {len(result.rejected) - SHOWN:,} more")
    if result.accepted == 0 and result.duplicates == 0:
        raise typer.Exit(1)
