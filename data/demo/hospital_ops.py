"""Demo hospital operations feeds and 防挂证 check-ins, with what the detectors must find planted.

The feeds are the hospitals of one pilot city (the city with most hospitals, up to FEEDS hospitals,
its busiest county's hospitals all in): a year of daily counts per indicator with the rhythms real
hospitals show — the weekend dip of outpatient clinics, surgeries and tests, emergency and fever
clinics that never close, and a winter flu season (a smooth peak around mid-January, strongest in
the fever clinics) — and noise a little wider than Poisson. Planted: a fever-clinic surge across the
hospitals of that busiest county over the last days (the area alert) and a one-hospital spike in
another county (that hospital's alert, no area alert).

Check-ins: dental and medical-aesthetics clinics (subtype clinic, named 口腔诊所 / 医疗美容诊所: the
catalogue has no subtype of their own) get one or two chief physicians, each with a check-in feed, and
opening weekdays; most physicians check in on nearly every opening day, a few planted ones rarely.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from data import models
from data.bulk import insert_frame
from data.monitoring import alerts, duty, hospital_ops, rules
from data.monitoring.seasonal import day_start

FEEDS = 24
SURGE_DAYS = 4  # the planted surge: the last SURGE_DAYS days, fever-clinic visits × SURGE_FACTOR
SURGE_FACTOR = 3.0
SPIKE_FACTOR = 3.5
FLU_PEAK_DAY = 10  # day of the year (mid-January)
FLU_WIDTH_DAYS = 35
CHECKIN_DAYS = 60
CHECKIN_INTERVAL_S = 86_400  # a check-in a day: the device's uptime is the share of days someone checked in
CLINIC_NAMES = ("口腔诊所", "医疗美容诊所")
ABSENTEE_SHARE = 0.06


@dataclass(frozen=True)
class Indicator:
    key: str
    mean: float  # a day's count at a hospital of size 1, outside the flu season, on a weekday
    weekend: float  # Saturday and Sunday factor
    flu: float  # extra share at the peak of the flu season


INDICATORS: tuple[Indicator, ...] = (
    Indicator("outpatient", 2400, 0.55, 0.12),
    Indicator("emergency", 260, 1.10, 0.18),
    Indicator("admissions", 150, 0.60, 0.08),
    Indicator("discharges", 148, 0.70, 0.08),
    Indicator("surgeries", 60, 0.30, 0.0),
    Indicator("lab_tests", 3000, 0.60, 0.10),
    Indicator("imaging_tests", 900, 0.60, 0.05),
    Indicator("fever_clinic", 45, 1.05, 0.90),
)


def feed_hospitals(ents: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The hospitals that send a feed and the county of the planted surge (the one with most hospitals)."""
    hospitals = ents[ents["subtype"] == "hospital"]
    if hospitals.empty:
        return hospitals, ""
    city = hospitals["city_adcode"].value_counts().index[0]
    mine = hospitals[hospitals["city_adcode"] == city]
    busiest = mine["county_adcode"].value_counts().index[0]
    first = mine[mine["county_adcode"] == busiest]
    rest = mine[mine["county_adcode"] != busiest]
    return pd.concat([first, rest]).head(FEEDS), busiest


def feeds(hospitals: pd.DataFrame, until: dt.date, prefix: str = "HO") -> pd.DataFrame:
    """Device rows of the feeds (scene hospital_ops, daily), installed more than a year before `until`."""
    frame = pd.DataFrame({
        "entity_id": hospitals["id"].to_numpy(), "scene": "hospital_ops",
        "lon": hospitals["lon"].to_numpy(), "lat": hospitals["lat"].to_numpy(), "interval_s": 86_400,
        "installed_on": until - dt.timedelta(days=400), "active": True,
        "province_adcode": hospitals["province_adcode"].to_numpy(), "city_adcode": hospitals["city_adcode"].to_numpy(),
        "county_adcode": hospitals["county_adcode"].to_numpy()})
    seq = frame.groupby("county_adcode").cumcount() + 1
    frame.insert(0, "id", prefix + frame["county_adcode"].astype(str) + seq.map("{:04d}".format))
    return frame


def season(days: pd.DatetimeIndex) -> np.ndarray:
    """0 … 1: the flu season's shape, a smooth peak around FLU_PEAK_DAY (distance wraps over the new year)."""
    distance = np.abs(days.day_of_year.to_numpy() - FLU_PEAK_DAY)
    distance = np.minimum(distance, 365 - distance)
    return np.exp(-0.5 * (distance / FLU_WIDTH_DAYS) ** 2)


