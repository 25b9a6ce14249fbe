"""Import commands: `ImportEntities`, `ImportInspections`, `ImportPenalties`, `ImportComplaints`, `ImportDevices`,
`ImportReadings`, `ImportSelfInspections` (STYLE.md: validate, then run).

`.validate()` reads the whole file and returns every problem at once, each naming the row as in the file
(header = row 1, first data row = row 2), the field, the value and the reason (a key and its values, worded in
Chinese and English by data/imports/reasons.py; `Problem.reason` is the English). It writes nothing.
`.run()` validates, then writes in ONE transaction. Choice made here: the valid records are taken and the
refused ones listed (an office's export with ten bad rows out of two thousand should not wait for the
ten to be fixed); `all_or_nothing=True` refuses the whole file on any refusal instead. A record spanning
several rows (`rows_per_record: many`, e.g. one row per violation) is refused whole when any of its rows is.

Writes are upserts by natural key: an entity by its key (stored in `entity.credit_code`, see below), an
inspection by (entity, date, kind), a penalty by its case number, a complaint by its sender's id, a device by its id, a self-inspection by (entity, period), a reading by (device, indicator, time) through
data/monitoring/ingest.ingest_in. Re-importing the same file therefore changes nothing (all `unchanged`),
and a corrected file updates the records whose values changed. Readings are the exception: ingest never
rewrites a stored reading (alerts were raised on it), so a corrected value counts as unchanged.
After writing, the rollups of the touched counties are refreshed and the data version is bumped, in the
same transaction, so a failure anywhere leaves the database exactly as it was.

A person importing through the app passes their `scope` (the CLI, run by the operator on the server, passes
none): a row whose place, entity or device lies outside it is refused ("outside_scope"), and so is a row whose
key names a record already stored outside it (a case number of another county's penalty), so an upsert can
never reach into a neighbour's data. `audit` (a function of the connection and the outcome) is called inside
the write's transaction, so the import and its audit entry are stored together or not at all.

Entity keys: `entity.credit_code` is the entity table's only unique business key. A source without a
统一社会信用代码 (a CNEMC station code, a NYC CAMIS) stores its own id there with the profile's prefix
(`CNEMC-1001A`); a real credit code has no '-', so the two can never collide. Without a prefix the key
must be a valid GB 32100 code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from data import credit_code, db, rollups, self_inspection, vocab
from data.complaints import workflow
from data.imports import reasons
from data.imports.profile import KindSpec, Profile
from data.imports.readers import read_table
from data.models import (REGION_COLUMNS, Complaint, ConstructionProject, Device, Entity, Inspection, Penalty, Reading,
                         SelfInspection)
from data.monitoring.ingest import MAX_BATCH, ingest_in
from data.personal import PERSONAL_COLUMNS
from data.queries.filters import Scope
from geo import assign, towns
from geo import crs as crs_module

CHUNK = 500  # records per write statement and per progress step; also bounds SQL IN lists


class MappingError(ValueError):
    """The file does not fit the profile (a mapped column is missing): nothing can be validated."""


@dataclass(frozen=True)
class Problem:
    row: int  # as in the file: header = 1
    field: str  # the source column(s)
    value: str
    key: str  # why, worded in both languages in data/imports/reasons.py
    code: str  # short category, for counting: bad_date, placeholder_date, outside_region, …
    refused: bool = True  # False: a notice; the row is still taken
    params: dict = field(default_factory=dict, hash=False)  # the wording's values besides `value`

    @property
    def reason(self) -> str:
        """In English, as the CLI prints it."""
        return self.text("en")

    def text(self, lang: str) -> str:
        return reasons.text(self.key, self.params, self.value, lang)

    def as_dict(self) -> dict:
        """For a stored report (JSON), worded again in the reader's language when shown."""
        return {"row": self.row, "field": self.field, "value": self.value, "reason": self.reason, "key": self.key,
                "params": self.params, "code": self.code, "refused": self.refused}


@dataclass
class Outcome:
    kind: str
    rows: int  # data rows in the file
    records: int = 0  # records the valid rows make (an inspection may span rows)
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0  # refused records (readings: refused readings)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def taken(self) -> int:
        return self.inserted + self.updated + self.unchanged

    def counts_by_code(self) -> dict[str, int]:
        return pd.Series([p.code for p in self.problems], dtype=object).value_counts().to_dict()

    def problem_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=["row", "field", "value", "reason", "code", "refused"])

    def write_xlsx(self, path: Path) -> None:
        """Summary sheet and every problem (not only the first N the terminal shows)."""
        summary = pd.DataFrame({"item": ["kind", "rows", "inserted", "updated", "unchanged", "refused", "dry_run"],
                                "value": [self.kind, self.rows, self.inserted, self.updated, self.unchanged,
                                          self.refused, self.dry_run]})
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            summary.to_excel(writer, sheet_name="summary", index=False)
            self.problem_frame().to_excel(writer, sheet_name="problems", index=False)


Progress = Callable[[int], None]
Audit = Callable[[Connection, "Outcome"], None]
CODE_COLUMNS = REGION_COLUMNS


def _within(scope: Scope, codes: pd.DataFrame) -> np.ndarray:
    """Rows whose province, city, county or town code is one of the scope's roots (as data/queries/base.scope_predicate)."""
    roots = list(scope.roots)
    return np.asarray(codes[list(CODE_COLUMNS)].isin(roots).any(axis=1), dtype=bool)


@dataclass
class _Checked:
    """What validation found: one row per valid record (with `rows`, its file rows) and the problems."""

    records: pd.DataFrame
    problems: list[Problem]
    rows: int
    refused: int


def _file_rows(frame: pd.DataFrame) -> np.ndarray:
    return np.arange(len(frame)) + 2


