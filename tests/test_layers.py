"""The grade, penalty and risk layers through the manager and wall callbacks, as plain functions on the demo.

Every number drawn is checked against an independent count of the raw tables (pandas over plain SQL).
The risk layer is checked in both states: with no risk levels (as before any scoring run: not offered, a
URL asking for it gets the default layer) and with risk levels written into the database (offered and drawn).
"""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import no_update
from sqlalchemy import text

from callbacks import manager
from dashboard import ids
from data import db
from components import text as _text

PERIOD = ("2025-07..2026-06", dt.date(2025, 7, 1), dt.date(2026, 6, 30))
ZHENGZHOU, JINSHUI = "410100", "410105"


def _array(values):
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def _render(**overrides):
    state = {"region": "410000", "period": PERIOD[0], "specialty": None, "lang": "zh", "layer": "inspection"}
    state.update(overrides)
    figure, map_title, ranking, *rest = manager.render(state)
    return (go.Figure(figure), map_title, go.Figure(ranking), *rest)


def _find(component, wanted_id):
    if isinstance(component, (list, tuple)):
        return next((f for c in component if (f := _find(c, wanted_id)) is not None), None)
    if getattr(component, "id", None) == wanted_id:
        return component
    children = getattr(component, "children", None)
    return None if children is None or isinstance(children, str) else _find(children, wanted_id)


@pytest.fixture
def engine(demo_app):
    return demo_app.server.extensions["weijian"].store.engine


