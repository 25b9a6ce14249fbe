"""`weijian device|alert|limit|rule|monitor`: devices and their tokens, the alert lifecycle, limits, the services.

Actions on alerts name the acting officer by badge (`--as`); the officer's region must cover the
alert, and the configured region bounds what this command may touch at all.
"""

from __future__ import annotations

import datetime as dt
import time

import pandas as pd
import typer
from sqlalchemy import select, update

from dashboard.cli_errors import fail as _fail
from dashboard.settings import get_settings

device_app = typer.Typer(help="Monitoring devices and their ingest tokens.", no_args_is_help=True)
alert_app = typer.Typer(help="Alerts: list them and walk them from open to closed.", no_args_is_help=True)
limit_app = typer.Typer(help="Indicator limits (versioned; every change needs a reason).", no_args_is_help=True)
rule_app = typer.Typer(help="Alert rules and their parameters.", no_args_is_help=True)
monitor_app = typer.Typer(help="Monitoring services: the periodic sweep and the MQTT subscriber.", no_args_is_help=True)



def _store():
    from data.store import Store

    settings = get_settings()
    return Store.open(settings.db_url, settings.cache_url)


def _scope():
    from data.queries.filters import Scope

    return Scope.of(get_settings().region)


def _table(frame: pd.DataFrame) -> None:
    typer.echo(frame.to_string(index=False) if not frame.empty else "(none)")


@device_app.command("list")
def device_list(scene: str = typer.Option("", help="Only this scene (water_plant, swimming_pool, public_air, …)."),
                region: str = typer.Option("", help="Only devices under this region code (default: the configured region).")) -> None:
    """id, scene, entity, county and state (normal / over_limit / offline) of each device."""
    from data import vocab
    from data.monitoring import devices
    from data.queries.filters import OutOfScope, UnknownRegion

    if scene and scene not in vocab.SCENES:
        _fail(f"--scene {scene!r}: use one of {', '.join(vocab.SCENES)}")
    try:
        frame = devices.device_list(_store(), _scope(), region or get_settings().region, scene=scene or None)
    except (OutOfScope, UnknownRegion) as exc:
        _fail(str(exc))
    _table(frame.rename(columns={"state": "status"}))
    typer.echo(f"{len(frame)} devices")


@device_app.command("token")
def device_token(device_id: str = typer.Argument(..., help="Device id."),
                 rotate: bool = typer.Option(False, "--rotate", help="Replace the device's token (the old one stops working).")) -> None:
    """Print a new ingest token for a device that has none (or, with --rotate, replace its token).

    Only a hash of the token is stored, so a token cannot be shown twice: for a device that already
    has one, use --rotate and configure the device with the new token.
    """
    from data.monitoring import devices

    store = _store()
    with store.engine.begin() as conn:
        try:
            token = devices.issue_token(conn, device_id, rotate=rotate)
        except LookupError as exc:
            _fail(str(exc))
    if token is None:
        _fail(f"device {device_id} already has a token, stored only as a hash; use --rotate to issue a new one")
    typer.echo(token)


@alert_app.command("list")
def alert_list(status: str = typer.Option("unclosed", help="unclosed (default), all, or one status."),
               limit: int = typer.Option(50, help="At most this many, newest first.")) -> None:
    """Alerts in the configured region: id, raised, device, rule, indicator, severity, level, status, overdue."""
    from data import vocab
    from data.queries import alerts as alert_queries

    if status not in ("unclosed", "all", *vocab.ALERT_STATUSES):
        _fail(f"--status {status!r}: use unclosed, all or one of {', '.join(vocab.ALERT_STATUSES)}")
    frame = alert_queries.feed(_store(), _scope(), get_settings().region, status=status, limit=limit)
    _table(frame[["id", "raised_at", "device_id", "rule", "indicator", "severity", "level", "status", "overdue",
                  "occurrences"]])


def _transition(alert_id: int, action: str, badge: str, note: str | None, assignee: str | None = None) -> None:
    from data.monitoring import alerts
    from data.queries.filters import OutOfScope

    store = _store()
    try:
        with store.engine.begin() as conn:
            row = alerts.transition(conn, alert_id, action, actor=alerts.officer(conn, badge), scope=_scope(),
                                    now=dt.datetime.now(dt.UTC), note=note, assignee_badge=assignee)
            from data import db

            db.bump_data_version(conn)
    except (alerts.AlertActionError, OutOfScope) as exc:
        _fail(str(exc))
    typer.echo(f"alert {alert_id}: {row['status']}")


@alert_app.command("dispatch")
def alert_dispatch(alert_id: int, actor: str = typer.Option(..., "--as", help="Your badge number."),
                   to: str = typer.Option(..., "--to", help="Badge of the officer who will act."),
                   note: str = typer.Option("", help="Instructions.")) -> None:
    """Send an open alert to an officer of its region."""
    _transition(alert_id, "dispatch", actor, note or None, to)


@alert_app.command("handle")
def alert_handle(alert_id: int, actor: str = typer.Option(..., "--as", help="Your badge number (the assignee)."),
                 note: str = typer.Option(..., help="What was done.")) -> None:
    """Report what was done about a dispatched alert."""
    _transition(alert_id, "handle", actor, note)


@alert_app.command("review")
def alert_review(alert_id: int, actor: str = typer.Option(..., "--as", help="Your badge (not the handler's)."),
                 note: str = typer.Option(..., help="What was checked.")) -> None:
    """Check the handling (by someone other than the handler)."""
    _transition(alert_id, "review", actor, note)