def _need(frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MappingError(f"the file has no column {', '.join(map(repr, missing))} (columns: {', '.join(frame.columns)})")


def _text(frame: pd.DataFrame, source: str | tuple[str, ...]) -> pd.Series:
    """A column's text, or several columns joined by a space; runs of spaces collapsed, ends trimmed."""
    names = (source,) if isinstance(source, str) else source
    joined = frame[list(names)].astype(str).agg(" ".join, axis=1) if len(names) > 1 else frame[names[0]].astype(str)
    return joined.str.replace(r"\s+", " ", regex=True).str.strip()


def _label(source: str | tuple[str, ...]) -> str:
    return source if isinstance(source, str) else ",".join(source)


class _Collector:
    """Problems of one validation, built column-wise (no loop over rows)."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.problems: list[Problem] = []
        self.bad = np.zeros(len(rows), dtype=bool)

    def add(self, mask, field_name: str, values: pd.Series, key: str, refused: bool = True, code: str | None = None,
            **params) -> None:
        """A problem for each row of `mask`: `key` names its wording (data/imports/reasons.py), which fixes its
        category unless `code` is given (a profile's notice); `params` are the wording's values."""
        code = code or reasons.category(key)  # an unworded key fails here, in the test that reaches it
        mask = np.asarray(mask, dtype=bool)
        texts = values.astype(str).to_numpy()
        for i in np.flatnonzero(mask):
            self.problems.append(Problem(int(self.rows[i]), field_name, texts[i], key, code, refused, params))
        if refused:
            self.bad |= mask


def _map_codes(values: pd.Series, mapping: dict[str, str | None], name: str, found: _Collector,
               required: bool) -> pd.Series:
    """Source codes → ours. A key ending in '*' matches by prefix; a value mapped to null means 'none'."""
    out = pd.Series([None] * len(values), index=values.index, dtype=object)
    known = np.zeros(len(values), dtype=bool)
    for source, ours in mapping.items():
        hit = (values.str.startswith(source[:-1]) if source.endswith("*") else values == source).to_numpy() & ~known
        out[hit] = ours
        known |= hit
    empty = (values == "").to_numpy() & ~known
    if required:
        found.add(empty, name, values, "empty")
    found.add(~known & ~empty, name, values, "unknown_code")
    return out


def _dates(values: pd.Series, profile: Profile, name: str, found: _Collector, required: bool = True) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in profile.date_formats:
        todo = parsed.isna() & (values != "")
        if todo.any():
            parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    empty = (values == "").to_numpy()
    if required:
        found.add(empty, name, values, "empty")
    found.add(parsed.isna().to_numpy() & ~empty, name, values, "not_a_date", formats=", ".join(profile.date_formats))
    days = parsed.dt.date
    placeholder = days.isin(profile.placeholder_dates).to_numpy()
    found.add(placeholder, name, values, "placeholder_date")
    future = (parsed > pd.Timestamp.now() + pd.Timedelta(days=1)).to_numpy()
    found.add(future, name, values, "future_date")
    return days.where(parsed.notna() & ~placeholder & ~future, None)


def _numbers(values: pd.Series, name: str, found: _Collector) -> pd.Series:
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    found.add(numbers.isna().to_numpy() & (values.str.strip() != "").to_numpy(), name, values, "not_a_number")
    return numbers


def _natural_key(frame: pd.DataFrame, spec: KindSpec, found: _Collector, *, validate_code: bool,
                 max_length: int = 18) -> pd.Series:
    key = spec.key
    _need(frame, key.columns)
    raw = frame[list(key.columns)].astype(str).apply(lambda c: c.str.strip()).agg("-".join, axis=1)
    label = _label(key.columns)
    empty = (raw.str.replace("-", "") == "").to_numpy()
    found.add(empty, label, raw, "empty_key")
    full = key.prefix + raw
    too_long = (full.str.len() > max_length).to_numpy() & ~empty
    found.add(too_long, label, raw, "key_too_long", prefix=key.prefix, max_length=max_length)
    if validate_code and not key.prefix:
        invalid = ~empty & ~raw.map(credit_code.is_valid).to_numpy()
        found.add(invalid, label, raw, "bad_credit_code")
        full = raw.str.upper()
    return full


def _group(keys: pd.Series, found: _Collector, many: bool, key_label: str, key_values: pd.Series) -> np.ndarray:
    """First row of each record; refuses duplicates (one row per record) or whole records with a bad row (many)."""
    if not many:
        dup = keys.duplicated(keep=False).to_numpy() & (keys != "").to_numpy()
        found.add(dup, key_label, key_values, "duplicate_key")
    else:
        bad_keys = set(keys[found.bad])
        sibling = keys.isin(bad_keys).to_numpy() & ~found.bad
        found.add(sibling, key_label, key_values, "record_refused")
    ok = ~found.bad
    return np.flatnonzero(ok & ~keys.duplicated().to_numpy()) if many else np.flatnonzero(ok)


class _FileImport:
    kind = ""
    model: type  # the table the import writes: analysed on PostgreSQL before the rollups read it back

    def __init__(self, engine: Engine, path: Path, profile: Profile, *, region: str, cache_dir: Path,
                 all_or_nothing: bool = False, progress: Progress | None = None, scope: Scope | None = None):
        self.engine, self.path, self.profile = engine, Path(path), profile
        self.scope = scope
        self.spec = profile.spec(self.kind)
        self.region, self.cache_dir = region, cache_dir
        self.all_or_nothing = all_or_nothing
        self.progress = progress or (lambda _n: None)
        self._checked: _Checked | None = None
        self.encoding = ""

    def validate(self) -> list[Problem]:
        """Every problem in the file; reads the database (known entities, devices) but writes nothing."""
        if self._checked is None:
            frame, self.encoding = read_table(self.path)
            with self.engine.connect() as conn:
                self._checked = self._check(conn, frame)
        return self._checked.problems

    def run(self, dry_run: bool = False, audit: Audit | None = None) -> Outcome:
        """Validate, then write the valid records in one transaction (rolled back when `dry_run`); `audit` is
        called in that transaction once the counts are known."""
        self.validate()
        checked = self._checked
        outcome = Outcome(self.kind, checked.rows, records=len(checked.records), problems=list(checked.problems),
                          refused=checked.refused, dry_run=dry_run)
        if self.all_or_nothing and any(p.refused for p in checked.problems):
            outcome.refused += len(checked.records)
            if audit is not None and not dry_run:
                with self.engine.begin() as conn:
                    audit(conn, outcome)
            return outcome
        with self.engine.connect() as conn:
            transaction = conn.begin()
            try:
                touched = self._write(conn, checked.records, outcome)
                if outcome.inserted or outcome.updated:
                    db.analyze(conn, [self.model.__table__])
                    rollups.refresh(conn, touched)
                    db.bump_data_version(conn)
                if audit is not None and not dry_run:
                    audit(conn, outcome)
            except BaseException:
                transaction.rollback()
                raise
            if dry_run:
                transaction.rollback()
            else:
                transaction.commit()
                outcome.written = True
        return outcome

    def total(self) -> int:
        """Records the run will write (for a progress bar); validates if not done yet."""
        self.validate()
        return len(self._checked.records)

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        raise NotImplementedError

    def _place(self, frame: pd.DataFrame, out: pd.DataFrame, found: _Collector) -> None:
        """lon/lat → WGS-84 → region codes; empty, 0,0, out of range and outside the region are refused."""
        spec = self.spec
        if "lon" not in spec.columns or "lat" not in spec.columns:
            raise MappingError(f"profile {self.profile.name!r}: {self.kind} need lon and lat columns to be placed in a region")
        lon_col, lat_col = spec.columns["lon"], spec.columns["lat"]
        label = f"{lon_col},{lat_col}"
        raw_lon, raw_lat = frame[lon_col].astype(str).str.strip(), frame[lat_col].astype(str).str.strip()
        pair = raw_lon + "," + raw_lat
        x = pd.to_numeric(raw_lon, errors="coerce").to_numpy(dtype="float64")
        y = pd.to_numeric(raw_lat, errors="coerce").to_numpy(dtype="float64")
        empty = (raw_lon == "").to_numpy() | (raw_lat == "").to_numpy()
        found.add(empty, label, pair, "no_coordinates")
        not_number = ~empty & (np.isnan(x) | np.isnan(y))
        found.add(not_number, label, pair, "not_a_number")
        zero = (x == 0) & (y == 0)
        found.add(zero, label, pair, "zero_coordinates")
        candidate = ~(empty | not_number | zero)
        # Checked after the conversion: a projected source (metres, e.g. EPSG:32649) is far outside ±180 before it.
        with np.errstate(invalid="ignore"):
            wx, wy = crs_module.to_wgs84(np.where(candidate, x, np.nan), np.where(candidate, y, np.nan), self.profile.crs)
            wx, wy = np.asarray(wx, dtype="float64"), np.asarray(wy, dtype="float64")
            out_of_range = candidate & ~(np.isfinite(wx) & np.isfinite(wy) & (np.abs(wx) <= 180) & (np.abs(wy) <= 90))
        found.add(out_of_range, label, pair, "coordinates_out_of_range", crs=self.profile.crs)
        usable = candidate & ~out_of_range
        wx, wy = np.where(usable, wx, np.nan), np.where(usable, wy, np.nan)
        placed = towns.assign_with_towns(wx, wy, self.region, self.cache_dir)
        outside = (placed["region_match"] == assign.OUTSIDE).to_numpy()
        found.add(outside, label, pair, "outside_region", region=self.region)
        out["lon"], out["lat"] = np.round(wx, 7), np.round(wy, 7)
        for column in assign.CODE_COLUMNS.values():
            out[column] = placed[column].astype(object).where(placed[column].notna(), None).to_numpy()

    def _refuse_outside_scope(self, codes: pd.DataFrame, found: _Collector, label: str, values: pd.Series,
                              key: str) -> None:
        """Rows whose codes (placed, or of their entity or device) lie outside the importing person's scope."""
        if self.scope is None:
            return
        placed = codes["county_adcode"].notna().to_numpy()
        found.add(placed & ~_within(self.scope, codes), label, values, key)

    def _refuse_stored_elsewhere(self, conn: Connection, table, key: str, keys: pd.Series, found: _Collector,
                                 label: str) -> None:
        """Rows whose key names a record already stored outside the scope: an upsert would change another region's."""
        if self.scope is None:
            return
        column = table.c[key]
        elsewhere = set()
        for part in _chunks(sorted(set(keys.dropna()) - {""})):
            stored = pd.DataFrame(conn.execute(select(column, *(table.c[c] for c in CODE_COLUMNS)).where(
                column.in_(part))).mappings().all(), columns=[key, *CODE_COLUMNS])
            elsewhere |= set(stored.loc[~_within(self.scope, stored), key])
        found.add(keys.isin(elsewhere).to_numpy(), label, keys.fillna(""), "stored_outside_scope")

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        raise NotImplementedError


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


ENTITY_COLUMNS = ("name", "specialty", "subtype", "address", "lon", "lat", "grade", *REGION_COLUMNS)
PERSONAL_ENTITY_COLUMNS = PERSONAL_COLUMNS["entity"]  # stored encrypted: the Encrypted column type does it on insert


class ImportEntities(_FileImport):
    """Supervised units, placed in the configured region: outside it, or without coordinates, a row is refused."""

    kind = "entities"
    model = Entity

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        keys = _natural_key(frame, spec, found, validate_code=True)
        out = pd.DataFrame({"credit_code": keys}, index=frame.index)
        out["rows"] = found.rows
        out["name"] = _text(frame, spec.columns["name"]) if "name" in spec.columns else spec.defaults.get("name", "")
        if "name" in spec.columns:
            found.add((out["name"] == "").to_numpy(), _label(spec.columns["name"]), out["name"], "empty")
        for name in ("specialty", "subtype", "grade"):
            if name in spec.columns:
                values = _text(frame, spec.columns[name])
                out[name] = (_map_codes(values, spec.codes[name], _label(spec.columns[name]), found, name != "grade")
                             if name in spec.codes else values.where(values != "", None))
            else:
                out[name] = spec.defaults.get(name)
        out["address"] = _text(frame, spec.columns["address"]).replace("", None) if "address" in spec.columns else None
        for name in PERSONAL_ENTITY_COLUMNS:  # only when the profile maps them: an unmapped one keeps what is stored
            if name in spec.columns:
                out[name] = _text(frame, spec.columns[name]).replace("", None)
        self._place(frame, out, found)
        self._refuse_outside_scope(out, found, f"{spec.columns['lon']},{spec.columns['lat']}", _text(frame, spec.columns["lon"])
                                   + "," + _text(frame, spec.columns["lat"]), "outside_scope")
        self._refuse_stored_elsewhere(conn, Entity.__table__, "credit_code", keys, found, _label(spec.key.columns))
        for notice in spec.notices:
            values = _text(frame, notice["column"])
            hit = values.str.contains(notice["pattern"], regex=True).to_numpy()
            found.add(hit, notice["column"], values, "profile_notice", refused=False, code=notice["code"],
                      reason=notice["reason"])
        first = _group(keys, found, spec.many_rows_per_record, _label(spec.key.columns), keys)
        return _Checked(out.iloc[first].reset_index(drop=True), sorted(found.problems, key=lambda p: p.row),
                        len(frame), int(keys[found.bad].nunique()))

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns="rows").replace({np.nan: None}).to_dict("records")
        compared = ENTITY_COLUMNS + tuple(c for c in PERSONAL_ENTITY_COLUMNS if c in records)
        existing = {}
        for part in _chunks([r["credit_code"] for r in rows]):
            for stored in conn.execute(select(Entity).where(Entity.credit_code.in_(part))).mappings():
                existing[stored["credit_code"]] = dict(stored)
        new, changed = [], []
        for row in rows:
            stored = existing.get(row["credit_code"])
            if stored is None:
                new.append(row)
            elif any(_differs(stored[c], row[c]) for c in compared):
                changed.append({"id": stored["id"], **{c: row[c] for c in compared}})
            else:
                outcome.unchanged += 1
        for part in _chunks(new):
            conn.execute(insert(Entity), part)
            self.progress(len(part))
        for row in changed:
            conn.execute(update(Entity).where(Entity.id == row["id"]).values({c: row[c] for c in compared}))
        self.progress(len(changed) + outcome.unchanged)
        outcome.inserted, outcome.updated = len(new), len(changed)
        return set()  # entities are not counted in the rollups; their inspections are


def _differs(stored, new) -> bool:
    if isinstance(stored, float) and isinstance(new, float):
        return abs(stored - new) > 1e-9
    if isinstance(stored, dt.datetime) and isinstance(new, dt.datetime):  # SQLite answers UTC without the zone
        return (stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)) != new
    return stored != new


