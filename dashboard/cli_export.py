"""`weijian export table|entities|map`: the manager page's downloads from the shell (dashboard/exports.py).

The export reads as the account named by `--as`: its scope (home region) limits what is exported, a region
outside it is refused, and every export, refused or not, is audited under that account, as from the page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from dashboard.cli_errors import fail
from dashboard.settings import get_settings

export_app = typer.Typer(help="Export a table (XLSX, CSV), the filtered entities (GeoJSON, GeoPackage) or the map (HTML).",
                         no_args_is_help=True)


def _run(what: str, fmt: str, region: str | None, period: str | None, specialty: str | None, lang: str, out: Path | None,
         actor: str, layer: str | None = None) -> None:
    from dashboard import exports, i18n, offline_map, periods
    from data import accounts
    from data.queries import regions
    from data.queries.filters import Filters, OutOfScope, Scope, UnknownRegion
    from data.store import Store
    from layers import registry

    settings = get_settings()
    store = Store.open(settings.db_url, settings.cache_url)
    with store.engine.connect() as conn:
        account = accounts.by_username(conn, actor)
    if account is None or not account.reads_data:
        fail(f"{actor!r} is not an active account that reads supervision data")
    region = region or account.region_adcode
    detail = {"region": region, "period": period, "specialty": specialty, "format": fmt, "what": what, "via": "cli"}
    if layer is not None:
        detail["layer"] = layer
    scope = Scope.of(account.region_adcode)
    try:
        filters = Filters(region, periods.resolve(period, dt.date.today()), specialty)
        place = regions.get_region(store, region, scope)
        if what == "entities":
            made = exports.entity_file(store, filters, scope, fmt, place.name)
        elif what == "map":
            offered = {offer.key: offer for offer in registry.offered(store, scope)}
            if layer not in offered:
                raise ValueError(f"--layer {layer!r} is not one of the layers {actor} can draw: {', '.join(offered)}")
            made = exports.map_file(store, filters, scope, offered[layer], i18n.normalise_language(lang),
                                    settings.cache_dir)
        else:
            name = "entities" if regions.children(store, region, scope).empty else "regions"
            made = exports.table_file(store, filters, scope, name, fmt, i18n.normalise_language(lang), place.name)
    except OutOfScope:
        exports.audit_export(store, actor=account.username, target=region, detail={**detail, "refused": "out_of_scope"})
        fail(f"region {region} is outside the scope of {actor} ({account.region_adcode})")
    except (UnknownRegion, KeyError, ValueError, offline_map.MapAssetsMissing) as exc:
        fail(str(exc))
    target = out or Path(made.filename)
    target.write_bytes(made.content)
    exports.audit_export(store, actor=account.username, target=region,
                         detail={**detail, "period_resolved": filters.period.key(), "rows": made.rows, "file": target.name})
    typer.echo(f"{target}: {made.rows:,} rows ({fmt}, region {region} {place.name}, "
               f"{filters.period.key()})")


REGION = typer.Option(None, "--region", help="Default: the account's home region.")
PERIOD = typer.Option(None, "--period", help="YYYY-MM..YYYY-MM or a preset (default last-12-months).")
SPECIALTY = typer.Option(None, "--specialty", help="public_place, medical, …")
OUT = typer.Option(None, "-o", "--out", help="Default: the name the page's download would have.")
ACTOR = typer.Option(..., "--as", help="The account whose scope applies (and who is audited).")


@export_app.command("table")
def export_table(fmt: str = typer.Option("xlsx", "--format", help="xlsx or csv."), region: str | None = REGION,
                 period: str | None = PERIOD, specialty: str | None = SPECIALTY,
                 lang: str = typer.Option("zh", "--lang", help="Header language: zh or en."), out: Path | None = OUT,
                 actor: str = ACTOR) -> None:
    """The manager page's table of the region: its child regions' figures, or a leaf region's entities."""
    _run("table", fmt, region, period, specialty, lang, out, actor)


@export_app.command("entities")
def export_entities(fmt: str = typer.Option("geojson", "--format", help="geojson or gpkg."), region: str | None = REGION,
                    specialty: str | None = SPECIALTY, out: Path | None = OUT, actor: str = ACTOR) -> None:
    """The located entities of the region (and specialty) as points in WGS-84."""
    _run("entities", fmt, region, None, specialty, "zh", out, actor)


@export_app.command("map")
def export_map(out: Path = typer.Argument(..., help="The HTML file to write."), region: str | None = REGION,
               layer: str = typer.Option("inspection", "--layer", help="inspection, penalty, grade, complaint, …"),
               period: str | None = PERIOD, specialty: str | None = SPECIALTY,
               lang: str = typer.Option("zh", "--lang", help="Language of the map: zh or en."),
               actor: str = ACTOR) -> None:
    """The manager page's map of the region and layer as one HTML file that opens offline (Leaflet inlined, no tiles)."""
    _run("map", "html", region, period, specialty, lang, out, actor, layer)
