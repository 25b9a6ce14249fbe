"""Exports (dashboard/exports.py) from the shell and from the manager page: tables as XLSX and CSV with Chinese
headers and their types, the filtered entities as GeoJSON and GeoPackage; scope-limited and audited."""

from __future__ import annotations

import base64
import io
import json

import openpyxl
import pandas as pd
import pyogrio
import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from callbacks import manager
from dashboard import exports
from dashboard.cli import app
from dashboard.settings import get_settings
from data import accounts
from data.models import Entity
from data.queries.filters import Filters, Period, Scope

runner = CliRunner()
PERIOD = "2026-01..2026-06"


@pytest.fixture
def env(demo_db, var_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", demo_db)
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _store(demo_app):
    return demo_app.server.extensions["weijian"].store


def _exports(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.read_sql(text("SELECT actor, target, detail FROM audit_log WHERE action = 'export' ORDER BY id"), conn)


def _officer_county(store) -> str:
    with store.engine.connect() as conn:
        return accounts.by_username(conn, "demo_officer").region_adcode


def _located(store, county: str, specialty: str | None = None) -> set[int]:
    conditions = [Entity.county_adcode == county, Entity.lon.is_not(None), Entity.lat.is_not(None)]
    if specialty:
        conditions.append(Entity.specialty == specialty)
    with store.engine.connect() as conn:
        return set(conn.execute(select(Entity.id).where(*conditions)).scalars())


def test_table_exports_as_xlsx_and_csv_with_chinese_headers_and_types(env, demo_app):
    store = _store(demo_app)
    filters = Filters("410100", Period.parse(PERIOD))
    headers, rows = exports.table(store, filters, Scope.of("410000"), "regions", "zh")
    xlsx_path, csv_path = env / "t.xlsx", env / "t.csv"
    for fmt, path in (("xlsx", xlsx_path), ("csv", csv_path)):
        result = runner.invoke(app, ["export", "table", "--format", fmt, "--region", "410100", "--period", PERIOD,
                                     "-o", str(path), "--as", "demo_manager"])
        assert result.exit_code == 0, result.output
        assert f"{len(rows):,} rows" in result.output
    sheet = openpyxl.load_workbook(xlsx_path).active
    assert [c.value for c in sheet[1]] == headers and headers[:2] == ["名称", "区划代码"]
    body = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    fields = [field for field, _, _ in exports.REGION_TABLE]
    assert body == [[row[f] for f in fields] for row in rows]
    assert all(isinstance(r[fields.index("inspections")], int) for r in body)  # numbers, not text
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese
    csv = pd.read_csv(csv_path, encoding="utf-8-sig", dtype={headers[1]: str})
    assert csv.columns.tolist() == headers and csv[headers[1]].tolist() == [r["adcode"] for r in rows]
    assert csv[headers[3]].tolist() == [r["inspections"] for r in rows]


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_entities_export_as_points_of_the_region_and_specialty(env, demo_app, fmt):
    store = _store(demo_app)
    county = _officer_county(store)
    out = env / f"e.{fmt}"
    result = runner.invoke(app, ["export", "entities", "--format", fmt, "--specialty", "public_place", "-o", str(out),
                                 "--as", "demo_officer"])
    assert result.exit_code == 0, result.output
    frame = pyogrio.read_dataframe(out)
    expected = _located(store, county, "public_place")
    assert set(frame["id"]) == expected and len(frame) == len(expected) > 0
    assert set(frame["specialty"]) == {"public_place"} and set(frame["county_adcode"]) == {county}
    assert frame.crs.to_epsg() == 4326
    with store.engine.connect() as conn:
        lon, lat = conn.execute(select(Entity.lon, Entity.lat).where(Entity.id == int(frame["id"].iloc[0]))).one()
    assert (frame.geometry.x.iloc[0], frame.geometry.y.iloc[0]) == pytest.approx((lon, lat), abs=1e-9)
    detail = json.loads(_exports(store).iloc[-1]["detail"])
    assert detail["format"] == fmt and detail["rows"] == len(expected) and detail["via"] == "cli"


def test_an_export_outside_the_scope_is_refused_audited_and_writes_nothing(env, demo_app):
    store = _store(demo_app)
    county = _officer_county(store)
    with store.engine.connect() as conn:
        neighbour = conn.execute(select(Entity.county_adcode).where(Entity.county_adcode != county,
                                                                    Entity.county_adcode.like(county[:4] + "%"))
                                 .group_by(Entity.county_adcode).having(func.count() > 0)).scalars().first()
    before = len(_exports(store))
    out = env / "n.geojson"
    result = runner.invoke(app, ["export", "entities", "--region", neighbour, "-o", str(out), "--as", "demo_officer"])
    assert result.exit_code == 1 and "outside the scope" in result.output and not out.exists()
    entries = _exports(store)
    assert len(entries) == before + 1 and json.loads(entries.iloc[-1]["detail"])["refused"] == "out_of_scope"
    assert entries.iloc[-1]["target"] == neighbour


@pytest.mark.parametrize("fmt", ["csv", "geojson", "gpkg"])
def test_the_manager_page_downloads_each_format_and_audits_it(request_context, tmp_path, fmt):
    state = {"region": "410105", "period": PERIOD, "specialty": None, "layer": "inspection", "lang": "zh"}
    download, message = manager.export(1, state, fmt)
    assert message == "" and download["filename"].endswith(f".{fmt}")
    content = base64.b64decode(download["content"])
    if fmt == "csv":
        headers, rows = exports.table(request_context, Filters("410105", Period.parse(PERIOD)), Scope.of("410000"),
                                      "entities", "zh")
        assert pd.read_csv(io.BytesIO(content), encoding="utf-8-sig").columns.tolist() == headers
    else:
        target = tmp_path / f"download.{fmt}"
        target.write_bytes(content)
        assert set(pyogrio.read_dataframe(target)["id"]) == _located(request_context, "410105")
    detail = json.loads(_exports(request_context).iloc[-1]["detail"])
    assert detail["format"] == fmt and detail["region"] == "410105"
