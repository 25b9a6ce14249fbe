"""What the two case loops walked by people (monitoring alerts, complaints) share: who acts, and whether a
case lies in their region and scope.

A case row carries its province, city and county codes. Scope says what the viewer may see; the actor's
home region must also be one of the case's three codes, so an officer acts on the cases of their own
county (or a city officer on the city's), never on a neighbour's that a wider scope happens to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from data.models import Inspector
from data.queries.filters import Scope
from data.refusals import Refusal


@dataclass(frozen=True)
class Actor:
    """Who takes a step: the name recorded, the home region that must cover the case, their officer id."""

    name: str
    region: str
    inspector_id: int | None = None


def active_officer(conn: Connection, badge: str, error: type[Refusal]) -> dict:
    """The inspector row of an active officer with this badge; `error` (the loop's own) when there is none."""
    row = conn.execute(select(Inspector.__table__).where(Inspector.badge_no == badge)).mappings().first()
    if row is None or not row["active"]:
        raise error("no_active_officer", badge=badge)
    return dict(row)


def in_scope(row, scope: Scope) -> bool:
    """The case's finest region (its town where it has one) lies in the scope."""
    code = row.get("town_adcode") or row["county_adcode"] or row["city_adcode"] or row["province_adcode"]
    return code is not None and scope.allows(code)


def covers(region: str, row) -> bool:
    return region in {row["province_adcode"], row["city_adcode"], row["county_adcode"], row.get("town_adcode")} - {None}


def officer(conn: Connection, badge: str, error: type[Refusal]) -> Actor:
    """The officer with this badge, as an actor (the CLI names officers by badge)."""
    row = active_officer(conn, badge, error)
    return Actor(badge, row["region_adcode"], row["id"])
