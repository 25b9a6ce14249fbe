"""Imported boundaries with the real NYC and SF files (../shared/datasets, read in place), on SQLite and PostgreSQL.

NYC: borough.geojson (5) under a root "NYC", then neighborhood_tabulation_area.geojson (262) whose borough_code
names the parent borough; the DOHMH inspections are imported with WEIJIAN_REGION = NYC and land in boroughs and
NTAs by point-in-polygon. SF: sf_analysis_neighborhoods.geojson (41) under a root "SF" with the DPH businesses.

Expected numbers are recomputed from the raw files with plain pandas/geopandas, independently of
data/boundary_sets and data/imports: NYC has 4,573 restaurants (CAMIS); those of which any row has lat = lon = 0
(177 rows) or empty coordinates (106 rows) are refused whole (a record spanning several rows is), 236 CAMIS;
every other restaurant lies in one of the five boroughs (none outside), and its borough and NTA are the ones
geopandas.sjoin finds for its point in the files' own polygons.
"""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import pytest
import shapely
from shared_datasets import DATASETS
from sqlalchemy import func, select

from data import accounts, boundary_sets, db, models
from data.imports import commands, profile
from data.queries.filters import OutOfScope, Scope
from geo import boundaries, custom, hierarchy

NYC_DIR, SF_DIR = DATASETS / "nyc_boundaries", DATASETS / "sf_restaurant_inspections"
BOROUGHS, NTAS = NYC_DIR / "borough.geojson", NYC_DIR / "neighborhood_tabulation_area.geojson"
NYC_CSV = DATASETS / "nyc_restaurant_inspections" / "nyc_restaurant_inspections.csv"
SF_HOODS, SF_BUSINESSES = SF_DIR / "sf_analysis_neighborhoods.geojson", SF_DIR / "businesses_plus.csv"
PASSWORD = "Bounds#2026xy"
NYC_APP_CHECK_S = 1.0  # the NYC app looks for sets imported elsewhere this often (production: 5 s)


def _import_nyc_and_sf(engine, cache_dir) -> dict:
    done = {
        "boroughs": boundary_sets.import_file(engine, BOROUGHS, boundary_sets.Options(
            "borough_code", "name", level_name="borough", root="NYC", root_name="New York City")),
        "ntas": boundary_sets.import_file(engine, NTAS, boundary_sets.Options(
            "nta2020", "name", parent_field="borough_code", level_name="nta", root="NYC")),
        "sf": boundary_sets.import_file(engine, SF_HOODS, boundary_sets.Options(
            "nhood", "nhood", level_name="neighborhood", root="SF", root_name="San Francisco")),
    }
    nyc = profile.load("nyc_restaurant_inspections")
    done["nyc_entities"] = commands.command("entities", engine, NYC_CSV, nyc, region="NYC", cache_dir=cache_dir).run()
    done["nyc_inspections"] = commands.command("inspections", engine, NYC_CSV, nyc, region="NYC",
                                               cache_dir=cache_dir).run()
    done["sf_entities"] = commands.command("entities", engine, SF_BUSINESSES, profile.load("sf_restaurant_inspections"),
                                           region="SF", cache_dir=cache_dir).run()
    with engine.begin() as conn:
        now = dt.datetime.now(dt.UTC)
        accounts.create_user(conn, username="nyc_manager", name="NYC", role="province_manager", region="NYC",
                             password=PASSWORD, actor="test", now=now)
        accounts.create_user(conn, username="brooklyn_manager", name="Brooklyn", role="city_manager", region="3",
                             password=PASSWORD, actor="test", now=now)
        accounts.create_user(conn, username="sf_manager", name="SF", role="province_manager", region="SF",
                             password=PASSWORD, actor="test", now=now)
    return done


@pytest.fixture(scope="module")
def imported(module_database_url, cache_dir):
    engine = db.make_engine(module_database_url)
    db.upgrade(engine)
    outcomes = _import_nyc_and_sf(engine, cache_dir)
    yield engine, outcomes
    engine.dispose()
    custom.clear()


@pytest.fixture
def nyc(imported):
    """The module's database with its boundary sets installed (the other database's may have been)."""
    engine, outcomes = imported
    boundary_sets.load(engine)
    return engine, outcomes


