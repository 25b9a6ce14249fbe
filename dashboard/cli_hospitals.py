"""`weijian hospitals status|indicators|indicator` and `weijian duty chief-physicians|opening-days import FILE`.

The five-dimension status of the medical institutions (data/hospitals/), and the 防挂证 reference data
(data/monitoring/duty_import.py). The configured region bounds everything these commands read or touch;
`--region` narrows it. Imports write nothing while any row has a problem; every problem is listed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from dashboard.cli_errors import fail
from dashboard.cli_risk import open_store, region_scope

hospitals_app = typer.Typer(help="Medical institutions: five-dimension status (五维监管) and its indicators.",
                            no_args_is_help=True)
duty_app = typer.Typer(help="防挂证: chief physicians and clinic opening days.", no_args_is_help=True)
chief_app = typer.Typer(help="Chief physicians (主诊医师): licence, clinic, check-in device.", no_args_is_help=True)
opening_app = typer.Typer(help="Clinic opening weekdays (public holidays are never opening days).", no_args_is_help=True)
duty_app.add_typer(chief_app, name="chief-physicians")
duty_app.add_typer(opening_app, name="opening-days")
SHOWN = 30


@hospitals_app.command("status")
def status(region: str = typer.Option("", help="Only the institutions under this region code (default: the configured region)."),
           as_of: str = typer.Option("", "--as-of", help="Assess from records before this day (YYYY-MM-DD; default today)."),
           months: int = typer.Option(1, help="Also the first days of the months before it, for the monthly history.")) -> None:
    """Assess every medical institution on five dimensions and store the history; set each one's status."""
    from data import db
    from data.hospitals import run
    from data.risk.scoring import china_today

    now = dt.datetime.now(dt.UTC)
    try:
        day = dt.date.fromisoformat(as_of) if as_of else china_today(now)
    except ValueError:
        fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    try:
        days = run.month_starts(day, months)
    except ValueError as exc:
        fail(str(exc))
    with open_store().engine.begin() as conn:
        report = run.recompute(conn, region_scope(region), days, actor="cli", now=now)
        db.bump_data_version(conn)
    statuses = ", ".join(f"{s} {n:,}" for s, n in report.statuses.items())
    typer.echo(f"assessed {report.assessed:,} institutions on {len(report.days)} day(s) "
               f"(indicator set version {report.indicator_version}); {day:%Y-%m-%d}: {statuses}")


@hospitals_app.command("indicators")
def indicators_list() -> None:
    """The indicators in force, by dimension, with their deductions and definitions; the status thresholds."""
    from data.hospitals import indicators

    with open_store().engine.connect() as conn:
        chosen = indicators.current(conn)
    docs = {d["key"]: d for d in indicators.documentation()}
    typer.echo(f"indicator set version {chosen.version}")
    for i in chosen.indicators:
        cap = f", at most {i.cap:g}" if i.cap is not None else ""
        days = f", {i.window_days} days" if i.window_days is not None else ""
        typer.echo(f"{i.dimension:<12} {i.key:<26} −{i.points:g} per unit{cap}{days}: {docs.get(i.key, {}).get('definition', '')}")
    for name, value in chosen.thresholds.items():
        typer.echo(f"status {name}: a dimension below {value:g}")


@hospitals_app.command("indicator")
def indicator_set(key: str = typer.Argument(..., help="Indicator key, or status:attention / status:warning."),
                  points: float = typer.Option(..., help="Points per unit (for a threshold: the score)."),
                  cap: float | None = typer.Option(None, help="At most this many points (default: unchanged)."),
                  window_days: int | None = typer.Option(None, "--window-days", help="Window or term in days (default: unchanged)."),
                  reason: str = typer.Option(..., help="Why (recorded with the new version and in the audit log)."),
                  actor: str = typer.Option("cli", "--as", help="Who changes it.")) -> None:
    """Change one indicator or threshold: the next version takes force, the old one is kept."""
    from data import db
    from data.hospitals import indicators

    try:
        with open_store().engine.begin() as conn:
            new_id = indicators.set_indicator(conn, key, points=points, cap=cap, window_days=window_days, actor=actor,
                                              reason=reason, now=dt.datetime.now(dt.UTC))
            db.bump_data_version(conn)
    except (LookupError, ValueError) as exc:
        fail(str(exc))
    typer.echo(f"{key}: new version in force (row {new_id}); run `weijian hospitals status` to apply it")


def _import(file: Path, region: str, columns: tuple[str, ...], validate, store, what: str) -> None:
    from data import db
    from data.monitoring import duty_import

    try:
        frame = duty_import.read(file, columns)
    except (OSError, ValueError) as exc:
        fail(f"{file}: {exc}")
    with open_store().engine.begin() as conn:
        rows, problems = validate(conn, frame, region_scope(region))
        if problems:
            for problem in problems[:SHOWN]:
                typer.echo(f"  {problem}", err=True)
            if len(problems) > SHOWN:
                typer.echo(f"  … and {len(problems) - SHOWN:,} more", err=True)
            fail(f"{file}: {len(problems):,} problem(s) in {len(frame):,} rows; nothing imported")
        written = store(conn, rows)
        db.bump_data_version(conn)
    typer.echo(f"imported {written:,} {what} from {file}")


@chief_app.command("import")
def chief_import(file: Path = typer.Argument(..., help="CSV / XLSX: licence_no, credit_code, name, device_id[, active]."),
                 region: str = typer.Option("", help="Refuse institutions outside this region code.")) -> None:
    """Store the chief physicians of the file (replacing those of the same licence or device)."""
    from data.monitoring import duty_import

    _import(file, region, duty_import.PHYSICIAN_COLUMNS, duty_import.validate_physicians, duty_import.store_physicians,
            "chief physicians")


@opening_app.command("import")
def opening_import(file: Path = typer.Argument(..., help="CSV / XLSX: credit_code, weekdays (seven 0/1, Monday first)."),
                   region: str = typer.Option("", help="Refuse institutions outside this region code.")) -> None:
    """Store the clinics' opening weekdays (replacing what each clinic had)."""
    from data.monitoring import duty_import

    _import(file, region, duty_import.OPENING_COLUMNS, duty_import.validate_openings, duty_import.store_openings,
            "clinic opening days")
