"""`weijian import KIND FILE --profile P`: validate a file against a mapping profile, then write it (data/imports).

Prints the summary (taken = inserted + updated + unchanged, refused) and the first problems; the XLSX report
holds all of them. Exit code 1 when the file or profile is unreadable or nothing could be taken.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

SHOWN = 20  # problems printed; the rest are in --report


def cell(text: str, width: int) -> str:
    """`text` cut and padded to `width` terminal columns: CJK characters take two, so a Chinese column name
    (经度,纬度) keeps the table's columns aligned."""
    out, used = [], 0
    for char in text:
        size = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used + size > width:
            break
        out.append(char)
        used += size
    return "".join(out) + " " * (width - used)


def import_command(
    kind: str = typer.Argument(..., help="entities, inspections, penalties, complaints, devices, readings, self_inspections or construction_projects."),
    file: Path = typer.Argument(..., help="CSV (UTF-8, GBK/GB18030, cp1252), .csv.gz, .xlsx, .geojson, zipped .shp, .gpkg."),
    profile_name: str = typer.Option(..., "--profile", help="A shipped profile name or a YAML path."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and count; write nothing."),
    report: Path | None = typer.Option(None, "--report", help="Write every problem to this XLSX file."),
    all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="Refuse the whole file on any refused row."),
) -> None:
    """Import records of one kind from a file, mapped by a profile (see README)."""
    from data import db
    from data.imports import commands, profile
    from data.imports.readers import UnreadableFile

    settings = get_settings()
    try:
        mapping = profile.load(profile_name)
        engine = db.make_engine(settings.db_url)
        with typer.progressbar(length=1, label=f"importing {file.name}") as bar:
            job = commands.command(kind, engine, file, mapping, region=settings.region, cache_dir=settings.cache_dir,
                                   all_or_nothing=all_or_nothing, progress=bar.update)
            bar.length = max(job.total(), 1)
            outcome = job.run(dry_run=dry_run)
    except (profile.ProfileError, UnreadableFile, commands.MappingError, ValueError) as exc:
        fail(str(exc))
    verb = "would take" if dry_run else "took"
    typer.echo(f"{file.name} ({job.encoding}), {outcome.rows:,} rows, profile {mapping.name}, region {settings.region}"
               f"{' — dry run, nothing written' if dry_run else ''}")
    typer.echo(f"  {verb} {outcome.taken:,}: inserted {outcome.inserted:,}, updated {outcome.updated:,}, "
               f"unchanged {outcome.unchanged:,}; refused {outcome.refused:,}")
    if outcome.problems:
        counts = ", ".join(f"{code} {n:,}" for code, n in outcome.counts_by_code().items())
        typer.echo(f"  {len(outcome.problems):,} problems: {counts}")
        typer.echo(f"  {'row':>6}  {cell('field', 24)} {cell('value', 28)} reason")
        for p in outcome.problems[:SHOWN]:
            typer.echo(f"  {p.row:>6}  {cell(p.field, 24)} {cell(p.value, 28)} {p.reason}{'' if p.refused else ' (taken)'}")
        if len(outcome.problems) > SHOWN:
            typer.echo(f"  … and {len(outcome.problems) - SHOWN:,} more" + (f" (all in {report})" if report else
                                                                               " (use --report OUT.xlsx for all)"))
    if report is not None:
        outcome.write_xlsx(report)
        typer.echo(f"  report: {report}")
    if outcome.taken == 0:
        raise typer.Exit(code=1)
