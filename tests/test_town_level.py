"""A town level (网格 cells) imported under a real county that already holds records, on SQLite and PostgreSQL.

The county-scale demo is built over 金水区 (410105) alone: 3,000 entities with their inspections, penalties,
complaints, devices and alerts. Then a 网格 file cuts the county's full-resolution polygon into a 3 × 3 grid
and leaves the last cell out (a gap a real file can have). Expected placements are recomputed here with
geopandas.sjoin on the cells, independently of geo.towns; the rollup answers are compared with pandas over the
raw rows; scope is checked with a cell viewer and its neighbour.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import func, select

from data import boundary_sets, db, models
from data.cache import QueryCache
from data.demo.build import build
from data.queries import entities, inspections, summary
from data.queries.filters import Filters, OutOfScope, Period, Scope
from data.store import Store
from geo import boundaries, custom, hierarchy

COUNTY = "410105"  # 金水区, 郑州市
UNTIL = dt.date(2026, 6, 30)
PERIOD = Period(dt.date(2024, 1, 15), UNTIL)  # a partial first month: rollups and raw rows both answer


def _cells(cache_dir) -> list[dict]:
    """3 × 3 cells of the county's bounding box clipped to its polygon, all but the last (a gap)."""
    county = boundaries.polygons(COUNTY, "county", cache_dir).geometry.iloc[0]
    minx, miny, maxx, maxy = county.bounds
    xs, ys = np.linspace(minx, maxx, 4), np.linspace(miny, maxy, 4)
    cells = []
    for row in range(3):
        for col in range(3):
            piece = shapely.intersection(county, shapely.box(xs[col], ys[row], xs[col + 1], ys[row + 1]))
            if not piece.is_empty and piece.area > 0:
                cells.append({"code": f"{COUNTY}-G{row}{col}", "name": f"第{row * 3 + col + 1}网格",
                              "county": COUNTY, "geometry": shapely.normalize(piece)})
    return cells[:-1]


def _written(cells: gpd.GeoDataFrame, folder) -> Path:
    path = folder / "grid.geojson"
    path.write_text(cells[["code", "name", "county", "geometry"]].to_json(drop_id=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def towns(module_database_url, cache_dir, tmp_path_factory):
    engine = db.make_engine(module_database_url)
    build(engine, COUNTY, "county", seed=11, cache_dir=cache_dir, until=UNTIL, progress=lambda _m: None)
    store = Store(engine, QueryCache("simple://"))
    before = summary.child_totals(store, Filters("410100", PERIOD), Scope.of("410100"), ("inspections", "complaints"))
    cells = gpd.GeoDataFrame(_cells(cache_dir), crs="EPSG:4326")
    outcome = boundary_sets.import_file(engine, _written(cells, tmp_path_factory.mktemp("towns")), boundary_sets.Options(
        "code", "name", parent_field="county", level_name="网格"))
    yield engine, store, outcome, cells, before
    engine.dispose()
    custom.clear()


@pytest.fixture
def installed(towns):
    boundary_sets.load(towns[0])  # the other database's sets may have been installed meanwhile
    return towns


def _frame(engine, query) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all())


def _expected_town(points: pd.DataFrame, cells: gpd.GeoDataFrame) -> pd.Series:
    """Each point's cell by geopandas.sjoin (a point on a shared edge: the smaller code, as geo.assign rules)."""
    frame = gpd.GeoDataFrame(points[["id"]], geometry=gpd.points_from_xy(points["lon"], points["lat"]), crs="EPSG:4326")
    joined = gpd.sjoin(frame, cells[["code", "geometry"]], predicate="intersects").sort_values("code")
    return joined.drop_duplicates("id").set_index("id")["code"].reindex(points["id"])


def test_the_cells_are_a_town_level_under_the_county(installed):
    engine, _, outcome, cells, _ = installed
    assert len(outcome.taken) == len(cells) == 8 and not outcome.refused
    assert {hierarchy.get_region(c).level for c in outcome.taken} == {"town"}
    assert set(hierarchy.children(COUNTY)["adcode"]) == set(cells["code"])
    assert outcome.placed["entity"] > 0 and outcome.placed["inspection"] > 0


def test_stored_records_are_placed_in_their_cells(installed):
    engine, _, outcome, cells, _ = installed
    for model in (models.Entity, models.Complaint, models.Device):
        rows = _frame(engine, select(model.id, model.lon, model.lat, model.town_adcode).where(model.lon.is_not(None)))
        expected = _expected_town(rows, cells)
        stored = rows.set_index("id")["town_adcode"]
        # Points in the left-out cell, or within 50 m of a cell's edge outside it, are the only ones that may differ:
        # geo.towns snaps those to the nearest cell; sjoin leaves them without one.
        differ = stored.fillna("") != expected.fillna("").to_numpy()
        assert expected.isna()[differ.to_numpy()].all(), model.__tablename__
        assert differ.mean() < 0.01 and stored.notna().mean() > 0.7, model.__tablename__
        assert outcome.placed[model.__tablename__] == int(stored.notna().sum())
    ent, insp = models.Entity.__table__, models.Inspection.__table__
    with engine.connect() as conn:
        mismatched = conn.execute(select(func.count()).select_from(insp.join(ent, ent.c.id == insp.c.entity_id)).where(
            func.coalesce(insp.c.town_adcode, "") != func.coalesce(ent.c.town_adcode, ""))).scalar_one()
        towns_of_penalties = conn.execute(select(func.count()).select_from(models.Penalty).where(
            models.Penalty.town_adcode.is_not(None))).scalar_one()
    assert mismatched == 0 and towns_of_penalties > 0


def test_town_totals_equal_the_raw_rows_and_the_county_total_is_unchanged(installed):
    engine, store, _, cells, before = installed
    by_town = summary.child_totals(store, Filters(COUNTY, PERIOD), Scope.of(COUNTY), ("inspections", "non_compliant"))
    rows = _frame(engine, select(models.Inspection.town_adcode, models.Inspection.result).where(
        models.Inspection.inspected_on.between(PERIOD.start, PERIOD.end)))
    expected = rows.groupby("town_adcode").agg(inspections=("result", "size"),
                                               non_compliant=("result", lambda r: int((r == "non_compliant").sum())))
    got = by_town.set_index("adcode")[["inspections", "non_compliant"]]
    assert sorted(got.index) == sorted(cells["code"])
    assert got.to_dict("index") == expected.reindex(got.index, fill_value=0).astype(int).to_dict("index")
    after = summary.child_totals(store, Filters("410100", PERIOD), Scope.of("410100"), ("inspections", "complaints"))
    assert after.set_index("adcode").loc[COUNTY].to_dict() == before.set_index("adcode").loc[COUNTY].to_dict()
    assert got["inspections"].sum() == len(rows.dropna(subset=["town_adcode"])) < len(rows)  # the gap: no cell


def test_a_cell_viewer_sees_its_cell_only(installed):
    _, store, _, cells, _ = installed
    mine, neighbour = cells["code"].iloc[0], cells["code"].iloc[1]
    listed = inspections.entity_results(store, Filters(mine, PERIOD), Scope.of(mine))
    assert len(listed) > 0
    expected = _expected_town(listed[["id", "lon", "lat"]], cells)
    assert (expected.dropna() == mine).all()
    for region in (neighbour, COUNTY, "410100"):
        with pytest.raises(OutOfScope):
            entities.counts_by_child(store, Filters(region, PERIOD), Scope.of(mine))
    assert inspections.entity_results(store, Filters(neighbour, PERIOD), Scope.of(COUNTY)).merge(
        listed, on="id").empty


def test_no_level_below_a_town(installed, tmp_path):
    engine, _, _, cells, _ = installed
    path = tmp_path / "below.geojson"
    cell = cells.iloc[0]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {
        "code": "X1", "name": "楼栋", "cell": cell["code"]}, "geometry": json.loads(shapely.to_geojson(cell.geometry))}]}))
    below = boundary_sets.import_file(engine, path, boundary_sets.Options("code", "name", parent_field="cell"))
    assert below.taken == [] and "no code column below it" in below.refused[0].reason


