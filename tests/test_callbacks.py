"""Manager callbacks called as plain functions, inside the real app's request context."""

import pytest
from dash import no_update

import base64

import numpy as np
import plotly.graph_objects as go

from callbacks import manager
from dashboard import ids
from components import text as _text


def _array(values):
    """A trace's numeric array, decoded when Plotly sent it as typed binary ({'dtype', 'bdata'})."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _render(state):
    """render() with its figures as plotly objects, for readable assertions."""
    figure, map_title, ranking, *rest = manager.render(state)
    return (go.Figure(figure), map_title, go.Figure(ranking), *rest)


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
    from logins import client_as

    client = client_as(demo_app)
    assert client.get("/").status_code == 200
    assert client.get("/theme.css").data.decode().startswith(":root")
    assert client.get("/assets/topojson/world_110m.json").status_code == 200


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


def test_monitoring_layer_counts_devices_needing_attention(request_context):
    from dashboard import context
    from data.queries import monitoring
    from data.queries.filters import Filters, Period, Scope

    figure, map_title, ranking, ranking_title, summary, _ = _render(_state(layer="monitoring"))
    choropleth = figure.data[0]
    assert len(choropleth.locations) == 18 and "超标与离线设备分布" in map_title
    import datetime as dt

    devices = monitoring.devices(context.store(), Filters("410000", Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))),
                                 Scope.of("410000"))
    attention = int(devices["state"].isin(["over_limit", "offline"]).sum())
    assert attention > 0 and _array(choropleth.z).sum() == attention
    assert f"监测设备 {len(devices):,}" in summary and "在线率" in summary


def test_a_device_point_opens_the_device_page(request_context):
    from dashboard import context
    from data.queries import monitoring
    from data.queries.filters import Filters, Period, Scope
    import datetime as dt

    devices = monitoring.devices(context.store(), Filters("410000", Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30))),
                                 Scope.of("410000"))
    county = devices["county_adcode"].value_counts().index[0]
    figure, map_title, *_ = _render(_state(region=county, layer="monitoring"))
    points = [t for t in figure.data if t.type == "scattergeo" and t.mode == "markers"]
    shown = sum(len(_array(t.lon)) for t in points)
    assert shown == int((devices["county_adcode"] == county).sum()) and "监测设备分布" in map_title
    device_id = next(t.customdata[0][-1] for t in points if t.customdata is not None and len(t.customdata))
    click = {"points": [{"customdata": ["某单位", "游泳场所", device_id]}]}
    url = manager.navigate(ids.MAP, click, None, None, None, _state(region=county, layer="monitoring"))
    assert url == f"/device/{device_id}?lang=zh"


def test_device_page_and_alert_inbox(request_context):
    from dashboard import context
    from dashboard.pages import alerts as inbox
    from dashboard.pages import device as page
    from data.queries import alerts as alert_queries
    from data.queries.filters import Scope

    feed = alert_queries.feed(context.store(), Scope.of("410000"), "410000", status="all", limit=500)
    over = feed[feed["rule"] == "sustained"].iloc[0]
    text = _text(page.layout(device_id=over["device_id"], days="30"))
    assert "限值" in text and "持续超标" in text and "GB" in text
    assert "无此设备或无权查看" in _text(page.layout(device_id="NOPE"))
    listing = _text(inbox.layout())
    assert "预警" in listing and "未办结" in listing
    assert "outside" in _text(inbox.layout(region="320600"))


def test_wall_refresh_draws_every_panel(request_context):
    from callbacks import wall
    from dash.exceptions import PreventUpdate

    state = {"region": "410000", "layer": "monitoring", "lang": "zh", "interval": 30}
    tiles, figure, map_title, trend, ranking, ranking_title, feed, updated, last_ok, hospitals = wall.refresh(1, state)
    assert len(tiles) == 9 and "监管对象" in _text(tiles) and "设备在线率" in _text(tiles) and "风险台账未销账" in _text(tiles)
    assert "许可证 90 天内到期" in _text(tiles)
    assert len(go.Figure(figure).data[0].locations) == 18 and "超标与离线设备分布" in map_title
    trend = go.Figure(trend)
    assert len(trend.data[0].x) == 12 and trend.data[0].name == "检查次数"
    assert feed and "更新于" in updated and last_ok["ms"] > 0 and len(last_ok["hhmm"]) == 5
    assert "发热门诊人次" in _text(hospitals) and "中原" in _text(hospitals)  # a manager's panel names the hospitals
    with pytest.raises(PreventUpdate):  # a crafted state for another region changes nothing on screen
        wall.refresh(2, {**state, "region": "320600"})
    assert wall.drill({"points": [{"location": "410100"}]}, state) == "/wall?region=410100&layer=monitoring&interval=30"
    assert wall.drill({"points": [{"location": "410105"}]}, state) == "/?region=410105&layer=monitoring"
    assert wall.drill({"points": [{"location": "320600"}]}, state) is no_update


def test_wall_kpis_agree_with_the_queries_they_summarise(request_context):
    import datetime as dt

    from dashboard import context
    from data.queries import inspections, wall
    from data.queries.filters import Filters, Period, Scope

    scope = Scope.of("410000")
    june = Filters("410000", Period(dt.date(2026, 6, 1), dt.date(2026, 6, 30)))
    k = wall.kpis(context.store(), june, scope).iloc[0]
    by_city = inspections.noncompliance_by_child(context.store(), june, scope)
    assert k["inspections"] == by_city["inspections"].sum() > 0
    assert k["non_compliant"] == by_city["non_compliant"].sum()
    from data.queries import complaint_cases

    cases = complaint_cases.counts(context.store(), scope, "410000", today=june.period.end)
    assert (k["complaints_open"], k["complaints_overdue"]) == (cases["unclosed"], cases["overdue"])
    assert 0 < k["complaints_overdue"] < k["complaints_open"]  # the demo's stuck cases, not every open one
    trend = wall.monthly(context.store(), Filters("410000", Period(dt.date(2025, 7, 1), dt.date(2026, 6, 30))), scope)
    assert len(trend) == 12 and trend.iloc[-1]["inspections"] == k["inspections"]


def test_an_alert_is_walked_to_closed_from_the_inbox(demo_app):
    """Manager dispatches to the demo officer, the officer handles, the manager reviews and closes."""
    from callbacks import alerts as inbox
    from dashboard import auth, context
    from data import accounts
    from data.models import Inspector
    from data.queries import alerts as alert_queries
    from data.queries.filters import Scope
    from sqlalchemy import select

    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        officer = accounts.by_username(conn, "demo_officer")
        manager = accounts.by_username(conn, "demo_manager")
        badge = conn.execute(select(Inspector.badge_no).where(Inspector.id == officer.inspector_id)).scalar_one()
    feed = alert_queries.feed(demo_app.server.extensions["weijian"].store, Scope.of(officer.region_adcode),
                              officer.region_adcode, status="all", limit=1000)
    target = feed[feed["status"] == "open"]
    assert len(target), "the demo officer's county has open alerts (data/demo/build.py chooses it so)"
    alert_id = int(target["id"].iloc[0])

    def step(account, action, note=None, assignee=None):
        with demo_app.server.test_request_context("/alerts"):
            auth.login(account)
            selected, panel = inbox.pick({"type": "alert-pick", "id": alert_id}, [1], "zh")
            message, href = inbox.act({"type": "alert-act", "action": action}, [1], selected, note, assignee,
                                      "/alerts", "zh")
            return _text(panel), _text(message), href

    panel, message, href = step(manager, "dispatch", assignee=badge, note="请核查")
    assert "派发" in panel and message == "已办理" and href == "/alerts"
    assert "已交由其他人员办理" in step(manager, "handle", note="x")[1]  # the manager is not the assignee
    assert step(officer, "handle", note="现场复测合格")[1] == "已办理"
    assert "办理人不能复核" in step(officer, "review", note="自己复核")[1]
    assert step(manager, "review", note="记录完整")[1] == "已办理"
    assert step(manager, "close")[1] == "已办理"
    with demo_app.server.test_request_context("/"):
        auth.login(manager)
        assert alert_queries.one(context.store(), context.viewer_scope(), alert_id)["status"] == "closed"
