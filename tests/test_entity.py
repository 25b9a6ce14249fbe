"""Entity file (一户一档), grade history, public page and its QR code: queries on both databases, the page and
its callback under the session's scope, the anonymous public page, and the code decoded back to its URL."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re

import cv2
import numpy as np
import pandas as pd
import pytest
from logins import client_as, same_site
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from dashboard import qr
from data import crypto, db, public_tokens
from data.cache import QueryCache
from data.demo.build import build
from data.demo.generate import GRADE_SCORES
from data.models import PublicToken
from data.queries import entity_file, public
from data.queries.filters import OutOfScope, Scope
from data.store import Store
from components import text as component_text
from personal_data import decrypted

UNTIL = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- queries, SQLite and PostgreSQL


@pytest.fixture(scope="module")
def zhengzhou(module_database_url, cache_dir) -> Store:
    """A county-scale demo of Zhengzhou, built once per database for this module."""
    engine = db.make_engine(module_database_url)
    build(engine, "410100", "county", seed=5, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    yield Store(engine, QueryCache("simple://"))
    engine.dispose()


def _read(store: Store, sql: str, **params) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _busiest(store: Store) -> pd.Series:
    """The entity with the most inspections among those with a device, a penalty and a complaint."""
    return _read(store, """
        SELECT e.id, e.county_adcode, COUNT(*) AS n FROM entity e JOIN inspection i ON i.entity_id = e.id
        WHERE e.id IN (SELECT entity_id FROM device) AND e.id IN (SELECT entity_id FROM penalty)
          AND e.id IN (SELECT entity_id FROM complaint)
        GROUP BY e.id, e.county_adcode ORDER BY n DESC, e.id LIMIT 1""").iloc[0]


def test_profile_is_refused_alike_for_unknown_and_out_of_scope(zhengzhou):
    busiest = _busiest(zhengzhou)
    entity_id, county = int(busiest["id"]), busiest["county_adcode"]
    own = entity_file.profile(zhengzhou, entity_id, Scope.of(county))
    raw = _read(zhengzhou, "SELECT name, credit_code, legal_representative FROM entity WHERE id = :i", i=entity_id).iloc[0]
    stored = crypto.keyring().decrypt(raw["legal_representative"], "entity.legal_representative")  # stored encrypted
    assert (own["name"], own["credit_code"], own["legal_representative"]) == (raw["name"], raw["credit_code"], stored)
    assert entity_file.profile(zhengzhou, str(entity_id), Scope.of("410100"))["id"] == entity_id  # the city sees it too
    other = "410102" if county != "410102" else "410103"
    messages = []
    for wanted, scope in ((entity_id, Scope.of(other)), (entity_id, Scope.of("320600")), (999_999, Scope.of("410100")),
                          ("1 OR 1=1", Scope.of("410100")), ("-1", Scope.of("410100"))):
        with pytest.raises(OutOfScope) as refused:
            entity_file.profile(zhengzhou, wanted, scope)
        messages.append(str(refused.value))
    assert len(set(messages)) == 1 and raw["name"] not in messages[0]
    for query in (entity_file.grades, entity_file.timeline, entity_file.devices):
        with pytest.raises(OutOfScope):
            query(zhengzhou, entity_id, Scope.of(other))


def test_timeline_holds_every_record_of_the_entity(zhengzhou):
    entity_id = int(_busiest(zhengzhou)["id"])
    frame = entity_file.timeline(zhengzhou, entity_id, Scope.of("410100"))
    counts = frame["event"].value_counts()
    for event, table in (("inspection", "inspection"), ("penalty", "penalty"), ("complaint", "complaint"), ("alert", "alert")):
        expected = _read(zhengzhou, f"SELECT COUNT(*) AS n FROM {table} WHERE entity_id = :i", i=entity_id)["n"].iloc[0]
        assert counts.get(event, 0) == expected, event
    assert frame["at"].is_monotonic_decreasing and str(frame["at"].dt.tz) == "UTC"
    fines = _read(zhengzhou, "SELECT SUM(amount) AS s FROM penalty WHERE entity_id = :i", i=entity_id)["s"].iloc[0]
    assert frame.loc[frame["event"] == "penalty", "amount"].sum() == pytest.approx(float(fines or 0))
    # A whole-day record sits at midnight China time.
    first = frame[frame["event"] == "inspection"].iloc[-1]
    assert first["whole_day"] and first["at"].tz_convert("Asia/Shanghai").hour == 0
    devices = entity_file.devices(zhengzhou, entity_id, Scope.of("410100"))
    assert len(devices) == _read(zhengzhou, "SELECT COUNT(*) AS n FROM device WHERE entity_id = :i", i=entity_id)["n"].iloc[0]


def test_answers_follow_the_data_version(zhengzhou):
    entity_id = int(_busiest(zhengzhou)["id"])
    scope = Scope.of("410100")
    before = len(entity_file.timeline(zhengzhou, entity_id, scope))
    with zhengzhou.engine.begin() as conn:
        conn.execute(text("INSERT INTO inspection (entity_id, specialty, inspected_on, kind, result, province_adcode, "
                          "city_adcode, county_adcode) SELECT id, specialty, :d, 'campaign', 'non_compliant', province_adcode, "
                          "city_adcode, county_adcode FROM entity WHERE id = :i"), {"d": dt.date(2026, 6, 30), "i": entity_id})
        assert len(entity_file.timeline(zhengzhou, entity_id, scope)) == before  # cached until the version moves
        db.bump_data_version(conn)
    after = entity_file.timeline(zhengzhou, entity_id, scope)
    assert len(after) == before + 1 and after.iloc[0]["kind"] == "campaign"


def test_grade_history_agrees_with_the_entity_grade(zhengzhou):
    history = _read(zhengzhou, "SELECT entity_id, graded_on, grade, score FROM entity_grade ORDER BY entity_id, graded_on, id")
    entities = _read(zhengzhou, "SELECT id, grade FROM entity")
    latest = history.groupby("entity_id").tail(1).set_index("entity_id")["grade"]
    graded = entities.dropna(subset=["grade"]).set_index("id")["grade"]
    assert len(graded) > 100 and latest.sort_index().equals(graded.sort_index())  # every graded one, none else
    history["graded_on"] = pd.to_datetime(history["graded_on"]).dt.date
    assert history["graded_on"].max() <= UNTIL
    for grade, (low, high) in GRADE_SCORES.items():
        assert history.loc[history["grade"] == grade, "score"].between(low, high).all(), grade
    assert history.groupby("entity_id").size().max() > 1  # a history, not only the current grade
    one = int(history["entity_id"].value_counts().index[0])
    frame = entity_file.grades(zhengzhou, one, Scope.of("410100"))
    assert list(frame["grade"]) == list(history.loc[history["entity_id"] == one, "grade"])


def test_people_are_made_up_but_look_real(zhengzhou):
    stored = _read(zhengzhou, "SELECT legal_representative, contact_phone FROM entity")
    assert stored["contact_phone"].str.startswith("wj1:").all()  # at rest: only ciphertexts
    people = decrypted(stored, "entity")
    assert people["legal_representative"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()
    assert people["contact_phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_public_tokens_one_active_revocable_and_not_the_id(zhengzhou):
    entity_id = int(_busiest(zhengzhou)["id"])
    with zhengzhou.engine.begin() as conn:
        token = public_tokens.ensure(conn, entity_id, NOW)
        assert public_tokens.ensure(conn, entity_id, NOW) == token
    assert len(token) >= 22 and str(entity_id) != token and public_tokens.TOKEN_PATTERN.fullmatch(token)
    card = public.card(zhengzhou, token)
    name = _read(zhengzhou, "SELECT name FROM entity WHERE id = :i", i=entity_id)["name"].iloc[0]
    assert card.name == name and card.last_inspected_on is not None
    assert not {"legal_representative", "contact_phone", "credit_code"} & set(vars(card))
    with pytest.raises(IntegrityError), zhengzhou.engine.begin() as conn:  # a second active token is refused
        conn.execute(PublicToken.__table__.insert().values(entity_id=entity_id, token="x" * 24, created_at=NOW))
    with zhengzhou.engine.begin() as conn:
        fresh = public_tokens.renew(conn, entity_id, NOW)
    assert fresh != token and public.card(zhengzhou, token) is None and public.card(zhengzhou, fresh).name == name
    for bad in (str(entity_id), "", "../entity/1", "a" * 200):
        assert public.card(zhengzhou, bad) is None
    with zhengzhou.engine.begin() as conn:
        assert public_tokens.revoke(conn, entity_id, NOW) == 1
    assert public.card(zhengzhou, fresh) is None


def test_licence_state():
    today = dt.date(2026, 6, 30)
    assert entity_file.licence_state(dt.date(2026, 6, 29), today) == "expired"
    assert entity_file.licence_state(dt.date(2026, 9, 28), today) == "expiring"
    assert entity_file.licence_state(dt.date(2026, 9, 29), today) == "valid"
    assert entity_file.licence_state(None, today) == "none"


# ---------------------------------------------------------------- QR code


def _svg_matrix(svg: str) -> np.ndarray:
    """The modules of qrcode's SVG path (one 'Mx,yH…V…H…z' square per dark module), read back as a matrix."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    matrix = np.zeros((size, size), dtype=bool)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        matrix[int(y), int(x)] = True
    return matrix