def test_manager_map_drills_from_the_county_to_its_cells(installed, var_dir):
    """The manager map of the county draws the cells as its children, and a cell as its entities' points."""
    import plotly.graph_objects as go

    from callbacks import manager
    from dashboard import auth
    from dashboard.app import create_app
    from dashboard.settings import Settings
    from data import accounts

    engine, _, _, cells, _ = installed
    app = create_app(Settings(database_url=engine.url.render_as_string(hide_password=False), var_dir=var_dir,
                              region="410100", login_rate_limit="10000 per minute"))  # its manager: the county
    state = {"region": COUNTY, "period": "2024-01..2026-06", "specialty": None, "lang": "zh", "layer": "inspection"}
    with app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        with engine.connect() as conn:
            auth.login(accounts.by_username(conn, "demo_manager"))
        figure, title, *_ = manager.render(state)
        drawn = go.Figure(figure).data[0]
        assert drawn.type == "choropleth" and sorted(drawn.locations) == sorted(cells["code"])
        assert {f["id"] for f in drawn.geojson["features"]} == set(cells["code"]) and "金水区" in title
        leaf, *_ = manager.render({**state, "region": cells["code"].iloc[0]})
        assert any(t.type == "scattergeo" and t.mode == "markers" for t in go.Figure(leaf).data)


def test_deleting_the_town_level_takes_the_rows_out_of_their_towns_and_importing_it_again_puts_them_back(installed,
                                                                                                       tmp_path):
    engine, store, outcome, cells, before = installed
    set_id = int(boundary_sets.listing(engine)["id"].iloc[-1])
    with engine.begin() as conn:  # a home region in the set blocks its deletion
        conn.execute(models.DisplayToken.__table__.insert().values(
            label="网格屏", token_hash="x" * 64, region_adcode=cells["code"].iloc[0], ip_ranges="10.0.0.0/8",
            created_at=dt.datetime.now(dt.UTC), created_by="test"))
    blocked = boundary_sets.delete_set(engine, set_id)
    assert blocked.refused == ["1 display_token rows have one of its regions as home region"] and not blocked.regions
    with engine.begin() as conn:
        conn.execute(models.DisplayToken.__table__.delete())
    done = boundary_sets.delete_set(engine, set_id)
    assert not done.refused and sorted(done.regions) == sorted(cells["code"])
    assert done.unplaced["entity"] == outcome.placed["entity"] and done.unplaced["inspection"] == outcome.placed["inspection"]
    assert hierarchy.children(COUNTY).empty
    with engine.connect() as conn:
        for model in (models.Entity, models.Inspection, models.Alert):
            assert conn.execute(select(func.count()).select_from(model).where(model.town_adcode.is_not(None))).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(models.RollupRegionMonth).where(
            models.RollupRegionMonth.town_adcode != models.NO_TOWN)).scalar_one() == 0
    after = summary.child_totals(store, Filters("410100", PERIOD), Scope.of("410100"), ("inspections", "complaints"))
    assert after.set_index("adcode").loc[COUNTY].to_dict() == before.set_index("adcode").loc[COUNTY].to_dict()
    again = boundary_sets.import_file(engine, _written(cells, tmp_path), boundary_sets.Options(
        "code", "name", parent_field="county", level_name="网格"))
    assert again.placed == outcome.placed