def _raw(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(text(sql), conn)


def _penalties(engine) -> pd.DataFrame:
    frame = _raw(engine, "SELECT p.entity_id, p.amount, p.decided_on, p.city_adcode, p.county_adcode, p.specialty "
                         "FROM penalty p")
    frame["decided_on"] = pd.to_datetime(frame["decided_on"]).dt.date
    return frame[(frame["decided_on"] >= PERIOD[1]) & (frame["decided_on"] <= PERIOD[2])]


@pytest.mark.parametrize("region, column, children", [("410000", "city_adcode", 18), (ZHENGZHOU, "county_adcode", 12)])
def test_penalty_layer_counts_cases_per_sub_region(request_context, engine, region, column, children):
    figure, map_title, ranking, ranking_title, summary, _ = _render(region=region, layer="penalty")
    raw = _penalties(engine)
    raw = raw[raw["city_adcode"] == region] if region != "410000" else raw
    expected = raw.groupby(column).agg(cases=("amount", "size"), amount=("amount", "sum"))
    choropleth = figure.data[0]
    assert choropleth.type == "choropleth" and len(choropleth.locations) == children
    drawn = pd.Series(_array(choropleth.z), index=list(choropleth.locations))
    assert (drawn.reindex(expected.index) == expected["cases"]).all() and drawn.sum() == len(raw) > 0
    amounts = pd.Series([float(row[1]) for row in choropleth.customdata], index=list(choropleth.locations))
    assert np.allclose(amounts.reindex(expected.index), expected["amount"].astype(float))
    assert "罚没金额" in choropleth.hovertemplate and "行政处罚案件分布" in map_title
    assert ranking_title == "下级区域行政处罚案件排名" and _array(ranking.data[0].x).max() == expected["cases"].max()
    assert f"处罚案件 {len(raw):,}" in summary and f"¥{raw['amount'].astype(float).sum():,.0f}" in summary


def test_penalty_layer_in_a_county_sizes_entities_by_amount(request_context, engine):
    raw = _penalties(engine)
    busiest = raw[raw["amount"] > 0]["county_adcode"].value_counts().index[0]
    quiet = next(c for c in _raw(engine, "SELECT DISTINCT county_adcode FROM entity")["county_adcode"]
                 if c not in set(raw["county_adcode"]))
    figure, _, _, _, summary, _ = _render(region=quiet, layer="penalty")
    assert len(figure.data) == 1 and "处罚案件 0" in summary  # only the county's outline
    figure, map_title, ranking, ranking_title, summary, _ = _render(region=busiest, layer="penalty", lang="en")
    raw = raw[raw["county_adcode"] == busiest]
    per_entity = raw.groupby("entity_id")["amount"].sum().astype(float)
    points = next(t for t in figure.data if t.type == "scattergeo" and t.mode == "markers")
    assert len(_array(points.lon)) == len(per_entity) > 0
    amounts = _array(points.marker.color).astype(float)
    assert sorted(amounts) == pytest.approx(sorted(per_entity.to_numpy()))
    sizes = _array(points.marker.size)
    assert sizes[np.argmax(amounts)] == sizes.max() > sizes.min()  # the largest amount is the largest point
    assert points.marker.colorbar.title.text == "Amount (¥)" and "Entities penalised" in map_title
    assert f"Entities penalised {len(per_entity):,}" in summary and ranking_title == "Entities by amount penalised (¥)"
    assert sorted(_array(ranking.data[0].x)) == sorted(per_entity[per_entity > 0].round().astype(int))


@pytest.mark.parametrize("region, column, children", [("410000", "city_adcode", 18), (ZHENGZHOU, "county_adcode", 12)])
def test_grade_layer_shows_the_share_of_c_and_all_four_counts(request_context, engine, region, column, children):
    figure, map_title, ranking, ranking_title, summary, _ = _render(region=region, layer="grade")
    ents = _raw(engine, "SELECT city_adcode, county_adcode, grade FROM entity")
    ents = ents[ents["city_adcode"] == region] if region != "410000" else ents
    counts = pd.crosstab(ents[column], ents["grade"].fillna("none"))
    share = 100 * counts["C"] / counts[["A", "B", "C"]].sum(axis=1)
    unclassed, choropleth = figure.data[:2]
    drawn = pd.Series(_array(choropleth.z), index=list(choropleth.locations))
    assert len(unclassed.locations) + len(choropleth.locations) == children  # every sub-region, with a tooltip
    assert np.allclose(drawn.reindex(share.dropna().index), share.dropna(), rtol=0, atol=0.051)  # drawn to 0.1 %
    for label in ("A级", "B级", "C级", "未评级"):
        assert label in choropleth.hovertemplate
    assert choropleth.colorbar.ticksuffix == "%" and "C级单位占比" in map_title
    assert ranking_title == "下级区域C级单位排名" and _array(ranking.data[0].x).max() == counts["C"].max()
    assert f"C级 {int(counts['C'].sum()):,}" in summary and f"未评级 {int(counts['none'].sum()):,}" in summary


def test_grade_layer_in_a_county_colours_entities_by_grade(request_context, engine):
    from dashboard.theme import THEME

    figure, map_title, ranking, ranking_title, summary, _ = _render(region=JINSHUI, layer="grade")
    ents = _raw(engine, f"SELECT grade FROM entity WHERE county_adcode = '{JINSHUI}' AND lon IS NOT NULL")
    points = [t for t in figure.data if t.type == "scattergeo" and t.mode == "markers"]
    legend = {t.name.split(" (")[0]: (len(_array(t.lon)), t.marker.color) for t in points}
    assert legend == {
        "未评级": (int(ents["grade"].isna().sum()), THEME.ungraded), "A级": (int((ents["grade"] == "A").sum()), THEME.grade_a),
        "B级": (int((ents["grade"] == "B").sum()), THEME.grade_b), "C级": (int((ents["grade"] == "C").sum()), THEME.grade_c)}
    assert points[-1].name.startswith("C级")  # the worst drawn on top
    assert "监管对象量化分级" in map_title and ranking_title == "C级单位专业分布"
    assert _array(ranking.data[0].x).sum() == (ents["grade"] == "C").sum()


def test_the_grade_colours_are_distinguishable_on_the_panel():
    """Every pair of the four grade colours, and each against the panel, apart by a clear RGB distance."""
    from dashboard.theme import THEME

    def rgb(colour):
        return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)

    for group in ((THEME.grade_a, THEME.grade_b, THEME.grade_c, THEME.ungraded),
                  (THEME.risk_low, THEME.risk_medium, THEME.risk_high, THEME.risk_very_high)):
        colours = [rgb(c) for c in group]
        assert min(np.linalg.norm(a - b) for i, a in enumerate(colours) for b in colours[i + 1:]) > 60
        assert min(np.linalg.norm(c - rgb(THEME.panel)) for c in colours) > 150


