"""Manager callbacks called as plain functions, inside the real app's request context."""

import pytest
from dash import no_update

import base64

import numpy as np
import plotly.graph_objects as go

from callbacks import manager
from dashboard import ids


def _array(values):
    """A trace's numeric array, decoded when Plotly sent it as typed binary ({'dtype', 'bdata'})."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _render(state):
    """render() with its figures as plotly objects, for readable assertions."""
    figure, map_title, ranking, *rest = manager.render(state)
    return (go.Figure(figure), map_title, go.Figure(ranking), *rest)


@pytest.fixture
def request_context(demo_app):
    with demo_app.server.test_request_context("/"):
        yield


def _state(**overrides):
    state = {"region": "410000", "period": "2025-07..2026-06", "specialty": None, "lang": "zh", "layer": "inspection"}
    state.update(overrides)
    return state


def test_province_view_shows_every_city(request_context):
    figure, map_title, ranking, ranking_title, summary, footer = _render(_state())
    choropleth = figure.data[0]
    assert choropleth.type == "choropleth" and len(choropleth.locations) == 18
    assert "河南省" in map_title and ranking_title == "下级区域不合格检查排名"
    assert len(ranking.data[0].y) == 18
    assert "检查次数" in summary and "2025-07-01 – 2026-06-30" in footer and "数据计算于" in footer


def test_county_view_shows_entity_points_in_english(request_context):
    figure, map_title, ranking, ranking_title, summary, _ = _render(_state(region="410105", lang="en"))
    points = [t for t in figure.data if t.type == "scattergeo" and t.mode == "markers"]
    assert points and sum(len(_array(t.lon)) for t in points) > 0
    assert "Supervised entities" in map_title and "Entities" in summary


def test_specialty_filter_narrows_the_counts(request_context):
    everything = _array(_render(_state())[0].data[0].z).sum()
    medical = _array(_render(_state(specialty="medical"))[0].data[0].z).sum()
    assert 0 < medical < everything


def test_crafted_state_outside_scope_gets_nothing(request_context):
    figure, map_title, ranking, *_ = _render(_state(region="320600"))
    assert map_title == "无权查看该区域"
    assert len(figure.data) == 0 and len(ranking.data) == 0


@pytest.mark.parametrize("state", [_state(region="41'; --"), _state(period="yesterday"), _state(region=None)])
def test_malformed_state_is_answered_not_crashed(request_context, state):
    *_, summary, _ = _render(state)
    assert "暂无数据" in str(summary)


def test_click_on_a_city_navigates_with_the_filters(request_context):
    click = {"points": [{"location": "410100", "z": 12}]}
    url = manager.navigate(ids.MAP, click, None, "last-3-months", "medical", _state())
    assert url == "/?region=410100&period=last-3-months&specialty=medical"


def test_click_on_a_bar_navigates_but_not_on_an_entity_bar(request_context):
    assert manager.navigate(ids.RANKING, None, {"points": [{"customdata": "410300"}]}, None, None, _state()) \
        == "/?region=410300&period=last-12-months"
    assert manager.navigate(ids.RANKING, None, {"points": [{"customdata": 17}]}, None, None, _state()) is no_update


def test_navigation_outside_scope_is_ignored(request_context):
    click = {"points": [{"location": "320600"}]}
    assert manager.navigate(ids.MAP, click, None, None, None, _state()) is no_update


def test_filter_change_keeps_the_region_and_language(request_context):
    url = manager.navigate(ids.SPECIALTY, None, None, "this-year", "school", _state(region="410105", lang="en"))
    assert url == "/?region=410105&period=this-year&specialty=school&lang=en"
    # A crafted period falls back to the page's own.
    url = manager.navigate(ids.PERIOD, None, None, "<script>", None, _state())
    assert url == "/?region=410000&period=2025-07..2026-06"


def test_pages_render_for_good_and_bad_urls(demo_app):
    client = demo_app.server.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/theme.css").data.decode().startswith(":root")
    assert client.get("/assets/topojson/world_110m.json").status_code == 200


def _text(component) -> str:
    """All text inside a Dash component tree."""
    if component is None or isinstance(component, (int, float)):
        return str(component or "")
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def test_page_layout_for_a_county_has_the_breadcrumb(request_context):
    from dashboard.pages import manager as page

    text = _text(page.layout(region="410105", period="2026-01..2026-06", lang="zh"))
    assert "河南省" in text and "郑州市" in text and "金水区" in text


def test_page_layout_refuses_regions_outside_scope_and_reports_bad_periods(request_context):
    from dashboard.pages import manager as page

    assert "无权查看该区域" in _text(page.layout(region="320600"))
    assert "未知的行政区划代码" in _text(page.layout(region="999999"))
    assert "时间范围格式错误" in _text(page.layout(period="2026-13..2026-14"))


def test_complaint_layer_shows_classes_and_hot_spots(request_context):
    figure, map_title, ranking, ranking_title, summary, _ = _render(_state(layer="complaint"))
    base = figure.data[0]
    assert base.type == "choropleth" and len(base.locations) == 18
    assert list(figure.data[0].colorbar.ticktext)  # natural-breaks classes in the legend
    assert "Gi*" in base.hovertemplate and "热点" in map_title
    assert ranking_title == "下级区域投诉举报排名" and summary.startswith("投诉举报数")


def test_complaint_layer_in_a_county_aggregates_hexagons(request_context):
    figure, map_title, ranking, *_ = _render(_state(region="410105", layer="complaint", period="2024-07..2026-06"))
    hexes = figure.data[1]
    assert hexes.type == "choropleth" and _array(hexes.z).sum() > 0
    assert all(":" in location for location in hexes.locations)
    assert "六边形" in map_title and len(ranking.data[0].y) > 0


def test_layer_choice_travels_in_the_url(request_context):
    url = manager.navigate(ids.LAYER, None, None, "last-12-months", None, _state(), "complaint")
    assert url == "/?region=410000&period=last-12-months&layer=complaint"
    assert manager.navigate(ids.LAYER, None, None, None, None, _state(), "<img>") == "/?region=410000&period=last-12-months"
