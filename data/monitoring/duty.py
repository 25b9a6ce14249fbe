"""防挂证: a clinic's chief physician who is registered there but not there (licence hanging).

Clinics of medical aesthetics and dentistry report their chief physicians' presence through the
ordinary ingest: each chief physician (chief_physician) has a check-in device (scene duty_checkin)
whose readings of `on_duty` are the check-ins; the physician is a practitioner (the licence number joins
them), whose file lists the alert. An opening day of the clinic (clinic_opening: the weekdays it is open;
`default_weekdays` of the rule when it has none; public holidays excepted) without a check-in is a day
absent; days before the check-in device was installed and today (not over yet) do not count, nor do
closed days. More than `max_absent_days` such days within the last `window_days` days raises an
alert on the clinic (rule absent_chief), its evidence the days absent; the next check finding the
physician within the limit clears the condition. Absence is the lack of readings, so the clock
raises it: the sweep runs the check once a day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Connection

from data import db, workdays
from data.models import ChiefPhysician, ClinicOpening, Device, Practitioner, Reading
from data.monitoring import alerts
from data.monitoring.rules import Occurrence, Rule
from data.monitoring.seasonal import day_start, local_day

INDICATOR = "on_duty"
CHECKED_KEY = "duty_checked_on"
DEFAULT_WEEKDAYS = "1111110"


def opening_days(weekdays: str, first: dt.date, last: dt.date) -> list[dt.date]:
    """The days from `first` to `last` on which a clinic open on `weekdays` (Monday first, '1' = open) is open:
    its weekdays less the statutory public holidays (法定节假日, data/workdays.py), when no chief physician is
    expected (a make-up working day on a weekend counts only if the clinic opens on that weekday anyway)."""
    if len(weekdays) != 7 or set(weekdays) - {"0", "1"}:
        raise ValueError(f"opening weekdays {weekdays!r}: seven 0/1 characters, Monday first")
    days = pd.date_range(first, last, freq="D")
    closed = workdays.public_holidays(first, last)
    return [d.date() for d in days if weekdays[d.weekday()] == "1" and d.date() not in closed]


def absences(physicians: pd.DataFrame, checkins: pd.DataFrame, today: dt.date, window_days: int) -> pd.DataFrame:
    """Per physician: the opening days of the window (today − window_days … yesterday, not before installation)
    without a check-in. `physicians`: licence_no, device_id, weekdays, installed_on; `checkins`: device_id, day."""
    present = set(zip(checkins["device_id"], checkins["day"]))
    last = today - dt.timedelta(days=1)
    rows = []
    for p in physicians.itertuples():
        first = max(today - dt.timedelta(days=window_days), p.installed_on)
        missed = [d for d in opening_days(p.weekdays, first, last) if (p.device_id, d) not in present] if first <= last else []
        rows.append({"licence_no": p.licence_no, "device_id": p.device_id, "absent_days": missed})
    return pd.DataFrame(rows, columns=["licence_no", "device_id", "absent_days"])


def check(conn: Connection, today: dt.date, rules: dict[str, Rule], now: dt.datetime) -> dict[str, int]:
    """Raise or clear absent_chief for every active chief physician as of `today` (China date)."""
    rule = rules.get("absent_chief")
    if rule is None:
        return {}
    limit, window = int(rule.params.get("max_absent_days", 3)), int(rule.params.get("window_days", 30))
    default = str(rule.params.get("default_weekdays", DEFAULT_WEEKDAYS))
    physicians = pd.DataFrame(conn.execute(
        select(ChiefPhysician.licence_no, ChiefPhysician.device_id, ClinicOpening.weekdays,
               Practitioner.id.label("practitioner_id"),
               Device.installed_on, Device.entity_id, *Device.region_columns())
        .join(Device, Device.id == ChiefPhysician.device_id)
        .join(Practitioner, Practitioner.licence_no == ChiefPhysician.licence_no)
        .outerjoin(ClinicOpening, ClinicOpening.entity_id == ChiefPhysician.entity_id)
        .where(ChiefPhysician.active.is_(True), Device.active.is_(True))).mappings().all())
    if physicians.empty:
        return {}
    physicians["weekdays"] = physicians["weekdays"].fillna(default)
    checkins = _checkins(conn, physicians["device_id"].tolist(), today - dt.timedelta(days=window), today)
    found = absences(physicians, checkins, today, window).merge(physicians, on=["licence_no", "device_id"])
    at = day_start(today)
    occurrences = [Occurrence(r.device_id, "absent_chief", INDICATOR, at, len(r.absent_days) > limit,
                              float(len(r.absent_days)), None, _evidence(r, window))
                   for r in found.itertuples()]
    devices = physicians.set_index("device_id").to_dict("index")
    return alerts.apply(conn, occurrences, rules, devices, now)


def _evidence(row, window: int) -> dict:
    return {"licence_no": row.licence_no, "window_days": window,
            "absent_count": len(row.absent_days), "absent_days": "、".join(f"{d:%m-%d}" for d in row.absent_days)}


def _checkins(conn: Connection, device_ids: list[str], first: dt.date, today: dt.date) -> pd.DataFrame:
    """device_id, day (China date) of the check-ins (on_duty > 0) from `first` to before `today`."""
    table = Reading.__table__
    rows = conn.execute(select(table.c.device_id, table.c.measured_at).where(
        table.c.device_id.in_(device_ids), table.c.indicator == INDICATOR, table.c.value > 0,
        table.c.measured_at >= day_start(first), table.c.measured_at < day_start(today))).all()
    return pd.DataFrame({"device_id": [r.device_id for r in rows],
                         "day": [local_day(db.as_utc(r.measured_at)).date() for r in rows]})


def check_daily(conn: Connection, now: dt.datetime, rules: dict[str, Rule]) -> dict[str, int]:
    """`check` once per China day (the sweep runs every minute; absences change by the day)."""
    today = local_day(now).date()
    if db.get_meta(conn, CHECKED_KEY) == today.isoformat():
        return {}
    counts = check(conn, today, rules, now)
    db.set_meta(conn, CHECKED_KEY, today.isoformat())
    return counts
