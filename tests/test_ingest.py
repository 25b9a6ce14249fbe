"""Reading ingest on SQLite and PostgreSQL: validation, idempotency, units, rules, atomicity."""

from __future__ import annotations

import datetime as dt

import pytest
from monitoring_fixtures import NOW, populate, reading
from sqlalchemy import func, select

from data import db, models, units
from data.monitoring import alerts as alerts_module
from data.monitoring import ingest, limits


@pytest.fixture
def district(engine):
    return engine, populate(engine)


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _alerts(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(models.Alert.__table__).order_by(models.Alert.id))]


@pytest.mark.parametrize(("unit", "dimension", "factor"), [
    ("µg/L", "mass_per_volume_water", 1e-3), ("μg/L", "mass_per_volume_water", 1e-3), ("ug/l", "mass_per_volume_water", 1e-3),
    ("MG/L", "mass_per_volume_water", 1.0), ("ppm", "volume_fraction", 1e-4), ("%", "volume_fraction", 1.0),
    ("mg/m3", "mass_per_volume_air", 1.0), ("µg/m³", "fine_particles", 1.0), ("mg/m³", "fine_particles", 1e3),
    ("nSv/h", "dose_rate", 1e-3), ("℃", "temperature", 1.0), ("", "ph", 1.0),
])
def test_units_are_normalised_and_converted(unit, dimension, factor):
    assert units.factor(unit, dimension) == pytest.approx(factor)


def test_unknown_unit_is_refused_not_guessed():
    with pytest.raises(units.UnitError, match="accepted: %, ppm"):
        units.factor("mg/m³", "volume_fraction")


def test_a_retried_batch_changes_nothing(district):
    engine, _tokens = district
    batch = [reading("AIR-HOTEL", "pm25", h, 30 + h, "µg/m³") for h in range(6)]
    first = ingest.ingest(engine, batch, token_device="AIR-HOTEL", now=NOW)
    assert (first.accepted, first.duplicates, first.rejected) == (6, 0, [])
    with engine.connect() as conn:
        version = db.data_version(conn)
    again = ingest.ingest(engine, batch + batch[:2], token_device="AIR-HOTEL", now=NOW)
    assert (again.accepted, again.duplicates, again.rejected) == (0, 8, [])
    assert _count(engine, models.Reading) == 6
    with engine.connect() as conn:
        assert db.data_version(conn) == version  # nothing written, nothing invalidated


def test_each_rejection_names_index_field_and_reason_and_valid_items_are_kept(district):
    engine, _tokens = district
    batch = [
        reading("AIR-HOTEL", "pm25", 1, 40, "µg/m³"),  # 0 ok
        reading("NOPE", "pm25", 1, 40, "µg/m³"),  # 1 unknown device
        reading("AIR-VENUE", "pm25", 1, 40, "µg/m³"),  # 2 another device than the token's
        reading("AIR-HOTEL", "chlorine", 1, 40, "mg/L"),  # 3 not measured in this scene
        {**reading("AIR-HOTEL", "pm25", 2, 40, "µg/m³"), "measured_at": "2026-05-01T02:00:00"},  # 4 no zone
        reading("AIR-HOTEL", "pm25", 3, 40, "µg/m³", day=28),  # 5 future
        reading("AIR-HOTEL", "pm25", 4, "40", "µg/m³"),  # 6 string value
        reading("AIR-HOTEL", "pm25", 5, float("nan"), "µg/m³"),  # 7 NaN
        reading("AIR-HOTEL", "co2", 6, 0.08, "mol"),  # 8 unknown unit
        reading("AIR-HOTEL", "pm25", 7, -3, "µg/m³"),  # 9 negative
        {"device_id": "AIR-HOTEL", "indicator": "pm25", "value": 3, "unit": "µg/m³"},  # 10 missing time
        "not an object",  # 11
        reading("AIR-HOTEL", "co2", 8, 900, "ppm"),  # 12 ok, converted
    ]
    result = ingest.ingest(engine, batch, token_device="AIR-HOTEL", now=NOW)
    assert result.accepted == 2
    got = {(r.index, r.field) for r in result.rejected}
    assert got == {(1, "device_id"), (2, "device_id"), (3, "indicator"), (4, "measured_at"), (5, "measured_at"),
                   (6, "value"), (7, "value"), (8, "unit"), (9, "value"), (10, "measured_at"), (11, "")}
    reasons = {r.index: r.reason for r in result.rejected}
    assert "no zone" in reasons[4] and "future" in reasons[5] and "unknown unit 'mol'" in reasons[8]
    with engine.connect() as conn:
        co2 = conn.execute(select(models.Reading.value, models.Reading.unit).where(models.Reading.indicator == "co2")).one()
    assert co2.value == pytest.approx(0.09) and co2.unit == "%"


def test_units_convert_before_the_limit_and_subtype_limits_apply(district):
    engine, _tokens = district
    # 1,200 ppm CO₂ = 0.12 %: over the hotel limit (0.10 %, people sleep there), within the venue's (0.15 %).
    ingest.ingest(engine, [reading("AIR-HOTEL", "co2", 1, 1200, "ppm")], token_device="AIR-HOTEL", now=NOW)
    ingest.ingest(engine, [reading("AIR-VENUE", "co2", 1, 1200, "ppm")], token_device="AIR-VENUE", now=NOW)
    raised = [(a["device_id"], a["rule"], a["indicator"]) for a in _alerts(engine)]
    assert raised == [("AIR-HOTEL", "over_limit", "co2")]
    # Free chlorine in µg/L: 250 µg/L = 0.25 mg/L, under the pool's 0.3 mg/L floor.
    ingest.ingest(engine, [reading("POOL-1", "free_chlorine", 1, 250, "µg/L")], token_device="POOL-1", now=NOW)
    assert ("POOL-1", "over_limit", "free_chlorine") in [(a["device_id"], a["rule"], a["indicator"]) for a in _alerts(engine)]


