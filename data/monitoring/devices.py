"""Devices: ingest tokens and the device list (id, scene, entity, state) for the CLI and the API.

A token is 32 random bytes (URL-safe text); only its SHA-256 is stored, so a leaked database does
not leak working tokens. A slow password hash is not needed: the token is random, not guessable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pandas as pd
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import Connection

from data.models import Device
from data.queries import monitoring
from data.queries.filters import Filters, Period, Scope
from data.store import Store


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(conn: Connection, device_id: str, *, rotate: bool = False) -> str | None:
    """A new token for the device when it has none (or `rotate`); None when it has one already.

    The token is returned once; only its hash is kept, so an existing token cannot be shown again.
    """
    row = conn.execute(select(Device.id, Device.token_hash).where(Device.id == device_id)).first()
    if row is None:
        raise LookupError(f"unknown device {device_id!r}")
    if row.token_hash is not None and not rotate:
        return None
    token = secrets.token_urlsafe(32)
    conn.execute(update(Device).where(Device.id == device_id).values(token_hash=_hash(token)))
    return token


def authenticate(engine: Engine, token: str | None) -> str | None:
    """The id of the active device this token belongs to, or None."""
    if not token:
        return None
    with engine.connect() as conn:
        return conn.execute(select(Device.id).where(Device.token_hash == _hash(token), Device.active.is_(True))).scalar()


def device_list(store: Store, scope: Scope, region: str, *, scene: str | None = None) -> pd.DataFrame:
    """id, scene, entity, county and state (normal / over_limit / offline) of the devices in a region."""
    today = dt.date.today()
    frame = monitoring.devices(store, Filters(region=region, period=Period(today, today)), scope)
    if scene:
        frame = frame[frame["scene"] == scene]
    return frame[["id", "scene", "entity", "county_adcode", "state"]].reset_index(drop=True)