@pytest.mark.parametrize("layer", ["penalty", "grade", "risk"])
def test_a_crafted_state_outside_scope_gets_nothing(request_context, layer):
    figure, map_title, ranking, *_ = _render(region="320600", layer=layer)
    assert map_title == "无权查看该区域" and len(figure.data) == 0 and len(ranking.data) == 0


@pytest.fixture
def saved_risk_levels(engine):
    """The demo's risk levels as its build's scoring run wrote them, put back after the test."""
    with engine.connect() as conn:
        saved = conn.execute(text("SELECT id, risk_level FROM entity")).all()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE entity SET risk_level = :level WHERE id = :id"),
                         [{"level": level, "id": id_} for id_, level in saved])
            db.bump_data_version(conn)


@pytest.fixture
def without_risk_levels(engine, saved_risk_levels):
    """The demo as if no risk model had run: no entity has a level."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE entity SET risk_level = NULL"))
        db.bump_data_version(conn)


def test_without_a_risk_model_the_risk_layer_is_not_offered(request_context, without_risk_levels):
    from dashboard.pages import manager as page
    from dashboard.pages import wall as wall_page

    layout = page.layout(layer="risk")
    options = [o["value"] for o in _find(layout, ids.LAYER).options]
    assert options == ["inspection", "penalty", "grade", "complaint", "monitoring", "fivedim"]  # institutions assessed
    assert _find(layout, ids.LAYER).value == "inspection"  # the URL's layer=risk fell back to the default
    assert "风险分级" not in _text(_find(wall_page.layout(), ids.WALL_LAYERS))
    _, map_title, *_ = _render(layer="risk")
    assert "不合格检查分布" in map_title
    url = manager.navigate(ids.LAYER, None, None, "last-12-months", None, {"region": "410000", "lang": "zh"}, "risk")
    assert url == "/?region=410000&period=last-12-months"


@pytest.fixture
def risk_levels(engine, without_risk_levels):
    """Risk levels for every entity of 郑州市 only (cycling through the four); the demo's own levels are put
    back afterwards. Every write bumps the data version, so no cached answer outlives them."""
    levels = ("low", "medium", "high", "very_high")
    with engine.begin() as conn:
        ids_ = conn.execute(text(f"SELECT id FROM entity WHERE city_adcode = '{ZHENGZHOU}' ORDER BY id")).scalars().all()
        conn.execute(text("UPDATE entity SET risk_level = :level WHERE id = :id"),
                     [{"level": levels[i % 4], "id": i_} for i, i_ in enumerate(ids_)])
        db.bump_data_version(conn)


def test_with_risk_levels_the_risk_layer_is_offered_and_drawn(request_context, engine, risk_levels):
    from dashboard.pages import manager as page
    from dashboard.pages import wall as wall_page

    assert "risk" in [o["value"] for o in _find(page.layout(layer="risk"), ids.LAYER).options]
    assert _find(page.layout(layer="risk"), ids.LAYER).value == "risk"
    assert "风险分级" in _text(_find(wall_page.layout(), ids.WALL_LAYERS))
    ents = _raw(engine, "SELECT city_adcode, county_adcode, risk_level, lon FROM entity")

    figure, map_title, ranking, ranking_title, summary, _ = _render(layer="risk")
    unassessed, choropleth = figure.data[:2]
    assert list(choropleth.locations) == [ZHENGZHOU]  # the only city with assessed entities
    assert len(unassessed.locations) == 17 and "较大及以上占已评估: –" in unassessed.hovertemplate
    city = ents[ents["city_adcode"] == ZHENGZHOU]
    high = city["risk_level"].isin(["high", "very_high"]).sum()
    assert _array(choropleth.z)[0] == pytest.approx(100 * high / len(city), abs=0.051)
    assert "较大及以上风险占比" in map_title and ranking_title == "下级区域较大及以上风险单位排名"
    assert f"重大风险 {int((city['risk_level'] == 'very_high').sum()):,}" in summary
    assert f"未评估 {int(ents['risk_level'].isna().sum()):,}" in summary

    figure, map_title, *_ = _render(region=ZHENGZHOU, layer="risk")
    choropleth = figure.data[1]
    per_county = city.groupby("county_adcode")["risk_level"].apply(lambda r: 100 * r.isin(["high", "very_high"]).mean())
    drawn = pd.Series(_array(choropleth.z), index=list(choropleth.locations))
    assert np.allclose(drawn.reindex(per_county.index), per_county, rtol=0, atol=0.051)  # drawn to 0.1 %

    figure, map_title, ranking, ranking_title, *_ = _render(region=JINSHUI, layer="risk", lang="en")
    county = city[(city["county_adcode"] == JINSHUI) & city["lon"].notna()]
    points = {t.name.split(" (")[0]: len(_array(t.lon)) for t in figure.data if t.type == "scattergeo" and t.mode == "markers"}
    assert points == {"Not assessed": 0, "Low risk": int((county["risk_level"] == "low").sum()),
                      "Medium risk": int((county["risk_level"] == "medium").sum()),
                      "High risk": int((county["risk_level"] == "high").sum()),
                      "Very high risk": int((county["risk_level"] == "very_high").sum())}
    assert "Entities by risk level" in map_title and ranking_title.startswith("High and very high")

    # Another city's manager sees no assessed entity in their scope: not offered there.
    from data.queries.filters import Scope
    from layers import registry
    from dashboard import context

    assert "risk" not in [layer.key for layer in registry.offered(context.store(), Scope.of("410300"))]
    assert registry.choose("risk", context.store(), Scope.of("410300")).key == "inspection"


def test_the_wall_switches_layers_and_hides_the_switch_in_kiosk_mode(request_context):
    from callbacks import wall
    from dashboard.pages import wall as wall_page

    switch = _find(wall_page.layout(region=ZHENGZHOU, layer="penalty", interval="20", lang="en"), ids.WALL_LAYERS)
    links = {link.children: (link.href, link.className) for link in switch.children}
    assert links["Hygiene grade"] == ("/wall?region=410100&layer=grade&interval=20&lang=en", "wj-wall-layer")
    assert links["Penalties"][1] == "wj-wall-layer wj-wall-layer-current"
    assert _find(wall_page.layout(region=ZHENGZHOU, kiosk="1"), ids.WALL_LAYERS) is None

    for layer, title in (("penalty", "行政处罚案件分布"), ("grade", "C级单位占比")):
        state = {"region": "410000", "layer": layer, "lang": "zh", "interval": 30}
        _, figure, map_title, _, ranking, ranking_title, *_ = wall.refresh(1, state)
        assert title in map_title and len(go.Figure(ranking).data[0].y) == 10
    assert wall.drill({"points": [{"location": "320600"}]}, state) is no_update


def test_every_layer_speaks_both_languages():
    from dashboard import i18n
    from layers.registry import REGISTRY

    for layer in REGISTRY.values():
        for key in (layer.key, *(getattr(v, k) for v in (layer.regions_view, layer.points_view)
                                 for k in ("rank_title", "map_title"))):
            assert i18n.t(key, "zh") != i18n.t(key, "en"), key
