"""防挂证: a chief physician absent on more than N opening days raises an alert on the clinic; closed days do not count.

Check-ins go through the ordinary ingest; the check is the sweep's (data/monitoring/duty.py), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import insert, select, update

from data import models
from data.monitoring import duty, ingest, rules, sweep
from monitoring_fixtures import CODES, populate

TODAY = dt.date(2026, 5, 18)  # a Monday; the window is the 14 days before it
WINDOW, N = 14, 3
LICENCE = "110410105000123"
CLOSED_ON = "1111100"  # Monday to Friday: the two weekends of the window are not opening days


def _clinic(engine) -> None:
    populate(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Entity).values(id=9, credit_code="52410105MA41235000", name="金水美丽医疗美容诊所",
                                                  specialty="medical", subtype="clinic", lon=113.68, lat=34.76, **CODES))
        conn.execute(insert(models.Device).values(id="CK-1", entity_id=9, scene="duty_checkin", lon=113.68, lat=34.76,
                                                  interval_s=7 * 86_400, installed_on=dt.date(2025, 1, 1), active=True,
                                                  **CODES))
        conn.execute(insert(models.Practitioner).values(id=5, licence_no=LICENCE, name="周医生", kind="doctor",
                                                        category="clinical", rx_ordinary=True))
        conn.execute(insert(models.PractitionerRegistration).values(practitioner_id=5, entity_id=9, main=True,
                                                                    valid_from=dt.date(2024, 1, 1)))
        conn.execute(insert(models.ChiefPhysician).values(licence_no=LICENCE, entity_id=9, name="周医生", device_id="CK-1"))
        conn.execute(insert(models.ClinicOpening).values(entity_id=9, weekdays=CLOSED_ON))
        conn.execute(update(models.AlertRule).where(models.AlertRule.key == "absent_chief").values(
            params=json.dumps({"max_absent_days": N, "window_days": WINDOW})))


def _check_in(engine, missed: set[dt.date]) -> None:
    """A check-in at 08:30 on every opening day of the window except `missed`."""
    days = duty.opening_days(CLOSED_ON, TODAY - dt.timedelta(days=WINDOW), TODAY - dt.timedelta(days=1))
    items = [{"device_id": "CK-1", "indicator": "on_duty", "measured_at": f"{d}T08:30:00+08:00", "value": 1, "unit": "次"}
             for d in days if d not in missed]
    result = ingest.ingest(engine, items, now=dt.datetime(2026, 5, 18, 2, tzinfo=dt.UTC))
    assert result.accepted == len(items) and not result.rejected


def _alerts(engine) -> list[dict]:
    table = models.Alert.__table__
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).where(table.c.rule == "absent_chief")).mappings()]


def _check(engine) -> dict:
    with engine.begin() as conn:
        return duty.check(conn, TODAY, rules.load(conn), dt.datetime(2026, 5, 18, 2, tzinfo=dt.UTC))


def test_opening_days_skip_the_days_a_clinic_is_closed_and_public_holidays():
    days = duty.opening_days(CLOSED_ON, dt.date(2026, 5, 4), dt.date(2026, 5, 17))
    # Ten weekdays less Monday 4 and Tuesday 5 May, the end of the Labour Day holiday (劳动节 1-5 May 2026).
    assert len(days) == 8 and all(d.weekday() < 5 for d in days)
    assert dt.date(2026, 5, 4) not in days and dt.date(2026, 5, 5) not in days
    every_day = duty.opening_days("1111111", dt.date(2026, 9, 28), dt.date(2026, 10, 10))
    assert all(dt.date(2026, 10, d) not in every_day for d in range(1, 8))  # 国庆节
    assert dt.date(2026, 9, 30) in every_day and dt.date(2026, 10, 8) in every_day
    with pytest.raises(ValueError, match="seven 0/1 characters"):
        duty.opening_days("11111", dt.date(2026, 5, 4), dt.date(2026, 5, 17))


def test_n_absent_opening_days_raise_nothing_and_weekends_do_not_count(engine):
    _clinic(engine)
    _check_in(engine, {dt.date(2026, 5, 6), dt.date(2026, 5, 7), dt.date(2026, 5, 12)})  # N = 3 days
    assert _check(engine)["raised"] == 0  # and the four weekend days without a check-in are not absences
    assert _alerts(engine) == []


def test_n_plus_one_absent_days_raise_an_alert_on_the_clinic_with_the_days(engine):
    _clinic(engine)
    missed = {dt.date(2026, 5, 6), dt.date(2026, 5, 7), dt.date(2026, 5, 12), dt.date(2026, 5, 15)}
    _check_in(engine, missed)
    assert _check(engine)["raised"] == 1
    (alert,) = _alerts(engine)
    assert alert["entity_id"] == 9 and alert["device_id"] == "CK-1" and alert["county_adcode"] == "410105"
    assert alert["value"] == 4
    assert LICENCE in alert["message"] and "05-06、05-07、05-12、05-15" in alert["message"]
    assert alert["practitioner_id"] == 5  # joined by licence number: the practitioner's file lists it
    _check(engine)  # the next day's check while still absent updates the same case
    assert len(_alerts(engine)) == 1


def test_the_sweep_runs_the_check_once_a_day(engine):
    _clinic(engine)
    _check_in(engine, {dt.date(2026, 5, d) for d in (6, 7, 8, 11)})
    now = dt.datetime(2026, 5, 18, 2, tzinfo=dt.UTC)  # 10:00 in China on TODAY
    assert sweep.sweep(engine, now).absences == 1
    assert sweep.sweep(engine, now + dt.timedelta(minutes=1)).absences == 0  # already checked today
    assert len(_alerts(engine)) == 1


def test_a_chief_physician_must_be_a_practitioner(engine):
    from sqlalchemy.exc import IntegrityError

    _clinic(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Device).values(id="CK-2", entity_id=9, scene="duty_checkin", interval_s=86_400,
                                                  installed_on=dt.date(2025, 1, 1), active=True, **CODES))
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(insert(models.ChiefPhysician).values(licence_no="110410105999999", entity_id=9, name="钱医生",
                                                              device_id="CK-2"))


def test_the_migration_makes_an_earlier_chief_physician_a_practitioner_of_the_clinic(database_url):
    from sqlalchemy import text

    from data import db

    engine = db.make_engine(database_url)
    db.upgrade(engine, "0015")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO entity (id, credit_code, name, specialty, subtype) "
                          "VALUES (9, '52410105MA41235000', '金水美丽医疗美容诊所', 'medical', 'clinic')"))
        conn.execute(text("INSERT INTO device (id, entity_id, scene, interval_s, installed_on, active) "
                          "VALUES ('CK-1', 9, 'duty_checkin', 86400, '2025-03-01', true)"))
        conn.execute(text("INSERT INTO chief_physician (licence_no, entity_id, name, device_id, active) "
                          f"VALUES ('{LICENCE}', 9, '周医生', 'CK-1', true)"))
    db.upgrade(engine)
    with engine.connect() as conn:
        doctor = conn.execute(select(models.Practitioner.id, models.Practitioner.name, models.Practitioner.kind)
                              .where(models.Practitioner.licence_no == LICENCE)).one()
        registration = conn.execute(select(models.PractitionerRegistration.entity_id,
                                           models.PractitionerRegistration.valid_from)
                                    .where(models.PractitionerRegistration.practitioner_id == doctor.id)).one()
    assert (doctor.name, doctor.kind) == ("周医生", "doctor")
    assert (registration.entity_id, registration.valid_from) == (9, dt.date(2025, 3, 1))
    engine.dispose()


def test_the_practitioner_file_lists_the_absence_alert(engine):
    from data.cache import QueryCache
    from data.queries import practitioner_file
    from data.queries.filters import Scope
    from data.store import Store

    _clinic(engine)
    _check_in(engine, {dt.date(2026, 5, 6), dt.date(2026, 5, 7), dt.date(2026, 5, 12), dt.date(2026, 5, 15)})
    _check(engine)
    store = Store(engine, QueryCache("simple://"))
    listed = practitioner_file.alerts(store, 5, Scope.of("410105"))
    assert list(listed["rule"]) == ["absent_chief"] and list(listed["entity_id"]) == [9]
