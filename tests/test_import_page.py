"""The import page's callbacks as plain functions (upload, preview, validate, report, confirm), on SQLite and
PostgreSQL: scope per row, roles, a confirmation that re-checks the upload it is given, the XLSX report, and
the CSRF gate in front of the same callbacks over HTTP."""

from __future__ import annotations

import contextlib
import io
import json

import openpyxl
import pytest
from dash import html
from import_fixtures import (BEIJING_ROWS, COUNTY_ROWS, LUOYANG_ROWS, ZHENGZHOU_ROWS, data_url, import_app,
                             stations_slice)
from logins import client_as, same_site
from sqlalchemy import select

from callbacks import imports as cb
from dashboard import auth, ids
from dashboard.pages import import_page
from data import accounts, models
from data.imports import profile as profiles


@pytest.fixture(scope="module")
def app(module_database_url, var_dir):
    return import_app(module_database_url, var_dir)


@pytest.fixture(scope="module")
def stations(tmp_path_factory):
    return stations_slice(tmp_path_factory.mktemp("stations"))


def _engine(app):
    return app.server.extensions["weijian"].store.engine


@contextlib.contextmanager
def session_of(app, username: str):
    """One request (one session) of `username`: the callbacks read the viewer from it."""
    with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        with _engine(app).connect() as conn:
            auth.login(accounts.by_username(conn, username))
        yield


def _entities(app) -> set[str]:
    with _engine(app).connect() as conn:
        return set(conn.execute(select(models.Entity.credit_code)).scalars())


def _audit(app, action: str) -> list[dict]:
    with _engine(app).connect() as conn:
        rows = conn.execute(select(models.AuditLog.actor, models.AuditLog.target, models.AuditLog.detail)
                            .where(models.AuditLog.action == action).order_by(models.AuditLog.id)).all()
    return [{"actor": r.actor, "target": r.target, **json.loads(r.detail)} for r in rows]


def _clean(app):
    with _engine(app).begin() as conn:
        conn.execute(models.Entity.__table__.delete())


def _upload(stations, state=None):
    state, message = cb.upload(data_url(stations), stations.name, state or {"lang": "zh"})
    assert state["staged"], message
    return state, message


def _rows_of(report, code):
    return sorted({p["row"] for p in report["problems"] if p["code"] == code})


def test_a_city_manager_previews_validates_and_confirms(app, stations):
    _clean(app)
    with session_of(app, "city_mgr"):
        state, message = _upload(stations)
        assert "19 行" in message
        preview = json.dumps(cb.show_preview(state, "entities", "cnemc_stations").to_plotly_json(), default=str,
                             ensure_ascii=False)
        assert "key ← 监测点编码" in preview and "CNEMC-1001A" in preview and "public_place" in preview
        report_html, message = cb.validate(1, "entities", "cnemc_stations", state)
        assert message == "" and _entities(app) == set()  # a dry run writes nothing
        report = cb.import_staging.report(cb._root(), cb._staged(state["staged"]))
        assert (report["rows"], report["taken"], report["inserted"]) == (19, 9, 9)
        assert _rows_of(report, "outside_scope") == LUOYANG_ROWS  # Henan, but not this manager's city
        assert _rows_of(report, "outside_region") == BEIJING_ROWS
        assert "不在您的管辖范围内" in json.dumps(report_html.to_plotly_json(), default=str, ensure_ascii=False)

        result, _report_html = cb.confirm(1, "entities", "cnemc_stations", state)
        assert "新增 9" in result and "拒收 10" in result
        again, _ = cb.confirm(1, "entities", "cnemc_stations", state)  # idempotent: the same file changes nothing
        assert "新增 0" in again and "无变化 9" in again
    assert len(_entities(app)) == 9 and all(k.startswith("CNEMC-") for k in _entities(app))
    entries = _audit(app, "import")[-2:]
    assert [(e["actor"], e["inserted"], e["unchanged"], e["refused"]) for e in entries] == [
        ("city_mgr", 9, 0, 10), ("city_mgr", 0, 9, 10)]
    assert entries[0]["target"] == f"entities:{stations.name}" and entries[0]["profile"] == "cnemc_stations"


