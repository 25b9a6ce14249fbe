"""The effectiveness index on SQLite and PostgreSQL with a hand-made county pair: every indicator recomputed
by hand from the rows the test wrote, weights as data, missing indicators, scope."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from data.effectiveness import indicators, score
from data.models import (Alert, AlertEvent, AuditLog, Complaint, Entity, Inspection, Inspector, Penalty, RandomDraw,
                         RandomDrawItem, Region, RollupRegionMonth)
from data.queries import effectiveness
from data.queries.filters import OutOfScope, Scope
from data.cache import QueryCache
from data.store import Store

NOW = dt.datetime(2026, 6, 10, 10, tzinfo=dt.UTC)
MAY = dt.date(2026, 5, 1)
PROVINCE, CITY, HOME, OTHER = "410000", "410100", "410105", "410102"
UTC = dt.UTC


def _codes(county: str) -> dict:
    return {"province_adcode": PROVINCE, "city_adcode": CITY, "county_adcode": county}


ENTITIES = [{"id": i, "credit_code": f"91410100MA{i:08d}", "name": f"单位{i}", "specialty": "public_place",
             "subtype": "hotel", **_codes(HOME if i <= 4 else OTHER)} for i in range(1, 7)]
INSPECTIONS = [  # id, entity, day, kind, result
    (1, 1, dt.date(2025, 9, 10), "routine", "compliant"),
    (2, 2, dt.date(2026, 5, 5), "routine", "non_compliant"),
    (3, 3, dt.date(2026, 5, 12), "random_draw", "compliant"),
    (4, 1, dt.date(2026, 5, 20), "routine", "non_compliant"),
    (5, 4, dt.date(2025, 5, 1), "routine", "compliant"),  # 13 months before May 2026: outside the window
    (6, 2, dt.date(2026, 3, 1), "routine", "non_compliant"),
    (7, 5, dt.date(2026, 5, 2), "routine", "compliant"),  # the other county
]
PENALTIES = [(1, 2, dt.date(2026, 5, 25)), (2, 6, dt.date(2026, 5, 10))]  # id, inspection, decided
DRAW_RUN = dt.datetime(2026, 5, 3, 2, tzinfo=UTC)  # 10:00 China time
DRAWN = [3, 4]  # entity 3 inspected (random_draw) on 05-12; entity 4 never
ALERTS = [  # id, raised, due hours, first answer after (hours; None: none), status
    (1, dt.datetime(2026, 5, 10, tzinfo=UTC), 24, 2, "dispatched"),
    (2, dt.datetime(2026, 5, 15, tzinfo=UTC), 24, 30, "dispatched"),
    (3, dt.datetime(2026, 5, 20, tzinfo=UTC), 72, None, "open"),  # never answered: late
    (4, dt.datetime(2026, 5, 21, tzinfo=UTC), 72, None, "closed"),  # closed without a recorded step: unknown, left out
]
COMPLAINTS = [  # id, due, closed_at (UTC)
    (1, dt.date(2026, 5, 10), dt.datetime(2026, 5, 9, 12, tzinfo=UTC)),
    (2, dt.date(2026, 5, 15), dt.datetime(2026, 5, 15, 17, tzinfo=UTC)),  # 01:00 on the 16th in China: late
    (3, dt.date(2026, 5, 20), None),
    (4, dt.date(2026, 6, 5), dt.datetime(2026, 6, 1, tzinfo=UTC)),  # due in June
]
DEVICE_REPORTS = (100, 90)  # due, received in May (the rollup)


@pytest.fixture
def county_pair(engine):
    with engine.begin() as conn:
        conn.execute(insert(Region), [
            {"adcode": PROVINCE, "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": CITY, "name": "郑州市", "level": "city", "parent_adcode": PROVINCE},
            {"adcode": HOME, "name": "金水区", "level": "county", "parent_adcode": CITY},
            {"adcode": OTHER, "name": "中原区", "level": "county", "parent_adcode": CITY}])
        conn.execute(insert(Inspector), [{"id": 1, "badge_no": "B1", "name": "王敏", "region_adcode": HOME},
                                         {"id": 2, "badge_no": "B2", "name": "李强", "region_adcode": HOME}])
        conn.execute(insert(Entity), ENTITIES)
        county = {e["id"]: e["county_adcode"] for e in ENTITIES}
        conn.execute(insert(Inspection), [
            {"id": i, "entity_id": e, "specialty": "public_place", "inspected_on": day, "kind": kind, "result": result,
             **_codes(county[e])} for i, e, day, kind, result in INSPECTIONS])
        entity_of = {i: e for i, e, *_ in INSPECTIONS}
        conn.execute(insert(Penalty), [
            {"id": p, "case_no": f"豫卫罚-{p}", "entity_id": entity_of[i], "inspection_id": i, "specialty": "public_place",
             "decided_on": day, "kind": "warning", "amount": 0, "status": "decided", **_codes(HOME)}
            for p, i, day in PENALTIES])
        conn.execute(insert(RandomDraw), [{"id": 1, "run_at": DRAW_RUN, "run_by": "test", "region_adcode": HOME,
                                           "requested": 2, "seed": 1, "seed_chosen": True, "weights_version": 1,
                                           "pool_size": 4, **_codes(HOME)}])
        conn.execute(insert(RandomDrawItem), [
            {"draw_id": 1, "rank": r, "entity_id": e, "inspector_id": 1, "second_inspector_id": 2,
             "risk_level": "unassessed", "self_inspection": "missing", "weight": 1.0, **_codes(HOME)}
            for r, e in enumerate(DRAWN, start=1)])
        conn.execute(insert(Alert), [
            {"id": a, "rule": "over_limit", "raised_at": raised, "due_at": raised + dt.timedelta(hours=due),
             "status": status, "message": "测试", **_codes(HOME)} for a, raised, due, _answer, status in ALERTS])
        conn.execute(insert(AlertEvent), [
            {"alert_id": a, "at": raised + dt.timedelta(hours=answer), "action": "dispatch", "actor": "B1",
             "from_status": "open", "to_status": "dispatched"} for a, raised, _due, answer, _s in ALERTS if answer is not None]
            + [{"alert_id": a, "at": raised, "action": "raised", "actor": "system", "from_status": None,
                "to_status": "open"} for a, raised, *_ in ALERTS])
        conn.execute(insert(Complaint), [
            {"id": c, "entity_id": 1, "specialty": "public_place", "received_at": dt.datetime(2026, 4, 20, tzinfo=UTC),
             "channel": "hotline_12345", "category": "卫生状况", "status": "closed" if closed else "handling",
             "due_on": due, "closed_at": closed, **_codes(HOME)} for c, due, closed in COMPLAINTS])
        conn.execute(insert(RollupRegionMonth), [{"county_adcode": HOME, "month": MAY, "specialty": "public_place",
                                                  "city_adcode": CITY, "province_adcode": PROVINCE,
                                                  "device_expected": DEVICE_REPORTS[0],
                                                  "device_reported": DEVICE_REPORTS[1]}])
    return engine


def _by_hand_home_may() -> dict[str, float]:
    """Each indicator of the home county for May 2026, from the lists above (not through the code under test)."""
    home = {e["id"] for e in ENTITIES if e["county_adcode"] == HOME}
    window = (dt.date(2025, 6, 1), dt.date(2026, 5, 31))
    inspected = {e for _i, e, day, *_ in INSPECTIONS if e in home and window[0] <= day <= window[1]}
    in_may = [(i, e, day, kind, result) for i, e, day, kind, result in INSPECTIONS if e in home and day.month == 5
              and day.year == 2026]
    failed = [i for i, _e, _d, _k, result in in_may if result == "non_compliant"]
    penalised = {i for _p, i, _d in PENALTIES}
    inspected_on = {i: day for i, _e, day, *_ in INSPECTIONS}
    results = {e: min(day for _i, ent, day, kind, _r in INSPECTIONS if ent == e and kind == "random_draw")
               for e in DRAWN if any(ent == e and kind == "random_draw" for _i, ent, _d, kind, _r in INSPECTIONS)}
    run_day = (DRAW_RUN + dt.timedelta(hours=8)).date()
    answered = [(raised, due, h) for _a, raised, due, h, _status in ALERTS if h is not None]
    unanswered_late = [a for a, _raised, _due, h, status in ALERTS if h is None and status == "open"]
    china_closed = {c: (closed + dt.timedelta(hours=8)).date() for c, _due, closed in COMPLAINTS if closed}
    due_in_may = [(c, due) for c, due, _closed in COMPLAINTS if due.month == 5]
    return {
        "inspection_coverage": len(inspected) / len(home),
        "draw_completion": len(results) / len(DRAWN),
        "penalty_follow_up": len([i for i in failed if i in penalised]) / len(failed),
        "device_reporting": DEVICE_REPORTS[1] / DEVICE_REPORTS[0],
        "penalty_decision_days": np.mean([(day - inspected_on[i]).days for _p, i, day in PENALTIES]),
        "alert_response_hours": np.mean([h for *_x, h in answered]),
        "alert_on_time": sum(1 for _r, due, h in answered if h <= due) / (len(answered) + len(unanswered_late)),
        "draw_result_days": np.mean([(day - run_day).days for day in results.values()]),
        "complaint_on_time": sum(1 for c, due in due_in_may if c in china_closed and china_closed[c] <= due) / len(due_in_may),
    }


def _index_by_hand(values: dict[str, float], rows: list[dict]) -> float:
    weighted = [(r["weight"], min(max((values[r["key"]] - r["floor"]) / (r["target"] - r["floor"]), 0), 1) * 100)
                for r in rows]
    return sum(w * s for w, s in weighted) / sum(w for w, _s in weighted)


def _store(engine) -> Store:
    return Store(engine, QueryCache())


def test_the_index_recomputes_by_hand_for_one_region(county_pair):
    store = _store(county_pair)
    filters = effectiveness.month_filters(CITY, MAY, dt.date(2026, 6, 10))
    parts = effectiveness.breakdown(store, filters, Scope.of(PROVINCE))
    home = parts[parts["adcode"] == HOME].set_index("indicator")
    by_hand = _by_hand_home_may()
    assert by_hand == pytest.approx({"inspection_coverage": 0.75, "draw_completion": 0.5, "penalty_follow_up": 0.5,
                                     "device_reporting": 0.9, "penalty_decision_days": 45, "alert_response_hours": 16,
                                     "alert_on_time": 1 / 3, "draw_result_days": 9, "complaint_on_time": 1 / 3})
    for key, value in by_hand.items():
        assert home.loc[key, "value"] == pytest.approx(value), key
    seed = indicators.seed_rows()
    expected = _index_by_hand(by_hand, seed)
    assert home["contribution"].sum() == pytest.approx(expected)
    ranked = effectiveness.ranking(store, filters, Scope.of(PROVINCE)).set_index("adcode")
    assert ranked.loc[HOME, "score"] == pytest.approx(expected)
    assert ranked.loc[HOME, "rank"] == 1 and ranked.loc[HOME, "weight_share"] == pytest.approx(1.0)
    # The previous month: coverage over June 2025 - April 2026 reaches entities 1 and 2, and 4 (May 2025): 3 of 4.
    assert home.loc["inspection_coverage", "previous_value"] == pytest.approx(0.75)


def test_missing_indicators_are_missing_not_zero(county_pair):
    store = _store(county_pair)
    filters = effectiveness.month_filters(CITY, MAY, dt.date(2026, 6, 10))
    other = effectiveness.breakdown(store, filters, Scope.of(PROVINCE))
    other = other[other["adcode"] == OTHER].set_index("indicator")
    assert other.loc["inspection_coverage", "value"] == pytest.approx(0.5)  # entity 5 of 5 and 6
    absent = other.drop(index="inspection_coverage")
    assert absent["value"].isna().all() and absent["score"].isna().all() and absent["contribution"].isna().all()
    ranked = effectiveness.ranking(store, filters, Scope.of(PROVINCE)).set_index("adcode")
    # Coverage alone carries 15 of 100 weight: below the minimum share, no index and no rank.
    assert ranked.loc[OTHER, "weight_share"] == pytest.approx(0.15)
    assert np.isnan(ranked.loc[OTHER, "score"]) and pd.isna(ranked.loc[OTHER, "rank"])
    assert list(effectiveness.ranking(store, filters, Scope.of(PROVINCE))["adcode"]) == [HOME, OTHER]


def test_weights_are_data_and_change_the_score(county_pair):
    with county_pair.begin() as conn:
        indicators.set_indicator(conn, "draw_completion", weight=0, actor="test", reason="双随机 scored elsewhere", now=NOW)
        indicators.set_indicator(conn, "penalty_follow_up", weight=30, actor="test", reason="查处 first", now=NOW)
        assert conn.execute(select(AuditLog.action).where(AuditLog.target == "draw_completion")).scalar() == \
            "effectiveness_change"
        current = indicators.current(conn)
    assert current.get("draw_completion").weight == 0 and current.get("penalty_follow_up").weight == 30
    store = _store(county_pair)
    filters = effectiveness.month_filters(CITY, MAY, dt.date(2026, 6, 10))
    ranked = effectiveness.ranking(store, filters, Scope.of(PROVINCE)).set_index("adcode")
    rows = [dict(r, weight={"draw_completion": 0, "penalty_follow_up": 30}.get(r["key"], r["weight"]))
            for r in indicators.seed_rows()]
    assert ranked.loc[HOME, "score"] == pytest.approx(_index_by_hand(_by_hand_home_may(), rows))
    assert ranked.loc[HOME, "score"] != pytest.approx(_index_by_hand(_by_hand_home_may(), indicators.seed_rows()))


def test_a_county_viewer_sees_only_their_county(county_pair):
    store = _store(county_pair)
    mine = effectiveness.ranking(store, effectiveness.month_filters(HOME, MAY, dt.date(2026, 6, 10)), Scope.of(HOME))
    assert list(mine["adcode"]) == [HOME]
    with pytest.raises(OutOfScope):
        effectiveness.ranking(store, effectiveness.month_filters(CITY, MAY, dt.date(2026, 6, 10)), Scope.of(HOME))
    with pytest.raises(OutOfScope):
        effectiveness.breakdown(store, effectiveness.month_filters(OTHER, MAY, dt.date(2026, 6, 10)), Scope.of(HOME))


def test_a_city_pools_its_counties_rows(county_pair):
    """The province's ranking lists the city, whose coverage pools both counties: 4 of 6 entities."""
    store = _store(county_pair)
    parts = effectiveness.breakdown(store, effectiveness.month_filters(PROVINCE, MAY, dt.date(2026, 6, 10)),
                                    Scope.of(PROVINCE)).set_index("indicator")
    assert set(parts["adcode"]) == {CITY}
    assert parts.loc["inspection_coverage", "value"] == pytest.approx(4 / 6)


