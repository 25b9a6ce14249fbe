"""Prescription ingest: validate a batch row by row, store the good rows, check them, raise alerts, in one transaction.

One entry point for every path in (a file through `weijian prescriptions check`, the HTTP API, the demo):
- Every row is checked before anything is written; each refusal names the row, the field and the reason,
  and a refused row never holds back the valid ones. Institutions are named by credit code (a medical
  entity), prescribers by licence number; both must be known.
- A prescription already stored (institution + prescription number), or twice in the batch, counts as a
  duplicate and changes nothing, so a retried batch is harmless.
- The checks (data/prescriptions/checks.py) run over the whole batch at once. Each hit is a
  prescription_hit row (the evidence); hits become alerts in the monitoring lifecycle, one case per
  prescriber, institution and rule: a new case while none is unclosed, else one more occurrence on it.
- Prescriptions, hits, alerts, their events, the audit entry and the data version commit together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection, Engine

from data import audit, db, vocab
from data.bulk import constraints_deferred, insert_frame, next_id, reset_sequence
from data.models import (REGION_COLUMNS, Alert, AlertEvent, Entity, EntityDepartment, Practitioner, PractitionerRegistration,
                         Prescription, PrescriptionHit)
from data.monitoring import rules as alert_rules
from data.monitoring.alerts import SYSTEM
from data.prescriptions import checks
from data.prescriptions import rules as rx_rules
from data.queries.base import scope_predicate
from data.queries.filters import Scope

FIELDS = ("institution", "rx_no", "prescriber", "issued_on", "setting", "department", "diagnosis", "drug",
          "drug_class", "dosage_form", "days", "doses", "extension_reason")
REQUIRED = ("institution", "rx_no", "prescriber", "issued_on", "setting", "department", "drug", "drug_class",
            "dosage_form", "days")
CHOICES = {"setting": vocab.RX_SETTINGS, "department": vocab.DEPARTMENTS, "drug_class": vocab.DRUG_CLASSES,
           "dosage_form": vocab.DOSAGE_FORMS}
LENGTHS = {"rx_no": 32, "drug": 64, "diagnosis": 64, "extension_reason": 128}
MESSAGES = {
    "rx_no_right": "无相应处方权：{drug}（{drug_class}）",
    "rx_outside_category": "超出执业类别：{department} 科室处方",
    "rx_outside_licence": "超出机构诊疗科目：{department}",
    "rx_over_days": "超量处方：{drug} {detail}",
    "rx_not_registered": "处方日期 {issued_on} 未在该机构注册执业",
}
MAX_BATCH = 5000  # per API request, as for readings
DEFER_ROWS = 100_000  # from this size, PostgreSQL may check the prescription table's constraints once at the end
SQLITE_CACHE_KIB = 256 * 1024
EVIDENCE = ["rx_no", "issued_on", "drug", "drug_class", "dosage_form", "setting", "department", "days", "doses",
            "detail", "source"]


@dataclass(frozen=True)
class Rejection:
    row: int
    field: str
    value: str
    reason: str


class BatchTooLarge(ValueError):
    pass


@dataclass
class CheckResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)
    alerts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": len(self.rejected),
                "rejections": [r.__dict__ for r in self.rejected], "hits": self.hits, "alerts": self.alerts}


def _reject(found: list[Rejection], mask, rows: np.ndarray, name: str, values: pd.Series, reason: str) -> np.ndarray:
    """Record a refusal for each row of `mask` (only those: a few, so a list is fine) and return the mask.

    A comparison with a missing value (a number that did not parse) is unknown, and unknown is refused."""
    mask = pd.Series(np.asarray(mask, dtype=object)).astype("boolean").fillna(True).to_numpy(dtype=bool)
    for row, value in zip(rows[mask], values.to_numpy()[mask]):
        found.append(Rejection(int(row), name, "" if value is None or value is pd.NA else str(value)[:64], reason))
    return mask


def validate(conn: Connection, frame: pd.DataFrame, first_row: int = 2,
             scope: Scope | None = None) -> tuple[pd.DataFrame, list[Rejection]]:
    """The valid rows with entity_id and practitioner_id resolved, and every refusal (row = first_row + position;
    2 for a file whose header is row 1, 0 for an API batch). With a `scope` (a person sending through the
    API), an institution outside it is refused like an unknown one: nothing is stored for it."""
    missing = [f for f in REQUIRED if f not in frame.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)} (expected {', '.join(FIELDS)})")
    frame = frame.reindex(columns=list(FIELDS)).reset_index(drop=True)
    text = {name: frame[name].astype("string").str.strip() for name in FIELDS}
    rows = np.arange(len(frame)) + first_row
    found: list[Rejection] = []
    bad = np.zeros(len(frame), dtype=bool)
    for name in REQUIRED:
        bad |= _reject(found, text[name].isna() | (text[name] == ""), rows, name, text[name], "required")
    for name, allowed in CHOICES.items():
        bad |= _reject(found, ~bad & ~text[name].isin(allowed), rows, name, text[name], f"not one of {', '.join(allowed)}")
    for name, length in LENGTHS.items():
        bad |= _reject(found, ~bad & (text[name].str.len() > length).fillna(False), rows, name, text[name],
                       f"longer than {length} characters")
    issued = pd.to_datetime(text["issued_on"], format="%Y-%m-%d", errors="coerce")
    bad |= _reject(found, ~bad & issued.isna(), rows, "issued_on", text["issued_on"], "not a date YYYY-MM-DD")
    days = pd.to_numeric(text["days"], errors="coerce")
    bad |= _reject(found, ~bad & ~(days > 0), rows, "days", text["days"], "not a positive number of days")
    doses = pd.to_numeric(text["doses"], errors="coerce")
    bad |= _reject(found, ~bad & (text["doses"].notna() & (text["doses"] != "")) & ~((doses > 0) & (doses % 1 == 0)),
                   rows, "doses", text["doses"], "not a positive whole number")
    needs_doses = text["drug_class"].isin(("narcotic", "psych1")) & (text["dosage_form"] == "injection")
    bad |= _reject(found, ~bad & needs_doses & doses.isna(), rows, "doses", text["doses"],
                   "required for a narcotic or first-class psychotropic injection (one usual dose per prescription)")
    ents = Entity.__table__
    medical = select(ents.c.id, ents.c.credit_code).where(ents.c.specialty == "medical")
    if scope is not None:
        medical = medical.where(scope_predicate(ents, scope))
    entities = pd.DataFrame(conn.execute(medical).all(), columns=["id", "credit_code"]).set_index("credit_code")["id"]
    entity_id = text["institution"].map(entities)
    bad |= _reject(found, ~bad & entity_id.isna(), rows, "institution", text["institution"],
                   "no medical institution with this credit code" + (" in your region" if scope is not None else ""))
    staff = pd.DataFrame(conn.execute(select(Practitioner.id, Practitioner.licence_no)).all(),
                         columns=["id", "licence_no"]).set_index("licence_no")["id"]
    practitioner_id = text["prescriber"].map(staff)
    bad |= _reject(found, ~bad & practitioner_id.isna(), rows, "prescriber", text["prescriber"],
                   "no practitioner with this licence number")
    good = pd.DataFrame({
        "row": rows, "entity_id": entity_id, "rx_no": text["rx_no"], "practitioner_id": practitioner_id,
        "issued_on": issued.dt.date, "setting": text["setting"], "department": text["department"],
        "diagnosis": text["diagnosis"], "drug": text["drug"], "drug_class": text["drug_class"],
        "dosage_form": text["dosage_form"], "days": days, "doses": doses.astype("Int64"),
        "extension_reason": text["extension_reason"].replace("", None),
    })[~bad]
    found.sort(key=lambda r: (r.row, r.field))
    return good.astype({"entity_id": np.int64, "practitioner_id": np.int64}), found


def _frame(conn: Connection, query, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame, through plain tuples (pandas inspects Row objects one by one)."""
    return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=columns)


