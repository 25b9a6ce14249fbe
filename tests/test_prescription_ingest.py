"""Prescriptions through ingest on SQLite and PostgreSQL: planted violations found exactly, alerts with
evidence, per-row refusals, duplicates harmless; the `weijian prescriptions check` command."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from data import db, models
from data.demo import practitioners
from data.prescriptions import checks, ingest, rules
import prescription_fixtures as world

NOW = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)


def test_recall_and_precision_on_the_plant_are_one():
    """Every planted violation is found, with its rule, and nothing else (no database: the checks alone)."""
    rng = np.random.default_rng(11)
    staff, regs, deps = practitioners.practitioners(rng, world.medical_entities(300), world.UNTIL)
    batch, plant = practitioners.prescriptions(rng, staff, regs, deps, world.MONTH, 100_000)
    found = checks.evaluate(batch, checks.Reference(staff, regs, deps, rules.seed_rows().reset_index(names="id")))
    for rule in sorted(practitioners.PLANT_RATES):
        planted = set(plant.loc[plant["rule"] == rule, "row"])
        hit = set(found.loc[found["rule"] == rule, "row"])
        assert len(planted) >= 0.8 * practitioners.PLANT_RATES[rule] * len(batch), rule  # the rate was met
        recall, precision = len(planted & hit) / len(planted), len(planted & hit) / len(hit)
        assert (rule, recall, precision) == (rule, 1.0, 1.0)


@pytest.fixture(scope="module")
def stored(module_database_url):
    """A month of 6,000 prescriptions with the plant, stored and checked once."""
    engine = db.make_engine(module_database_url)
    db.upgrade(engine)
    with engine.begin() as conn:
        ents, staff, regs, deps = world.install(conn)
    batch, plant = practitioners.prescriptions(np.random.default_rng(5), staff, regs, deps, world.MONTH, 6_000)
    with engine.begin() as conn:
        result = ingest.store(conn, batch, NOW, "tester", "test")
    yield engine, batch, plant, result
    engine.dispose()


def test_stored_hits_are_the_plant(stored):
    engine, batch, plant, result = stored
    with engine.connect() as conn:
        rows = conn.execute(select(models.Prescription.rx_no, models.PrescriptionHit.rule).join(
            models.Prescription, models.Prescription.id == models.PrescriptionHit.prescription_id)).all()
    assert set(rows) == set(zip(batch["rx_no"].to_numpy()[plant["row"]], plant["rule"]))
    assert result.accepted == 6_000 and sum(result.hits.values()) == len(plant)


def test_one_alert_per_prescriber_institution_and_rule_with_evidence(stored):
    engine, batch, plant, result = stored
    facts = batch.iloc[plant["row"]].assign(rule=plant["rule"].to_numpy())
    cases = facts.groupby(["practitioner_id", "entity_id", "rule"]).size()
    with engine.connect() as conn:
        alerts = pd.DataFrame(conn.execute(select(models.Alert.__table__).where(
            models.Alert.practitioner_id.is_not(None))).mappings().all())
        events = conn.execute(select(func.count()).select_from(models.AlertEvent)).scalar()
    assert len(alerts) == len(cases) == result.alerts["raised"] == events
    counted = alerts.set_index(["practitioner_id", "entity_id", "rule"])["occurrences"].sort_index()
    assert counted.to_dict() == cases.sort_index().to_dict()
    evidence = json.loads(alerts.iloc[0]["evidence"])
    assert evidence["rx_no"] in set(batch["rx_no"]) and "条" in evidence["source"]
    assert set(alerts["county_adcode"]) <= set(world.COUNTIES) and (alerts["status"] == "open").all()


def test_a_retried_batch_changes_nothing_and_a_new_hit_counts_on_the_open_case(stored):
    engine, batch, plant, _ = stored
    with engine.begin() as conn:
        again = ingest.store(conn, batch, NOW, "tester", "test")
    assert (again.accepted, again.duplicates, again.alerts) == (0, len(batch), {"raised": 0, "updated": 0})
    row = batch.iloc[[plant.loc[plant["rule"] == "rx_over_days", "row"].iloc[0]]].assign(rx_no="RX-AGAIN-1")
    with engine.begin() as conn:
        more = ingest.store(conn, row, NOW, "tester", "test")
    assert more.alerts == {"raised": 0, "updated": 1} and more.hits == {"rx_over_days": 1}


def test_a_file_with_bad_rows_takes_the_good_ones_and_names_each_problem(stored, tmp_path):
    engine, batch, plant, _ = stored
    with engine.connect() as conn:
        codes = dict(conn.execute(select(models.Entity.id, models.Entity.credit_code)).all())
        licences = dict(conn.execute(select(models.Practitioner.id, models.Practitioner.licence_no)).all())
    good = batch.iloc[:3].assign(institution=lambda f: f["entity_id"].map(codes),
                                 prescriber=lambda f: f["practitioner_id"].map(licences),
                                 rx_no=["F-1", "F-2", "F-3"], issued_on=lambda f: pd.to_datetime(f["issued_on"]).dt.date)
    frame = good[list(ingest.FIELDS)].astype(object)
    frame.loc[1, "days"] = "七天"
    frame.loc[2, "prescriber"] = "NOBODY"
    path = tmp_path / "rx.csv"
    frame.to_csv(path, index=False)
    result = ingest.check_file(engine, path, "tester", NOW)
    assert result.accepted == 1
    assert [(r.row, r.field) for r in result.rejected] == [(3, "days"), (4, "prescriber")]
    assert "positive number" in result.rejected[0].reason and result.rejected[1].value == "NOBODY"


def test_cli_check_prints_counts_and_refusals(tmp_path, monkeypatch, var_dir):
    from dashboard.cli import app
    from dashboard.settings import get_settings

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        ents, staff, *_ = world.install(conn)
    doctor = staff[staff["rx_ordinary"]].iloc[0]
    path = tmp_path / "rx.csv"
    pd.DataFrame([{"institution": ents["credit_code"].iloc[0], "rx_no": "C-1", "prescriber": doctor["licence_no"],
                   "issued_on": "2026-06-03", "setting": "outpatient", "department": "internal", "drug": "阿莫西林胶囊",
                   "drug_class": "ordinary", "dosage_form": "other", "days": "8"},
                  {"institution": "X", "rx_no": "C-2", "prescriber": doctor["licence_no"], "issued_on": "2026-06-03",
                   "setting": "ward", "department": "internal", "drug": "d", "drug_class": "ordinary",
                   "dosage_form": "other", "days": "1"}]).to_csv(path, index=False)
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, ["prescriptions", "check", str(path), "--as", "tester"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "accepted 1, duplicates 0, refused 1" in out.output and "rx_over_days: 1" in out.output
    assert "row 3: setting 'ward'" in out.output
    engine.dispose()


@pytest.fixture
def api_app(tmp_path, var_dir):
    """The real app over a small medical world (two counties of Zhengzhou) with one officer of 410105."""
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from data import accounts
    from data.demo.build import DEMO_PASSWORD

    url = f"sqlite:///{tmp_path / 'api.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(models.Region.__table__.insert(), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            *({"adcode": c, "name": c, "level": "county", "parent_adcode": "410100"} for c in world.COUNTIES)])
        ents, staff, regs, _ = world.install(conn)
        accounts.create_user(conn, username="officer", name="王五", role="county_officer", region=world.COUNTIES[0],
                             password=DEMO_PASSWORD, actor="test", now=NOW)
    engine.dispose()
    clinical = staff.loc[staff["category"] == "clinical", "id"]
    placed = regs[regs["practitioner_id"].isin(clinical) & regs["main"]].merge(ents, left_on="entity_id", right_on="id")
    placed = placed[placed["subtype"] == "hospital"].merge(staff[["id", "licence_no"]], left_on="practitioner_id",
                                                           right_on="id", suffixes=("", "_staff"))
    yield create_app(Settings(database_url=url, var_dir=var_dir, region="410000")), placed


def test_api_takes_a_batch_from_a_logged_in_officer_and_refuses_institutions_elsewhere(api_app):
    from logins import client_as, same_site

    app, placed = api_app
    own = placed[placed["county_adcode"] == world.COUNTIES[0]].iloc[0]
    elsewhere = placed[placed["county_adcode"] != world.COUNTIES[0]].iloc[0]
    store = app.server.extensions["weijian"].store

    def item(where, rx_no, days):
        return {"institution": where["credit_code"], "rx_no": rx_no, "prescriber": where["licence_no"],
                "issued_on": "2026-06-20", "setting": "outpatient", "department": "internal", "drug": "阿莫西林胶囊",
                "drug_class": "ordinary", "dosage_form": "other", "days": days}

    officer = client_as(app, "officer")
    headers = same_site(officer)
    answer = officer.post("/api/v1/prescriptions", headers=headers,
                          json=[item(own, "API-1", "8"), item(elsewhere, "API-2", "3"), item(own, "API-3", "-1")])
    body = answer.get_json()
    assert answer.status_code == 200, body
    assert (body["accepted"], body["rejected"], body["hits"]) == (1, 2, {"rx_over_days": 1})
    assert [(r["row"], r["field"]) for r in body["rejections"]] == [(1, "institution"), (2, "days")]
    assert "in your region" in body["rejections"][0]["reason"]
    with store.engine.connect() as conn:
        stored = set(conn.execute(select(models.Prescription.rx_no).where(models.Prescription.rx_no.like("API-%"))).scalars())
    assert stored == {"API-1"}
    assert app.server.test_client().post("/api/v1/prescriptions", headers=headers, json=[]).status_code == 401
    assert officer.post("/api/v1/prescriptions", headers=headers, data=b"{").status_code == 422
