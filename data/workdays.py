"""China's working-day calendar (工作日), for deadlines counted in working days.

Statutory holidays and the make-up working days (调休, often a Saturday or Sunday) come from the
`chinesecalendar` package, which follows each year's State Council notice; a plain weekday count would
put a complaint's due date inside the Spring Festival week. The package covers the years for which a
notice has been published: a date past them falls back to Monday–Friday, logged once, because a
deadline that is slightly off is better than an inbox that stops working on 1 January.

Offsets are vectorised (`add_working_days` takes arrays): the demo build and the overdue checks compute
hundreds of thousands of due dates at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import chinese_calendar
import numpy as np
import pandas as pd

log = logging.getLogger(__name__)
_WARNED_YEARS: set[int] = set()


@functools.lru_cache(maxsize=1)
def _covered_years() -> tuple[int, int]:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


@functools.lru_cache(maxsize=8)
def _workdays(first_year: int, last_year: int) -> np.ndarray:
    """Every working day from 1 January of first_year to 31 December of last_year, as datetime64[D]."""
    covered_from, covered_to = _covered_years()
    days = pd.date_range(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), freq="D")
    working = np.array([_is_workday(d.date(), covered_from, covered_to) for d in days])
    return days[working].to_numpy().astype("datetime64[D]")


def _is_workday(day: dt.date, covered_from: int, covered_to: int) -> bool:
    if covered_from <= day.year <= covered_to:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(days, n) -> np.ndarray:
    """The n-th working day after each day (n ≥ 1), as datetime64[D]; `days` and `n` broadcast.

    Counting starts the day after: a complaint received on a Friday with one working day to pass it on
    is due the following Monday (or the first working day after a holiday).
    """
    days = np.asarray(days, dtype="datetime64[D]")
    n = np.broadcast_to(np.asarray(n, dtype=int), days.shape)
    if days.size == 0:
        return days
    if (n < 1).any():
        raise ValueError("a working-day offset must be at least 1")
    first = int(str(days.min())[:4])
    last = int(str(days.max())[:4]) + 1 + int(n.max()) // 200
    calendar = _workdays(first, last)
    position = np.searchsorted(calendar, days, side="right") + n - 1
    due = calendar[position]
    _warn_outside(due)
    return due


def _warn_outside(due: np.ndarray) -> None:
    """Log once per year when a due date falls in a year without the State Council's holiday notice."""
    covered_from, covered_to = _covered_years()
    years = due.astype("datetime64[Y]").astype(int) + 1970
    for year in set(np.unique(years[(years < covered_from) | (years > covered_to)]).tolist()) - _WARNED_YEARS:
        _WARNED_YEARS.add(year)
        log.warning("the working-day calendar covers %s–%s: due dates in %s count Monday–Friday only",
                    covered_from, covered_to, year)


def add_days(days, n, calendar: str) -> np.ndarray:
    """n working or calendar days after each day, as datetime64[D]."""
    if calendar == "working":
        return add_working_days(days, n)
    if calendar == "calendar":
        return np.asarray(days, dtype="datetime64[D]") + np.asarray(n, dtype="timedelta64[D]")
    raise ValueError(f"unknown calendar {calendar!r} (working or calendar)")


def public_holidays(first: dt.date, last: dt.date) -> set[dt.date]:
    """The statutory public holidays (法定节假日, including the weekend days inside a holiday period) from `first`
    to `last`. Years without a State Council notice contribute none, logged once like the due dates."""
    covered_from, covered_to = _covered_years()
    found = {d for d in chinese_calendar.holidays if first <= d <= last}
    outside = sorted({y for y in range(first.year, last.year + 1) if not covered_from <= y <= covered_to} - _WARNED_YEARS)
    for year in outside:
        _WARNED_YEARS.add(year)
        log.warning("the holiday calendar covers %s–%s: no public holidays known in %s", covered_from, covered_to, year)
    return found