def test_an_officer_takes_only_the_rows_of_their_county(app, stations):
    _clean(app)
    with session_of(app, "officer"):
        state, _ = _upload(stations)
        cb.validate(1, "entities", "cnemc_stations", state)
        report = cb.import_staging.report(cb._root(), cb._staged(state["staged"]))
        outside = sorted(set(ZHENGZHOU_ROWS + LUOYANG_ROWS) - set(COUNTY_ROWS))
        assert _rows_of(report, "outside_scope") == outside and report["taken"] == len(COUNTY_ROWS)
        problem = next(p for p in report["problems"] if p["code"] == "outside_scope")
        assert (problem["field"], problem["reason"]) == ("经度,纬度", "outside your scope")
        result, _ = cb.confirm(1, "entities", "cnemc_stations", state)
        assert "新增 4" in result
    assert _entities(app) == {"CNEMC-1316A", "CNEMC-1317A", "CNEMC-1318A", "CNEMC-1321A"}


def test_an_upsert_never_reaches_a_record_stored_outside_the_scope(app, stations):
    """The city manager stored Zhengzhou's stations; the officer's corrected file moving one into their county
    is refused for that row: the key names an entity stored outside their scope."""
    _clean(app)
    with session_of(app, "city_mgr"):
        state, _ = _upload(stations)
        cb.validate(1, "entities", "cnemc_stations", state)
        cb.confirm(1, "entities", "cnemc_stations", state)
    text = stations.read_bytes().decode("gbk").splitlines()
    moved = text[8].split(",")  # row 9: 1319A 供水公司, stored in 410102
    moved[3], moved[4] = text[4].split(",")[3], text[4].split(",")[4]  # given the coordinates of row 5 (in 410105)
    corrected = stations.with_name("moved_gbk.csv")
    corrected.write_bytes(("\n".join([text[0], ",".join(moved)]) + "\n").encode("gbk"))
    with _engine(app).connect() as conn:
        before = conn.execute(select(models.Entity.county_adcode).where(models.Entity.credit_code == "CNEMC-1319A")).scalar()
    with session_of(app, "officer"):
        state, _ = _upload(corrected)
        cb.validate(1, "entities", "cnemc_stations", state)
        report = cb.import_staging.report(cb._root(), cb._staged(state["staged"]))
        assert [(p["row"], p["code"], p["reason"]) for p in report["problems"]] == [
            (2, "outside_scope", "a record with this key is stored outside your scope")]
        result, _ = cb.confirm(1, "entities", "cnemc_stations", state)
        assert result == "没有可导入的记录，未写入任何数据"
    with _engine(app).connect() as conn:
        after = conn.execute(select(models.Entity.county_adcode).where(models.Entity.credit_code == "CNEMC-1319A")).scalar()
    assert before == after == "410102"


def test_a_role_without_import_rights_is_refused_everywhere(app, stations):
    _clean(app)
    with session_of(app, "auditor1"):
        page = json.dumps(import_page.layout().to_plotly_json(), default=str, ensure_ascii=False)
        assert "仅管理人员和监督员可导入数据" in page and ids.IMPORT_UPLOAD not in page
        state, message = cb.upload(data_url(stations), stations.name, {"lang": "en"})
        assert message == "Only managers and officers may import data"
        assert cb.validate(1, "entities", "cnemc_stations", {"lang": "en", "staged": "x" * 22})[1] == message
        assert cb.confirm(1, "entities", "cnemc_stations", {"lang": "en", "staged": "x" * 22})[0] == message
    assert _entities(app) == set()
    assert _audit(app, "import_refused")[-1] == {"actor": "auditor1", "target": "upload:" + "x" * 22, "reason": "role"}