def _stored_entities(conn: Connection, frame: pd.DataFrame, spec: KindSpec, found: _Collector,
                     scope: Scope | None = None) -> tuple[pd.Series, dict]:
    """(each row's entity key, {key: stored entity facts}); a key no stored entity has is refused, and so is one
    whose entity lies outside `scope` (when given)."""
    entity_keys = _natural_key(frame, spec, found, validate_code=True)
    known = {}
    for part in _chunks(sorted(set(entity_keys) - {""})):
        query = select(Entity.credit_code, Entity.id, Entity.name, Entity.specialty, Entity.lon, Entity.lat,
                       *(Entity.__table__.c[c] for c in REGION_COLUMNS)).where(Entity.credit_code.in_(part))
        known.update({r.credit_code: r for r in conn.execute(query)})
    unknown = ~entity_keys.isin(known).to_numpy() & (entity_keys != "").to_numpy()
    found.add(unknown, _label(spec.key.columns), entity_keys, "unknown_entity")
    if scope is not None:
        codes = pd.DataFrame([{c: getattr(known[k], c) for c in CODE_COLUMNS} if k in known else dict.fromkeys(CODE_COLUMNS)
                              for k in entity_keys], columns=list(CODE_COLUMNS))
        outside = codes["county_adcode"].notna().to_numpy() & ~_within(scope, codes)
        found.add(outside, _label(spec.key.columns), entity_keys, "entity_outside_scope")
    return entity_keys, known


