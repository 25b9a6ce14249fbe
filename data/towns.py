"""Records already stored, placed in the towns of a town level imported under their counties.

Importing 乡镇街道 or 网格 under a county that already holds entities must not leave those entities (and
everything recorded about them) outside every town: drill-down, rollups and scope read the town column like
the others. So the set's import (data/boundary_sets.py) calls `place_stored` in its own transaction: rows with
coordinates of their own (entities, complaints, devices) are placed point-in-polygon (geo.towns); records about
an entity or a device take its town; the counties' rollups are rebuilt. New records get their town when they
are written (imports place them, and every writer copies data.models.REGION_COLUMNS from its entity).
Deleting a town level (`unplace`) is the inverse: the rows leave their towns and stay in their county.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from data import rollups
from data.models import (Alert, Complaint, ConstructionProject, CreditAssessment, Device, Entity, Inspection,
                         InstitutionStatus, Penalty, RandomDraw, RandomDrawItem, Region, RiskLedgerEntry, RiskScore)
from geo import towns as geo_towns

CHUNK = 5_000
PLACED = (Entity, Device, Complaint)  # with coordinates of their own
FOLLOW_ENTITY = (Inspection, Penalty, ConstructionProject, RiskScore, RiskLedgerEntry, CreditAssessment,
                 RandomDrawItem, InstitutionStatus)
RECORDS = (*PLACED, *FOLLOW_ENTITY, Alert, RandomDraw)  # every table with region codes (data.models.RegionCodes)


def place_stored(conn: Connection, towns: gpd.GeoDataFrame) -> dict[str, int]:
    """Give the stored rows of the towns' counties their town; returns rows placed in a town per table.

    `towns`: adcode, parent_adcode (a county), geometry (WGS-84), as validated by the boundary-set import."""
    counties = sorted(set(towns["parent_adcode"]))
    placed = {model.__tablename__: _place_points(conn, model, counties, towns) for model in PLACED}
    for model in FOLLOW_ENTITY:
        placed[model.__tablename__] = _follow(conn, model, counties, _town_of(Entity, model.entity_id))
    # A complaint without coordinates is where its entity is.
    _follow(conn, Complaint, counties, _town_of(Entity, Complaint.entity_id), Complaint.lon.is_(None))
    placed[Alert.__tablename__] = _follow(conn, Alert, counties, func.coalesce(
        _town_of(Device, Alert.device_id), _town_of(Entity, Alert.entity_id)))
    rollups.refresh(conn, counties)
    return placed


def unplace(conn: Connection, towns: list[str]) -> dict[str, int]:
    """Take every stored row out of `towns` (being deleted): its town becomes None, its county stays; the
    counties' rollups are rebuilt. Returns the rows taken out per table."""
    counties = sorted(set(conn.execute(select(Region.parent_adcode).where(Region.adcode.in_(towns))).scalars()))
    taken = {}
    for model in RECORDS:
        result = conn.execute(update(model).where(model.town_adcode.in_(towns)).values(town_adcode=None))
        taken[model.__tablename__] = result.rowcount
    rollups.refresh(conn, counties)
    return taken


def _town_of(model, key):
    return select(model.town_adcode).where(model.id == key).scalar_subquery()


def _place_points(conn: Connection, model, counties: list[str], towns: gpd.GeoDataFrame) -> int:
    rows = conn.execute(select(model.id, model.lon, model.lat, model.county_adcode).where(
        model.county_adcode.in_(counties), model.lon.is_not(None), model.lat.is_not(None))).all()
    if not rows:
        return 0
    ids, lon, lat, county = (np.array(column, dtype=object) for column in zip(*rows))
    codes = geo_towns.place(lon.astype(float), lat.astype(float), county, towns)
    table = model.__table__
    statement = update(table).where(table.c.id == bindparam("row_id")).values(town_adcode=bindparam("town"))
    values = [{"row_id": i, "town": code} for i, code in zip(ids, codes)]
    for start in range(0, len(values), CHUNK):
        conn.execute(statement, values[start:start + CHUNK])
    return int(sum(code is not None for code in codes))


def _follow(conn: Connection, model, counties: list[str], town, *where) -> int:
    conn.execute(update(model).where(model.county_adcode.in_(counties), *where).values(town_adcode=town))
    return conn.execute(select(func.count()).select_from(model).where(
        model.county_adcode.in_(counties), model.town_adcode.is_not(None))).scalar_one()