@pytest.fixture(scope="module")
def restaurants() -> gpd.GeoDataFrame:
    """One row per CAMIS with usable coordinates on every row, its borough and NTA by geopandas.sjoin."""
    raw = pd.read_csv(NYC_CSV, dtype=str, keep_default_na=False)
    lon, lat = pd.to_numeric(raw["longitude"], errors="coerce"), pd.to_numeric(raw["latitude"], errors="coerce")
    unusable = lon.isna() | lat.isna() | ((lon == 0) & (lat == 0))
    bad_camis = set(raw.loc[unusable, "camis"])
    good = raw[~raw["camis"].isin(bad_camis)].drop_duplicates("camis")
    points = gpd.GeoDataFrame({"camis": good["camis"].to_numpy(), "boro": good["boro"].to_numpy()},
                              geometry=gpd.points_from_xy(pd.to_numeric(good["longitude"]), pd.to_numeric(good["latitude"])),
                              crs="EPSG:4326")
    ntas = gpd.read_file(NTAS)[["nta2020", "borough_code", "geometry"]]
    inside = gpd.sjoin(points, ntas, predicate="intersects").drop_duplicates("camis")
    # In no NTA (a gap between two polygons): the nearest within 50 m, as geo.assign snaps (NY State Plane, feet).
    rest = points[~points["camis"].isin(inside["camis"])].to_crs(2263)
    near = gpd.sjoin_nearest(rest, ntas.to_crs(2263), max_distance=50 / 0.3048).to_crs(4326)
    joined = pd.concat([inside, near]).drop_duplicates("camis")
    joined.attrs.update(total=raw["camis"].nunique(), refused=len(bad_camis), near=len(near))
    return joined


def test_the_files_import_as_two_hierarchies(nyc):
    _, done = nyc
    assert [len(done[k].taken) for k in ("boroughs", "ntas", "sf")] == [5, 262, 41]
    assert all(not done[k].refused for k in ("boroughs", "ntas", "sf"))
    assert done["boroughs"].root_created and not done["ntas"].root_created
    assert hierarchy.get_region("NYC").level == "province" and hierarchy.get_region("NYC").parent_adcode is None
    assert [r.adcode for r in hierarchy.ancestors("BK0101")] == ["NYC", "3", "BK0101"]
    assert hierarchy.get_region("3").name == "Brooklyn" and hierarchy.get_region("BK0101").level == "county"
    assert len(hierarchy.children("NYC")) == 5 and len(hierarchy.descendants("NYC", "county")) == 262
    assert len(hierarchy.children("SF")) == 41 and hierarchy.get_region("Mission").level == "city"
    assert hierarchy.get_region("410000").name == "河南省"  # the built-in ones are untouched
    listed = boundary_sets.listing(nyc[0])
    assert listed[["root", "level_name", "features"]].values.tolist() == [
        ["NYC", "borough", 5], ["NYC", "nta", 262], ["SF", "neighborhood", 41]]


def test_nyc_restaurants_land_where_point_in_polygon_puts_them(nyc, restaurants):
    engine, done = nyc
    outcome = done["nyc_entities"]
    # Every usable point is in an NTA (one 4 cm outside, in a gap between two), none outside New York.
    assert restaurants.attrs == {"total": 4573, "refused": 236, "near": 1} and len(restaurants) == 4337
    names = {"1": "Manhattan", "2": "Bronx", "3": "Brooklyn", "4": "Queens", "5": "Staten Island"}
    assert (restaurants["borough_code"].astype(int).astype(str).map(names) == restaurants["boro"]).all()
    assert outcome.taken == outcome.inserted == 4573 - 236 == 4337 and outcome.refused == 236
    assert outcome.counts_by_code() == {"zero_coordinates": 177, "no_coordinates": 106}
    with engine.connect() as conn:
        stored = pd.DataFrame(conn.execute(select(models.Entity.credit_code, models.Entity.province_adcode,
                                                  models.Entity.city_adcode, models.Entity.county_adcode)).all(),
                              columns=["key", "root", "borough", "nta"])
    stored = stored[stored["root"] == "NYC"].assign(camis=lambda f: f["key"].str.removeprefix("NYC-"))
    expected = restaurants.set_index("camis")
    got = stored.set_index("camis").loc[expected.index]
    assert (got["nta"] == expected["nta2020"]).all()
    assert (got["borough"] == expected["borough_code"].astype(str)).all()
    assert got["borough"].value_counts().to_dict() == {"1": 1675, "3": 1127, "4": 1023, "2": 373, "5": 139}


