"""The analysis page's callbacks (callbacks/analysis.py) as plain functions: every tab draws, cross-filters set and
clear, scope holds for a county officer and a crafted region, and the exports carry the table with Chinese
headers and are audited."""

from __future__ import annotations

import base64
import io
import json

import openpyxl
import pandas as pd
import pytest
from dash import no_update
from sqlalchemy import text

from callbacks import analysis as callbacks
from dashboard import analysis_view, ids
from data import accounts

PERIOD = "2025-07..2026-06"
HENAN, ZHENGZHOU = "410000", "410100"


def _filters(**changes) -> dict:
    return {"region": HENAN, "period": PERIOD, "specialty": None, "subtype": None, "month": None, **changes}


def _graphs(component) -> list[dict]:
    """The ids of every dcc.Graph in a rendered tree."""
    found = []

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        if getattr(node, "_type", None) == "Graph":
            found.append(node.id)
        walk(getattr(node, "children", None) or [])

    walk(component)
    return found


def _exports(store) -> pd.DataFrame:
    with store.engine.connect() as conn:
        return pd.read_sql(text("SELECT actor, target, detail FROM audit_log WHERE action = 'export' ORDER BY id"), conn)


@pytest.mark.parametrize("tab", analysis_view.SECTIONS)
def test_every_tab_draws_its_charts_and_table(request_context, tab):
    body, chips = callbacks.render(tab, _filters(), None, {"lang": "zh"})
    graphs = _graphs(body)
    assert graphs and all(g["type"] == ids.ANALYSIS_CHART for g in graphs)
    assert "region" in {g["dim"] for g in graphs}  # every tab can drill into a region
    assert chips and not any(getattr(c, "id", None) for c in chips)  # the home region and no filter: nothing to clear
    text_of = str(body)
    assert "wj-refusal" not in text_of


def test_clicks_set_cross_filters_and_chips_clear_them(request_context):
    start = _filters()
    chart = {"type": ids.ANALYSIS_CHART, "name": "x"}
    picked = callbacks.cross_filter({**chart, "dim": "specialty"}, {"points": [{"customdata": "medical"}]}, start)
    assert picked["specialty"] == "medical"
    assert callbacks.cross_filter({**chart, "dim": "specialty"}, {"points": [{"customdata": "medical"}]},
                                  picked)["specialty"] is None  # the same again clears it
    month = callbacks.cross_filter({**chart, "dim": "month"}, {"points": [{"customdata": "2026-03"}]}, picked)
    assert (month["month"], month["specialty"]) == ("2026-03", "medical")
    drilled = callbacks.cross_filter({**chart, "dim": "region"}, {"points": [{"location": ZHENGZHOU}]}, month)
    assert drilled["region"] == ZHENGZHOU and drilled["month"] == "2026-03"
    typed = callbacks.cross_filter({**chart, "dim": "subtype"}, {"points": [{"customdata": "hospital"}]}, drilled)
    assert typed["subtype"] == "hospital"
    # The other charts follow: the inspections tab now counts Zhengzhou's hospitals in March only.
    body, chips = callbacks.render("inspections", typed, None, {"lang": "zh"})
    chip_keys = [c.id["key"] for c in chips if isinstance(getattr(c, "id", None), dict)]
    assert chip_keys == ["region", "specialty", "subtype", "month", "all"]
    crumbs = [c.id["key"] for c in chips[1].children if isinstance(getattr(c, "id", None), dict)]
    assert crumbs == [f"region={HENAN}"]  # Henan › Zhengzhou: the way back up
    up = callbacks.cross_filter({"type": ids.ANALYSIS_CHIP, "key": f"region={HENAN}"}, None, typed)
    assert up["region"] == HENAN and up["subtype"] == "hospital"
    assert "2026-03-01 – 2026-03-31" in str(body)
    dropped = callbacks.cross_filter({"type": ids.ANALYSIS_CHIP, "key": "month"}, None, typed)
    assert dropped["month"] is None and dropped["subtype"] == "hospital"
    cleared = callbacks.cross_filter({"type": ids.ANALYSIS_CHIP, "key": "all"}, None, typed)
    assert cleared == _filters()
    # Nonsense and non-clicks change nothing.
    assert callbacks.cross_filter({**chart, "dim": "specialty"}, {"points": [{"customdata": "food"}]}, start) is no_update
    assert callbacks.cross_filter({**chart, "dim": "month"}, None, start) is no_update
    assert callbacks.cross_filter(ids.ANALYSIS_PERIOD, None, start, period="nonsense") is no_update
    assert callbacks.cross_filter(ids.ANALYSIS_SPECIALTY, None, start, specialty="school")["specialty"] == "school"


def test_a_county_officer_sees_only_the_county_and_cannot_craft_another(demo_app, as_user):
    store = demo_app.server.extensions["weijian"].store
    with store.engine.connect() as conn:
        county = accounts.by_username(conn, "demo_officer").region_adcode
    other = next(code for code in ("410102", "410103", "410105") if code != county)
    with as_user("demo_officer"):
        own, _ = callbacks.render("entities", _filters(region=county), None, {"lang": "zh"})
        assert "wj-refusal" not in str(own)
        refused, chips = callbacks.render("entities", _filters(region=other), None, {"lang": "zh"})
        assert "wj-refusal" in str(refused) and chips == []
        refused, _ = callbacks.render("inspections", _filters(region=HENAN), None, {"lang": "zh"})
        assert "wj-refusal" in str(refused)
        # A click on a region outside the scope does not even reach the store.
        click = {"points": [{"location": other}]}
        assert callbacks.cross_filter({"type": ids.ANALYSIS_CHART, "dim": "region", "name": "m"}, click,
                                      _filters(region=county)) is no_update
        assert callbacks.cross_filter({"type": ids.ANALYSIS_CHIP, "key": f"region={HENAN}"}, None,
                                      _filters(region=county)) is no_update  # a crafted crumb above the scope
        before = len(_exports(store))
        download, message = callbacks.export("xlsx", "penalties", _filters(region=other), {"lang": "zh"})
        assert download is no_update and message == "无权查看该区域"
        entries = _exports(store)
        assert len(entries) == before + 1 and entries.iloc[-1]["target"] == f"analysis:penalties:{other}"
        assert json.loads(entries.iloc[-1]["detail"])["refused"] == "out_of_scope"


@pytest.mark.parametrize("tab", ["licences", "construction"])
def test_exports_carry_the_table_with_chinese_headers_and_are_audited(request_context, tab):
    filters = _filters(region=ZHENGZHOU, specialty="medical")
    parts = analysis_view.frames(tab, request_context, callbacks.checked(filters), callbacks.context.viewer_scope(),
                                 callbacks.page.today())
    headers, rows = analysis_view.table(tab, parts, "zh")
    fields = [field for field, _, _ in analysis_view.TABLES[tab]]
    download, message = callbacks.export("xlsx", tab, filters, {"lang": "zh"})
    assert message == "" and download["filename"].startswith("综合分析_") and download["filename"].endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    assert [c.value for c in sheet[1]] == headers
    assert headers[0] == ("专业类别" if tab == "licences" else "项目类型")
    assert [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)] == [[row[f] for f in fields] for row in rows]
    download, _ = callbacks.export("csv", tab, filters, {"lang": "zh"})
    content = base64.b64decode(download["content"])
    assert content.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(io.BytesIO(content), encoding="utf-8-sig").columns.tolist() == headers
    detail = json.loads(_exports(request_context).iloc[-1]["detail"])
    assert (detail["section"], detail["format"], detail["rows"], detail["specialty"]) == (tab, "csv", len(rows), "medical")