def daily_counts(rng: np.random.Generator, device_ids: list[str], first: dt.date, last: dt.date) -> pd.DataFrame:
    """device_id, indicator, measured_at (00:00 China time of the day, UTC), value, unit: a normal year."""
    days = pd.date_range(first, last, freq="D")
    weekend = days.day_of_week.to_numpy() >= 5
    flu = season(days)
    sizes = rng.lognormal(0, 0.5, len(device_ids)).clip(0.3, 3.0)
    stamps = [day_start(d) for d in days]
    frames = []
    for device_id, size in zip(device_ids, sizes):
        for ind in INDICATORS:
            mean = ind.mean * size * np.where(weekend, ind.weekend, 1.0) * (1 + ind.flu * flu)
            mean = mean * rng.gamma(400, 1 / 400, len(days))  # day-to-day variation a little wider than Poisson
            frames.append(pd.DataFrame({"device_id": device_id, "indicator": ind.key, "measured_at": stamps,
                                        "value": rng.poisson(mean).astype(float), "unit": "count"}))
    frame = pd.concat(frames, ignore_index=True)
    frame["measured_at"] = pd.to_datetime(frame["measured_at"], utc=True)
    return frame


def plant(counts: pd.DataFrame, device_ids: list[str], days: list[pd.Timestamp], factor: float,
          indicator: str = "fever_clinic") -> pd.DataFrame:
    """`counts` with the indicator of these feeds on these days (China days) multiplied by `factor`."""
    local = counts["measured_at"].dt.tz_convert("Asia/Shanghai").dt.tz_localize(None).dt.normalize()
    hit = counts["device_id"].isin(device_ids) & (counts["indicator"] == indicator) & local.isin(days)
    counts = counts.copy()
    counts.loc[hit, "value"] = (counts.loc[hit, "value"] * factor).round()
    return counts


def chief_physicians(rng: np.random.Generator, ents: pd.DataFrame, doctors: pd.DataFrame,
                     until: dt.date) -> dict[str, pd.DataFrame]:
    """Check-in devices, chief_physician rows, clinic_opening rows and the absentees' licence numbers.

    A clinic's chief physicians are one or two of the doctors registered there (`doctors`: entity_id,
    licence_no, name of the practitioners' main registrations), so each is a practitioner with a file."""
    clinics = ents[(ents["subtype"] == "clinic") & ents["name"].str.endswith(CLINIC_NAMES)]
    wanted = pd.Series(rng.integers(1, 3, len(clinics)), index=clinics["id"].to_numpy())
    staff = doctors[doctors["entity_id"].isin(wanted.index)].sort_values(["entity_id", "licence_no"])
    staff = staff[(staff.groupby("entity_id").cumcount() < staff["entity_id"].map(wanted)).to_numpy()]
    rows = staff[["entity_id", "licence_no", "name"]].merge(clinics, left_on="entity_id", right_on="id",
                                                             suffixes=("", "_clinic")).reset_index(drop=True)
    devices = feeds(rows, until, prefix="CK").assign(
        scene="duty_checkin", interval_s=CHECKIN_INTERVAL_S,
        installed_on=[until - dt.timedelta(days=int(d)) for d in rng.integers(20, 900, len(rows))])
    physicians = pd.DataFrame({"licence_no": rows["licence_no"].to_numpy(), "entity_id": rows["id"].to_numpy(),
                               "name": rows["name"].to_numpy(), "device_id": devices["id"].to_numpy(), "active": True})
    weekdays = rng.choice(["1111110", "1111111", "0111111"], len(clinics), p=[0.7, 0.2, 0.1])
    opening = pd.DataFrame({"entity_id": clinics["id"].to_numpy(), "weekdays": weekdays})
    absentee = rng.random(len(rows)) < ABSENTEE_SHARE
    return {"devices": devices, "physicians": physicians, "opening": opening,
            "absentees": physicians.loc[absentee, "licence_no"]}


def registered_doctors(conn: Connection) -> pd.DataFrame:
    """entity_id, licence_no, name of the doctors by their current main registration."""
    staff, regs = models.Practitioner.__table__, models.PractitionerRegistration.__table__
    rows = conn.execute(select(regs.c.entity_id, staff.c.licence_no, staff.c.name)
                        .select_from(regs.join(staff, staff.c.id == regs.c.practitioner_id))
                        .where(staff.c.kind == "doctor", regs.c.main.is_(True), regs.c.valid_to.is_(None))).all()
    return pd.DataFrame(rows, columns=["entity_id", "licence_no", "name"])