def _with_entity_facts(records: pd.DataFrame, known: dict) -> pd.DataFrame:
    """A record takes its entity's id, specialty and region codes (so it rolls up where its entity is)."""
    facts = records["entity_key"].map(known)
    records["entity_id"] = [f.id for f in facts]
    records["specialty"] = [f.specialty for f in facts]
    for column in assign.CODE_COLUMNS.values():
        records[column] = [getattr(f, column) for f in facts]
    return records


def _field(frame: pd.DataFrame, spec: KindSpec, name: str, found: _Collector, required: bool = True) -> pd.Series:
    """A field's text from its column (codes mapped, when the profile maps them) or the profile's default."""
    if name not in spec.columns:
        return pd.Series([spec.defaults.get(name)] * len(frame), index=frame.index, dtype=object)
    values = _text(frame, spec.columns[name])
    if name in spec.codes:
        return _map_codes(values, spec.codes[name], _label(spec.columns[name]), found, required)
    if required:
        found.add((values == "").to_numpy(), _label(spec.columns[name]), values, "empty")
    return values.where(values != "", None)


def _upsert(conn: Connection, model, key: str, rows: list[dict], compared: tuple[str, ...], outcome: Outcome,
            progress: Progress) -> set[str]:
    """Insert the rows whose `key` is new, update those whose `compared` values differ; the counties touched."""
    column = getattr(model, key)
    existing = {}
    for part in _chunks([r[key] for r in rows]):
        for stored in conn.execute(select(model.__table__).where(column.in_(part))).mappings():
            existing[stored[key]] = dict(stored)
    new, changed, touched = [], [], set()
    for row in rows:
        stored = existing.get(row[key])
        if stored is None:
            new.append(row)
            touched.add(row.get("county_adcode"))
        elif any(_differs(stored[c], row[c]) for c in compared):
            changed.append(row)
            touched |= {row.get("county_adcode"), stored.get("county_adcode")}
        else:
            outcome.unchanged += 1
    for part in _chunks(new):
        conn.execute(insert(model), part)
        progress(len(part))
    for row in changed:
        conn.execute(update(model).where(column == row[key]).values({c: row[c] for c in row if c != key}))
    progress(len(changed) + outcome.unchanged)
    outcome.inserted, outcome.updated = len(new), len(changed)
    return touched - {None}