def test_inspections_roll_up_by_borough_and_nta(nyc):
    engine, done = nyc
    taken = done["nyc_inspections"].taken
    with engine.connect() as conn:
        by_borough = dict(conn.execute(select(models.RollupRegionMonth.city_adcode,
                                              func.sum(models.RollupRegionMonth.inspections))
                                       .where(models.RollupRegionMonth.province_adcode == "NYC")
                                       .group_by(models.RollupRegionMonth.city_adcode)).all())
        raw = dict(conn.execute(select(models.Inspection.city_adcode, func.count()).where(
            models.Inspection.province_adcode == "NYC").group_by(models.Inspection.city_adcode)).all())
    assert sum(by_borough.values()) == sum(raw.values()) == taken == 3879
    assert {k: int(v) for k, v in by_borough.items()} == raw


def test_sf_businesses_are_placed_in_the_41_neighbourhoods(nyc):
    engine, done = nyc
    raw = pd.read_csv(SF_BUSINESSES, encoding="cp1252", dtype=str, keep_default_na=False)
    lon, lat = pd.to_numeric(raw["longitude"], errors="coerce"), pd.to_numeric(raw["latitude"], errors="coerce")
    usable = lon.notna() & lat.notna() & ~((lon == 0) & (lat == 0))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[usable], lat[usable]), crs="EPSG:4326",
                              index=raw.index[usable])
    hoods = gpd.read_file(SF_HOODS)
    inside = gpd.sjoin(points, hoods, predicate="intersects").index.unique()
    outcome = done["sf_entities"]
    counts = outcome.counts_by_code()
    assert (counts["no_coordinates"], counts["zero_coordinates"]) == (3819, 10)
    # Within 50 m of a neighbourhood counts as in it (geo.assign's snap): the others are outside SF.
    near = points.loc[points.index.difference(inside)].to_crs(7131).distance(hoods.to_crs(7131).union_all()) <= 50
    assert counts["outside_region"] == int(usable.sum()) - len(inside) - int(near.sum())
    with engine.connect() as conn:
        placed = conn.execute(select(func.count()).select_from(models.Entity).where(
            models.Entity.province_adcode == "SF")).scalar_one()
    assert placed == outcome.taken > 0


def test_scope_of_a_borough_viewer_is_that_borough(nyc):
    brooklyn = Scope.of("3")
    assert brooklyn.allows("3") and brooklyn.allows("BK0101")
    assert not brooklyn.allows("NYC") and not brooklyn.allows("MN0101") and not brooklyn.allows("410000")
    with pytest.raises(OutOfScope):
        brooklyn.check("1")
    assert Scope.of("NYC").allows("QN0101") and not Scope.of("410000").allows("QN0101")


def test_a_level_with_records_or_a_level_below_it_is_not_deleted(nyc):
    engine, _ = nyc
    sets = boundary_sets.listing(engine).set_index("level_name")["id"]
    boroughs = boundary_sets.delete_set(engine, int(sets["borough"]))
    assert not boroughs.regions and boroughs.refused == [
        f"set {sets['nta']} lies below it: delete that first",
        "2 app_user rows have one of its regions as home region",  # nyc_manager (its root), brooklyn_manager
        "4,337 entity rows are placed in its regions", "3,879 inspection rows are placed in its regions"]
    assert hierarchy.get_region("3").name == "Brooklyn"  # nothing was deleted


def test_imported_layers_have_their_polygons(nyc, cache_dir):
    assert boundaries.raster_index("NYC", cache_dir) is None  # exact assignment for imported leaves
    layer = boundaries.simplified_geojson("3", "county", cache_dir)
    assert len(layer["features"]) == len(hierarchy.children("3")) == 69  # Brooklyn's NTAs in the file
    assert {f["id"] for f in layer["features"]} == set(hierarchy.children("3")["adcode"])


def _square(x0: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, 0], [x0 + 1, 0], [x0 + 1, 1], [x0, 1], [x0, 0]]]}


def _write(path, features) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": geometry} for props, geometry in features]}))


