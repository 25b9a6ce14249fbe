"""`weijian effectiveness`: the effectiveness index (监管效能) ranking of a region's sub-regions for a month;
`weijian effectiveness set KEY`: the next version of one indicator (weight, floor, target, months counted).

The configured region bounds what it reads; `--region` ranks the sub-regions of a region inside it (the
region itself when it has none), `--detail` prints one ranked region's breakdown by indicator.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import typer

from dashboard.cli_errors import fail as _fail
from dashboard.cli_risk import open_store, region_scope
from dashboard.settings import get_settings

CHINA = ZoneInfo("Asia/Shanghai")
effectiveness_app = typer.Typer(help="The effectiveness index: ranking (no subcommand) and its indicators as data.",
                                invoke_without_command=True)


def _number(value, unit: str = "") -> str:
    if pd.isna(value):
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:+.1f}" if unit == "change" else f"{value:.1f}"


@effectiveness_app.callback()
def effectiveness_command(
        ctx: typer.Context,
        region: str = typer.Option("", help="Rank the sub-regions of this region code (default: the configured region)."),
        month: str = typer.Option("", help="The month scored, YYYY-MM (default: the last whole month, China time)."),
        detail: str = typer.Option("", help="Also print this ranked region's breakdown by indicator.")) -> None:
    """Rank regions by the effectiveness index (4 quality + 4 efficiency + 1 complaints indicators, weights as data)."""
    from data.queries import effectiveness

    if ctx.invoked_subcommand is not None:
        return
    today = dt.datetime.now(CHINA).date()
    try:
        day = dt.date.fromisoformat(f"{month}-01") if month else effectiveness.previous_month(today)
        filters = effectiveness.month_filters(region or get_settings().region, day, today)
    except ValueError as exc:
        _fail(f"--month {month!r}: {exc}" if month else str(exc))
    from data.queries.filters import OutOfScope

    try:
        store, scope = open_store(), region_scope(region)
        ranking = effectiveness.ranking(store, filters, scope)
    except (OutOfScope, LookupError) as exc:  # UnknownRegion is a LookupError too
        _fail(str(exc))
    shown = ranking.assign(**{"rank": ranking["rank"].astype(object).where(ranking["rank"].notna(), "–"),
                              "score": ranking["score"].map(_number), "previous_score": ranking["previous_score"].map(_number),
                              "change": ranking["change"].map(lambda v: _number(v, "change")),
                              "weight_share": ranking["weight_share"].map(lambda v: _number(v, "share"))})
    parts = effectiveness.breakdown(store, filters, scope)
    typer.echo(f"effectiveness index {filters.period.start:%Y-%m} under {filters.region} "
               f"(indicator set version {parts.attrs['version']})")
    typer.echo(shown.to_string(index=False))
    if detail:
        mine = parts[parts["adcode"] == detail]
        if mine.empty:
            _fail(f"--detail {detail}: not one of the ranked regions ({', '.join(ranking['adcode'])})")
        columns = ["indicator", "category", "value", "score", "weight", "contribution", "previous_value"]
        typer.echo(mine[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}"))


@effectiveness_app.command("set")
def effectiveness_set(key: str = typer.Argument(..., help="The indicator's key (see indicators.csv)."),
                      weight: float | None = typer.Option(None, help="New weight."),
                      floor: float | None = typer.Option(None, help="New value that scores 0."),
                      target: float | None = typer.Option(None, help="New value that scores 100."),
                      window_months: int | None = typer.Option(None, "--months", help="New number of months counted."),
                      reason: str = typer.Option(..., help="Why (recorded with the new version)."),
                      actor: str = typer.Option(..., "--as", help="Who decides.")) -> None:
    """Replace an indicator by its next version (audited); every cached ranking is recomputed."""
    from data import db
    from data.effectiveness import indicators

    try:
        with open_store().engine.begin() as conn:
            indicators.set_indicator(conn, key, weight=weight, floor=floor, target=target, window_months=window_months,
                                     actor=actor, reason=reason, now=dt.datetime.now(dt.UTC))
            db.bump_data_version(conn)
            new = indicators.current(conn)
    except (LookupError, ValueError) as exc:
        _fail(str(exc))
    row = new.get(key)
    typer.echo(f"{key}: weight {row.weight:g}, 0 at {row.floor:g}, 100 at {row.target:g}, {row.window_months} month(s); "
               f"indicator set version {new.version}")