def test_a_confirmation_without_a_valid_preview_is_refused(app, stations):
    _clean(app)
    with session_of(app, "city_mgr"):
        state, _ = _upload(stations)
        assert cb.confirm(1, "entities", "cnemc_stations", state)[0] == "请先校验，再确认导入"
        cb.validate(1, "entities", "cnemc_stations", state)
        assert cb.confirm(1, "inspections", "cnemc_stations", state)[0] == "导入类型或映射配置已改变：请重新校验"
        for forged in ("A" * 22, "../../etc/passwd", None, 12):
            assert cb.confirm(1, "entities", "cnemc_stations", {"lang": "zh", "staged": forged})[0] == \
                "上传已失效或不属于当前会话：请重新上传文件"
    with session_of(app, "city_mgr"):  # the same user, logged in again: another session
        assert cb.confirm(1, "entities", "cnemc_stations", state)[0] == "上传已失效或不属于当前会话：请重新上传文件"
    with session_of(app, "city_mgr2"):  # another user of the same city
        assert cb.confirm(1, "entities", "cnemc_stations", state)[0] == "上传已失效或不属于当前会话：请重新上传文件"
    assert _entities(app) == set()
    assert {e["reason"] for e in _audit(app, "import_refused")} >= {"unknown, expired or another session's upload"}


def test_the_xlsx_report_has_every_problem_with_chinese_headers(app, stations):
    with session_of(app, "officer"):
        state, _ = _upload(stations)
        assert cb.export(1, state)[1] == "请先校验，再确认导入"
        cb.validate(1, "entities", "cnemc_stations", state)
        download, message = cb.export(1, state)
    assert message == "" and download["filename"] == "导入校验报告_stations_gbk.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(cb.base64.b64decode(download["content"])))
    assert book.sheetnames == ["汇总", "问题明细"]
    summary = dict(book["汇总"].iter_rows(min_row=2, values_only=True))
    assert (summary["数据行"], summary["新增"], summary["拒收"], summary["导入类型"]) == (19, 4, 15, "监管对象")
    rows = list(book["问题明细"].values)
    assert rows[0] == ("行号", "字段", "值", "原因", "问题类别", "处理")
    assert len(rows) - 1 == 15  # 3 outside the region + 12 outside the county, one problem each
    assert (2, "经度,纬度", "116.3621,39.8784", "不在本系统辖区（410000）内", "不在本系统辖区内", "拒收") in rows


def _cells(component) -> list[list[str]]:
    """The rows of the report's problem table (html_table): one list of cell texts per body row."""
    from components import walk

    return [[str(cell.children) for cell in row.children] for row in walk(component)
            if isinstance(row, html.Tr) and not any(isinstance(c, html.Th) for c in row.children)]


def test_the_report_words_each_reason_in_the_pages_language(app, stations):
    """The real file's refusals (outside the region, outside the county's scope), on the Chinese page and in its
    XLSX report in Chinese, on the English page in English; the CLI's English stays in the stored report."""
    with session_of(app, "officer"):
        state, _ = _upload(stations)
        page, _ = cb.validate(1, "entities", "cnemc_stations", state)
        zh = _cells(page)
        report = cb.import_staging.report(cb._root(), cb._staged(state["staged"]))
        en, _ = cb.validate(1, "entities", "cnemc_stations", {**state, "lang": "en"})
        book = openpyxl.load_workbook(io.BytesIO(cb.base64.b64decode(cb.export(1, state)[0]["content"])))
        english_book = openpyxl.load_workbook(io.BytesIO(cb.base64.b64decode(
            cb.export(1, {**state, "lang": "en"})[0]["content"])))
    reason_zh = {p["code"]: row[3] for p, row in zip(report["problems"], zh)}
    assert reason_zh == {"outside_region": "不在本系统辖区（410000）内", "outside_scope": "不在您的管辖范围内"}
    assert len(zh) == len(report["problems"]) == 15
    assert {row[3] for row in _cells(en)} == {"outside the configured region 410000", "outside your scope"}
    assert {p["reason"] for p in report["problems"]} == {"outside the configured region 410000", "outside your scope"}
    sheet = [row[3] for row in list(book["问题明细"].values)[1:]]
    assert sheet == [row[3] for row in zh] and not any(c.isascii() for c in sheet)
    assert {row[3] for row in list(english_book["Problems"].values)[1:]} == {row[3] for row in _cells(en)}