def test_bad_indicator_rows_name_the_field():
    row = {"key": "x", "category": "quality", "direction": "higher", "floor": "0.9", "target": "0.3", "weight": "1",
           "window_months": "1"}
    with pytest.raises(ValueError, match="line 7: direction higher needs target above floor"):
        indicators.check(row, "indicators.csv line 7")
    with pytest.raises(ValueError, match="weight 'heavy' is not a number"):
        indicators.check({**row, "floor": "0.3", "target": "0.9", "weight": "heavy"}, "line 3")
    assert {r["category"] for r in indicators.seed_rows()} == {"quality", "efficiency", "public"}
    assert [sum(r["category"] == c for r in indicators.seed_rows()) for c in ("quality", "efficiency", "public")] == [4, 4, 1]
    assert set(score.COMPUTE) == {r["key"] for r in indicators.seed_rows()}


def test_the_cli_prints_the_ranking(county_pair, var_dir, monkeypatch):
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings

    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", county_pair.url.render_as_string(hide_password=False))
    monkeypatch.setenv("WEIJIAN_REGION", CITY)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["effectiveness", "--month", "2026-05", "--detail", HOME])
        wider = CliRunner().invoke(app, ["effectiveness", "--region", PROVINCE, "--month", "2026-05"])
        bad = CliRunner().invoke(app, ["effectiveness", "--month", "2026-5x"])
        unknown = CliRunner().invoke(app, ["effectiveness", "--region", "410199", "--month", "2026-05"])
        changed = CliRunner().invoke(app, ["effectiveness", "set", "draw_completion", "--weight", "0", "--reason", "test",
                                           "--as", "省卫健委"])
        refused = CliRunner().invoke(app, ["effectiveness", "set", "draw_completion", "--target", "0.1", "--reason", "x",
                                           "--as", "省卫健委"])
        after = CliRunner().invoke(app, ["effectiveness", "--month", "2026-05"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    expected = _index_by_hand(_by_hand_home_may(), indicators.seed_rows())
    assert lines[2].split()[:4] == ["1", HOME, "金水区", f"{expected:.1f}"]
    assert lines[3].split()[:4] == ["–", OTHER, "中原区", "–"]
    assert any(line.split()[0] == "complaint_on_time" for line in lines[4:])
    assert wider.exit_code == 1 and "outside the configured region" in wider.output
    assert bad.exit_code == 1 and "--month" in bad.output
    assert unknown.exit_code == 1 and "unknown region code" in unknown.output, unknown.output
    assert changed.exit_code == 0 and "draw_completion: weight 0" in changed.output, changed.output
    assert refused.exit_code == 1 and "needs target above floor" in refused.output
    rows = [dict(r, weight=0 if r["key"] == "draw_completion" else r["weight"]) for r in indicators.seed_rows()]
    # The ranking after the change uses the new weight.
    assert after.output.splitlines()[2].split()[3] == f"{_index_by_hand(_by_hand_home_may(), rows):.1f}"