class ImportInspections(_FileImport):
    """Inspections of entities already stored (matched by the entity's natural key), one per (entity, day, kind)."""

    kind = "inspections"
    model = Inspection

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, profile, found = self.spec, self.profile, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        entity_keys, known = _stored_entities(conn, frame, spec, found, self.scope)
        key_label = _label(spec.key.columns)
        columns = spec.columns
        out = pd.DataFrame({"entity_key": entity_keys, "rows": found.rows}, index=frame.index)
        out["inspected_on"] = _dates(_text(frame, columns["inspected_on"]), profile, _label(columns["inspected_on"]), found)
        score = _numbers(_text(frame, columns["score"]), _label(columns["score"]), found) if "score" in columns else None
        for name in ("kind", "result"):
            if name in columns:
                out[name] = _map_codes(_text(frame, columns[name]), spec.codes.get(name, {}), _label(columns[name]), found,
                                       required=True)
            elif name == "result" and spec.result_scale and name not in spec.defaults:
                out[name] = _band_of(score, spec.result_scale)
                found.add(score.isna().to_numpy(), _label(columns["score"]), _text(frame, columns["score"]), "no_score")
            else:
                out[name] = spec.defaults[name]
        grade = None
        if "grade" in columns:
            grade = _map_codes(_text(frame, columns["grade"]), spec.codes.get("grade", {}), _label(columns["grade"]), found,
                               required=False)
        if score is not None and grade is not None and spec.grade_scale:
            expected = _band_of(score, spec.grade_scale)
            contradicts = (grade.notna() & expected.notna() & (grade != expected)).to_numpy()
            shown = _text(frame, columns["grade"]) + " with score " + _text(frame, columns["score"])
            found.add(contradicts, f"{_label(columns['grade'])},{_label(columns['score'])}", shown, "grade_contradicts_score")
        out["findings"] = self._findings(frame, score, grade)
        # str() per value: pandas keeps None as missing through astype(str), which would drop refused records
        record = out["entity_key"] + "|" + out["inspected_on"].map(str) + "|" + out["kind"].map(str)
        first = _group(record, found, spec.many_rows_per_record, key_label, entity_keys)
        if spec.many_rows_per_record:  # a record's findings: every row's, in file order, each once
            combined = out["findings"].groupby(record).agg(lambda s: "; ".join(dict.fromkeys(v for v in s if v)) or None)
            out["findings"] = record.map(combined)
        records = _with_entity_facts(out.iloc[first].reset_index(drop=True), known)
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), int(record[found.bad].nunique()))

    def _findings(self, frame: pd.DataFrame, score, grade) -> pd.Series:
        parts = []
        if score is not None:
            parts.append(("score " + score.map(lambda v: f"{v:g}", na_action="ignore")).fillna(""))
        if grade is not None:
            parts.append(("grade " + grade).fillna(""))
        if "findings" in self.spec.columns:
            parts.append(_text(frame, self.spec.columns["findings"]))
        if not parts:
            return pd.Series([""] * len(frame), index=frame.index)
        return pd.concat(parts, axis=1).agg(lambda r: ", ".join(v for v in r if v), axis=1)

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        records = records.assign(findings=records["findings"].replace({"": None}))
        rows = records.drop(columns=["rows", "entity_key"]).replace({np.nan: None}).to_dict("records")
        existing = {}
        for part in _chunks(sorted({r["entity_id"] for r in rows})):
            stored = select(Inspection.id, Inspection.entity_id, Inspection.inspected_on, Inspection.kind,
                            Inspection.result, Inspection.findings, Inspection.county_adcode).where(
                Inspection.entity_id.in_(part)).order_by(Inspection.id)
            for r in conn.execute(stored):
                existing.setdefault((r.entity_id, r.inspected_on, r.kind), r)
        touched: set[str] = set()
        new, changed = [], []
        for row in rows:
            stored = existing.get((row["entity_id"], row["inspected_on"], row["kind"]))
            if stored is None:
                new.append(row)
                touched.add(row["county_adcode"])
            elif stored.result != row["result"] or stored.findings != row["findings"]:
                changed.append((stored.id, row))
                touched |= {row["county_adcode"], stored.county_adcode}
            else:
                outcome.unchanged += 1
        for part in _chunks(new):
            conn.execute(insert(Inspection), part)
            self.progress(len(part))
        for inspection_id, row in changed:
            conn.execute(update(Inspection).where(Inspection.id == inspection_id).values(
                result=row["result"], findings=row["findings"]))
        self.progress(len(changed) + outcome.unchanged)
        outcome.inserted, outcome.updated = len(new), len(changed)
        return touched - {None}


def _band_of(score: pd.Series, bands) -> pd.Series:
    """What each score earns by the profile's bands (in ascending order of their maximum); None without a score."""
    out = pd.Series([None] * len(score), index=score.index, dtype=object)
    lower_done = np.zeros(len(score), dtype=bool)
    for band in bands:
        within = score.notna().to_numpy() & ~lower_done & (
            True if band.max_score is None else (score <= band.max_score).to_numpy())
        out[within] = band.value
        lower_done |= within
    return out


class ImportPenalties(_FileImport):
    """Administrative penalty cases of stored entities, one per 决定书 case number (the natural key)."""

    kind = "penalties"
    model = Penalty
    COMPARED = ("entity_id", "specialty", "decided_on", "kind", "amount", "status", *REGION_COLUMNS)

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        entity_keys, known = _stored_entities(conn, frame, spec, found, self.scope)
        out = pd.DataFrame({"entity_key": entity_keys, "rows": found.rows}, index=frame.index)
        out["case_no"] = _field(frame, spec, "case_no", found)
        out["decided_on"] = _dates(_text(frame, spec.columns["decided_on"]), self.profile, _label(spec.columns["decided_on"]),
                                   found)
        out["kind"], out["status"] = _field(frame, spec, "kind", found), _field(frame, spec, "status", found)
        if "amount" in spec.columns:
            label, raw = _label(spec.columns["amount"]), _text(frame, spec.columns["amount"])
            amount = _numbers(raw, label, found)
            found.add((amount < 0).to_numpy(), label, raw, "negative_amount")
            fine_without = (out["kind"] == "fine").to_numpy() & ~(amount > 0).to_numpy() & (raw != "").to_numpy()
            found.add(fine_without, label, raw, "fine_not_positive")
            found.add((out["kind"] == "fine").to_numpy() & (raw == "").to_numpy(), label, raw, "fine_without_amount")
            out["amount"] = [Decimal(f"{v:.2f}") if v == v else Decimal("0") for v in amount.fillna(0)]
        else:
            out["amount"] = Decimal("0")
        self._refuse_stored_elsewhere(conn, Penalty.__table__, "case_no", out["case_no"], found,
                                      _label(spec.columns.get("case_no", "case_no")))
        first = _group(out["case_no"].fillna(""), found, False, _label(spec.columns.get("case_no", "case_no")),
                       out["case_no"].fillna(""))
        records = _with_entity_facts(out.iloc[first].reset_index(drop=True), known)
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), int(found.bad.sum()))

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns=["rows", "entity_key"]).to_dict("records")
        return _upsert(conn, Penalty, "case_no", rows, self.COMPARED, outcome, self.progress)