def _decode(image: np.ndarray) -> str:
    """OpenCV's Aruco-based detector: the classic QRCodeDetector misses a few per cent of clean codes."""
    found, *_ = cv2.QRCodeDetectorAruco().detectAndDecode(image)
    return found


def _matrix_image(matrix: np.ndarray, scale: int = 8) -> np.ndarray:
    return np.kron(np.where(matrix, 0, 255).astype(np.uint8), np.ones((scale, scale), dtype=np.uint8))


def test_the_svg_code_decodes_to_the_public_url():
    url = qr.public_url("https://weijian.example.gov.cn/", "fK1oH6aGASo-28T1X3ZHV82X")
    assert url == "https://weijian.example.gov.cn/public/fK1oH6aGASo-28T1X3ZHV82X"
    svg = qr.svg(url)
    assert svg.startswith("<svg") and "<script" not in svg
    assert _decode(_matrix_image(_svg_matrix(svg))) == url
    assert _decode(_matrix_image(_svg_matrix(qr.svg(url + "x")))) != url  # the check can fail
    uri = qr.data_uri(url)
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


# ---------------------------------------------------------------- the page, the callback, the public page


def _text(component) -> str:
    """The text of a layout with its links and images (href, src, alt, data): what a reader can reach."""
    return component_text(component, ("href", "src", "alt", "data"))