def test_a_value_that_looks_like_a_formula_stays_text_in_the_report():
    from dashboard import xlsx

    book = openpyxl.load_workbook(io.BytesIO(xlsx.sheets_bytes([("问题明细", ["值"], [["=HYPERLINK(\"http://x\")"]])])))
    cell = book["问题明细"]["A2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


def test_a_profile_upload_is_checked_and_then_usable(app, stations):
    shipped = (profiles.PROFILES / "cnemc_stations.yaml").read_text(encoding="utf-8")
    with session_of(app, "officer"):
        state, _ = _upload(stations)
        bad = "data:text/yaml;base64," + cb.base64.b64encode(b"entities:\n  columns: {nam: x}\n").decode()
        assert "映射配置无效" in cb.upload_profile(bad, "mine.yaml", state)[3]
        good = "data:text/yaml;base64," + cb.base64.b64encode(shipped.encode()).decode()
        state, options, value, message = cb.upload_profile(good, "mine.yaml", state)
        assert value.startswith(cb.UPLOADED_PROFILE) and options[-1]["value"] == value and "mine.yaml" in message
        cb.validate(1, "entities", value, state)
        assert cb.import_staging.report(cb._root(), cb._staged(state["staged"]))["profile"] == "mine.yaml"
        assert "没有“监督检查”部分" in cb.validate(1, "inspections", value, state)[1]
    with session_of(app, "city_mgr"):  # another user's uploaded profile is not theirs to use
        state, _ = _upload(stations)
        assert cb.validate(1, "entities", value, state)[1] == "上传已失效或不属于当前会话：请重新上传文件"


def test_a_file_over_the_limit_is_refused_with_its_size(app, stations):
    with session_of(app, "officer"):
        limit = app.server.extensions["weijian"].settings.import_max_mb
        big = "data:text/csv;base64," + "A" * (limit * 1024 * 1024 * 4 // 3 + 8)
        state, message = cb.upload(big, "big.csv", {"lang": "zh", "staged": "old"})
        assert state["staged"] is None and f"超过上限 {limit} MB" in message and "big.csv" in message
        assert cb.too_large({"name": "huge.zip", "size": 73 * 1024 * 1024}, {"lang": "en"}) == \
            f"“huge.zip” is 73.0 MB, over the {limit} MB limit: not uploaded"
        assert cb.upload(data_url(stations), "stations.docx", {"lang": "en"})[1] == "Unsupported kind of file: stations.docx"


def _upload_request(app, contents: str, filename: str) -> dict:
    key = next(k for k in app.callback_map if f"{ids.IMPORT_MESSAGE}.children" in k and ids.IMPORT_PROFILE not in k
               and ids.IMPORT_STATE in k)
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs, "inputs": [{"id": ids.IMPORT_UPLOAD, "property": "contents", "value": contents}],
            "state": [{"id": ids.IMPORT_UPLOAD, "property": "filename", "value": filename},
                      {"id": ids.IMPORT_STATE, "property": "data", "value": {"lang": "zh"}}],
            "changedPropIds": [f"{ids.IMPORT_UPLOAD}.contents"]}


def test_an_upload_without_the_csrf_token_or_from_another_site_is_refused(app, stations, var_dir):
    staging = var_dir / "cache" / "imports"
    before = set(staging.glob("*")) if staging.exists() else set()
    client = client_as(app, "officer")
    body = _upload_request(app, data_url(stations), stations.name)
    headers = same_site(client)
    assert "X-CSRFToken" in headers
    refused = [client.post("/_dash-update-component", json=body, headers={"Origin": headers["Origin"]}),
               client.post("/_dash-update-component", json=body, headers={**headers, "X-CSRFToken": "forged"}),
               client.post("/_dash-update-component", json=body, headers={**headers, "Origin": "http://evil.example"})]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert (set(staging.glob("*")) if staging.exists() else set()) == before  # nothing was stored
    taken = client.post("/_dash-update-component", json=body, headers=headers)
    assert taken.status_code == 200, taken.get_data(as_text=True)[:300]
    assert "19 行" in json.dumps(taken.get_json(), ensure_ascii=False)
    assert len(set(staging.glob("*")) - before) == 1


def _request(app, output: str, inputs: list, state: list) -> dict:
    key = next(k for k in app.callback_map if k.strip(".").startswith(output))
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in key.strip(".").split("...")]
    return {"output": key, "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]}


def test_a_confirmation_without_the_csrf_token_writes_nothing(app, stations):
    _clean(app)
    client = client_as(app, "officer")
    headers = same_site(client)
    uploaded = client.post("/_dash-update-component", headers=headers,
                           json=_upload_request(app, data_url(stations), stations.name)).get_json()
    state = uploaded["response"][ids.IMPORT_STATE]["data"]
    choice = [{"id": ids.IMPORT_KIND, "property": "value", "value": "entities"},
              {"id": ids.IMPORT_PROFILE, "property": "value", "value": "cnemc_stations"},
              {"id": ids.IMPORT_STATE, "property": "data", "value": state}]
    validate = _request(app, f"{ids.IMPORT_REPORT}.children...", [
        {"id": ids.IMPORT_VALIDATE, "property": "n_clicks", "value": 1}], choice)
    assert client.post("/_dash-update-component", json=validate, headers=headers).status_code == 200
    confirm = _request(app, f"{ids.IMPORT_RESULT}.children@", [
        {"id": ids.IMPORT_CONFIRM, "property": "n_clicks", "value": 1}], choice)
    assert client.post("/_dash-update-component", json=confirm, headers={"Origin": headers["Origin"]}).status_code == 403
    assert _entities(app) == set()
    done = client.post("/_dash-update-component", json=confirm, headers=headers)
    assert done.status_code == 200 and "新增 4" in json.dumps(done.get_json(), ensure_ascii=False)
    assert len(_entities(app)) == 4


def test_a_geojson_file_with_an_uploaded_profile(app, stations, tmp_path):
    """The same stations as GeoJSON points (the readers' geometry.x / geometry.y), mapped by an uploaded profile."""
    import geopandas as gpd
    import pandas as pd

    _clean(app)
    raw = pd.read_csv(stations, encoding="gbk", dtype=str, keep_default_na=False)
    points = gpd.GeoDataFrame(raw.drop(columns=["经度", "纬度"]), crs=4326, geometry=gpd.points_from_xy(
        raw["经度"].astype(float), raw["纬度"].astype(float)))
    path = tmp_path / "stations.geojson"
    points.to_file(path, driver="GeoJSON")
    shipped = (profiles.PROFILES / "cnemc_stations.yaml").read_text(encoding="utf-8")
    spatial = shipped.replace("lon: 经度", "lon: geometry.x").replace("lat: 纬度", "lat: geometry.y")
    with session_of(app, "officer"):
        state, message = cb.upload("data:application/geo+json;base64," + cb.base64.b64encode(path.read_bytes()).decode(),
                                   path.name, {"lang": "en"})
        assert "19 rows, read as GeoJSON" in message
        state, _options, value, _ = cb.upload_profile(
            "data:text/yaml;base64," + cb.base64.b64encode(spatial.encode()).decode(), "stations_geojson.yaml", state)
        preview = json.dumps(cb.show_preview(state, "entities", value).to_plotly_json(), default=str, ensure_ascii=False)
        assert "lon ← geometry.x" in preview
        cb.validate(1, "entities", value, state)
        result, _ = cb.confirm(1, "entities", value, state)
        assert "new 4" in result
    assert _entities(app) == {"CNEMC-1316A", "CNEMC-1317A", "CNEMC-1318A", "CNEMC-1321A"}
