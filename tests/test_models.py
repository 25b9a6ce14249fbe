"""Migrations and a round trip of every model, on SQLite and on PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data import db, models

UTC = dt.timezone.utc


def _sample_rows():
    region_p = models.Region(adcode="410000", name="河南省", level="province", parent_adcode=None, source="test")
    region_c = models.Region(adcode="410100", name="郑州市", level="city", parent_adcode="410000", source="test")
    region_x = models.Region(adcode="410105", name="金水区", level="county", parent_adcode="410100", source="test")
    codes = dict(province_adcode="410000", city_adcode="410100", county_adcode="410105")
    inspector = models.Inspector(id=1, badge_no="豫卫监4101050001", name="王伟", region_adcode="410105", active=True)
    entity = models.Entity(
        id=1, credit_code="91410105MA4123450F", name="金水华泰宾馆", specialty="public_place", subtype="hotel",
        address="郑州市金水区花园路1号", lon=113.6787, lat=34.7610, licence_no="豫卫公证字[2024]第000001号",
        licence_expiry=dt.date(2028, 3, 1), grade="A", risk_level="low", legal_representative="张伟",
        contact_phone="13800000000", **codes,
    )
    grading = models.EntityGrade(id=1, entity_id=1, graded_on=dt.date(2026, 3, 1), grade="A", score=93,
                                 grader="金水区卫生健康委员会")
    token = models.PublicToken(id=1, entity_id=1, token="fK1oH6aGASo-28T1X3ZHV82X",
                               created_at=dt.datetime(2026, 3, 2, tzinfo=UTC), revoked_at=None)
    inspection = models.Inspection(
        id=1, entity_id=1, specialty="public_place", inspected_on=dt.date(2026, 5, 12), kind="random_draw",
        result="non_compliant", findings="从业人员无有效健康合格证明", inspector_id=1, second_inspector_id=None, **codes,
    )
    penalty = models.Penalty(
        id=1, case_no="豫卫罚〔2026〕410105-000001号", entity_id=1, inspection_id=1, specialty="public_place",
        decided_on=dt.date(2026, 6, 1), kind="fine", amount=Decimal("3500.00"), status="executing", **codes,
    )
    complaint = models.Complaint(
        id=1, entity_id=1, specialty="public_place", received_at=dt.datetime(2026, 5, 1, 1, 30, tzinfo=UTC),
        channel="hotline_12345", category="毛巾床单不洁", description="房间毛巾有污渍", lon=113.679, lat=34.761,
        status="closed", due_on=dt.date(2026, 5, 16), closed_at=dt.datetime(2026, 5, 9, 8, 0, tzinfo=UTC),
        substantiated=True, address="郑州市金水区花园路12号", assignee_id=1, step_due_on=None, extended=True, **codes,
    )
    complaint_event = models.ComplaintEvent(id=1, complaint_id=1, at=dt.datetime(2026, 5, 2, 1, 0, tzinfo=UTC),
                                            action="assign", actor="豫卫监4101050001", from_status="received",
                                            to_status="assigned", note="→ 豫卫监4101050002")
    device = models.Device(
        id="WJ4101050001", entity_id=1, scene="public_air", lon=113.6787, lat=34.7610, interval_s=3600,
        installed_on=dt.date(2025, 1, 1), active=True, token_hash="ab" * 32,
        last_seen_at=dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC), **codes,
    )
    reading = models.Reading(
        id=1, device_id="WJ4101050001", indicator="formaldehyde", measured_at=dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC),
        value=0.12, unit="mg/m³",
    )
    limit = models.IndicatorLimit(
        id=1000, scene="public_air", indicator="formaldehyde", subtype="hotel", dimension="mass_per_volume_air",
        unit="mg/m³", low=None, high=0.08, max_step=0.5, standard="GB 37488-2019", clause="室内空气质量卫生要求",
        version=2, valid_from=dt.datetime(2026, 1, 1, tzinfo=UTC), valid_to=None, changed_by="省卫健委",
        reason="地方标准更严",
    )
    rule = models.AlertRule(key="custom", severity="high", params='{"min_readings": 4}', enabled=False,
                            updated_at=dt.datetime(2026, 1, 1, tzinfo=UTC), updated_by="省卫健委")
    state = models.SeriesState(device_id="WJ4101050001", indicator="formaldehyde",
                               last_at=dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC), last_value=0.12,
                               run_start=dt.datetime(2026, 5, 1, 1, 0, tzinfo=UTC), run_count=2, flat_count=1)
    alert = models.Alert(
        id=1, device_id="WJ4101050001", entity_id=1, rule="over_limit", indicator="formaldehyde", value=0.12,
        raised_at=dt.datetime(2026, 5, 1, 4, 0, tzinfo=UTC), status="dispatched", message="甲醛超标",
        severity="high", active=False, occurrences=2, last_at=dt.datetime(2026, 5, 1, 5, 0, tzinfo=UTC),
        cleared_at=dt.datetime(2026, 5, 1, 6, 0, tzinfo=UTC), limit_id=1000,
        due_at=dt.datetime(2026, 5, 2, 4, 0, tzinfo=UTC), level="city", assignee_id=1,
        updated_at=dt.datetime(2026, 5, 1, 6, 0, tzinfo=UTC), **codes,
    )
    event = models.AlertEvent(id=1, alert_id=1, at=dt.datetime(2026, 5, 1, 5, 0, tzinfo=UTC), action="dispatch",
                              actor="豫卫监4101050001", from_status="open", to_status="dispatched", note="请现场核查")
    project = models.ConstructionProject(
        id=1, project_no="豫卫建审〔2026〕410105-0001", name="金水华泰宾馆装修改造项目", entity_id=1, applicant="金水华泰宾馆",
        specialty="public_place", project_type="public_place", stage="design_review", applied_on=dt.date(2026, 4, 1),
        decided_on=dt.date(2026, 4, 20), outcome="approved", **codes,
    )
    pending = models.RollupPending(county_adcode="410105")
    meta = models.DatasetMeta(key="note", value="测试")
    return [region_p, region_c, region_x, inspector, entity, grading, token, inspection, penalty, complaint, complaint_event,
            device, reading, limit,
            rule, state, alert, event, project, pending, meta]


def _store(engine, rows) -> None:
    """Insert in the given (dependency) order: without relationship() the ORM does not order tables."""
    with Session(engine) as session, session.begin():
        for row in rows:
            session.add(row)
            session.flush()


def _columns(obj) -> dict:
    return {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs}


def _same(a, b) -> bool:
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        # SQLite keeps no zone: compare both as UTC.
        a = a if a.tzinfo else a.replace(tzinfo=UTC)
        b = b if b.tzinfo else b.replace(tzinfo=UTC)
    return a == b


def test_migrations_create_every_table_and_go_down_again(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    assert db.current_revision(engine) == "0023"
    tables = set(inspect(engine).get_table_names())
    assert {t.name for t in models.Base.metadata.sorted_tables} <= tables
    db.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)  # and up again: migrations are repeatable
    assert db.current_revision(engine) == "0023"
    engine.dispose()


def test_every_model_round_trips(engine):
    rows = _sample_rows()
    expected = [(type(r), _columns(r)) for r in rows]
    _store(engine, rows)
    with Session(engine) as session:
        for model, values in expected:
            key = tuple(values[c.key] for c in inspect(model).primary_key)
            stored = session.get(model, key)
            assert stored is not None, model
            for column, value in values.items():
                assert _same(getattr(stored, column), value), (model.__name__, column, getattr(stored, column), value)


def test_constraints_hold_on_both_databases(engine):
    _store(engine, _sample_rows())
    bad = [
        models.Entity(id=2, credit_code="91410105MA4123451D", name="x", specialty="food", subtype="hotel"),
        models.Entity(id=3, credit_code="91410105MA4123450F", name="duplicate credit code", specialty="medical", subtype="clinic"),
        models.Entity(id=4, credit_code="91410105MA4123452B", name="x", specialty="medical", subtype="clinic", grade="D"),
        models.Reading(device_id="WJ4101050001", indicator="formaldehyde",
                       measured_at=dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC), value=0.2, unit="mg/m³"),
        models.Inspection(entity_id=999, specialty="medical", inspected_on=dt.date(2026, 1, 1), kind="routine",
                          result="compliant"),
        models.ConstructionProject(project_no="P-2", name="x", applicant="x", specialty="medical", project_type="hospital",
                                   stage="design_review", applied_on=dt.date(2026, 1, 1), outcome="approved"),  # no decision day
        models.ConstructionProject(project_no="P-3", name="x", applicant="x", specialty="medical", project_type="hospital",
                                   stage="design_review", applied_on=dt.date(2026, 1, 9), decided_on=dt.date(2026, 1, 2),
                                   outcome="rejected"),  # decided before it was applied for
    ]
    for row in bad:
        with Session(engine) as session:
            session.add(row)
            with pytest.raises(IntegrityError):
                session.commit()
    with engine.connect() as conn:
        assert conn.execute(select(models.Entity.name)).scalars().all() == ["金水华泰宾馆"]


def test_data_version_increments_in_the_callers_transaction(engine):
    with engine.begin() as conn:
        assert db.data_version(conn) == 0
        assert db.bump_data_version(conn) == 1
    with pytest.raises(RuntimeError), engine.begin() as conn:
        db.bump_data_version(conn)
        raise RuntimeError("rolled back")
    with engine.connect() as conn:
        assert db.data_version(conn) == 1
