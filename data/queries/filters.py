"""What a screen asks for (Filters) and what the viewer may see (Scope), both immutable and hashable.

Filters hold absolute values only: a relative period ("last 12 months") is resolved to dates before
it reaches a query, so equal questions make equal cache keys. Scope comes from the server side (the
configured region today; the logged-in user's home region later), never from a browser request.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from data import vocab
from geo import hierarchy


class OutOfScope(PermissionError):
    """A request for a region the viewer may not see."""


class UnknownRegion(KeyError):
    """A region code that names no known region."""


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar days."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError(f"period starts {self.start} after it ends {self.end}")

    @classmethod
    def last_months(cls, months: int, today: dt.date) -> Period:
        """The `months` whole months up to and including today's month."""
        first = dt.date(today.year, today.month, 1)
        year, month = divmod(first.year * 12 + first.month - 1 - (months - 1), 12)
        return cls(dt.date(year, month + 1, 1), today)

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-01..2026-06' (months) or '2026-01-15..2026-03-31' (days); either side may be a month or a day."""
        match = re.fullmatch(r"\s*(\d{4}-\d{2}(?:-\d{2})?)\s*\.\.\s*(\d{4}-\d{2}(?:-\d{2})?)\s*", text or "")
        if not match:
            raise ValueError(f"period {text!r}: expected YYYY-MM..YYYY-MM or YYYY-MM-DD..YYYY-MM-DD")
        return cls(_day(match.group(1), first=True), _day(match.group(2), first=False))

    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def label(self) -> str:
        """Compact form for URLs: whole months as YYYY-MM, otherwise days."""
        whole = self.start.day == 1 and self.end.day == calendar.monthrange(self.end.year, self.end.month)[1]
        if whole:
            return f"{self.start:%Y-%m}..{self.end:%Y-%m}"
        return self.key()


def _day(text: str, first: bool) -> dt.date:
    try:
        if len(text) == 7:
            year, month = int(text[:4]), int(text[5:])
            return dt.date(year, month, 1 if first else calendar.monthrange(year, month)[1])
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"period: {text!r} is not a valid date ({exc})") from None


@dataclass(frozen=True)
class Filters:
    region: str
    period: Period
    specialty: str | None = None

    def __post_init__(self):
        if self.specialty is not None and self.specialty not in vocab.SPECIALTIES:
            raise ValueError(f"specialty {self.specialty!r} is not one of {', '.join(vocab.SPECIALTIES)}")
        if not re.fullmatch(r"\d{6}", self.region or "") and not hierarchy.is_imported(self.region or ""):
            raise ValueError(f"region {self.region!r} is not a six-digit administrative code nor an imported region")

    def key(self) -> str:
        return f"region={self.region}|period={self.period.key()}|specialty={self.specialty or '*'}"


@dataclass(frozen=True)
class Scope:
    """The region codes a viewer may see, each with everything below it."""

    roots: frozenset[str]

    @classmethod
    def of(cls, *roots: str) -> Scope:
        return cls(frozenset(roots))

    def allows(self, adcode: str) -> bool:
        try:
            chain = hierarchy.ancestors(adcode)
        except KeyError:
            return False
        return any(region.adcode in self.roots for region in chain)

    def check(self, adcode: str) -> None:
        """Raise UnknownRegion for a code that names nothing, OutOfScope for one the viewer may not see."""
        try:
            hierarchy.get_region(adcode)
        except KeyError:
            raise UnknownRegion(f"unknown region code {adcode!r}") from None
        if not self.allows(adcode):
            raise OutOfScope(f"region {adcode} is outside the viewer's scope")

    def key(self) -> str:
        return ",".join(sorted(self.roots))