class ImportConstructionProjects(_FileImport):
    """Construction project reviews (建设项目卫生审查) applied for by stored entities, one per 受理编号 (project_no).

    The applicant must already be a stored entity (its region codes place the project); a new site not yet
    supervised has no key to match and is refused by row, to be entered once it is registered. The specialty
    follows the project type (an X-ray room of a hospital is radiation), not the applicant's."""

    kind = "construction_projects"
    model = ConstructionProject
    COMPARED = ("entity_id", "name", "applicant", "specialty", "project_type", "stage", "applied_on", "decided_on",
                "outcome", *REGION_COLUMNS)

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        entity_keys, known = _stored_entities(conn, frame, spec, found, self.scope)
        out = pd.DataFrame({"entity_key": entity_keys, "rows": found.rows}, index=frame.index)
        for name in ("project_no", "name", "project_type", "stage", "outcome"):
            out[name] = _field(frame, spec, name, found)
        self._refuse_stored_elsewhere(conn, ConstructionProject.__table__, "project_no", out["project_no"], found,
                                      _label(spec.columns.get("project_no", "project_no")))
        out["applied_on"] = _dates(_text(frame, spec.columns["applied_on"]), self.profile,
                                   _label(spec.columns["applied_on"]), found)
        if "decided_on" in spec.columns:
            label, raw = _label(spec.columns["decided_on"]), _text(frame, spec.columns["decided_on"])
            out["decided_on"] = _dates(raw, self.profile, label, found, required=False)
            pending = (out["outcome"] == "pending").to_numpy()
            decided = out["decided_on"].notna().to_numpy()
            found.add(pending & decided, label, raw, "pending_with_decision")
            found.add(~pending & ~decided & out["outcome"].notna().to_numpy(), label, raw, "decided_without_date")
            early = decided & out["applied_on"].notna().to_numpy() & (
                pd.to_datetime(out["decided_on"]) < pd.to_datetime(out["applied_on"])).to_numpy()
            found.add(early, label, raw, "decided_before_applied")
        else:
            out["decided_on"] = None
            found.add((out["outcome"] != "pending").to_numpy() & out["outcome"].notna().to_numpy(),
                      _label(spec.columns.get("outcome", "outcome")), out["outcome"].fillna(""), "decided_without_date_column")
        first = _group(out["project_no"].fillna(""), found, False, _label(spec.columns.get("project_no", "project_no")),
                       out["project_no"].fillna(""))
        records = _with_entity_facts(out.iloc[first].reset_index(drop=True), known)
        records["applicant"] = [known[k].name for k in records["entity_key"]]
        records["specialty"] = records["project_type"].map(vocab.PROJECT_TYPE_SPECIALTY)
        records["decided_on"] = records["decided_on"].astype(object).where(records["decided_on"].notna(), None)
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), int(found.bad.sum()))

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns=["rows", "entity_key"]).to_dict("records")
        _upsert(conn, ConstructionProject, "project_no", rows, self.COMPARED, outcome, self.progress)
        return set()  # no rollup counts construction projects


def _utc(times: list) -> list:
    """Stored in UTC, as every time in the database (SQLite keeps the wall time and drops the zone)."""
    return [None if t is None else t.astimezone(dt.UTC) for t in times]


class ImportComplaints(_FileImport):
    """Complaints and reports (投诉举报) by the sending system's id (`key`, stored in complaint.source_key with the
    profile's prefix), placed by their coordinates in the configured region like entities. Times without a zone
    are in the profile's `timezone`; a complaint closed before it was received is refused."""

    kind = "complaints"
    model = Complaint
    COMPARED = ("received_at", "channel", "category", "description", "lon", "lat", "status", "due_on", "closed_at",
                "specialty", *REGION_COLUMNS)

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        keys = _natural_key(frame, spec, found, validate_code=False, max_length=64)
        out = pd.DataFrame({"source_key": keys, "rows": found.rows}, index=frame.index)
        received = self._times(frame, "received_at", found, required=True)
        out["received_at"] = _utc(received)
        out["channel"], out["status"] = _field(frame, spec, "channel", found), _field(frame, spec, "status", found)
        out["category"] = _field(frame, spec, "category", found).str.slice(0, 32)
        out["specialty"] = _field(frame, spec, "specialty", found, required=False)
        out["description"] = _field(frame, spec, "description", found, required=False)
        due = self._times(frame, "due_on", found, required=True)
        out["due_on"] = [t.date() if t is not None else None for t in due]
        closed = self._times(frame, "closed_at", found, required=False) if "closed_at" in spec.columns else [None] * len(frame)
        out["closed_at"] = _utc(closed)
        early = np.array([c is not None and r is not None and c < r for c, r in zip(closed, received)])
        if "closed_at" in spec.columns:
            label = f"{_label(spec.columns['closed_at'])},{_label(spec.columns['received_at'])}"
            shown = _text(frame, spec.columns["closed_at"]) + " < " + _text(frame, spec.columns["received_at"])
            found.add(early, label, shown, "closed_before_received")
        self._place(frame, out, found)
        self._refuse_outside_scope(out, found, f"{spec.columns['lon']},{spec.columns['lat']}", _text(frame, spec.columns["lon"])
                                   + "," + _text(frame, spec.columns["lat"]), "outside_scope")
        self._refuse_stored_elsewhere(conn, Complaint.__table__, "source_key", keys, found, _label(spec.key.columns))
        first = _group(keys, found, False, _label(spec.key.columns), keys)
        return _Checked(out.iloc[first].reset_index(drop=True), sorted(found.problems, key=lambda p: p.row), len(frame),
                        int(found.bad.sum()))

    def _times(self, frame: pd.DataFrame, name: str, found: _Collector, required: bool) -> list:
        """Aware datetimes from the profile's date_formats (a date alone is midnight), None where empty or bad."""
        values = _text(frame, self.spec.columns[name]) if name in self.spec.columns else pd.Series("", index=frame.index)
        label = _label(self.spec.columns.get(name, name))
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for fmt in self.profile.date_formats:
            todo = parsed.isna() & (values != "")
            if todo.any():
                parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        empty = (values == "").to_numpy()
        if required:
            found.add(empty, label, values, "empty")
        found.add(parsed.isna().to_numpy() & ~empty, label, values, "not_a_time_in_formats",
                  formats=", ".join(self.profile.date_formats))
        aware = parsed.dt.tz_localize(self.profile.timezone, ambiguous="NaT", nonexistent="NaT")
        return [None if pd.isna(t) else t.to_pydatetime() for t in aware]

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns="rows").replace({np.nan: None}).to_dict("records")
        touched = _upsert(conn, Complaint, "source_key", rows, self.COMPARED, outcome, self.progress)
        # Repeat links (data/complaints/workflow.py) for what was taken. The file says when each case is due, not
        # when its current step began, so imported cases carry no step due date: only the case's own counts.
        ids = []
        for part in _chunks([r["source_key"] for r in rows]):
            ids += conn.execute(select(Complaint.id).where(Complaint.source_key.in_(part))).scalars().all()
        workflow.mark_repeats(conn, ids)
        return touched


