"""Entities from spatial files (GeoJSON, zipped Shapefile, GeoPackage) with the profile's source CRS.

The files are made in the test from the real CNEMC station list (../shared/datasets, read in place): the same
stations must give the same answer as the CSV import (10 without coordinates, the Henan ones taken, the rest
outside the region), whatever the format; coordinates shifted to GCJ-02, BD-09 or a projected EPSG code come
back to the stored WGS-84 ones when the profile says so.
"""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shared_datasets import DATASETS

from data.imports import commands, profile
from data.imports.readers import UnreadableFile, read_table
from geo import crs

CNEMC = DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv"
PROFILE = """crs: {crs}
entities:
  key: {{column: code, prefix: "CNEMC-"}}
  columns: {{name: name, lon: geometry.x, lat: geometry.y, address: province}}
  defaults: {{specialty: public_place, subtype: venue}}
"""


@pytest.fixture(scope="module")
def stations() -> pd.DataFrame:
    raw = pd.read_csv(CNEMC, encoding="gbk", dtype=str, keep_default_na=False)
    return pd.DataFrame({"code": raw["监测点编码"], "name": raw["监测点名称"], "province": raw["省级行政区"],
                         "lon": pd.to_numeric(raw["经度"], errors="coerce"), "lat": pd.to_numeric(raw["纬度"], errors="coerce")})


@pytest.fixture
def sqlite_engine(tmp_path):
    from data import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'formats.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def _write(frame: pd.DataFrame, path, x, y, epsg: int = 4326) -> None:
    points = gpd.points_from_xy(x, y)
    points[np.isnan(np.asarray(x, dtype=float))] = None  # no coordinates: a feature without geometry
    geo = gpd.GeoDataFrame(frame[["code", "name", "province"]], geometry=points, crs=epsg)
    if path.suffix == ".zip":
        folder = path.with_suffix("")
        folder.mkdir()
        geo.to_file(folder / "stations.shp", encoding="utf-8")
        shutil.make_archive(str(folder), "zip", folder)
    else:
        geo.to_file(path)


def _dry(engine, path, source_crs, tmp_path, cache_dir):
    (tmp_path / "p.yaml").write_text(PROFILE.format(crs=source_crs), encoding="utf-8")
    job = commands.command("entities", engine, path, profile.load(tmp_path / "p.yaml"), region="410000", cache_dir=cache_dir)
    return job.run(dry_run=True)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".zip"])
def test_each_spatial_format_gives_the_counts_of_the_csv(sqlite_engine, stations, tmp_path, cache_dir, suffix):
    path = tmp_path / f"stations{suffix}"
    _write(stations, path, stations["lon"], stations["lat"])
    frame, how = read_table(path)
    assert len(frame) == len(stations) and how in ("GeoJSON", "GeoPackage", "Shapefile (zip)")
    assert frame["name"].tolist() == stations["name"].tolist()  # Chinese attributes survive, order kept
    outcome = _dry(sqlite_engine, path, "wgs84", tmp_path, cache_dir)
    counts = outcome.counts_by_code()
    henan = ((stations["province"] == "河南省") & stations["lon"].notna()).sum()
    assert counts["no_coordinates"] == 10 and outcome.taken == henan
    assert counts["outside_region"] == len(stations) - 10 - henan
    assert sorted(p.row for p in outcome.problems if p.code == "no_coordinates") == \
        [i + 2 for i in stations.index[stations["lon"].isna()]]


@pytest.mark.parametrize("source", ["gcj02", "bd09", "EPSG:32649"])
def test_the_profile_crs_brings_coordinates_back_to_wgs84(sqlite_engine, stations, tmp_path, cache_dir, source):
    henan = stations[(stations["province"] == "河南省") & stations["lon"].notna()].reset_index(drop=True)
    lon, lat = henan["lon"].to_numpy(), henan["lat"].to_numpy()
    if source == "gcj02":
        x, y, epsg = *crs.wgs84_to_gcj02(lon, lat), 4326
    elif source == "bd09":
        x, y, epsg = *crs.wgs84_to_bd09(lon, lat), 4326
    else:
        projected = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(32649)
        x, y, epsg = projected.x.to_numpy(), projected.y.to_numpy(), 32649
    path = tmp_path / "stations.geojson" if epsg == 4326 else tmp_path / "stations.gpkg"
    _write(henan, path, x, y, epsg)
    outcome = _dry(sqlite_engine, path, source, tmp_path, cache_dir)
    assert outcome.refused == 0 and outcome.taken == len(henan)
    job = commands.command("entities", sqlite_engine, path, profile.load(tmp_path / "p.yaml"), region="410000",
                           cache_dir=cache_dir)
    job.validate()
    stored = job._checked.records.set_index("credit_code")
    expected = henan.assign(credit_code="CNEMC-" + henan["code"]).set_index("credit_code")
    metres = crs.haversine_m(stored["lon"], stored["lat"], expected.loc[stored.index, "lon"], expected.loc[stored.index, "lat"])
    assert np.max(metres) < (0.5 if source == "bd09" else 0.01)  # BD-09's published reverse is a few cm off


def test_a_broken_spatial_file_is_unreadable_with_its_name(tmp_path):
    (tmp_path / "broken.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(UnreadableFile, match="broken.geojson: not a readable GeoJSON"):
        read_table(tmp_path / "broken.geojson")
