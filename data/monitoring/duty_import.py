"""Import the 防挂证 reference data: chief physicians (licence → clinic and check-in device) and clinic opening days.

Commands validate, then run: `validate_*` returns every problem at once (row as in the file: the header is
row 1; the field; the value; why), and nothing is written while any remains; `store_*` writes all rows in
the caller's transaction. A chief physician's licence must be a practitioner's (the foreign key joins the
two), registered at the clinic; the device must be the clinic's check-in feed (scene duty_checkin). Only
institutions in the importer's scope can be named. A row for a licence (or a clinic) already stored replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from data.imports.readers import read_table
from data.models import ChiefPhysician, ClinicOpening, Device, Entity, Practitioner, PractitionerRegistration
from data.queries.base import scope_predicate
from data.queries.filters import Scope

PHYSICIAN_COLUMNS = ("licence_no", "credit_code", "name", "device_id")  # `active` optional: 1/0, yes/no
OPENING_COLUMNS = ("credit_code", "weekdays")
TRUE, FALSE = {"1", "true", "yes", "是", ""}, {"0", "false", "no", "否"}


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field} {self.value!r}: {self.reason}"


def read(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """The file's rows as stripped text; a missing column is refused before any row is looked at."""
    frame, _how = read_table(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
    return frame.apply(lambda column: column.str.strip())


def _entities(conn: Connection, scope: Scope) -> dict[str, int]:
    """credit code → id of the medical institutions in scope."""
    table = Entity.__table__
    rows = conn.execute(select(table.c.credit_code, table.c.id).where(table.c.specialty == "medical",
                                                                      scope_predicate(table, scope))).all()
    return dict(rows)


def validate_physicians(conn: Connection, frame: pd.DataFrame, scope: Scope) -> tuple[pd.DataFrame, list[Problem]]:
    """(rows ready to store: licence_no, entity_id, name, device_id, active; every problem found)."""
    entities = _entities(conn, scope)
    staff = dict(conn.execute(select(Practitioner.licence_no, Practitioner.id)).all())
    registered = set(conn.execute(select(PractitionerRegistration.practitioner_id, PractitionerRegistration.entity_id)).all())
    devices = {r.id: r for r in conn.execute(select(Device.id, Device.entity_id, Device.scene))}
    problems, rows, seen = [], [], {}
    for position, r in enumerate(frame.to_dict("records")):
        line = position + 2
        found = []
        entity_id = entities.get(r["credit_code"])
        if entity_id is None:
            found.append(Problem(line, "credit_code", r["credit_code"], "no medical institution with this code in your region"))
        practitioner_id = staff.get(r["licence_no"])
        if practitioner_id is None:
            found.append(Problem(line, "licence_no", r["licence_no"], "no practitioner holds this licence (一人一档)"))
        elif entity_id is not None and (practitioner_id, entity_id) not in registered:
            found.append(Problem(line, "licence_no", r["licence_no"], "the practitioner is not registered at this institution"))
        if r["licence_no"] in seen:
            found.append(Problem(line, "licence_no", r["licence_no"], f"repeats row {seen[r['licence_no']]}"))
        seen.setdefault(r["licence_no"], line)
        device = devices.get(r["device_id"])
        if device is None:
            found.append(Problem(line, "device_id", r["device_id"], "no such device"))
        elif device.scene != "duty_checkin":
            found.append(Problem(line, "device_id", r["device_id"], f"a {device.scene} device, not a check-in feed (duty_checkin)"))
        elif entity_id is not None and device.entity_id != entity_id:
            found.append(Problem(line, "device_id", r["device_id"], "belongs to another institution"))
        if not r["name"]:
            found.append(Problem(line, "name", "", "empty"))
        active = r.get("active", "").lower()
        if active not in TRUE | FALSE:
            found.append(Problem(line, "active", r.get("active", ""), "not 1/0, yes/no"))
        problems += found
        if not found:
            rows.append({"licence_no": r["licence_no"], "entity_id": entity_id, "name": r["name"],
                         "device_id": r["device_id"], "active": active in TRUE})
    return pd.DataFrame(rows, columns=["licence_no", "entity_id", "name", "device_id", "active"]), problems


def store_physicians(conn: Connection, rows: pd.DataFrame) -> int:
    """Replace the chief physicians of these licences, and of these devices, by the rows. Returns rows written."""
    if rows.empty:
        return 0
    table = ChiefPhysician.__table__
    conn.execute(delete(table).where(table.c.licence_no.in_(rows["licence_no"].tolist())
                                     | table.c.device_id.in_(rows["device_id"].tolist())))
    conn.execute(insert(table), rows.to_dict("records"))
    return len(rows)


def validate_openings(conn: Connection, frame: pd.DataFrame, scope: Scope) -> tuple[pd.DataFrame, list[Problem]]:
    """(rows ready to store: entity_id, weekdays; every problem found). Weekdays: seven 0/1, Monday first."""
    entities = _entities(conn, scope)
    problems, rows, seen = [], [], {}
    for position, r in enumerate(frame.to_dict("records")):
        line = position + 2
        found = []
        entity_id = entities.get(r["credit_code"])
        if entity_id is None:
            found.append(Problem(line, "credit_code", r["credit_code"], "no medical institution with this code in your region"))
        elif entity_id in seen:
            found.append(Problem(line, "credit_code", r["credit_code"], f"repeats row {seen[entity_id]}"))
        days = r["weekdays"]
        if len(days) != 7 or set(days) - {"0", "1"}:
            found.append(Problem(line, "weekdays", days, "seven 0/1 characters, Monday first (1111110: closed on Sunday)"))
        elif days == "0000000":
            found.append(Problem(line, "weekdays", days, "a clinic open on no day"))
        problems += found
        if not found:
            seen[entity_id] = line
            rows.append({"entity_id": entity_id, "weekdays": days})
    return pd.DataFrame(rows, columns=["entity_id", "weekdays"]), problems


def store_openings(conn: Connection, rows: pd.DataFrame) -> int:
    """Replace the opening days of these clinics by the rows. Returns rows written."""
    if rows.empty:
        return 0
    table = ClinicOpening.__table__
    conn.execute(delete(table).where(table.c.entity_id.in_([int(e) for e in rows["entity_id"]])))
    conn.execute(insert(table), [{"entity_id": int(e), "weekdays": w} for e, w in zip(rows["entity_id"], rows["weekdays"])])
    return len(rows)