class ImportDevices(_FileImport):
    """Monitoring devices at stored entities, by device id. The ingest token is not imported: `weijian device token`
    issues it (only its hash is stored), and re-importing never touches it or the time last seen."""

    kind = "devices"
    model = Device
    COMPARED = ("entity_id", "scene", "interval_s", "installed_on", "lon", "lat", *REGION_COLUMNS)

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        entity_keys, known = _stored_entities(conn, frame, spec, found, self.scope)
        out = pd.DataFrame({"entity_key": entity_keys, "rows": found.rows}, index=frame.index)
        ids = _field(frame, spec, "device_id", found)
        label = _label(spec.columns.get("device_id", "device_id"))
        longest = Device.__table__.c.id.type.length
        found.add((ids.fillna("").str.len() > longest).to_numpy(), label, ids.fillna(""), "too_long", max_length=longest)
        out["id"] = ids
        out["scene"] = _field(frame, spec, "scene", found)
        interval_label = _label(spec.columns.get("interval_s", "interval_s"))
        interval = _numbers(_field(frame, spec, "interval_s", found).fillna(""), interval_label, found)
        found.add((interval.notna() & ((interval <= 0) | (interval % 1 != 0))).to_numpy(), interval_label, interval.astype(str),
                  "bad_interval")
        out["interval_s"] = interval.fillna(0).astype(int)
        if "installed_on" in spec.columns:
            out["installed_on"] = _dates(_text(frame, spec.columns["installed_on"]), self.profile,
                                         _label(spec.columns["installed_on"]), found)
        else:
            out["installed_on"] = dt.date.today()
        out["lon"], out["lat"] = self._coordinates(frame, entity_keys, known, found)
        self._refuse_stored_elsewhere(conn, Device.__table__, "id", ids, found, label)
        first = _group(ids.fillna(""), found, False, label, ids.fillna(""))
        records = _with_entity_facts(out.iloc[first].reset_index(drop=True), known).drop(columns="specialty")
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), int(found.bad.sum()))

    def _coordinates(self, frame, entity_keys, known, found) -> tuple[list, list]:
        """The device's own lon/lat (in the profile's CRS) when the file gives them, else its entity's."""
        entity_xy = [(known[k].lon, known[k].lat) if k in known else (None, None) for k in entity_keys]
        if "lon" not in self.spec.columns or "lat" not in self.spec.columns:
            return [x for x, _ in entity_xy], [y for _, y in entity_xy]
        raw_x, raw_y = _text(frame, self.spec.columns["lon"]), _text(frame, self.spec.columns["lat"])
        label = f"{self.spec.columns['lon']},{self.spec.columns['lat']}"
        x, y = pd.to_numeric(raw_x, errors="coerce").to_numpy(), pd.to_numeric(raw_y, errors="coerce").to_numpy()
        given = (raw_x != "").to_numpy() | (raw_y != "").to_numpy()
        with np.errstate(invalid="ignore"):
            wx, wy = (np.asarray(v, dtype="float64") for v in crs_module.to_wgs84(x, y, self.profile.crs))
            bad = given & ~(np.isfinite(wx) & np.isfinite(wy) & (np.abs(wx) <= 180) & (np.abs(wy) <= 90) & ((x != 0) | (y != 0)))
        found.add(bad, label, raw_x + "," + raw_y, "not_a_place", crs=self.profile.crs)
        lon = [round(float(a), 7) if g else e[0] for a, g, e in zip(wx, given, entity_xy)]
        lat = [round(float(b), 7) if g else e[1] for b, g, e in zip(wy, given, entity_xy)]
        return lon, lat

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns=["rows", "entity_key"]).replace({np.nan: None}).to_dict("records")
        for row in rows:
            row.setdefault("active", True)
        return _upsert(conn, Device, "id", rows, self.COMPARED, outcome, self.progress)


class ImportReadings(_FileImport):
    """Monitoring readings of stored devices, stored through data/monitoring/ingest.ingest_in (same checks,
    duplicates, unit conversion and rules as HTTP and MQTT), all batches in the import's one transaction."""

    kind = "readings"
    model = Reading

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, found = self.spec, _Collector(_file_rows(frame))
        device = spec.device
        _need(frame, [device["column"], *spec.values])
        station = _text(frame, device["column"])
        if "codes" in device:
            mapped = station.map({str(k): str(v) for k, v in device["codes"].items()})
            found.add(mapped.isna().to_numpy(), device["column"], station, "unknown_device_code")
        else:
            mapped = station
        device_ids = (str(device.get("prefix", "")) + mapped).where(mapped.notna(), None)
        ids = sorted(set(device_ids.dropna()))
        stored = pd.DataFrame(conn.execute(select(Device.id, *(getattr(Device, c) for c in CODE_COLUMNS)).where(
            Device.id.in_(ids))).mappings().all(), columns=["id", *CODE_COLUMNS]).set_index("id", drop=False)
        known = dict(zip(stored["id"], stored["county_adcode"]))
        unknown = device_ids.notna().to_numpy() & ~device_ids.isin(known).to_numpy()
        found.add(unknown, device["column"], device_ids.fillna(""), "unknown_device")
        self._refuse_outside_scope(stored.reindex(device_ids.where(device_ids.isin(known))).reset_index(drop=True),
                                   found, device["column"], device_ids.fillna(""), "device_outside_scope")
        stamps = self._times(frame, found)
        self.counties = {known[d] for d in ids if d in known} - {None}
        row_ok = ~found.bad
        items = []
        for column, target in spec.values.items():
            values = frame[column].astype(str).str.strip()
            missing = values.isin(spec.missing).to_numpy()
            found.add(missing, column, values, "missing_value")
            numbers = pd.to_numeric(values, errors="coerce")
            found.add(~missing & numbers.isna().to_numpy(), column, values, "not_a_number")
            keep = row_ok & numbers.notna().to_numpy()
            items.append(pd.DataFrame({"rows": found.rows[keep], "device_id": device_ids[keep].to_numpy(),
                                       "indicator": target["indicator"], "measured_at": stamps[keep],
                                       "value": numbers[keep].astype(float).to_numpy(), "unit": target["unit"],
                                       "column": column}))
        records = pd.concat(items, ignore_index=True)
        refused = sum(1 for p in found.problems if p.refused)
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), refused)

    def _times(self, frame: pd.DataFrame, found: _Collector) -> np.ndarray:
        """ISO 8601 times with the zone, from one column (`column` + `format`) or split columns (`columns`)."""
        spec = self.spec.measured_at
        zone = spec.get("timezone", "Asia/Shanghai")
        if "columns" in spec:
            names = list(spec["columns"])
            _need(frame, names)
            parts = frame[names].apply(pd.to_numeric, errors="coerce")
            parts.columns = ["year", "month", "day", "hour", "minute"][:len(names)]
            local = pd.to_datetime(parts, errors="coerce")
            label, shown = ",".join(names), frame[names].astype(str).agg(" ".join, axis=1)
        else:
            _need(frame, [spec["column"]])
            shown = frame[spec["column"]].astype(str)
            local = pd.to_datetime(shown, format=spec.get("format"), errors="coerce")
            label = spec["column"]
        found.add(local.isna().to_numpy(), label, shown, "not_a_time")
        aware = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
        return aware.map(lambda t: t.isoformat(), na_action="ignore").to_numpy()

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        items = records[["device_id", "indicator", "measured_at", "value", "unit"]].to_dict("records")
        rows, columns = records["rows"].to_numpy(), records["column"].to_numpy()
        now = dt.datetime.now(dt.UTC)
        for start in range(0, len(items), MAX_BATCH):
            batch = items[start:start + MAX_BATCH]
            result = ingest_in(conn, batch, now=now)
            outcome.inserted += result.accepted
            outcome.unchanged += result.duplicates
            outcome.refused += len(result.rejected)
            outcome.problems.extend(Problem(int(rows[start + r.index]), str(columns[start + r.index]),
                                            str(batch[r.index].get(r.field, "")), f"ingest_{r.key}",
                                            reasons.INGEST_CATEGORY, params=r.params)
                                    for r in result.rejected)
            self.progress(len(batch))
        return self.counties if outcome.inserted else set()


