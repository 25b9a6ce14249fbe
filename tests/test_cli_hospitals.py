"""`weijian hospitals …` and `weijian duty …` run as a user would (Typer's runner, settings from the environment)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.settings import get_settings
from data import db, models
from monitoring_fixtures import CODES, populate

runner = CliRunner()
LICENCE, STRANGER = "141010500000001", "141010599999999"


@pytest.fixture
def engine(tmp_path, var_dir, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    monkeypatch.setenv("WEIJIAN_REGION", "410100")
    get_settings.cache_clear()
    engine = db.make_engine(url)
    db.upgrade(engine)
    populate(engine)
    with engine.begin() as conn:
        conn.execute(insert(models.Entity).values(id=9, credit_code="52410105MA41235000", name="金水美丽医疗美容诊所",
                                                  specialty="medical", subtype="clinic", lon=113.68, lat=34.76, **CODES))
        conn.execute(insert(models.Device), [
            {"id": d, "entity_id": 9, "scene": scene, "lon": 113.68, "lat": 34.76, "interval_s": 86_400,
             "installed_on": dt.date(2025, 1, 1), "active": True, **CODES}
            for d, scene in (("CK-1", "duty_checkin"), ("HO-9", "hospital_ops"))])
        conn.execute(insert(models.Practitioner).values(id=5, licence_no=LICENCE, name="周医生", kind="doctor",
                                                        category="clinical", rx_ordinary=True))
        conn.execute(insert(models.PractitionerRegistration).values(practitioner_id=5, entity_id=9, main=True,
                                                                    valid_from=dt.date(2024, 1, 1)))
    yield engine
    engine.dispose()
    get_settings.cache_clear()


def test_status_assesses_the_medical_institutions_and_keeps_the_months(engine):
    result = runner.invoke(app, ["hospitals", "status", "--as-of", "2026-07-01", "--months", "3"])
    assert result.exit_code == 0, result.output
    assert "assessed 2 institutions on 3 day(s)" in result.output  # the hospital and the clinic, not the hotels
    with engine.connect() as conn:
        assert conn.execute(select(models.InstitutionStatus.id)).all().__len__() == 6
    assert runner.invoke(app, ["hospitals", "status", "--as-of", "July"]).exit_code == 1
    assert runner.invoke(app, ["hospitals", "status", "--months", "0"]).exit_code == 1
    outside = runner.invoke(app, ["hospitals", "status", "--region", "320600"])
    assert outside.exit_code == 1 and "outside the configured region" in outside.output


def test_indicators_are_listed_with_their_definitions_and_changed_by_version(engine):
    listed = runner.invoke(app, ["hospitals", "indicators"])
    assert listed.exit_code == 0 and "overdue_rectification" in listed.output and "status warning: a dimension below 60" in listed.output
    changed = runner.invoke(app, ["hospitals", "indicator", "status:warning", "--points", "50", "--reason", "省级口径"])
    assert changed.exit_code == 0, changed.output
    assert "status warning: a dimension below 50" in runner.invoke(app, ["hospitals", "indicators"]).output
    unknown = runner.invoke(app, ["hospitals", "indicator", "beds", "--points", "1", "--reason", "x"])
    assert unknown.exit_code == 1 and "beds" in unknown.output


def test_chief_physicians_import_checks_every_row_and_writes_all_or_nothing(engine, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("licence_no,credit_code,name,device_id\n"
                   f"{LICENCE},52410105MA41235000,周医生,CK-1\n"
                   f"{STRANGER},52410105MA41235000,钱医生,HO-9\n"
                   f"{LICENCE},91410102MA41234900,周医生,NOPE\n", encoding="utf-8")
    result = runner.invoke(app, ["duty", "chief-physicians", "import", str(bad)])
    assert result.exit_code == 1 and "nothing imported" in result.output
    assert f"row 3: licence_no '{STRANGER}': no practitioner holds this licence" in result.output
    assert "row 3: device_id 'HO-9': a hospital_ops device" in result.output
    assert "row 4: credit_code '91410102MA41234900'" in result.output and "row 4: device_id 'NOPE'" in result.output
    with engine.connect() as conn:
        assert conn.execute(select(models.ChiefPhysician.licence_no)).all() == []

    good = tmp_path / "good.csv"
    good.write_text(f"licence_no,credit_code,name,device_id\n{LICENCE},52410105MA41235000,周医生,CK-1\n", encoding="utf-8")
    result = runner.invoke(app, ["duty", "chief-physicians", "import", str(good)])
    assert result.exit_code == 0 and "imported 1 chief physicians" in result.output
    assert runner.invoke(app, ["duty", "chief-physicians", "import", str(good)]).exit_code == 0  # replaces, no duplicate
    with engine.connect() as conn:
        assert conn.execute(select(models.ChiefPhysician.licence_no, models.ChiefPhysician.entity_id)).all() == [(LICENCE, 9)]
    missing = tmp_path / "missing.csv"
    missing.write_text("licence_no,name\n1,x\n", encoding="utf-8")
    assert "missing column(s) credit_code, device_id" in runner.invoke(app, ["duty", "chief-physicians", "import", str(missing)]).output


def test_opening_days_import_validates_the_weekdays(engine, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("credit_code,weekdays\n52410105MA41235000,1111\n52410105MA41235000,0000000\n", encoding="utf-8")
    result = runner.invoke(app, ["duty", "opening-days", "import", str(bad)])
    assert result.exit_code == 1 and "row 2: weekdays '1111'" in result.output and "row 3: weekdays '0000000'" in result.output
    good = tmp_path / "good.csv"
    good.write_text("credit_code,weekdays\n52410105MA41235000,1111100\n", encoding="utf-8")
    assert runner.invoke(app, ["duty", "opening-days", "import", str(good)]).exit_code == 0
    good.write_text("credit_code,weekdays\n52410105MA41235000,0111111\n", encoding="utf-8")
    assert runner.invoke(app, ["duty", "opening-days", "import", str(good)]).exit_code == 0
    with engine.connect() as conn:
        assert conn.execute(select(models.ClinicOpening.entity_id, models.ClinicOpening.weekdays)).all() == [(9, "0111111")]
