"""`weijian effectiveness`: the effectiveness index (监管效能) ranking of a region's sub-regions for a month.

The configured region bounds what it reads; `--region` ranks the sub-regions of a region inside it (the
region itself when it has none), `--detail` prints one ranked region's breakdown by indicator.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import typer

from dashboard.cli_errors import fail as _fail
from dashboard.cli_risk import _scope as region_scope
from dashboard.cli_risk import _store as open_store
from dashboard.settings import get_settings

CHINA = ZoneInfo("Asia/Shanghai")


def _number(value, unit: str = "") -> str:
    if pd.isna(value):
        return "–"
    if unit == "share":
        return f"{value:.1%}"
    return f"{value:+.1f}" if unit == "change" else f"{value:.1f}"


def effectiveness_command(
        region: str = typer.Option("", help="Rank the sub-regions of this region code (default: the configured region)."),
        month: str = typer.Option("", help="The month scored, YYYY-MM (default: the last whole month, China time)."),
        detail: str = typer.Option("", help="Also print this ranked region's breakdown by indicator.")) -> None:
    """Rank regions by the effectiveness index (4 quality + 4 efficiency + 1 complaints indicators, weights as data)."""
    from data.queries import effectiveness

    today = dt.datetime.now(CHINA).date()
    try:
        day = dt.date.fromisoformat(f"{month}-01") if month else effectiveness.previous_month(today)
        filters = effectiveness.month_filters(region or get_settings().region, day, today)
    except ValueError as exc:
        _fail(f"--month {month!r}: {exc}" if month else str(exc))
    store, scope = open_store(), region_scope(region)
    ranking = effectiveness.ranking(store, filters, scope)
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