def test_a_file_with_problems_is_refused_feature_by_feature(engine, tmp_path):
    """Two squares sharing an edge under a root T (city slot), then a level below them with every kind of problem."""
    _write(tmp_path / "halves.geojson", [({"id": "W", "name": "West"}, _square(0)), ({"id": "E", "name": "East"}, _square(1))])
    halves = boundary_sets.import_file(engine, tmp_path / "halves.geojson", boundary_sets.Options(
        "id", "name", level_name="half", root="T", root_name="Test"))
    assert halves.taken == ["W", "E"] and halves.root_created
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [0.5, 0.5], [0.5, 0], [0, 0.5], [0, 0]]]}
    nested = {"type": "Polygon", "coordinates": [_square(1)["coordinates"]]}
    _write(tmp_path / "grid.geojson", [
        ({"code": "G1", "name": "one", "half": "west"}, _square(0)),
        ({"code": "", "name": "no code", "half": "West"}, _square(0)),
        ({"code": "G2", "name": "twice", "half": "West"}, _square(0)),
        ({"code": "G2", "name": "twice", "half": "West"}, _square(0)),
        ({"code": "G3", "name": "nowhere", "half": "North"}, _square(0)),
        ({"code": "G4", "name": "bowtie", "half": "West"}, bowtie),
        ({"code": "G5", "name": "nested", "half": "East"}, nested),
        ({"code": "W", "name": "taken", "half": "East"}, _square(1)),
        ({"code": "G6", "name": "", "half": "East"}, _square(1)),
        ({"code": "G7", "name": "a line", "half": "East"}, {"type": "LineString", "coordinates": [[1, 0], [2, 1]]}),
    ])
    grid = boundary_sets.import_file(engine, tmp_path / "grid.geojson", boundary_sets.Options(
        "code", "name", parent_field="half", parent_by="name", level_name="grid", root="T"))
    assert grid.taken == ["G1", "G4"]
    reasons = {(p.feature, p.field): p.reason for p in grid.refused}
    assert reasons == {
        (2, "code"): "empty code",
        (3, "code"): "code 'G2' appears 2 times in the file",
        (4, "code"): "code 'G2' appears 2 times in the file",
        (5, "half"): "parent 'North' is not a stored region",
        (7, "geometry"): 'says "Polygon" but its coordinates are nested like a MultiPolygon\'s: invalid GeoJSON, '
                         'fix the type at the source',
        (8, "code"): "code 'W' is already a stored region",
        (9, "name"): "no name",
        (10, "geometry"): "is a 'LineString', not a Polygon or MultiPolygon",
    }
    assert [(p.feature, p.code) for p in grid.repaired] == [(6, "G4")]
    assert hierarchy.get_region("G1").level == "county" and hierarchy.get_region("G1").parent_adcode == "W"
    with engine.connect() as conn:
        stored = conn.execute(select(models.Boundary.geometry).where(models.Boundary.adcode == "G4")).scalar_one()
    assert shapely.from_wkb(stored).is_valid

    # Under a county slot a level takes the town slot; below a town there is no code column left: the whole
    # level is refused, nothing is written.
    _write(tmp_path / "cells.geojson", [({"code": "C1", "name": "cell", "grid": "G1"}, _square(0))])
    cells = boundary_sets.import_file(engine, tmp_path / "cells.geojson", boundary_sets.Options(
        "code", "name", parent_field="grid", level_name="cell"))
    assert cells.taken == ["C1"] and hierarchy.get_region("C1").level == "town"
    _write(tmp_path / "rooms.geojson", [({"code": "R1", "name": "room", "cell": "C1"}, _square(0))])
    rooms = boundary_sets.import_file(engine, tmp_path / "rooms.geojson", boundary_sets.Options(
        "code", "name", parent_field="cell", level_name="room"))
    assert rooms.taken == [] and "no code column below it" in rooms.refused[0].reason
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.BoundarySet)).scalar_one() == 3
        assert conn.execute(select(func.count()).select_from(models.Region)).scalar_one() == 6  # T, W, E, G1, G4, C1
    custom.clear()


@pytest.fixture(scope="module")
def nyc_app(imported, var_dir):
    from dashboard.app import create_app
    from dashboard.settings import Settings

    engine, _ = imported
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), var_dir=var_dir, region="NYC",
                        login_rate_limit="10000 per minute", public_rate_limit="10000 per minute",
                        boundary_check_s=NYC_APP_CHECK_S)
    return create_app(settings)