def test_rules_episodes_sustained_offline_and_one_case_per_key(district):
    engine, _tokens = district
    values = {0: 40, 1: 80, 2: 90, 3: 85, 4: 50, 5: 40, 9: 95, 10: 30}  # hours 6-8 missing: offline
    batch = [reading("AIR-HOTEL", "pm25", h, v, "µg/m³") for h, v in values.items()]
    result = ingest.ingest(engine, batch, token_device="AIR-HOTEL", now=NOW)
    assert result.accepted == 8
    by_rule = {a["rule"]: a for a in _alerts(engine)}
    over = by_rule["over_limit"]
    assert over["occurrences"] == 2 and over["value"] == 95 and not over["active"]  # two episodes, one case
    assert by_rule["sustained"]["occurrences"] == 1  # only the first episode lasted 3 readings
    offline = by_rule["offline"]
    assert not offline["active"] and db.as_utc(offline["raised_at"]) == dt.datetime(2026, 5, 1, 0, tzinfo=dt.UTC)  # 05:00 + 3 h, China time
    assert set(by_rule) == {"over_limit", "sustained", "offline"}
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(models.AlertEvent.action).where(
            models.AlertEvent.alert_id == over["id"]).order_by(models.AlertEvent.id))]
    assert actions == ["raised", "cleared", "repeated", "cleared"]


def test_sensor_faults_are_their_own_alerts(district):
    engine, _tokens = district
    steady = [reading("POOL-1", "ph", h, 7.4, "pH") for h in range(13)]  # 13 identical readings: stuck
    jump = [reading("POOL-1", "turbidity", 0, 0.3, "NTU"), reading("POOL-1", "turbidity", 1, 9.0, "NTU")]
    ingest.ingest(engine, steady + jump, token_device="POOL-1", now=NOW)
    rules = {(a["rule"], a["indicator"]) for a in _alerts(engine)}
    assert ("flatline", "ph") in rules and ("jump", "turbidity") in rules


def test_medical_waste_mismatch_and_storage_time(district):
    engine, _tokens = district
    batch = [reading("WASTE-1", "produced_kg", 8, 120.0, "kg"), reading("WASTE-1", "handed_over_kg", 8, 112.0, "kg"),
             reading("WASTE-1", "produced_kg", 8, 50.0, "kg", day=2), reading("WASTE-1", "handed_over_kg", 8, 50400, "g", day=2),
             reading("WASTE-1", "storage_hours", 8, 52, "h", day=3)]
    ingest.ingest(engine, batch, token_device="WASTE-1", now=NOW)
    found = {(a["rule"], a["indicator"]): a for a in _alerts(engine)}
    assert found[("waste_mismatch", "handed_over_kg")]["occurrences"] == 1  # 8 kg missing; 0.4 kg is within tolerance
    assert ("over_limit", "storage_hours") in found  # held over 48 h


def test_a_failure_writes_nothing(district, monkeypatch):
    engine, _tokens = district

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(alerts_module, "apply", broken)
    with pytest.raises(RuntimeError):
        ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 1, 99, "µg/m³")], token_device="AIR-HOTEL", now=NOW)
    assert _count(engine, models.Reading) == 0 and _count(engine, models.SeriesState) == 0
    assert _count(engine, models.RollupPending) == 0


def test_a_limit_change_is_a_new_version_and_old_alerts_keep_theirs(district):
    engine, _tokens = district
    ingest.ingest(engine, [reading("AIR-VENUE", "pm25", 1, 80, "µg/m³"), reading("AIR-VENUE", "pm25", 2, 20, "µg/m³")],
                  token_device="AIR-VENUE", now=NOW)
    with engine.begin() as conn:
        old_id = limits.current(conn)[("public_air", "pm25", "")].id
        new = limits.set_limit(conn, "public_air", "pm25", "", low=None, high=50, actor="省卫健委", reason="重污染天气应急",
                               now=NOW)
    assert new.version == 2 and new.id != old_id
    ingest.ingest(engine, [reading("AIR-VENUE", "pm25", 3, 60, "µg/m³")], token_device="AIR-VENUE", now=NOW)
    alert = _alerts(engine)[0]
    assert alert["occurrences"] == 2 and alert["limit_id"] == old_id  # the case keeps what it was raised against
    with engine.connect() as conn:
        history = conn.execute(select(models.IndicatorLimit.version, models.IndicatorLimit.valid_to).where(
            models.IndicatorLimit.scene == "public_air", models.IndicatorLimit.indicator == "pm25")
            .order_by(models.IndicatorLimit.version)).all()
    assert [v for v, _ in history] == [1, 2] and history[0][1] is not None and history[1][1] is None


def test_late_readings_are_stored_but_do_not_drive_rules(district):
    engine, _tokens = district
    ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 5, 20, "µg/m³")], token_device="AIR-HOTEL", now=NOW)
    result = ingest.ingest(engine, [reading("AIR-HOTEL", "pm25", 2, 99, "µg/m³")], token_device="AIR-HOTEL", now=NOW)
    assert (result.accepted, result.late) == (1, 1)
    assert _alerts(engine) == []


def test_batch_size_is_bounded(district):
    engine, _tokens = district
    with pytest.raises(ingest.BatchTooLarge):
        ingest.ingest(engine, [{}] * (ingest.MAX_BATCH + 1), now=NOW)