def reference(conn: Connection) -> checks.Reference:
    """Everything the checks compare against (tens of thousands of rows: read whole, once per batch)."""
    staff = Practitioner.__table__
    regs = PractitionerRegistration.__table__
    deps = EntityDepartment.__table__
    return checks.Reference(
        practitioners=_frame(conn, select(staff.c.id, staff.c.category, staff.c.rx_ordinary, staff.c.rx_narcotic),
                             ["id", "category", "rx_ordinary", "rx_narcotic"]),
        registrations=_frame(conn, select(regs.c.practitioner_id, regs.c.entity_id, regs.c.valid_from, regs.c.valid_to),
                             ["practitioner_id", "entity_id", "valid_from", "valid_to"]),
        departments=_frame(conn, select(deps.c.entity_id, deps.c.department), ["entity_id", "department"]),
        rules=rx_rules.load(conn),
    )


def _lock(conn: Connection) -> None:
    """Ids are given here (max + 1), so concurrent batches take turns (SQLite: its write lock already does)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE prescription, prescription_hit, alert IN SHARE ROW EXCLUSIVE MODE")


def _new_rows(conn: Connection, batch: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The batch without prescriptions already stored or repeated in it; and how many were dropped."""
    unique = batch.drop_duplicates(["entity_id", "rx_no"])
    table = Prescription.__table__
    # Only stored rows that could clash, through the unique index: the batch's institutions and the range
    # of its numbers (a month sent in several batches numbers on, so earlier batches are not read back).
    entities = sorted(int(e) for e in unique["entity_id"].unique())
    stored = []
    for start in range(0, len(entities), 10_000):  # SQLite takes at most 32,766 parameters
        stored += conn.execute(select(table.c.entity_id, table.c.rx_no).where(
            table.c.entity_id.in_(entities[start:start + 10_000]),
            table.c.rx_no.between(unique["rx_no"].min(), unique["rx_no"].max()))).all()
    if stored:
        seen = pd.MultiIndex.from_tuples([tuple(r) for r in stored])
        unique = unique[~pd.MultiIndex.from_frame(unique[["entity_id", "rx_no"]]).isin(seen)]
    # In key order: the unique index is then written page after page instead of all over.
    return unique.sort_values(["entity_id", "rx_no"], kind="stable"), len(batch) - len(unique)