@pytest.fixture
def as_nyc(nyc_app, nyc):
    """Enter a request of an account of the NYC database: `with as_nyc("brooklyn_manager"): ...`."""
    import contextlib

    from dashboard import auth

    @contextlib.contextmanager
    def enter(username: str):
        with nyc_app.server.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
            with nyc_app.server.extensions["weijian"].store.engine.connect() as conn:
                auth.login(accounts.by_username(conn, username))
            yield

    return enter


def _nyc_state(region: str, **overrides) -> dict:
    return {"region": region, "period": "2008-01..2026-12", "specialty": None, "lang": "en", "layer": "inspection",
            **overrides}


def test_manager_map_drills_from_boroughs_to_ntas(as_nyc, nyc_app):
    from callbacks import manager

    with as_nyc("nyc_manager"):
        city, title, *_ = manager.render(_nyc_state("NYC"))
        boroughs = go.Figure(city).data[0]
        assert boroughs.type == "choropleth" and sorted(boroughs.locations) == ["1", "2", "3", "4", "5"]
        assert "New York City" in title
        with nyc_app.server.extensions["weijian"].store.engine.connect() as conn:
            failed = conn.execute(select(func.count()).select_from(models.Inspection).where(
                models.Inspection.province_adcode == "NYC", models.Inspection.result == "non_compliant")).scalar_one()
        assert sum(int(v) for v in _values(boroughs.z)) == failed == 3776  # every non-compliant one, in its borough
        url = manager.navigate("manager-map", {"points": [{"location": "3", "z": 1}]}, None, None, None, _nyc_state("NYC"))
        assert url.startswith("/?region=3")

        drilled, title, *_ = manager.render(_nyc_state("3"))
        ntas = go.Figure(drilled).data[0]
        assert "Brooklyn" in title and len(ntas.locations) == 69 and set(ntas.locations) >= {"BK0101", "BK1501"}
        drawn = {f["id"] for f in ntas.geojson["features"]}
        assert drawn == set(ntas.locations)  # the NTA polygons themselves travel with the figure
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in ntas.geojson["features"])

        leaf, *_ = manager.render(_nyc_state("BK0101"))  # an NTA is a leaf: its restaurants as points
        assert any(t.type == "scattergeo" and t.mode == "markers" for t in go.Figure(leaf).data)


def test_a_borough_viewer_sees_only_that_borough(as_nyc):
    from callbacks import manager

    with as_nyc("brooklyn_manager"):
        drilled, title, *_ = manager.render(_nyc_state("3"))
        assert len(go.Figure(drilled).data[0].locations) == 69
        for elsewhere in ("NYC", "1", "MN0101", "SF", "410000"):
            figure, title, *_ = manager.render(_nyc_state(elsewhere))
            assert title == "You may not view this region" and not go.Figure(figure).data, elsewhere


def _values(values):
    import base64

    import numpy as np

    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)


def test_boundaries_commands_import_list_and_refuse(tmp_path, var_dir, monkeypatch):
    """`weijian boundaries import|list`, `weijian regions T` as a user runs them (SQLite)."""
    from typer.testing import CliRunner

    from dashboard.cli import app
    from dashboard.settings import get_settings

    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        assert runner.invoke(app, ["boundaries", "list"]).output.strip() == "no imported boundaries"
        _write(tmp_path / "halves.geojson", [({"id": "W", "name": "West"}, _square(0)),
                                             ({"id": "E", "name": "East"}, _square(1))])
        done = runner.invoke(app, ["boundaries", "import", str(tmp_path / "halves.geojson"), "--code-field", "id",
                                   "--name-field", "name", "--level", "half", "--root", "T", "--root-name", "Test"])
        assert done.exit_code == 0, done.output
        assert "level half under T (created)" in done.output and "took 2, repaired 0, refused 0" in done.output
        again = runner.invoke(app, ["boundaries", "import", str(tmp_path / "halves.geojson"), "--code-field", "id",
                                    "--name-field", "name", "--root", "T"])
        assert again.exit_code == 1 and "refused: feature 1 (code W) id: code 'W' is already a stored region" in again.output
        no_parent = runner.invoke(app, ["boundaries", "import", str(tmp_path / "halves.geojson"), "--code-field", "id",
                                        "--name-field", "name"])
        assert no_parent.exit_code == 1 and "give --parent-field" in no_parent.output
        listed = runner.invoke(app, ["boundaries", "list"]).output.split()
        assert listed[:4] == ["1", "T", "half", "2"]
        assert runner.invoke(app, ["regions", "T"]).output.split()[:4] == ["T", "Test", "province", "2"]
        unknown = runner.invoke(app, ["boundaries", "delete", "9"])
        assert unknown.exit_code == 1 and "no boundary set 9" in unknown.output
        deleted = runner.invoke(app, ["boundaries", "delete", "1"])
        assert deleted.exit_code == 0 and "deleted set 1 (half): 3 regions" in deleted.output, deleted.output
        assert runner.invoke(app, ["boundaries", "list"]).output.strip() == "no imported boundaries"
        assert "T" not in hierarchy.region_table().index
    finally:
        get_settings.cache_clear()
        custom.clear()


