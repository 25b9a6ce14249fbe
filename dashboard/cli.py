"""The `weijian` command: serve, database, demo data, regions, geo tools, monitoring (cli_monitoring.py),
complaints (cli_complaints.py).

Each command prints what it did and exits non-zero with a one-line reason when it cannot.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd
import typer

from dashboard.cli_accounts import audit_app, display_app, user_app
from dashboard.cli_boundaries import boundaries_app
from dashboard.cli_complaints import complaint_app
from dashboard.cli_credit import credit_app
from dashboard.cli_monitoring import alert_app, device_app, limit_app, monitor_app, rule_app
from dashboard.cli_draw import draw_app
from dashboard.cli_errors import fail as _fail
from dashboard.cli_export import export_app
from dashboard.cli_hospitals import duty_app, hospitals_app
from dashboard.cli_import import import_command
from dashboard.cli_prescriptions import prescriptions_app
from dashboard.cli_public import public_app
from dashboard.cli_risk import ledger_app, risk_app
from dashboard.settings import get_settings

# No locals in tracebacks: they may hold credentials from the database URL.
app = typer.Typer(help="智慧卫监 — public-health supervision GIS and command-center dashboard.", no_args_is_help=True,
                  pretty_exceptions_show_locals=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
geo_app = typer.Typer(help="Geographic tools.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(geo_app, name="geo")
app.add_typer(boundaries_app, name="boundaries")
app.add_typer(device_app, name="device")
app.add_typer(alert_app, name="alert")
app.add_typer(complaint_app, name="complaint")
app.add_typer(limit_app, name="limit")
app.add_typer(rule_app, name="rule")
app.add_typer(monitor_app, name="monitor")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(display_app, name="display")
app.command("import")(import_command)
app.add_typer(draw_app, name="draw")
app.add_typer(export_app, name="export")
app.add_typer(public_app, name="public")
app.add_typer(risk_app, name="risk")
app.add_typer(ledger_app, name="ledger")
app.add_typer(credit_app, name="credit")
app.add_typer(prescriptions_app, name="prescriptions")
app.add_typer(hospitals_app, name="hospitals")
app.add_typer(duty_app, name="duty")



@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
          port: int = typer.Option(8050, help="Port to listen on."),
          debug: bool = typer.Option(False, help="Dash debug mode (reloader, dev tools).")) -> None:
    """Serve the dashboard (development server; see README for production)."""
    from dashboard.app import DatabaseNotReady, create_app

    try:
        dash_app = create_app()
    except DatabaseNotReady as exc:
        _fail(str(exc))
    settings = get_settings()
    _start_sweeper(dash_app.server.extensions["weijian"].store.engine)
    typer.echo(f"智慧卫监 serving region {settings.region} from {settings.db_url} on http://{host}:{port}")
    dash_app.run(host=host, port=port, debug=debug)


def _start_sweeper(engine, every_s: int = 60) -> None:
    """The development server sweeps in a background thread; with several workers run `weijian monitor sweep --every 60`."""
    import logging
    import threading

    from data.monitoring import sweep

    def loop() -> None:
        while True:
            try:
                sweep.sweep(engine)
            except Exception:  # noqa: BLE001 - keep sweeping; the next round may succeed
                logging.getLogger(__name__).exception("monitoring sweep failed")
            time.sleep(every_s)

    threading.Thread(target=loop, name="weijian-sweep", daemon=True).start()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from data import db

    settings = get_settings()
    engine = db.make_engine(settings.db_url)
    before = db.current_revision(engine)
    db.upgrade(engine, revision)
    typer.echo(f"database {engine.url.render_as_string(hide_password=True)}: {before or 'empty'} → {db.current_revision(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the configured database."""
    from data import db

    typer.echo(db.current_revision(db.make_engine(get_settings().db_url)) or "empty (run `weijian db upgrade`)")