class ImportSelfInspections(_FileImport):
    """Self-inspection records (依法执业自查) of stored entities, one per (entity, period): done or not, the day
    it was submitted, findings and how many were rectified. Checked: the period's form (2025, 2025-H1,
    2025-Q3), a completed record needs its submission day, counts are whole numbers ≥ 0 with rectified ≤
    findings. A corrected file updates the record of the same entity and period."""

    kind = "self_inspections"
    model = SelfInspection
    FIELDS = ("completed", "submitted_on", "findings", "rectified")

    def _check(self, conn: Connection, frame: pd.DataFrame) -> _Checked:
        spec, profile, found = self.spec, self.profile, _Collector(_file_rows(frame))
        for source in spec.columns.values():
            _need(frame, (source,) if isinstance(source, str) else source)
        entity_keys, known = _stored_entities(conn, frame, spec, found, self.scope)
        columns = spec.columns
        out = pd.DataFrame({"entity_key": entity_keys, "rows": found.rows}, index=frame.index)
        period = _text(frame, columns["period"]) if "period" in columns else pd.Series(spec.defaults["period"], index=frame.index)
        bad_period = ~period.map(self_inspection.is_period).to_numpy()
        found.add(bad_period, _label(columns.get("period", "period")), period, "bad_period")
        out["period"] = period
        if "completed" in columns:
            completed = _map_codes(_text(frame, columns["completed"]), spec.codes.get("completed", {}),
                                   _label(columns["completed"]), found, required=True)
        else:
            completed = pd.Series(spec.defaults["completed"], index=frame.index)
        out["completed"] = completed == "yes"
        if "submitted_on" in columns:
            raw = _text(frame, columns["submitted_on"])
            out["submitted_on"] = _dates(raw, profile, _label(columns["submitted_on"]), found, required=False)
            undated = out["completed"].to_numpy() & (raw == "").to_numpy()
            found.add(undated, _label(columns["submitted_on"]), raw, "completed_without_day")
        else:
            out["submitted_on"] = None
        for name in ("findings", "rectified"):
            if name in columns:
                raw = _text(frame, columns[name])
                numbers = _numbers(raw, _label(columns[name]), found)
                whole = numbers.isna() | ((numbers >= 0) & (numbers == numbers.round()))
                found.add(~whole.to_numpy(), _label(columns[name]), raw, "not_whole")
                out[name] = numbers.fillna(0).where(whole, 0).astype(int)
            else:
                out[name] = 0
        if "rectified" in columns:
            over = (out["rectified"] > out["findings"]).to_numpy()
            shown = _text(frame, columns["rectified"]) + " of " + (_text(frame, columns["findings"]) if "findings" in columns
                                                                  else "0")
            found.add(over, _label(columns["rectified"]), shown, "rectified_over_findings")
        record = out["entity_key"] + "|" + out["period"]
        first = _group(record, found, False, _label(spec.key.columns), entity_keys)
        records = out.iloc[first].reset_index(drop=True)
        records["entity_id"] = [known[k].id for k in records["entity_key"]]
        return _Checked(records, sorted(found.problems, key=lambda p: p.row), len(frame), int(record[found.bad].nunique()))

    def _write(self, conn: Connection, records: pd.DataFrame, outcome: Outcome) -> set[str]:
        rows = records.drop(columns=["rows", "entity_key"]).astype(object).where(records.notna(), None).to_dict("records")
        table = SelfInspection.__table__
        existing = {}
        for part in _chunks(sorted({r["entity_id"] for r in rows})):
            for stored in conn.execute(select(table).where(table.c.entity_id.in_(part))).mappings():
                existing[(stored["entity_id"], stored["period"])] = stored
        new, changed = [], []
        for row in rows:
            row = {**row, "completed": bool(row["completed"]), "findings": int(row["findings"]),
                   "rectified": int(row["rectified"])}
            stored = existing.get((row["entity_id"], row["period"]))
            if stored is None:
                new.append(row)
            elif any(stored[c] != row[c] for c in self.FIELDS):
                changed.append((stored["id"], row))
            else:
                outcome.unchanged += 1
        for part in _chunks(new):
            conn.execute(insert(table), part)
            self.progress(len(part))
        for record_id, row in changed:
            conn.execute(update(table).where(table.c.id == record_id).values({c: row[c] for c in self.FIELDS}))
        self.progress(len(changed) + outcome.unchanged)
        outcome.inserted, outcome.updated = len(new), len(changed)
        return set()  # no rollup counts self-inspections


COMMANDS: dict[str, type[_FileImport]] = {c.kind: c for c in (ImportEntities, ImportInspections, ImportPenalties,
                                                               ImportComplaints, ImportDevices, ImportReadings,
                                                               ImportSelfInspections, ImportConstructionProjects)}


def command(kind: str, engine: Engine, path: Path, profile: Profile, **options) -> _FileImport:
    """The import command of `kind` (entities, inspections, readings) for one file."""
    if kind not in COMMANDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(COMMANDS)}")
    return COMMANDS[kind](engine, path, profile, **options)


