"""Five dimensions on the demo's pages: the institution's file, the ranking /hospitals under the session's scope,
the map layer, and the 防挂证 join (alert ↔ practitioner file)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
from components import text as component_text
from sqlalchemy import text

from callbacks import manager
from data import vocab
from data.queries import institution_status, practitioner_file
from data.queries.filters import Scope

PERIOD = "2025-07..2026-06"


def _read(demo_app, sql: str, **params) -> pd.DataFrame:
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _text(component) -> str:
    return component_text(component, ("href", "id"))


def _home(demo_app, username: str) -> str:
    return _read(demo_app, "SELECT region_adcode FROM app_user WHERE username = :u", u=username)["region_adcode"].iloc[0]


def test_the_demo_holds_a_monthly_history_for_every_medical_institution(demo_app):
    counts = _read(demo_app, "SELECT COUNT(DISTINCT as_of) AS days, COUNT(DISTINCT entity_id) AS n FROM institution_status")
    medical = _read(demo_app, "SELECT COUNT(*) AS n FROM entity WHERE specialty = 'medical'")["n"].iloc[0]
    assert counts["days"].iloc[0] == 6 and counts["n"].iloc[0] == medical
    statuses = _read(demo_app, "SELECT DISTINCT institution_status AS s FROM entity WHERE specialty = 'medical'")["s"]
    assert set(statuses) <= set(vocab.INSTITUTION_STATUSES) and len(set(statuses)) >= 2


def test_a_medical_institution_file_shows_the_five_dimensions_and_their_change(demo_app, as_user):
    from dashboard.pages import entity as page

    officer_home = _home(demo_app, "demo_officer")
    worst = _read(demo_app, "SELECT id FROM entity WHERE specialty = 'medical' AND county_adcode = :c "
                            "ORDER BY institution_status = 'warning' DESC, id LIMIT 1", c=officer_home)["id"].iloc[0]
    with as_user("demo_officer"):
        zh = page.layout(entity_id=str(worst))
        en = _text(page.layout(entity_id=str(worst), lang="en"))
    shown = _text(zh)
    for label in ("五维监管评分", "绩效考核", "医疗服务行为", "监督执法跟踪", "质量综合管理", "机构日常运行", "扣分指标"):
        assert label in shown
    for label in ("Five-dimension scores", "Performance assessment", "Service behaviour", "Enforcement follow-up",
                  "Quality management", "Daily operation"):
        assert label in en
    assert "entity-fivedim-radar" in shown and "entity-fivedim-change" in shown
    store = demo_app.server.extensions["weijian"].store
    rank, total = institution_status.position(store, worst, Scope.of(officer_home))
    county = _read(demo_app, "SELECT COUNT(*) AS n FROM entity WHERE specialty = 'medical' AND county_adcode = :c",
                   c=officer_home)["n"].iloc[0]
    assert total == county and 1 <= rank <= total and f"县区内排名 {rank} / {total}" in shown
    assert "Rank in the county" in en

    hotel = _read(demo_app, "SELECT id FROM entity WHERE specialty = 'public_place' AND county_adcode = :c LIMIT 1",
                  c=officer_home)["id"].iloc[0]
    with as_user("demo_officer"):
        assert "五维监管评分" not in _text(page.layout(entity_id=str(hotel)))


def test_the_change_over_time_draws_one_line_per_dimension_over_the_months(demo_app, as_user):
    from dashboard.pages import hospitals

    entity_id = _read(demo_app, "SELECT entity_id FROM institution_status LIMIT 1")["entity_id"].iloc[0]
    store = demo_app.server.extensions["weijian"].store
    history = institution_status.history(store, entity_id, Scope.of("410000"))
    figure = hospitals.change_figure(history, "zh")
    assert len(figure.data) == 5 and all(len(trace.x) == 6 for trace in figure.data)
    assert len(hospitals.radar_figure(history.iloc[-1], "en").data[0].r) == 6  # closed: five and the first again


def test_the_ranking_lists_only_the_viewers_institutions_weakest_first(demo_app, as_user):
    from dashboard.pages import hospitals

    home = _home(demo_app, "demo_officer")
    store = demo_app.server.extensions["weijian"].store
    frame = institution_status.ranking(store, Scope.of(home))
    assert len(frame) and set(frame["county_adcode"]) == {home} and frame["weakest"].is_monotonic_increasing
    elsewhere = _read(demo_app, "SELECT id FROM entity WHERE specialty = 'medical' AND county_adcode <> :c LIMIT 1",
                      c=home)["id"].iloc[0]
    with as_user("demo_officer"):
        shown = _text(hospitals.layout())
        warning = _text(hospitals.layout(status="warning", lang="en"))
    assert "医疗机构五维排名" in shown and f"/entity/{frame['entity_id'].iloc[0]}?" in shown
    assert f"/entity/{elsewhere}?" not in shown
    assert "Institutions ranked" in warning


def test_the_map_layer_colours_institutions_by_status_in_scope(request_context):
    from layers.registry import REGISTRY

    assert "fivedim" in REGISTRY
    store = request_context
    assert institution_status.assessed(store, Scope.of("410000"))
    assert not institution_status.assessed(store, Scope.of("320600"))  # nothing assessed there: not offered
    state = {"region": "410000", "period": PERIOD, "specialty": None, "lang": "zh", "layer": "fivedim"}
    figure, map_title, ranking, *_ = manager.render(state)
    figure = go.Figure(figure)
    assert "五维监管" in map_title and len(figure.data) >= 1 and len(go.Figure(ranking).data) == 1
    outside = manager.render({**state, "region": "320600"})
    assert outside[1] == "无权查看该区域" and len(go.Figure(outside[0]).data) == 0


def test_an_absence_alert_names_the_practitioner_and_the_practitioner_file_lists_it(demo_app):
    linked = _read(demo_app, """
        SELECT a.id, a.practitioner_id, c.licence_no, p.licence_no AS practitioner_licence
        FROM alert a JOIN chief_physician c ON c.device_id = a.device_id JOIN practitioner p ON p.id = a.practitioner_id
        WHERE a.rule = 'absent_chief'""")
    assert len(linked) and (linked["licence_no"] == linked["practitioner_licence"]).all()
    orphans = _read(demo_app, "SELECT COUNT(*) AS n FROM chief_physician c LEFT JOIN practitioner p "
                              "ON p.licence_no = c.licence_no WHERE p.id IS NULL")["n"].iloc[0]
    assert orphans == 0
    store = demo_app.server.extensions["weijian"].store
    first = linked.iloc[0]
    listed = practitioner_file.alerts(store, int(first["practitioner_id"]), Scope.of("410000"))
    assert int(first["id"]) in set(listed["id"]) and "absent_chief" in set(listed["rule"])


def test_the_history_is_dated_before_the_demo_ends(demo_app):
    days = pd.to_datetime(_read(demo_app, "SELECT DISTINCT as_of FROM institution_status")["as_of"]).dt.date
    assert max(days) == dt.date(2026, 7, 1) and min(days) == dt.date(2026, 2, 1)