def _client(nyc_app, username: str):
    from logins import client_as

    return client_as(nyc_app, username, PASSWORD)


def test_the_api_answers_imported_region_codes(nyc_app, nyc):
    """BK0101, "3" (Brooklyn) and SF's "Castro/Upper Market" are read like adcodes; scope, unknown codes and bad
    syntax are refused with 403, 404 and 422 as for built-in regions."""
    from urllib.parse import urlencode

    engine, _ = nyc
    brooklyn = _client(nyc_app, "brooklyn_manager")
    borough = brooklyn.get("/api/v1/regions/3").get_json()
    assert (borough["name"], borough["level"], borough["parent_adcode"]) == ("Brooklyn", "city", "NYC")
    assert len(borough["children"]) == 69 and {"BK0101", "BK1501"} <= {c["adcode"] for c in borough["children"]}
    assert brooklyn.get("/api/v1/regions/BK0101").get_json()["parent_adcode"] == "3"
    with engine.connect() as conn:
        in_nta = conn.execute(select(func.count()).select_from(models.Entity).where(
            models.Entity.county_adcode == "BK0101")).scalar_one()
    page = brooklyn.get("/api/v1/entities?region=BK0101&per_page=1000").get_json()
    assert page["total"] == len(page["items"]) == in_nta > 0
    assert {e["county_adcode"] for e in page["items"]} == {"BK0101"}
    summary = brooklyn.get("/api/v1/summaries?region=3&period=2008-01..2026-12").get_json()
    assert len(summary["children"]) == 69 and sum(c["inspections"] for c in summary["children"]) > 0
    assert brooklyn.get("/api/v1/alerts?region=BK0101").get_json()["region"] == "BK0101"
    for path in ("/api/v1/regions/MN0101", "/api/v1/regions/NYC", "/api/v1/entities?region=Mission",
                 "/api/v1/summaries?region=1", "/api/v1/alerts?region=410000"):
        answer = brooklyn.get(path)
        assert answer.status_code == 403 and answer.get_json() == {"error": "region outside the viewer's scope"}, path
    for path in ("/api/v1/regions/Nowhere", "/api/v1/entities?region=Nowhere", "/api/v1/summaries?region=BK9999",
                 "/api/v1/alerts?region=999999"):
        answer = brooklyn.get(path)
        assert answer.status_code == 404 and answer.get_json() == {"error": "unknown region"}, path
    for path, field in (("/api/v1/entities?region=%20BK0101", "region"), ("/api/v1/regions/" + "B" * 41, "adcode"),
                        ("/api/v1/summaries?region=", "region")):
        answer = brooklyn.get(path)
        assert answer.status_code == 422 and answer.get_json()["problems"][0]["field"] == field, path
    sf = _client(nyc_app, "sf_manager")
    castro = sf.get("/api/v1/regions/Castro%2FUpper%20Market")  # a "/" in the code: the route takes it whole
    assert castro.status_code == 200 and castro.get_json()["name"] == "Castro/Upper Market"
    assert sf.get("/api/v1/entities?" + urlencode({"region": "Castro/Upper Market"})).get_json()["total"] > 0
    assert brooklyn.get("/api/v1/regions/Castro%2FUpper%20Market").status_code == 403


