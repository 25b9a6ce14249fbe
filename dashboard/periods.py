"""Period choices offered by the filters, resolved to absolute dates on the server."""

from __future__ import annotations

import datetime as dt

from data.queries.filters import Period

PRESETS: tuple[str, ...] = ("last-3-months", "last-12-months", "last-24-months", "this-year", "last-year")
DEFAULT = "last-12-months"
_I18N_KEY = {p: p.replace("-", "_") for p in PRESETS}


def resolve(value: str | None, today: dt.date) -> Period:
    """A preset key or an explicit 'YYYY-MM..YYYY-MM' → Period (ValueError for anything else)."""
    value = value or DEFAULT
    if value == "last-3-months":
        return Period.last_months(3, today)
    if value == "last-12-months":
        return Period.last_months(12, today)
    if value == "last-24-months":
        return Period.last_months(24, today)
    if value == "this-year":
        return Period(dt.date(today.year, 1, 1), today)
    if value == "last-year":
        return Period(dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    return Period.parse(value)


def i18n_key(preset: str) -> str:
    return _I18N_KEY[preset]
