"""Personal data encrypted at rest: the keyring, every write path (ORM, Core, bulk, import, demo build) leaving only
ciphertexts in the raw rows on SQLite and PostgreSQL, reads round-tripping, wrong keys refused clearly, rotation,
the blind-index lookup, migration 0019 both ways, the query cache holding no plaintext, and audited exports."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import shutil

import pandas as pd
import pytest
from conftest import DEMO_REGION, TEST_DATA_KEY
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dashboard.settings import Settings
from data import accounts, bulk, crypto, db, personal
from data.cache import QueryCache
from data.imports import commands, profile
from data.models import Entity, Practitioner, PractitionerRegistration, Region
from data.queries import entity_file, practitioner_file
from data.queries.filters import Scope
from data.store import Store

PHONE, ID_NUMBER, PERSON = "13912345678", "41010519800101123X", "张三丰"
PLAINTEXT = re.compile(r"1[3-9]\d{9}|\d{17}[\dX]|张三丰")


@contextlib.contextmanager
def keys(*ring: crypto.DataKey):
    """Install a keyring for the block, and the run's test key again afterwards."""
    crypto.install(crypto.Keyring(list(ring)))
    try:
        yield
    finally:
        crypto.install(crypto.Keyring([TEST_DATA_KEY]))


def _raw(engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def _no_plaintext(rows: list[tuple]) -> None:
    cells = [c for row in rows for c in row if c is not None]
    assert cells and all(c.startswith("wj1:") for c in cells), cells[:3]
    assert not any(PLAINTEXT.search(c) for c in cells)


# --- the keyring ---------------------------------------------------------------------------------------------

def test_round_trip_binding_and_clear_errors():
    ring, other = crypto.Keyring([crypto.new_key("a")]), crypto.Keyring([crypto.new_key("a")])
    sealed = ring.encrypt(ID_NUMBER, "practitioner.id_number")
    assert sealed.startswith("wj1:a:") and ID_NUMBER not in sealed
    assert ring.encrypt(ID_NUMBER, "practitioner.id_number") != sealed  # a random nonce each time
    assert ring.decrypt(sealed, "practitioner.id_number") == ID_NUMBER
    assert ring.encrypt(None, "practitioner.id_number") is None and ring.decrypt(None, "x.y") is None
    with pytest.raises(crypto.DataKeyError, match="practitioner.id_number: data key 'a' does not open a stored value"):
        other.decrypt(sealed, "practitioner.id_number")  # same id, another secret: the wrong key
    with pytest.raises(crypto.DataKeyError, match="does not open"):
        ring.decrypt(sealed, "practitioner.phone")  # moved to another column
    with pytest.raises(crypto.DataKeyError, match=r"encrypted with data key 'a', which is not configured \(configured: b\)"):
        crypto.Keyring([crypto.new_key("b")]).decrypt(sealed, "practitioner.id_number")
    with pytest.raises(crypto.DataKeyError, match="not encrypted"):
        ring.decrypt(PHONE, "entity.contact_phone")


def test_keys_from_text_and_settings(tmp_path):
    one, two = crypto.new_key("k2"), crypto.new_key("k1")
    parsed = crypto.parse_keys(f"# new first\n{one.text()}\n{two.text()}  # old\n", "file")
    assert [k.id for k in parsed] == ["k2", "k1"] and parsed[0].secret == one.secret
    for bad, reason in (("k1", "is not 'id:base64key'"), ("k1:abc", "2 bytes, expected 32"), ("k 1:", "is not"),
                        (f"{one.text()},{one.text()}", "appears twice"), ("bad id!:AAAA", "is not 'id:base64key'")):
        with pytest.raises(crypto.DataKeyError, match=re.escape(reason)):
            crypto.parse_keys(bad, "WEIJIAN_DATA_KEY")
    assert Settings(var_dir=tmp_path, data_key=one.text()).data_keyring().current.id == "k2"
    (tmp_path / "keys").write_text(f"{two.text()}\n{one.text()}\n")
    from_file = Settings(var_dir=tmp_path, data_key="", data_key_file=tmp_path / "keys").data_keyring()
    assert from_file.key_ids == ("k1", "k2")
    with pytest.raises(crypto.DataKeyError, match="WEIJIAN_DATA_KEY_FILE .*missing"):
        Settings(var_dir=tmp_path, data_key="", data_key_file=tmp_path / "missing").data_keyring()


def test_production_refuses_to_start_without_a_data_key(tmp_path):
    with pytest.raises(crypto.DataKeyError, match="no data key: set WEIJIAN_DATA_KEY"):
        Settings(environment="production", var_dir=tmp_path, data_key="").data_keyring()
    dev = Settings(var_dir=tmp_path, data_key="").data_keyring()  # development: made once under var/, kept
    assert dev.current.id == "dev1" and Settings(var_dir=tmp_path, data_key="").data_keyring().key_ids == ("dev1",)
    assert (tmp_path / "data_key").stat().st_mode & 0o077 == 0


# --- write and read paths, on both databases ---------------------------------------------------------------

@pytest.fixture
def upgraded(engine):
    with engine.begin() as conn:
        conn.execute(insert(Region), [{"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
                                      {"adcode": "410105", "name": "金水区", "level": "county",
                                       "parent_adcode": "410000"}])
    return engine


def _entity(n: int, **extra) -> dict:
    return {"id": n, "credit_code": f"CODE{n:014d}", "name": f"单位{n}", "specialty": "medical", "subtype": "clinic",
            "province_adcode": "410000", "county_adcode": "410105", **extra}


def _practitioner(n: int, id_number: str | None = ID_NUMBER) -> dict:
    return {"id": n, "licence_no": f"L{n:014d}", "name": f"医生{n}", "kind": "doctor", "rx_ordinary": True,
            "rx_narcotic": False, "id_number": id_number,
            "phone": PHONE}


def test_orm_and_bulk_writes_leave_only_ciphertext_and_read_back(upgraded):
    with Session(upgraded) as session, session.begin():
        session.add(Entity(**_entity(1, legal_representative=PERSON, contact_phone=PHONE)))
        session.add(Practitioner(**_practitioner(1)))
    with upgraded.begin() as conn:
        bulk.insert_frame(conn, Entity.__table__, pd.DataFrame([_entity(2, legal_representative=PERSON,
                                                                        contact_phone=PHONE), _entity(3)]))
        bulk.insert_frame(conn, Practitioner.__table__, pd.DataFrame([_practitioner(2), _practitioner(3, None)]))
        conn.execute(insert(PractitionerRegistration), [
            {"practitioner_id": p, "entity_id": p, "valid_from": dt.date(2020, 1, 1)} for p in (1, 2, 3)])
    _no_plaintext(_raw(upgraded, "SELECT legal_representative, contact_phone FROM entity WHERE id IN (1, 2)"))
    _no_plaintext(_raw(upgraded, "SELECT id_number, phone FROM practitioner WHERE id IN (1, 2)"))
    assert _raw(upgraded, "SELECT legal_representative, contact_phone FROM entity WHERE id = 3") == [(None, None)]
    indexes = _raw(upgraded, "SELECT id_number_index FROM practitioner ORDER BY id")
    assert indexes[0] == indexes[1] and indexes[2] == (None,) and re.fullmatch(r"[0-9a-f]{64}", indexes[0][0])

    with Session(upgraded) as session:  # the ORM reads plaintext
        assert session.get(Practitioner, 2).id_number == ID_NUMBER
        assert (session.get(Entity, 2).legal_representative, session.get(Entity, 2).contact_phone) == (PERSON, PHONE)
    store = Store(upgraded, QueryCache())
    scope = Scope.of("410105")
    assert practitioner_file.profile(store, 1, scope)["id_number"] == ID_NUMBER
    assert entity_file.profile(store, 2, scope)["contact_phone"] == PHONE
    cached = [value for value, _at in store.cache.backend._cache.values()]  # SimpleCache: (value, computed_at) pickles
    assert cached and not any(PHONE in str(value) or ID_NUMBER in str(value) for value in cached)

    # The lookup by ID number matches the blind index (spacing and case of the check letter do not matter).
    assert practitioner_file.find_by_id_number(store, ID_NUMBER.lower()[:6] + " " + ID_NUMBER[6:], scope) == [1, 2]
    assert practitioner_file.find_by_id_number(store, ID_NUMBER, Scope.of("320600")) == []  # out of scope: nothing

    with keys(crypto.new_key("test1")):  # the same id with another secret: the wrong key for this database
        with pytest.raises(crypto.DataKeyError, match="data key 'test1' does not open"):
            practitioner_file.profile(Store(upgraded, QueryCache()), 1, scope)


def test_rotation_in_batches_keeps_everything_readable_and_findable(upgraded):
    with upgraded.begin() as conn:
        bulk.insert_frame(conn, Entity.__table__, pd.DataFrame(
            [_entity(n, legal_representative=PERSON, contact_phone=PHONE) for n in range(1, 6)]))
        bulk.insert_frame(conn, Practitioner.__table__, pd.DataFrame([_practitioner(n) for n in range(1, 6)]))
        conn.execute(insert(PractitionerRegistration), [
            {"practitioner_id": n, "entity_id": n, "valid_from": dt.date(2020, 1, 1)} for n in range(1, 6)])
    new = crypto.new_key("new")
    store, scope = Store(upgraded, QueryCache()), Scope.of("410105")
    with keys(new, TEST_DATA_KEY):
        assert practitioner_file.find_by_id_number(store, ID_NUMBER, scope) == [1, 2, 3, 4, 5]  # before rotating
        messages = []
        assert personal.rotate(upgraded, batch_size=2, progress=messages.append) == {"entity": 5, "practitioner": 5}
        assert len(messages) == 6  # three batches of at most two rows per table
        assert personal.rotate(upgraded, batch_size=2) == {"entity": 0, "practitioner": 0}  # nothing left to do
    stored = _raw(upgraded, "SELECT legal_representative, contact_phone FROM entity") + \
        _raw(upgraded, "SELECT id_number, phone FROM practitioner")
    assert all(c.startswith("wj1:new:") for row in stored for c in row)
    with keys(new):  # the old key can go
        assert practitioner_file.profile(store, 3, scope)["phone"] == PHONE
        assert practitioner_file.find_by_id_number(store, ID_NUMBER, scope) == [1, 2, 3, 4, 5]


def test_migration_0019_encrypts_stored_rows_and_downgrades(database_url):
    engine = db.make_engine(database_url)
    db.upgrade(engine, "0018")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO region (adcode, name, level, source) VALUES ('410105', '金水区', 'county', 'test')"))
        conn.execute(text("INSERT INTO entity (id, credit_code, name, specialty, subtype, legal_representative, "
                          "contact_phone) VALUES (1, 'C1', '单位', 'medical', 'clinic', :p, :t)"), {"p": PERSON, "t": PHONE})
        conn.execute(text("INSERT INTO practitioner (id, licence_no, name, kind, rx_ordinary, rx_narcotic, id_number, "
                          "phone) VALUES (1, 'L1', '医生', 'doctor', false, false, :i, :t)"), {"i": ID_NUMBER, "t": PHONE})
    db.upgrade(engine, "0019")
    _no_plaintext(_raw(engine, "SELECT legal_representative, contact_phone FROM entity"))
    _no_plaintext(_raw(engine, "SELECT id_number, phone FROM practitioner"))
    assert _raw(engine, "SELECT id_number_index FROM practitioner")[0][0] == crypto.keyring().blind_index(
        ID_NUMBER, "practitioner.id_number")
    db.downgrade(engine, "0018")
    assert _raw(engine, "SELECT legal_representative, contact_phone FROM entity") == [(PERSON, PHONE)]
    assert _raw(engine, "SELECT id_number, phone FROM practitioner") == [(ID_NUMBER, PHONE)]
    engine.dispose()


def test_entity_import_encrypts_and_compares_plaintext(upgraded, tmp_path, cache_dir):
    (tmp_path / "p.yaml").write_text("""
crs: wgs84
entities:
  key: {column: 信用代码}
  columns: {name: 名称, lon: 经度, lat: 纬度, legal_representative: 法定代表人, contact_phone: 电话}
  defaults: {specialty: public_place, subtype: hotel}
""", encoding="utf-8")
    (tmp_path / "e.csv").write_text(f"信用代码,名称,经度,纬度,法定代表人,电话\n91410105MA4123450F,金水华泰宾馆,113.68,34.76,"
                                    f"{PERSON},{PHONE}\n", encoding="utf-8")

    def run():
        return commands.command("entities", upgraded, tmp_path / "e.csv", profile.load(tmp_path / "p.yaml"),
                                region="410100", cache_dir=cache_dir).run()

    assert run().inserted == 1
    _no_plaintext(_raw(upgraded, "SELECT legal_representative, contact_phone FROM entity"))
    assert run().unchanged == 1  # compared decrypted: the same person is not an update
    with Session(upgraded) as session:
        assert session.scalars(select(Entity.contact_phone)).one() == PHONE


# --- the demo build (the session's SQLite demo; test_entity.py checks the PostgreSQL one) -------------------

def test_demo_build_stores_no_plaintext(demo_db):
    engine = db.make_engine(demo_db)
    entities = _raw(engine, "SELECT legal_representative, contact_phone FROM entity")
    doctors = _raw(engine, "SELECT id_number, phone FROM practitioner")
    for rows in (entities, doctors):
        assert all(c.startswith("wj1:test1:") for row in rows for c in row if c is not None)
        assert not any(PLAINTEXT.search(c) for row in rows for c in row if c is not None)
    assert len(entities) > 1000 and len(doctors) > 100
    assert _raw(engine, "SELECT COUNT(*) FROM practitioner WHERE id_number_index IS NULL AND id_number IS NOT NULL") == [(0,)]


# --- exports of personal data are audited ------------------------------------------------------------------

def test_contacts_export_masks_by_role_and_audits_the_columns(demo_db, var_dir, tmp_path, monkeypatch):
    from dashboard.cli import app
    from dashboard.settings import get_settings

    copy = tmp_path / "demo.db"  # a copy: the account and audit entries made here stay out of the shared demo
    shutil.copyfile(demo_db.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    engine = db.make_engine(url)
    with engine.begin() as conn:
        county = conn.execute(text("SELECT county_adcode FROM entity GROUP BY county_adcode ORDER BY COUNT(*) DESC"
                                   " LIMIT 1")).scalar()
        accounts.create_user(conn, username="crypto_display", name="大屏", role="display", region=county,
                             password="Display@2026x", actor="test", now=dt.datetime.now(dt.UTC))
    for name, value in (("VAR_DIR", str(var_dir)), ("DATABASE_URL", url), ("REGION", DEMO_REGION)):
        monkeypatch.setenv(f"WEIJIAN_{name}", value)
    get_settings.cache_clear()
    runner, files = CliRunner(), {}
    for actor in ("demo_manager", "crypto_display"):
        files[actor] = tmp_path / f"{actor}.csv"
        result = runner.invoke(app, ["export", "table", "--format", "csv", "--region", county, "--as", actor,
                                     "--with-contacts", "-o", str(files[actor])])
        assert result.exit_code == 0, result.output
    get_settings.cache_clear()
    full = pd.read_csv(files["demo_manager"], dtype=str, encoding="utf-8-sig")
    masked = pd.read_csv(files["crypto_display"], dtype=str, encoding="utf-8-sig")
    assert full["联系电话"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert masked["联系电话"].str.fullmatch(r"\d{3}\*{4}\d{4}").all() and masked["法定代表人"].str.contains(r"\*").all()
    with engine.connect() as conn:
        entries = conn.execute(text("SELECT actor, detail FROM audit_log WHERE action = 'export' ORDER BY id DESC"
                                    " LIMIT 2")).all()
    details = {actor: json.loads(detail) for actor, detail in entries}
    assert details["demo_manager"]["personal_columns"] == ["legal_representative", "contact_phone"]
    assert details["demo_manager"]["unmasked_columns"] == ["legal_representative", "contact_phone"]
    assert details["crypto_display"]["unmasked_columns"] == []


# --- the command line --------------------------------------------------------------------------------------

def test_cli_new_key_rotate_and_production_refusal(tmp_path, var_dir, monkeypatch):
    from dashboard.cli import app
    from dashboard.settings import get_settings

    runner, url = CliRunner(), f"sqlite:///{tmp_path / 'cli.db'}"
    for name, value in (("VAR_DIR", str(var_dir)), ("DATABASE_URL", url), ("REGION", DEMO_REGION)):
        monkeypatch.setenv(f"WEIJIAN_{name}", value)
    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        bulk.insert_frame(conn, Entity.__table__, pd.DataFrame([_entity(n, contact_phone=PHONE) for n in (1, 2, 3)]))
    made = runner.invoke(app, ["crypto", "new-key", "2027a"])
    assert made.exit_code == 0 and made.output.startswith("2027a:")
    with keys(TEST_DATA_KEY):  # the commands install their own keyring; the test key comes back afterwards
        monkeypatch.setenv("WEIJIAN_DATA_KEY", f"{made.output.strip()},{TEST_DATA_KEY.text()}")
        get_settings.cache_clear()
        rotated = runner.invoke(app, ["crypto", "rotate", "--batch-size", "2"])
        assert rotated.exit_code == 0, rotated.output
        assert "re-encrypted under key 2027a: entity 3, practitioner 0" in rotated.output
        assert all(v.startswith("wj1:2027a:") for (v,) in _raw(engine, "SELECT contact_phone FROM entity"))
        monkeypatch.setenv("WEIJIAN_DATA_KEY", TEST_DATA_KEY.text())  # the new key dropped too early
        get_settings.cache_clear()
        refused = runner.invoke(app, ["crypto", "rotate"])
        assert refused.exit_code == 1 and "encrypted with data key '2027a', which is not configured" in refused.output
        monkeypatch.setenv("WEIJIAN_DATA_KEY", "")
        monkeypatch.setenv("WEIJIAN_ENVIRONMENT", "production")
        monkeypatch.setenv("WEIJIAN_SECRET_KEY", "x" * 40)
        get_settings.cache_clear()
        stopped = runner.invoke(app, ["db", "current"])
        assert stopped.exit_code == 1 and "no data key: set WEIJIAN_DATA_KEY" in stopped.output
    get_settings.cache_clear()
    engine.dispose()
