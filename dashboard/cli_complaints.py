"""`weijian complaint`: the complaint cases, their steps, and the stage deadlines.

Steps name the acting officer by badge (`--as`); the officer's region must cover the complaint, and
the configured region bounds what this command may touch at all — the same checks as the inbox.
"""

from __future__ import annotations

import datetime as dt

import typer

from dashboard.cli_errors import fail as _fail
from dashboard.cli_monitoring import _scope, _store, _table
from dashboard.settings import get_settings

complaint_app = typer.Typer(help="Complaints: list them, walk them from received to closed, stage deadlines.",
                            no_args_is_help=True)


@complaint_app.command("list")
def complaint_list(status: str = typer.Option("unclosed", help="unclosed (default), all, or one status."),
                   overdue: bool = typer.Option(False, "--overdue", help="Only those past a due date."),
                   limit: int = typer.Option(50, help="At most this many, newest first.")) -> None:
    """Complaints in the configured region with their step, assignee, due dates and flags."""
    from data import vocab
    from data.queries import complaint_cases

    if status not in ("unclosed", "all", *vocab.COMPLAINT_STATUSES):
        _fail(f"--status {status!r}: use unclosed, all or one of {', '.join(vocab.COMPLAINT_STATUSES)}")
    frame = complaint_cases.feed(_store(), _scope(), get_settings().region, status=status, overdue_only=overdue,
                                 limit=limit)
    _table(frame[["id", "received_at", "category", "status", "assignee", "step_due_on", "due_on", "overdue",
                  "repeat_of_id", "repeats"]])


@complaint_app.command("step")
def complaint_step(complaint_id: int, action: str = typer.Argument(..., help="assign, start, feedback, close or extend."),
                   actor: str = typer.Option(..., "--as", help="Your badge number."),
                   to: str = typer.Option("", "--to", help="assign: badge of the officer who will handle it."),
                   note: str = typer.Option("", help="What was done or found; the reason for an extension."),
                   held: bool | None = typer.Option(None, "--held/--not-held",
                                                    help="feedback: whether the complaint was substantiated.")) -> None:
    """Take one step on a complaint as the officer with badge --as."""
    from data import db
    from data.complaints import workflow
    from data.queries.filters import OutOfScope

    store = _store()
    try:
        with store.engine.begin() as conn:
            row = workflow.transition(conn, complaint_id, action, actor=workflow.officer(conn, actor), scope=_scope(),
                                      now=dt.datetime.now(dt.UTC), note=note or None, assignee_badge=to or None,
                                      substantiated=held)
            db.bump_data_version(conn)
    except (workflow.ComplaintActionError, OutOfScope) as exc:
        _fail(str(exc))
    typer.echo(f"complaint {complaint_id}: {row['status']}, step due {row['step_due_on'] or '–'}, case due {row['due_on']}")


@complaint_app.command("deadlines")
def complaint_deadlines() -> None:
    """The time each stage of handling may take, and its source."""
    import pandas as pd

    from data.complaints import deadlines

    with _store().engine.connect() as conn:
        _table(pd.DataFrame([vars(d) for d in deadlines.current(conn).values()]))


@complaint_app.command("deadline")
def complaint_deadline(stage: str, days: int = typer.Option(..., help="Days the stage may take."),
                       calendar: str = typer.Option("working", help="working (China's calendar) or calendar days."),
                       source: str = typer.Option(..., help="The rule or notice the figure follows."),
                       actor: str = typer.Option(..., "--as", help="Who changes it (recorded in the audit log).")) -> None:
    """Change one stage's deadline; due dates computed from now on follow it."""
    from data import audit
    from data.complaints import deadlines

    try:
        with _store().engine.begin() as conn:
            new = deadlines.set_deadline(conn, stage, days=days, calendar=calendar, source=source)
            audit.append(conn, actor=actor, action="complaint_deadline_set", target=f"stage {stage}",
                         detail=vars(new), now=dt.datetime.now(dt.UTC))
    except ValueError as exc:
        _fail(str(exc))
    typer.echo(f"{stage}: {new.days} {new.calendar} days ({new.source})")