def _defer(conn: Connection, rows: int) -> bool:
    """Whether to check the prescription table's constraints once at the end (PostgreSQL): worth it when
    the batch is large and at least as large as what is stored (re-adding them reads the whole table)."""
    if conn.dialect.name != "postgresql" or rows < DEFER_ROWS:
        return False
    stored = conn.execute(select(func.count()).select_from(Prescription.__table__)).scalar()
    return rows >= stored


def store(conn: Connection, batch: pd.DataFrame, now: dt.datetime, actor: str, source: str,
          defer: bool | None = None) -> CheckResult:
    """Store validated prescriptions (data.prescriptions.ingest.validate's frame), check them, raise alerts.

    `defer`: check the prescription table's constraints once at the end (PostgreSQL); None decides by size,
    False when the caller already deferred them around several batches (a month loaded in parts). The
    caller bumps the data version (the demo build does it once for everything it writes)."""
    result = CheckResult()
    if batch.empty:
        return result
    _lock(conn)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")  # the indexes of a month stay in memory
    fresh, result.duplicates = _new_rows(conn, batch)
    fresh = fresh.reset_index(drop=True)
    first_id = next_id(conn, Prescription.__table__)
    fresh.insert(0, "id", np.arange(first_id, first_id + len(fresh)))
    table = Prescription.__table__
    columns = [c.name for c in table.columns]
    if defer if defer is not None else _defer(conn, len(fresh)):
        with constraints_deferred(conn, table):
            insert_frame(conn, table, fresh[columns])
    else:
        insert_frame(conn, table, fresh[columns])
    reset_sequence(conn, table)
    result.accepted = len(fresh)
    ref = reference(conn)
    hits = checks.evaluate(fresh, ref)
    enabled = alert_rules.load(conn)
    hits = hits[hits["rule"].isin(list(enabled))]
    result.hits = {rule: int(n) for rule, n in hits["rule"].value_counts().sort_index().items()}
    result.alerts = _raise(conn, fresh, hits, ref.rules, enabled, now)
    audit.append(conn, actor=actor, action="prescriptions_check", target=source[:128],
                 detail={"accepted": result.accepted, "duplicates": result.duplicates, "hits": result.hits,
                         "alerts": result.alerts}, now=now)
    return result


def _raise(conn: Connection, fresh: pd.DataFrame, hits: pd.DataFrame, rule_rows: pd.DataFrame,
           enabled: dict, now: dt.datetime) -> dict[str, int]:
    """One alert case per (prescriber, institution, rule): new cases inserted, open ones counted up."""
    counts = {"raised": 0, "updated": 0}
    if hits.empty:
        return counts
    facts = fresh.iloc[hits["row"].to_numpy()].reset_index(drop=True)
    hits = hits.reset_index(drop=True).assign(practitioner_id=facts["practitioner_id"], entity_id=facts["entity_id"],
                                              prescription_id=facts["id"])
    cases = hits.groupby(["practitioner_id", "entity_id", "rule"], sort=True).agg(
        first=("prescription_id", "idxmin"), n=("row", "size")).reset_index()
    table = Alert.__table__
    open_cases = pd.DataFrame(conn.execute(select(table.c.id, table.c.practitioner_id, table.c.entity_id, table.c.rule,
                                                  table.c.occurrences).where(
        table.c.rule.in_(vocab.RX_RULES), table.c.status.in_(vocab.ALERT_UNCLOSED),
        table.c.practitioner_id.is_not(None))).all(), columns=["id", "practitioner_id", "entity_id", "rule", "occurrences"])
    cases = cases.merge(open_cases, how="left", on=["practitioner_id", "entity_id", "rule"])
    known = cases[cases["id"].notna()]
    if len(known):
        conn.execute(update(table).where(table.c.id == bindparam("case_id")).values(
            occurrences=bindparam("total"), last_at=now, updated_at=now),
            [{"case_id": int(i), "total": int(o + n)} for i, o, n in zip(known["id"], known["occurrences"], known["n"])])
        counts["updated"] = len(known)
    new = cases[cases["id"].isna()].reset_index(drop=True)
    if len(new):
        first_id = next_id(conn, table)
        new["id"] = np.arange(first_id, first_id + len(new))
        counts["raised"] = len(new)
        alerts = _alert_rows(conn, new, hits, facts, rule_rows, enabled, now)
        insert_frame(conn, table, alerts)
        reset_sequence(conn, table)
        insert_frame(conn, AlertEvent.__table__, pd.DataFrame({
            "alert_id": alerts["id"], "at": now, "action": "raised", "actor": SYSTEM, "from_status": None,
            "to_status": "open", "note": alerts["message"]}))
    case_ids = pd.concat([known[["practitioner_id", "entity_id", "rule", "id"]],
                          new[["practitioner_id", "entity_id", "rule", "id"]]])
    linked = hits.merge(case_ids.rename(columns={"id": "alert_id"}), on=["practitioner_id", "entity_id", "rule"])
    linked["alert_id"] = linked["alert_id"].astype(np.int64)
    insert_frame(conn, PrescriptionHit.__table__, linked[["prescription_id", "rule", "alert_id", "detail"]])
    return counts


