"""The manager page's charts, table and export, called as plain functions and checked against raw rows.

The expected numbers come from the raw tables read here with pandas, not from the rollups or the
query functions under test; the period starts and ends mid-month so both the rollup and raw paths count.
"""

import base64
import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import no_update
from sqlalchemy import text

from callbacks import manager
from dashboard import ids

PERIOD = "2025-07-15..2026-06-10"
START, END = dt.date(2025, 7, 15), dt.date(2026, 6, 10)


@pytest.fixture(scope="module")
def raw(demo_app):
    """Inspections, penalties, complaints (with their China-time day) and entities, straight from the tables."""
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        insp = pd.read_sql(text("SELECT id, entity_id, province_adcode, city_adcode, county_adcode, specialty, "
                                "inspected_on AS day, kind, result FROM inspection"), conn)
        pen = pd.read_sql(text("SELECT city_adcode, county_adcode, specialty, decided_on AS day, kind FROM penalty"), conn)
        comp = pd.read_sql(text("SELECT city_adcode, county_adcode, specialty, received_at, category FROM complaint "
                                "WHERE county_adcode IS NOT NULL AND specialty IS NOT NULL"), conn)
        ent = pd.read_sql(text("SELECT id, name, city_adcode, county_adcode, specialty FROM entity"), conn)
    insp["day"] = pd.to_datetime(insp["day"]).dt.date
    pen["day"] = pd.to_datetime(pen["day"]).dt.date
    comp["day"] = pd.to_datetime(comp["received_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.date
    return {"inspection": insp, "penalty": pen, "complaint": comp, "entity": ent}


def _in(frame: pd.DataFrame, region: str, specialty: str | None = None) -> pd.DataFrame:
    """Rows of the period inside a region (province: everything of the demo), of a specialty."""
    frame = frame[(frame["day"] >= START) & (frame["day"] <= END)]
    if not region.endswith("0000"):
        frame = frame[frame["city_adcode" if region.endswith("00") else "county_adcode"] == region]
    return frame[frame["specialty"] == specialty] if specialty else frame


def _array(values):
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _state(**overrides):
    state = {"region": "410000", "period": PERIOD, "specialty": None, "lang": "zh", "layer": "inspection"}
    state.update(overrides)
    return state


def _charts(state):
    trend, trend_title, by_specialty, specialty_title, by_kind, kind_title, columns, rows, table_title = manager.charts(state)
    return {"trend": go.Figure(trend), "trend_title": trend_title, "specialty": go.Figure(by_specialty),
            "specialty_title": specialty_title, "kind": go.Figure(by_kind), "kind_title": kind_title,
            "columns": columns, "rows": rows, "table_title": table_title}


def _bars(figure) -> dict:
    """customdata → value of the first (bar) trace."""
    bar = figure.data[0]
    values = _array(bar.x if bar.orientation == "h" else bar.y)
    return dict(zip(list(bar.customdata), values.tolist()))


@pytest.mark.parametrize("region", ["410000", "410100", "410105"])
def test_trend_breakdowns_and_table_match_independent_counts(request_context, raw, region):
    got = _charts(_state(region=region))
    insp = _in(raw["inspection"], region)
    assert len(insp) > 0

    # Trend: every month the period touches, the partial first and last months counted by their days only.
    months = insp.assign(month=[f"{d:%Y-%m}" for d in insp["day"]]).groupby("month")
    assert got["trend"].data[0].name == "检查次数" and got["trend"].data[1].name == "不合格次数"
    assert len(got["trend"].data[0].x) == 12
    trend = _bars(got["trend"])
    assert {m: v for m, v in trend.items() if v} == months.size().to_dict()
    line = dict(zip(list(got["trend"].data[1].customdata), _array(got["trend"].data[1].y).tolist()))
    assert {m: v for m, v in line.items() if v} == {m: n for m, n in months["result"].apply(
        lambda r: int((r == "non_compliant").sum())).items() if n}

    # Breakdowns: by specialty (every specialty) and by inspection kind.
    by_specialty = _bars(got["specialty"])
    assert {s: v for s, v in by_specialty.items() if v} == insp.groupby("specialty").size().to_dict()
    assert got["specialty_title"] == "按专业类别 · 检查次数"
    assert {k: v for k, v in _bars(got["kind"]).items() if v} == insp.groupby("kind").size().to_dict()
    assert got["kind_title"] == "按检查类型" and "双随机抽查" in list(got["kind"].data[0].y)

    # Table: child regions' figures, or a county's entities with their last results.
    headers = [c["headerName"] for c in got["columns"]]
    if region == "410105":
        assert headers[:2] == ["名称", "专业类别"] and "最近检查结果" in headers and "监管对象及最近检查结果" in got["table_title"]
        entities = raw["entity"][raw["entity"]["county_adcode"] == region]
        assert len(got["rows"]) == len(entities)
        assert sum(r["inspections"] for r in got["rows"]) == len(insp)
        last = insp.sort_values(["day", "id"]).groupby("entity_id").last()
        names = entities.set_index("id")["name"]
        by_name = {r["name"]: r for r in got["rows"]}
        for entity_id, row in last.head(30).iterrows():
            shown = by_name[names[entity_id]]
            assert shown["last_inspected_on"] == row["day"].isoformat()
            assert shown["last_result"] == ("不合格" if row["result"] == "non_compliant" else "合格")
        assert {r["last_result"] for r in got["rows"] if r["last_inspected_on"] is None} <= {"期内未检查"}
        assert "医院" in {r["subtype"] for r in got["rows"]} or "诊所" in {r["subtype"] for r in got["rows"]}
    else:
        assert headers[:3] == ["名称", "区划代码", "监管对象"] and "不合格率 (%)" in headers
        child = "city_adcode" if region == "410000" else "county_adcode"
        rows = {r["adcode"]: r for r in got["rows"]}
        assert len(rows) == (18 if region == "410000" else 12)
        pen, comp = _in(raw["penalty"], region), _in(raw["complaint"], region)
        for code, row in rows.items():
            mine = insp[insp[child] == code]
            assert row["inspections"] == len(mine), code
            assert row["non_compliant"] == int((mine["result"] == "non_compliant").sum()), code
            assert row["penalties"] == int((pen[child] == code).sum()), code
            assert row["complaints"] == int((comp[child] == code).sum()), code
            assert row["entities"] == int((raw["entity"][child] == code).sum()), code
            if len(mine):
                assert row["rate"] == round(100 * row["non_compliant"] / row["inspections"], 1)


def test_the_charts_follow_the_specialty_and_the_layer(request_context, raw):
    got = _charts(_state(region="410100", specialty="medical", layer="complaint"))
    comp = _in(raw["complaint"], "410100", "medical")
    assert got["trend"].data[0].name == "投诉举报数" and len(got["trend"].data) == 1
    assert sum(_bars(got["trend"]).values()) == len(comp) > 0
    # The specialty breakdown shows every specialty (it is where another is picked), the chosen one highlighted.
    every = _in(raw["complaint"], "410100")
    assert {s: v for s, v in _bars(got["specialty"]).items() if v} == every.groupby("specialty").size().to_dict()
    colours = dict(zip(got["specialty"].data[0].customdata, got["specialty"].data[0].marker.color))
    assert len({colours["medical"], *(c for s, c in colours.items() if s != "medical")}) == 2
    assert got["kind_title"] == "按投诉类别"
    assert {k: v for k, v in _bars(got["kind"]).items() if v} == comp.groupby("category").size().to_dict()
    assert sum(r["complaints"] for r in got["rows"]) == len(comp)


def test_english_headers(request_context):
    got = _charts(_state(region="410100", lang="en"))
    assert [c["headerName"] for c in got["columns"]][:3] == ["Name", "Code", "Entities"]
    assert got["trend_title"] == "By month · Inspections / Non-compliant" and got["kind_title"] == "Inspections by kind"


def test_cross_filter_clicks_make_bookmarkable_urls(request_context):
    state = _state(region="410100", period="last-12-months", specialty="school")
    month = {"points": [{"customdata": "2026-03", "x": "2026-03"}]}
    assert manager.navigate(ids.TREND, None, None, "last-12-months", "school", state, "inspection", trend_click=month) \
        == "/?region=410100&period=2026-03..2026-03&specialty=school"
    medical = {"points": [{"customdata": "medical"}]}
    assert manager.navigate(ids.BY_SPECIALTY, None, None, "last-12-months", "school", state, "inspection",
                            specialty_click=medical) == "/?region=410100&period=last-12-months&specialty=medical"
    again = {"points": [{"customdata": "school"}]}  # the selected specialty again: the filter is cleared
    assert manager.navigate(ids.BY_SPECIALTY, None, None, None, "school", state, "complaint",
                            specialty_click=again) == "/?region=410100&period=last-12-months&layer=complaint"
    for crafted in ({"points": [{"customdata": "2026-13"}]}, {"points": [{"customdata": "2026-03..2099-01"}]}, None):
        assert manager.navigate(ids.TREND, None, None, None, None, state, trend_click=crafted) is no_update
    assert manager.navigate(ids.BY_SPECIALTY, None, None, None, None, state,
                            specialty_click={"points": [{"customdata": "<script>"}]}) is no_update
    outside = _state(region="320600")
    assert manager.navigate(ids.TREND, None, None, None, None, outside, trend_click=month) is no_update


def test_crafted_state_outside_scope_gets_no_charts_and_no_table(request_context):
    got = _charts(_state(region="320600"))
    assert got["trend_title"] == "无权查看该区域" and got["rows"] == [] and got["columns"] == []
    assert len(got["trend"].data) == 0 and len(got["specialty"].data) == 0 and len(got["kind"].data) == 0


def _audit_rows(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.read_sql(text("SELECT id, actor, action, target, detail, ip FROM audit_log WHERE action = 'export' "
                                "ORDER BY id"), conn)


@pytest.mark.parametrize("region", ["410100", "410105"])
def test_export_is_the_table_in_xlsx_with_chinese_headers_and_is_audited(request_context, region):
    state = _state(region=region, specialty="public_place")
    before = len(_audit_rows(request_context))
    download, message = manager.export(1, state)
    assert message == "" and download["filename"].endswith(".xlsx") and "监督统计" in download["filename"]
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    sheet = book.active
    got = _charts(state)
    headers = [c["headerName"] for c in got["columns"]]
    fields = [c["field"] for c in got["columns"]]
    assert [c.value for c in sheet[1]] == headers and headers[0] == "名称"
    exported = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert exported == [[row[f] for f in fields] for row in got["rows"]] and len(exported) > 0

    entries = _audit_rows(request_context)
    assert len(entries) == before + 1
    entry = entries.iloc[-1]
    detail = json.loads(entry["detail"])
    assert (entry["actor"], entry["target"], entry["ip"]) == ("demo_manager", region, "10.1.2.3")
    assert detail["specialty"] == "public_place" and detail["period"] == PERIOD and detail["rows"] == len(exported)


def test_export_outside_scope_is_refused_and_the_attempt_audited(request_context):
    before = len(_audit_rows(request_context))
    download, message = manager.export(1, _state(region="320600"))
    assert download is no_update and message == "无权查看该区域"
    entries = _audit_rows(request_context)
    assert len(entries) == before + 1 and json.loads(entries.iloc[-1]["detail"])["refused"] == "out_of_scope"
    assert manager.export(0, _state()) == (no_update, "")  # the page loading is not an export


def test_an_officers_export_of_a_neighbouring_county_is_refused(demo_app):
    """The officer's scope is one county: a crafted state for the province gets nothing."""
    from dashboard import auth
    from data import accounts

    with demo_app.server.test_request_context("/"):
        with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
            officer = accounts.by_username(conn, "demo_officer")
        auth.login(officer)
        download, message = manager.export(1, _state(region="410000"))
        assert download is no_update and message == "无权查看该区域"
        assert manager.charts(_state(region="410000"))[7] == []
        download, _ = manager.export(1, _state(region=officer.region_adcode))
        assert download["filename"].endswith(".xlsx")
