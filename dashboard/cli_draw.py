"""`weijian draw --region ADCODE --count N --seed S [--specialty X] [--subtype T] --as WHO`: a 双随机 draw.

Prints the drawn entities with their two inspectors as CSV on stdout (UTF-8, a header row, one row per
entity in draw order), so it pipes into a file or another tool; what the run was (its number, seed, pool,
weights) goes to stderr. The run is recorded and audited like one from the draws page: running it again
with another seed is another recorded run. Without --seed a random seed is drawn and printed (and recorded).
The configured region bounds the draw: a region outside it is refused.

`weijian draw conflict add|remove|list --as WHO`: the conflicts of interest (回避) the draws honour, as on the
draws page: the account's home region bounds inspector and entity, only managers add and remove, audited.
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


draw_app = typer.Typer(help="Run a 双随机 draw (--region, --count), or manage its conflicts of interest (conflict …).",
                       invoke_without_command=True)
conflict_app = typer.Typer(help="Conflicts of interest (回避): an inspector never drawn for an entity.", no_args_is_help=True)
draw_app.add_typer(conflict_app, name="conflict")


@draw_app.callback()
def draw_command(
    ctx: typer.Context,
    region: str | None = typer.Option(None, "--region", help="The pool: entities of this region and everything below it."),
    count: int | None = typer.Option(None, "--count", min=1, help="How many entities to draw."),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Seed of the draw (default: a random one, recorded)."),
    specialty: str | None = typer.Option(None, "--specialty", help="Only entities of this specialty (e.g. medical)."),
    subtype: str | None = typer.Option(None, "--subtype", help="Only entities of this subtype (e.g. hotel)."),
    actor: str = typer.Option("", "--as", help="Who runs the draw (recorded; default: cli:<login name>)."),
) -> None:
    """Draw entities and two inspectors each (risk- and self-inspection-weighted), record the run, print CSV."""
    if ctx.invoked_subcommand is not None:
        return
    if region is None or count is None:
        fail("a draw needs --region and --count (or a subcommand: conflict add|remove|list)")
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


def _manager(actor: str, *, changes: bool):
    """The account named by --as, and its scope; a change needs a manager (dashboard/context.DRAW_MANAGER_ROLES)."""
    from dashboard.context import DRAW_MANAGER_ROLES
    from data import accounts, db
    from data.queries.filters import Scope

    engine = db.make_engine(get_settings().db_url)
    with engine.connect() as conn:
        account = accounts.by_username(conn, actor)
    if account is None or not account.reads_data:
        fail(f"{actor!r} is not an active account that reads supervision data")
    if changes and account.role not in DRAW_MANAGER_ROLES:
        fail(f"{actor} ({account.role}) may not declare or withdraw conflicts: managers only")
    return engine, account, Scope.of(account.region_adcode)


BADGE = typer.Option(..., "--badge", help="The inspector's badge number (执法证号).")
ENTITY = typer.Option(..., "--entity", help="The entity's number (as in /entity/<number>).")
WHO = typer.Option(..., "--as", help="The account whose scope applies (and who is audited).")


def _change(action: str, badge: str, entity: int, reason: str | None, actor: str) -> None:
    from data.draws import conflicts
    from data.queries.filters import OutOfScope

    engine, account, scope = _manager(actor, changes=True)
    change = conflicts.declare if action == "add" else conflicts.withdraw
    extra = {"reason": reason} if action == "add" else {}
    try:
        with engine.begin() as conn:
            change(conn, badge=badge, entity_id=entity, scope=scope, actor=account.username,
                   now=dt.datetime.now(dt.UTC), **extra)
    except (OutOfScope, conflicts.ConflictError) as exc:
        fail(str(exc))
    typer.echo(f"{'declared' if action == 'add' else 'withdrew'} conflict: inspector {badge} × entity {entity}")


@conflict_app.command("add")
def conflict_add(badge: str = BADGE, entity: int = ENTITY,
                 reason: str = typer.Option(..., "--reason", help="Why the inspector stands aside."),
                 actor: str = WHO) -> None:
    """Declare that the inspector must never be drawn for the entity."""
    _change("add", badge, entity, reason, actor)


@conflict_app.command("remove")
def conflict_remove(badge: str = BADGE, entity: int = ENTITY, actor: str = WHO) -> None:
    """Withdraw a declared conflict (the declaration stays in the audit log)."""
    _change("remove", badge, entity, None, actor)


@conflict_app.command("list")
def conflict_list(actor: str = WHO) -> None:
    """The declared conflicts of the account's region, as CSV on stdout."""
    from data.draws import conflicts

    engine, _account, scope = _manager(actor, changes=False)
    with engine.connect() as conn:
        frame = conflicts.listing(conn, scope)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(conflicts.COLUMNS)
    writer.writerows(frame.itertuples(index=False, name=None))
    typer.echo(f"{len(frame)} conflict(s)", err=True)