@app.command()
def demo(scale: str = typer.Option("city", help="county (~3k entities), city (~30k, ~1M records) or province (~300k, >=10M)."),
         seed: int = typer.Option(20260101, help="Random seed: the same seed gives the same data."),
         until: str = typer.Option("", help="Last day of the data (YYYY-MM-DD; default today)."),
         replace: bool = typer.Option(False, help="Overwrite a database that already holds data."),
         if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when the database already holds data.")) -> None:
    """Fill the database with seeded, reproducible demo data for the configured region."""
    from data import db
    from data.demo.build import DatabaseNotEmpty, build, has_entities

    settings = get_settings()
    engine = db.make_engine(settings.db_url)
    if if_empty and has_entities(engine):
        typer.echo("demo database present; nothing to do")
        return
    try:
        last_day = dt.date.fromisoformat(until) if until else None
    except ValueError:
        _fail(f"--until {until!r} is not a date (YYYY-MM-DD)")
    try:
        report = build(engine, settings.region, scale, seed, settings.cache_dir, until=last_day, replace=replace,
                       progress=typer.echo)
    except (DatabaseNotEmpty, ValueError) as exc:
        _fail(str(exc))
    rows = ", ".join(f"{k} {v:,}" for k, v in report.rows.items())
    typer.echo(f"built {scale} demo for {settings.region} (seed {seed}, until {report.until}) in {report.seconds:.1f}s: {rows}")


def _install_imported(code: str) -> None:
    """A code that is not built in may be an imported region: install the configured database's sets."""
    from data import boundary_sets
    from geo import hierarchy

    if not hierarchy.is_builtin(code):
        boundary_sets.load_url(get_settings().db_url)


@app.command("regions")
def regions_command(adcode: str = typer.Argument("", help="Region code (default: the configured region).")) -> None:
    """Print the administrative hierarchy below a region: name, level, number of children."""
    from geo import hierarchy

    code = adcode or get_settings().region
    _install_imported(code)
    try:
        root = hierarchy.get_region(code)
    except KeyError as exc:
        _fail(str(exc.args[0]))

    def show(region, depth: int) -> None:
        kids = hierarchy.children(region.adcode)
        typer.echo(f"{'  ' * depth}{region.adcode}  {region.name}  {region.level}  {len(kids)}")
        for child in kids["adcode"]:
            show(hierarchy.get_region(child), depth + 1)

    show(root, 0)


@geo_app.command("assign")
def geo_assign(
    input_csv: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV with longitude and latitude columns."),
    lon: str = typer.Option(..., help="Longitude column."),
    lat: str = typer.Option(..., help="Latitude column."),
    crs: str = typer.Option("wgs84", help="Coordinate system of the input: wgs84, gcj02 or bd09."),
    output: Path = typer.Option(..., "-o", "--output", help="Output CSV (UTF-8 with BOM, opens in Excel)."),
    region: str = typer.Option("100000", help="Only regions under this code (default: all of China)."),
) -> None:
    """Add province_adcode, city_adcode, county_adcode (empty where outside) and region_match to every row."""
    from geo import assign, boundaries, crs as crs_module, hierarchy
    from geo.io import read_csv_detecting_encoding

    if crs not in crs_module.NAMED_CRS:
        _fail(f"--crs {crs!r}: use one of {', '.join(crs_module.NAMED_CRS)}")
    frame, encoding = read_csv_detecting_encoding(input_csv)
    for column in (lon, lat):
        if column not in frame.columns:
            _fail(f"{input_csv}: no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    x, y, problems = assign.parse_coordinates(frame[lon], frame[lat], lon, lat)
    x, y = crs_module.to_wgs84(x, y, crs)
    _install_imported(region)
    started = time.perf_counter()
    cache_dir = get_settings().cache_dir
    leaves = boundaries.polygons(region, "county", cache_dir)
    result = assign.assign(x, y, leaves, index=boundaries.raster_index(region, cache_dir))
    elapsed = time.perf_counter() - started
    out = pd.concat([frame.reset_index(drop=True), result], axis=1)
    out.to_csv(output, index=False, encoding="utf-8-sig")

    summary = assign.summarise(result)
    typer.echo(f"read {summary.total:,} rows from {input_csv} ({encoding}); assigned in {elapsed:.1f}s → {output}")
    typer.echo(f"  inside a county: {summary.inside:,}   within 50 m of one: {summary.near:,}   "
               f"outside every region: {summary.outside:,}   without usable coordinates: {summary.no_coordinates:,}")
    for problem in problems[:20]:
        typer.echo(f"  {problem}")
    if len(problems) > 20:
        typer.echo(f"  … and {len(problems) - 20} more rows without usable coordinates")
    names = hierarchy.region_table()["name"]
    level = "province_adcode" if hierarchy.get_region(region).level == "country" else "city_adcode"
    counts = result[level].value_counts()
    typer.echo(f"  by {level.split('_')[0]}: " + ", ".join(f"{names.get(c, c)} {n:,}" for c, n in counts.head(15).items()))

