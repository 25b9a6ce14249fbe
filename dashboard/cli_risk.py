"""`weijian risk score|backtest` and `weijian ledger list|assign|measure|close`: the risk model and the risk ledger.

The configured region bounds everything these commands read or touch; `--region` narrows it. Ledger
steps name who acts (`--as`), recorded in the entry's steps and the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import typer

from dashboard.cli_errors import fail as _fail
from dashboard.settings import get_settings

risk_app = typer.Typer(help="Risk scores per entity (a transparent points model) and its back-test.", no_args_is_help=True)
ledger_app = typer.Typer(help="The risk ledger (风险台账): high-risk entities, officers, measures, close-out.",
                         no_args_is_help=True)


def open_store():
    from data.store import Store

    settings = get_settings()
    return Store.open(settings.db_url, settings.cache_url)


def region_scope(region: str = ""):
    """The configured region, or a region inside it (also for `weijian credit`)."""
    from data.queries.filters import OutOfScope, Scope

    configured = Scope.of(get_settings().region)
    if not region:
        return configured
    try:
        configured.check(region)
    except OutOfScope:
        _fail(f"--region {region}: outside the configured region {get_settings().region}")
    return Scope.of(region)


@risk_app.command("score")
def risk_score(region: str = typer.Option("", help="Only the entities under this region code (default: the configured region)."),
               as_of: str = typer.Option("", "--as-of", help="Score from records before this day (YYYY-MM-DD; default today).")) -> None:
    """Recompute every entity's risk score, set its risk level, and enter new high-risk entities in the ledger."""
    from data import db
    from data.risk import scoring

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        _fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)")
    with open_store().engine.begin() as conn:
        report = scoring.recompute(conn, region_scope(region), actor="cli", now=dt.datetime.now(dt.UTC), as_of=day)
        db.bump_data_version(conn)
    levels = ", ".join(f"{level} {n:,}" for level, n in report.levels.items())
    typer.echo(f"scored {report.scored:,} entities (model version {report.model_version}): {levels}; "
               f"{report.entered:,} new ledger entries")


@risk_app.command("backtest")
def risk_backtest(source: str = typer.Option("database", help="database (the configured one) or nyc (the DOHMH file)."),
                  datasets: Path = typer.Option(Path("../shared/datasets"), help="Folder of the shared datasets (for nyc)."),
                  region: str = typer.Option("", help="database only: the entities under this region code.")) -> None:
    """Share of violations found in the first 10 % / 25 % of each quarter's inspections: historical vs risk order."""
    from data.risk import backtest, history, params

    store = open_store()
    with store.engine.connect() as conn:
        model = params.current(conn)
        if source == "database":
            case = backtest.database_case(history.load(conn, region_scope(region)))
        elif source == "nyc":
            path = datasets / backtest.NYC_FILE
            if not path.exists():
                _fail(f"{path}: not found (pass --datasets)")
            case = backtest.nyc_case(path)
        else:
            _fail(f"--source {source!r}: use database or nyc")
    table = backtest.run(case, model)
    if table.empty:
        _fail("no period with enough inspections to back-test")
    shown = table.copy()
    for column in backtest.COLUMNS[3:]:
        shown[column] = shown[column].map(lambda v: "–" if pd.isna(v) else f"{v:.1%}")
    typer.echo(shown.to_string(index=False))


@ledger_app.command("list")
def ledger_list(status: str = typer.Option("open", help="open, closed or all."),
                region: str = typer.Option("", help="Only entries under this region code.")) -> None:
    """id, entity, level, score, reason, officer, due date, overdue, status of the ledger's entries."""
    from data.queries import ledger as ledger_queries

    frame = ledger_queries.entries(open_store(), region_scope(region), status=status)
    columns = ["id", "entity_id", "entity", "level", "score", "reason", "officer", "due_on", "overdue", "status"]
    typer.echo(frame[columns].to_string(index=False) if len(frame) else "(none)")
    typer.echo(f"{len(frame)} entries, {int(frame['overdue'].sum()) if len(frame) else 0} overdue")


def _step(action, entry_id: int, **kwargs) -> None:
    from data import db
    from data.queries.filters import OutOfScope
    from data.risk.ledger import LedgerError

    try:
        with open_store().engine.begin() as conn:
            result = action(conn, entry_id, scope=region_scope(), now=dt.datetime.now(dt.UTC), **kwargs)
            db.bump_data_version(conn)
    except (LedgerError, OutOfScope) as exc:
        _fail(str(exc))
    typer.echo(f"ledger entry {entry_id}: done" + (f" ({result})" if result else ""))


@ledger_app.command("assign")
def ledger_assign(entry_id: int = typer.Argument(...), officer: str = typer.Option(..., help="The officer's badge number."),
                  due: str = typer.Option("", help="New due date (YYYY-MM-DD)."),
                  actor: str = typer.Option(..., "--as", help="Who assigns (recorded).")) -> None:
    """Make an officer of the entity's region responsible for an entry (and optionally move its due date)."""
    from data.risk import ledger

    try:
        due_on = dt.date.fromisoformat(due) if due else None
    except ValueError:
        _fail(f"--due {due!r} is not a date (YYYY-MM-DD)")
    _step(ledger.assign, entry_id, officer_badge=officer, due_on=due_on, actor=actor)


@ledger_app.command("measure")
def ledger_measure(entry_id: int = typer.Argument(...), text: str = typer.Option(..., "--text", help="What was done."),
                   actor: str = typer.Option(..., "--as", help="Who records it.")) -> None:
    """Record a measure taken on an entry."""
    from data.risk import ledger

    _step(ledger.add_measure, entry_id, measure=text, actor=actor)


@ledger_app.command("close")
def ledger_close(entry_id: int = typer.Argument(...), note: str = typer.Option("", help="A closing note."),
                 actor: str = typer.Option(..., "--as", help="Who closes it.")) -> None:
    """Settle (销账) an entry on the entity's latest follow-up inspection; refused without one."""
    from data.risk import ledger

    _step(ledger.close, entry_id, actor=actor, note=note or None)
