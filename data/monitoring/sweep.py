"""The periodic sweep: what no incoming reading can trigger.

A device that stopped reporting sends nothing (nor does a chief physician who is not there: the
防挂证 check of data/monitoring/duty.py runs here once a day), so its offline alert has to be raised by the clock;
an alert nobody handled becomes overdue with time; rollups marked pending by ingest are refreshed
here, off the ingest path (a county's refresh reads its raw rows, far too slow per batch). Run by
`weijian monitor sweep` (once, or `--every 60` as a service) and by the development server's own
background thread.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from data import db, rollups
from data.models import Device, Entity, RollupPending
from data.monitoring import alerts, duty, rules


@dataclass
class SweepReport:
    offline: int = 0
    escalated: int = 0
    rollup_counties: int = 0
    absences: int = 0

    def __str__(self) -> str:
        return (f"offline alerts raised: {self.offline}, escalated: {self.escalated}, "
                f"rollups refreshed for {self.rollup_counties} counties, chief physicians absent: {self.absences}")


def sweep(engine: Engine, now: dt.datetime | None = None) -> SweepReport:
    now = now or dt.datetime.now(dt.UTC)
    report = SweepReport()
    with engine.begin() as conn:
        active_rules = rules.load(conn)
        found = rules.overdue_devices(alerts.silent_devices(conn), now, active_rules)
        if found:
            ids = sorted({o.device_id for o in found})
            devices = {r.id: dict(r._mapping) for r in conn.execute(
                select(Device.id, Device.entity_id, *Device.region_columns(),
                       Entity.subtype).join(Entity, Entity.id == Device.entity_id).where(Device.id.in_(ids)))}
            counts = alerts.apply(conn, found, active_rules, devices, now)
            report.offline = counts["raised"] + counts["updated"]
        absent = duty.check_daily(conn, now, active_rules)
        report.absences = absent.get("raised", 0) + absent.get("updated", 0)
        report.escalated = alerts.escalate(conn, now)
        pending = list(conn.execute(select(RollupPending.county_adcode)).scalars())
        if pending:
            rollups.refresh(conn, pending)
            conn.execute(delete(RollupPending).where(RollupPending.county_adcode.in_(pending)))
            report.rollup_counties = len(pending)
        if report.offline or report.escalated or report.rollup_counties or absent.get("cleared") or report.absences:
            db.bump_data_version(conn)
    return report