def _store(demo_app) -> Store:
    return demo_app.server.extensions["weijian"].store


def _account(demo_app, username: str):
    from data import accounts

    with _store(demo_app).engine.connect() as conn:
        return accounts.by_username(conn, username)


def _entities(demo_app) -> tuple[pd.Series, pd.Series]:
    """(an entity of the demo officer's county with records, one of another county)."""
    home = _account(demo_app, "demo_officer").region_adcode
    frame = _read(_store(demo_app), """
        SELECT e.id, e.name, e.county_adcode, e.legal_representative, e.contact_phone, COUNT(i.id) AS n
        FROM entity e JOIN inspection i ON i.entity_id = e.id GROUP BY e.id, e.name, e.county_adcode,
        e.legal_representative, e.contact_phone ORDER BY n DESC, e.id""")
    frame = decrypted(frame, "entity")
    return frame[frame["county_adcode"] == home].iloc[0], frame[frame["county_adcode"] != home].iloc[0]


def test_the_entity_file_shows_everything_and_masks_on_request(demo_app, as_user):
    from dashboard.pages import entity as page

    own, _ = _entities(demo_app)
    with as_user("demo_manager"):
        shown = _text(page.layout(entity_id=str(own["id"])))
        masked = _text(page.layout(entity_id=str(own["id"]), mask="1"))
    for label in ("统一社会信用代码", "卫生许可证号", "量化分级记录", "监管时间轴", "监督检查", "公示二维码", "作废并换新码"):
        assert label in shown, label
    assert own["name"] in shown and own["legal_representative"] in shown and own["contact_phone"] in shown
    assert "河南省" in shown and "/?region=" + own["county_adcode"] in shown  # the region chain links to the map
    assert "http://weijian.test/public/" in shown and "data:image/svg+xml;base64," in shown
    assert own["contact_phone"] not in masked and own["legal_representative"] not in masked
    assert own["contact_phone"][:3] + "****" + own["contact_phone"][-4:] in masked


def test_an_officer_is_refused_another_countys_entity_by_page_and_callback(demo_app, as_user):
    from callbacks import entity as callbacks
    from dashboard.pages import entity as page

    own, elsewhere = _entities(demo_app)
    with as_user("demo_officer"):
        refused = _text(page.layout(entity_id=str(elsewhere["id"])))
        assert "无此监管对象或无权查看" in refused and elsewhere["name"] not in refused
        assert "无此监管对象或无权查看" in _text(page.layout(entity_id="987654"))
        ok = _text(page.layout(entity_id=str(own["id"])))
        assert own["name"] in ok and "作废并换新码" not in ok  # officers see the code, managers replace it
        with _store(demo_app).engine.connect() as conn:
            before = public_tokens.active(conn, int(elsewhere["id"]))
        answer = _text(callbacks.renew(1, {"entity_id": int(elsewhere["id"]), "lang": "zh"}))
        assert "无此监管对象或无权查看" in answer and elsewhere["name"] not in answer
        assert "只有管理人员" in _text(callbacks.renew(1, {"entity_id": int(own["id"]), "lang": "zh"}))
        with _store(demo_app).engine.connect() as conn:
            assert public_tokens.active(conn, int(elsewhere["id"])) == before