@alert_app.command("close")
def alert_close(alert_id: int, actor: str = typer.Option(..., "--as", help="Your badge number."),
                note: str = typer.Option("", help="Closing remark.")) -> None:
    """Close a reviewed alert."""
    _transition(alert_id, "close", actor, note or None)


@alert_app.command("dismiss")
def alert_dismiss(alert_id: int, actor: str = typer.Option(..., "--as", help="Your badge number."),
                  reason: str = typer.Option(..., help="Why this is not a real problem.")) -> None:
    """Dismiss an open or dispatched alert as a false alarm, with the reason."""
    _transition(alert_id, "dismiss", actor, reason)


@limit_app.command("list")
def limit_list(scene: str = typer.Option("", help="Only this scene.")) -> None:
    """The limits in force, with their version, standard and clause."""
    from data.monitoring import limits

    with _store().engine.connect() as conn:
        rows = [vars(limit) | {"range": limit.describe()} for limit in limits.current(conn).values()]
    frame = pd.DataFrame(rows)
    if scene:
        frame = frame[frame["scene"] == scene]
    _table(frame.sort_values(["scene", "indicator", "subtype"])[
        ["scene", "indicator", "subtype", "range", "version", "standard", "clause"]])


@limit_app.command("set")
def limit_set(scene: str, indicator: str, subtype: str = typer.Option("", help="Entity subtype ('' = all)."),
              low: float | None = typer.Option(None, help="Lower limit (omit for none)."),
              high: float | None = typer.Option(None, help="Upper limit (omit for none)."),
              reason: str = typer.Option(..., help="Why (recorded with the new version)."),
              actor: str = typer.Option(..., "--as", help="Who decides (name or badge).")) -> None:
    """Replace a limit by its next version; alerts raised before keep the version they were raised against."""
    from data import db
    from data.monitoring import limits

    try:
        with _store().engine.begin() as conn:
            new = limits.set_limit(conn, scene, indicator, subtype, low=low, high=high, actor=actor, reason=reason,
                                   now=dt.datetime.now(dt.UTC))
            db.bump_data_version(conn)
    except (LookupError, ValueError) as exc:
        _fail(str(exc))
    typer.echo(f"{scene}/{indicator}{'/' + subtype if subtype else ''}: version {new.version}, {new.describe()}")


@monitor_app.command("sweep")
def monitor_sweep(every: int = typer.Option(0, help="Repeat every this many seconds (0: once).")) -> None:
    """Raise offline alerts for silent devices, escalate overdue alerts, refresh pending rollups."""
    from data.monitoring import sweep

    store = _store()
    while True:
        typer.echo(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {sweep.sweep(store.engine)}")
        if every <= 0:
            return
        time.sleep(every)


@monitor_app.command("mqtt")
def monitor_mqtt(broker: str = typer.Option("mqtt://127.0.0.1:1883", help="Broker URL (mqtt://user:pass@host:port)."),
                 client_id: str = typer.Option("weijian-ingest", help="Client id (a persistent session keeps QoS 1 messages).")) -> None:
    """Subscribe to weijian/readings/<device> and ingest every message (runs until stopped)."""
    from dashboard import mqtt

    try:
        client = mqtt.subscriber(_store().engine, broker, client_id)
    except OSError as exc:
        _fail(f"cannot reach the MQTT broker at {broker}: {exc}")
    typer.echo(f"subscribed to {mqtt.READINGS_TOPIC} on {broker}")
    client.loop_forever()




@rule_app.command("list")
def rule_list() -> None:
    """Every rule: key, severity, enabled, parameters."""
    from data.models import AlertRule

    table = AlertRule.__table__
    with _store().engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(table.c.key, table.c.severity, table.c.enabled, table.c.params,
                                                 table.c.updated_by)).all())
    _table(frame)


@rule_app.command("set")
def rule_set(key: str, params: str = typer.Option("", help='JSON parameters, e.g. \'{"min_readings": 3, "min_seconds": 1800}\''),
             severity: str = typer.Option("", help="low, medium, high or critical."),
             enabled: bool | None = typer.Option(None, "--enabled/--disabled", help="Switch the rule on or off."),
             actor: str = typer.Option(..., "--as", help="Who decides.")) -> None:
    """Change a rule's parameters, severity or switch; recorded in the audit log."""
    import json

    from data import audit, db, vocab
    from data.models import AlertRule
    from data.monitoring import rules

    values: dict = {}
    if params:
        try:
            parsed = json.loads(params)
        except json.JSONDecodeError as exc:
            _fail(f"--params is not JSON: {exc}")
        if not isinstance(parsed, dict):
            _fail("--params must be a JSON object")
        try:
            rules.check_params(key, parsed)
        except (TypeError, ValueError) as exc:
            _fail(f"--params: {exc}")
        values["params"] = json.dumps(parsed)
    if severity:
        if severity not in vocab.ALERT_SEVERITIES:
            _fail(f"--severity {severity!r}: one of {', '.join(vocab.ALERT_SEVERITIES)}")
        values["severity"] = severity
    if enabled is not None:
        values["enabled"] = enabled
    if not values:
        _fail("nothing to change: give --params, --severity or --enabled/--disabled")
    now = dt.datetime.now(dt.UTC)
    with _store().engine.begin() as conn:
        done = conn.execute(update(AlertRule).where(AlertRule.key == key).values(**values, updated_at=now, updated_by=actor))
        if done.rowcount == 0:
            _fail(f"no rule {key!r}")
        audit.append(conn, actor=actor, action="rule_change", target=key, detail=values, now=now)
        db.bump_data_version(conn)
    typer.echo(f"rule {key}: {values}")