def _alert_rows(conn: Connection, new: pd.DataFrame, hits: pd.DataFrame, facts: pd.DataFrame, rule_rows: pd.DataFrame,
                enabled: dict, now: dt.datetime) -> pd.DataFrame:
    """The alert rows of new cases: message and evidence from each case's first prescription."""
    first = facts.iloc[new["first"].to_numpy()].reset_index(drop=True)
    first["detail"] = hits["detail"].to_numpy()[new["first"].to_numpy()]
    first["source"] = rule_rows.set_index("id")["source"].reindex(hits["rule_id"].to_numpy()[new["first"].to_numpy()]).to_numpy()
    first["issued_on"] = pd.to_datetime(first["issued_on"]).dt.strftime("%Y-%m-%d")
    evidence = first[EVIDENCE].assign(prescription_id=first["id"]).to_json(
        orient="records", lines=True, force_ascii=False).splitlines()
    message = [MESSAGES[rule].format(**row)[:256] for rule, row in zip(new["rule"], first[EVIDENCE].to_dict("records"))]
    ents = Entity.__table__
    regions = pd.DataFrame(conn.execute(select(ents.c.id, *(ents.c[c] for c in REGION_COLUMNS)).where(
        ents.c.id.in_(sorted(set(new["entity_id"]))))).all(), columns=["id", *REGION_COLUMNS]).set_index("id")
    place = regions.reindex(new["entity_id"].to_numpy())
    severity = new["rule"].map(lambda r: enabled[r].severity)
    due = alert_rules.due_hours(conn)
    return pd.DataFrame({
        "id": new["id"], "device_id": None, "entity_id": new["entity_id"], "practitioner_id": new["practitioner_id"],
        "rule": new["rule"], "indicator": "", "value": None, "raised_at": now, "status": "open", "message": message,
        "severity": severity, "active": True, "occurrences": new["n"], "last_at": now, "cleared_at": None,
        "limit_id": None, "due_at": [now + dt.timedelta(hours=float(due.get(s, 72))) for s in severity],
        "level": "county", "assignee_id": None, "updated_at": now, "evidence": evidence,
        **{c: place[c].to_numpy() for c in REGION_COLUMNS},
    })


def read_file(path) -> pd.DataFrame:
    """A prescriptions file: CSV (UTF-8, with or without BOM; .csv.gz too) or parquet, every column as text."""
    name = str(path).lower()
    if name.endswith(".parquet"):
        return pd.read_parquet(path).astype("string")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def check_batch(engine: Engine, items: list, actor: str, scope: Scope, now: dt.datetime | None = None) -> CheckResult:
    """An API batch (a list of JSON objects with FIELDS), from a person whose scope bounds the institutions."""
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(f"at most {MAX_BATCH} prescriptions per batch, got {len(items)}")
    if not all(isinstance(item, dict) for item in items):
        raise ValueError("every item must be a JSON object with the prescription's fields")
    frame = pd.DataFrame(items, columns=list(FIELDS)).astype("string")
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        good, rejected = validate(conn, frame, first_row=0, scope=scope)
        result = store(conn, good.drop(columns="row"), now, actor, "api")
        db.bump_data_version(conn)
    result.rejected = rejected
    return result


def check_file(engine: Engine, path, actor: str, now: dt.datetime | None = None) -> CheckResult:
    """Validate, store and check one file, in one transaction."""
    frame = read_file(path)
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        good, rejected = validate(conn, frame)
        result = store(conn, good.drop(columns="row"), now, actor, f"file:{path}")
        db.bump_data_version(conn)
    result.rejected = rejected
    return result