def _renew_request(demo_app, entity_id) -> dict:
    key = next(k for k in demo_app.callback_map if k.startswith("entity-qr."))
    return {"output": key, "outputs": {"id": "entity-qr", "property": "children"},
            "inputs": [{"id": "entity-renew", "property": "n_clicks", "value": 1}],
            "state": [{"id": "entity-state", "property": "data", "value": {"entity_id": entity_id, "lang": "zh"}}],
            "changedPropIds": ["entity-renew.n_clicks"]}


def test_a_crafted_renew_callback_over_http_changes_nothing_elsewhere(demo_app):
    own, elsewhere = _entities(demo_app)
    officer = client_as(demo_app, "demo_officer")
    headers = same_site(officer)
    with _store(demo_app).engine.connect() as conn:
        before = public_tokens.active(conn, int(elsewhere["id"]))
    answer = officer.post("/_dash-update-component", json=_renew_request(demo_app, int(elsewhere["id"])), headers=headers)
    body = json.dumps(answer.get_json(), ensure_ascii=False)
    assert answer.status_code == 200 and "无此监管对象或无权查看" in body and elsewhere["name"] not in body
    with _store(demo_app).engine.connect() as conn:
        assert public_tokens.active(conn, int(elsewhere["id"])) == before
    anonymous = demo_app.server.test_client().post("/_dash-update-component", headers=headers,
                                                   json=_renew_request(demo_app, int(own["id"])))
    assert anonymous.status_code == 401


def test_a_manager_renews_the_code_and_the_old_one_stops_working(demo_app, as_user):
    from callbacks import entity as callbacks
    from dashboard.pages import entity as page

    own, _ = _entities(demo_app)
    client = demo_app.server.test_client()
    with as_user("demo_manager"):
        first = re.search(r"/public/([A-Za-z0-9_-]+)", _text(page.layout(entity_id=str(own["id"])))).group(1)
        assert client.get(f"/public/{first}").status_code == 200
        panel = _text(callbacks.renew(1, {"entity_id": int(own["id"]), "lang": "zh"}))
    second = re.search(r"/public/([A-Za-z0-9_-]+)", panel).group(1)
    assert second != first and "已换新码" in panel
    assert client.get(f"/public/{first}").status_code == 404 and client.get(f"/public/{second}").status_code == 200
    audit = _read(_store(demo_app), "SELECT actor, target FROM audit_log WHERE action = 'public_token_renew'")
    assert ("demo_manager", f"entity:{own['id']}") in set(map(tuple, audit.to_numpy()))


def test_the_public_page_is_anonymous_public_facts_only(demo_app):
    own, _ = _entities(demo_app)
    with _store(demo_app).engine.begin() as conn:
        token = public_tokens.ensure(conn, int(own["id"]), NOW)
    client = demo_app.server.test_client()  # nobody logged in
    answer = client.get(f"/public/{token}")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and own["name"] in page
    for label in ("地址", "专业类别", "量化分级", "信用等级", "最近一次监督检查"):  # the credit grade: tests/test_credit.py
        assert label in page, label
    credit_code = _read(_store(demo_app), "SELECT credit_code FROM entity WHERE id = :i", i=int(own["id"]))["credit_code"].iloc[0]
    for private in (own["contact_phone"], own["legal_representative"], credit_code, "法定代表人", "联系电话"):
        assert private not in page
    assert "<script" not in page and "http" not in page.replace('href="/', "")  # nothing from elsewhere
    assert "Latest inspection" in client.get(f"/public/{token}?lang=en").get_data(as_text=True)
    for path in (f"/public/{own['id']}", "/public/AAAAAAAAAAAAAAAAAAAAAAAA", f"/public/{token}/x", "/public/"):
        missing = client.get(path)
        assert missing.status_code == 404 and "未找到该公示信息" in missing.get_data(as_text=True), path
    for path in ("/public", "/publicity", f"/entity/{own['id']}", "/_dash-layout"):
        assert client.get(path).status_code in (302, 401), path  # anonymous access opens /public/ only
    assert client.get(f"/public/{token}").headers["Cache-Control"] == "no-cache"


def test_links_into_the_entity_file(demo_app, as_user):
    from dashboard.pages import alerts as inbox
    from dashboard.pages import device as device_page
    from layers.registry import REGISTRY

    link = REGISTRY["inspection"].point_link
    assert link({"customdata": ["某宾馆", "公共场所", "A", "3", "1", "42"]}, "en") == "/entity/42?lang=en"
    assert link({"customdata": ["某宾馆"]}, "zh") is None and link({}, "zh") is None
    device = _read(_store(demo_app), "SELECT id, entity_id FROM device ORDER BY id LIMIT 1").iloc[0]
    with as_user("demo_manager"):
        assert f"/entity/{device['entity_id']}?lang=zh" in _text(device_page.layout(device_id=device["id"]))
        assert re.search(r"/entity/\d+\?lang=zh", _text(inbox.layout(status="all")))
