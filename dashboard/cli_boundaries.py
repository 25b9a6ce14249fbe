"""`weijian boundaries import FILE …`, `boundaries list` and `boundaries delete SET`: custom boundary levels
(data/boundary_sets.py).

Import prints what it took, repaired and refused (each refusal naming the feature, its code and the field) and
exits 1 when nothing could be taken.
"""

from __future__ import annotations

from pathlib import Path

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

boundaries_app = typer.Typer(help="Imported boundaries: levels the built-in ones lack, or a hierarchy of its own.",
                             no_args_is_help=True)
SHOWN = 20


@boundaries_app.command("import")
def import_boundaries(
    file: Path = typer.Argument(..., help="GeoJSON FeatureCollection of Polygons/MultiPolygons in WGS-84."),
    code_field: str = typer.Option(..., "--code-field", help="Property holding each region's code."),
    name_field: str = typer.Option(..., "--name-field", help="Property holding each region's name."),
    parent_field: str | None = typer.Option(None, "--parent-field", help="Property naming the parent region."),
    parent_by: str = typer.Option("code", "--parent-by", help="Match the parent by its code or by its name."),
    level: str | None = typer.Option(None, "--level", help="Name of this level (default: the file name)."),
    root: str | None = typer.Option(None, "--root", help="Code of the hierarchy's root (created with --root-name)."),
    root_name: str | None = typer.Option(None, "--root-name", help="Name of a new root."),
) -> None:
    """Import one level of regions with their polygons, in one transaction."""
    from data import boundary_sets, db

    settings = get_settings()
    options = boundary_sets.Options(code_field, name_field, parent_field, level, parent_by, root, root_name)
    engine = db.make_engine(settings.db_url)
    try:
        outcome = boundary_sets.import_file(engine, file, options)
    except boundary_sets.BoundaryFileError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    where = f"under {outcome.root}" + (" (created)" if outcome.root_created else "") if outcome.root else ""
    typer.echo(f"{file.name}: {outcome.features:,} features, level {outcome.level_name} {where}".rstrip())
    typer.echo(f"  took {len(outcome.taken):,}, repaired {len(outcome.repaired):,}, refused {len(outcome.refused):,}")
    if outcome.placed:
        typer.echo("  stored rows now in a town: " + ", ".join(f"{t} {n:,}" for t, n in outcome.placed.items()))
    for label, problems in (("repaired", outcome.repaired), ("refused", outcome.refused)):
        for p in problems[:SHOWN]:
            typer.echo(f"  {label}: feature {p.feature} (code {p.code or '—'}) {p.field}: {p.reason}")
        if len(problems) > SHOWN:
            typer.echo(f"  … and {len(problems) - SHOWN:,} more {label}")
    if not outcome.taken:
        raise typer.Exit(code=1)


@boundaries_app.command("list")
def list_boundaries() -> None:
    """The imported boundary sets: root, level, file, regions, when."""
    from data import boundary_sets, db

    engine = db.make_engine(get_settings().db_url)
    try:
        sets = boundary_sets.listing(engine)
    finally:
        engine.dispose()
    if sets.empty:
        typer.echo("no imported boundaries")
        return
    for row in sets.itertuples(index=False):
        typer.echo(f"{row.id:>3}  {row.root:<12} {row.level_name:<16} {row.features:>6}  {row.source}  "
                   f"{row.imported_at:%Y-%m-%d %H:%M}")


@boundaries_app.command("delete")
def delete_boundaries(set_id: int = typer.Argument(..., help="The set's id, as `boundaries list` shows it.")) -> None:
    """Delete one imported set (regions and polygons) in one transaction, or say every reason it cannot be."""
    from data import boundary_sets, db

    engine = db.make_engine(get_settings().db_url)
    try:
        outcome = boundary_sets.delete_set(engine, set_id)
    except boundary_sets.BoundaryFileError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    if outcome.refused:
        for reason in outcome.refused:
            typer.echo(f"  refused: {reason}")
        fail(f"set {set_id} ({outcome.level_name}) was not deleted")
    typer.echo(f"deleted set {set_id} ({outcome.level_name}): {len(outcome.regions):,} regions")
    if outcome.unplaced:
        typer.echo("  rows no longer in a town: " + ", ".join(f"{t} {n:,}" for t, n in outcome.unplaced.items() if n))