def test_the_kiosk_rotates_walls_of_imported_regions(as_nyc):
    """region:CODE takes any code that names a region; the wall it opens reads it back as written and applies the
    viewer's scope itself."""
    from urllib.parse import parse_qs, urlsplit

    from dash import dcc

    from components import text, walk
    from dashboard.pages import kiosk
    from dashboard.pages import wall as wall_page

    with as_nyc("nyc_manager"):
        page = kiosk.layout(views="wall,region:3,region:BK0101,region:Castro/Upper Market,region:Nowhere,region:41",
                            lang="en")
        config = next(c for c in walk(page) if isinstance(c, dcc.Store) and c.id == "kiosk-config").data
        arguments = [{k: v[0] for k, v in parse_qs(urlsplit(u).query).items()} for u in config["views"]]
        assert [a["region"] for a in arguments] == ["NYC", "3", "BK0101", "Castro/Upper Market"]
        assert "Skipped views not understood: region:Nowhere、region:41" in text(page)
        walls = [text(wall_page.layout(**a)) for a in arguments]
    assert "New York City" in walls[0] and "Brooklyn" in walls[1] and hierarchy.get_region("BK0101").name in walls[2]
    assert walls[3] == "You may not view this region: Castro/Upper Market"  # SF: outside the NYC manager's scope


def test_a_running_server_sees_a_set_imported_by_another_process(nyc_app, nyc, var_dir, tmp_path):
    """`weijian boundaries import` run by the operator beside a running server, in a process of its own: the
    server's store notices the new stamp at its next check (at most one per WEIJIAN_BOUNDARY_CHECK_S) and answers
    the new region without a restart; between two checks it does not ask the database."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from sqlalchemy import delete

    from data.boundary_watch import BoundaryWatch

    engine, _ = nyc
    before = (custom.frame().reset_index(drop=True), custom.version())
    manager = _client(nyc_app, "nyc_manager")
    assert manager.get("/api/v1/regions/CD1").status_code == 404
    _write(tmp_path / "districts.geojson", [({"code": "CD1", "name": "Test district"}, _square(0))])
    env = {**os.environ, "WEIJIAN_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "WEIJIAN_VAR_DIR": str(var_dir), "WEIJIAN_REGION": "410000",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        done = subprocess.run([sys.executable, "-c", "from dashboard.cli import app; app()", "boundaries", "import",
                               str(tmp_path / "districts.geojson"), "--code-field", "code", "--name-field", "name",
                               "--level", "district", "--root", "NYC"], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and "took 1" in done.stdout, done.stdout + done.stderr
        assert not hierarchy.is_imported("CD1")  # this process (a worker of the server) has not seen it
        deadline = time.monotonic() + 3 * NYC_APP_CHECK_S
        while (answer := manager.get("/api/v1/regions/CD1")).status_code == 404 and time.monotonic() < deadline:
            time.sleep(NYC_APP_CHECK_S / 10)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert (answer.get_json()["name"], answer.get_json()["level"]) == ("Test district", "city")
        assert "CD1" in {c["adcode"] for c in manager.get("/api/v1/regions/NYC").get_json()["children"]}

        # The throttle, on a clock of its own: a set imported after the last check is not seen until the next one.
        now = [100.0]
        watch = BoundaryWatch(engine, interval_s=5.0, clock=lambda: now[0])
        assert watch.load() == len(custom.frame())
        custom.install(*before)  # as if CD1 had been imported just after that load
        now[0] = 104.9
        assert not watch.check() and not hierarchy.is_imported("CD1")
        now[0] = 105.0
        assert watch.check() and hierarchy.get_region("CD1").parent_adcode == "NYC"
        now[0] = 111.0
        assert not watch.check()  # checked: nothing changed since
    finally:
        with engine.begin() as conn:
            sets = conn.execute(select(models.Boundary.set_id).where(models.Boundary.adcode == "CD1")).scalars().all()
            conn.execute(delete(models.Boundary).where(models.Boundary.set_id.in_(sets)))
            conn.execute(delete(models.BoundarySet).where(models.BoundarySet.id.in_(sets)))
            conn.execute(delete(models.Region).where(models.Region.adcode == "CD1"))
            db.bump_data_version(conn)
        boundary_sets.load(engine)