def checkins(rng: np.random.Generator, devices: pd.DataFrame, opening: pd.DataFrame, absentee_devices: set[str],
             until: dt.date) -> pd.DataFrame:
    """One on_duty reading (08:00–09:30 China time) per day present: nearly every opening day, an absentee's rarely."""
    weekdays = devices["entity_id"].map(opening.set_index("entity_id")["weekdays"])
    days = pd.date_range(until - dt.timedelta(days=CHECKIN_DAYS), until - dt.timedelta(days=1), freq="D")
    frames = []
    weekday = days.day_of_week.to_numpy()
    for device_id, open_on, installed in zip(devices["id"], weekdays, devices["installed_on"]):
        p = 0.2 if device_id in absentee_devices else 0.97
        is_open = np.array([c == "1" for c in open_on])[weekday]
        chosen = days[is_open & (days >= pd.Timestamp(installed)) & (rng.random(len(days)) < p)]
        stamps = pd.DatetimeIndex([day_start(d) for d in chosen]) + pd.to_timedelta(480 + rng.integers(0, 90, len(chosen)), "min")
        frames.append(pd.DataFrame({"device_id": device_id, "indicator": "on_duty", "measured_at": stamps,
                                    "value": 1.0, "unit": "count"}))
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["device_id", "indicator", "measured_at", "value", "unit"])
    frame["measured_at"] = pd.to_datetime(frame["measured_at"], utc=True)
    return frame


class Touch(NamedTuple):
    """What the detectors read of a stored reading (the fields of ingest's valid item they use)."""

    device_id: str
    indicator: str
    at: dt.datetime


def store(conn: Connection, seed: int, ents: pd.DataFrame, until: dt.date, now: dt.datetime) -> dict[str, int]:
    """Generate, store and run the detectors over the demo feeds and check-ins (their own random stream).

    The alerts come from the same functions ingest and the sweep run, over the stored readings, so the
    demo shows what the rules raise, not a guess of it. Returns rows added per table.
    """
    rng = np.random.default_rng([seed, 16])
    hospitals, busiest = feed_hospitals(ents)
    ops = feeds(hospitals, until)
    counts = daily_counts(rng, ops["id"].tolist(), until - dt.timedelta(days=365), until - dt.timedelta(days=1))
    last_days = list(pd.date_range(until - dt.timedelta(days=SURGE_DAYS), until - dt.timedelta(days=1), freq="D"))
    counts = plant(counts, ops.loc[ops["county_adcode"] == busiest, "id"].tolist(), last_days, SURGE_FACTOR)
    elsewhere = ops.loc[ops["county_adcode"] != busiest, "id"].head(1).tolist()
    counts = plant(counts, elsewhere, [pd.Timestamp(until - dt.timedelta(days=20))], SPIKE_FACTOR)
    duty_rows = chief_physicians(rng, ents, registered_doctors(conn), until)
    absent = set(duty_rows["physicians"].loc[duty_rows["physicians"]["licence_no"].isin(duty_rows["absentees"]),
                                             "device_id"])
    present = checkins(rng, duty_rows["devices"], duty_rows["opening"], absent, until)
    devices = pd.concat([ops, duty_rows["devices"]], ignore_index=True)
    rows = {"device": insert_frame(conn, models.Device.__table__, devices),
            "chief_physician": insert_frame(conn, models.ChiefPhysician.__table__, duty_rows["physicians"]),
            "clinic_opening": insert_frame(conn, models.ClinicOpening.__table__, duty_rows["opening"])}
    readings = pd.concat([counts, present], ignore_index=True)
    rows["reading"] = insert_frame(conn, models.Reading.__table__, readings)
    for device_id, at in readings.groupby("device_id")["measured_at"].max().items():
        conn.execute(update(models.Device).where(models.Device.id == device_id).values(last_seen_at=at.to_pydatetime()))
    active = rules.load(conn)
    info = devices.set_index("id").to_dict("index")
    touched = [Touch(d, i, at.to_pydatetime()) for d, i, at in zip(counts["device_id"], counts["indicator"],
                                                                   counts["measured_at"])]
    raised = hospital_ops.anomalies(conn, touched, info, active)
    found = alerts.apply(conn, sorted(raised, key=lambda o: (o.at, not o.raised)), active, info, now)
    area = hospital_ops.surges(conn, [t for t in touched if t.at >= day_start(until - dt.timedelta(days=30))],
                               info, active, now)
    absent_found = duty.check(conn, until, active, now)
    rows["alert"] = sum(c.get("raised", 0) for c in (found, area, absent_found))
    return rows
