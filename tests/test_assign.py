"""Point → region assignment on two hand-made squares sharing an edge, then on real data."""

from shared_datasets import DATASETS

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import assign, boundaries, hierarchy
from geo.io import read_csv_detecting_encoding

STATIONS = DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv"


@pytest.fixture
def two_squares():
    """Two real Zhengzhou district codes on unit squares: 410102 = [0,1]x[0,1], 410103 = [1,2]x[0,1]."""
    return gpd.GeoDataFrame(
        {"adcode": ["410103", "410102"], "name": ["二七区", "中原区"]},
        geometry=[shapely.box(1, 0, 2, 1), shapely.box(0, 0, 1, 1)],
    )


def test_points_inside_on_the_edge_near_and_outside(two_squares):
    lon = np.array([0.5, 1.5, 1.0, 1.0, 3.0, 2.0001, np.nan])
    lat = np.array([0.5, 0.5, 0.5, 1.0, 3.0, 0.5, 0.5])
    result = assign.assign(lon, lat, two_squares, snap_m=50)
    assert result["county_adcode"].astype(object).where(result["county_adcode"].notna(), None).tolist() == \
        ["410102", "410103", "410102", "410102", None, "410103", None]
    assert result["region_match"].tolist() == ["inside", "inside", "inside", "inside", "outside", "near", "no_coordinates"]
    # Parents come from the real hierarchy.
    assert result["city_adcode"].iloc[0] == "410100" and result["province_adcode"].iloc[0] == "410000"
    assert result.loc[4, ["province_adcode", "city_adcode", "county_adcode"]].isna().all()


def test_border_points_do_not_depend_on_order(two_squares):
    lon = np.array([1.0, 1.0, 1.0])
    lat = np.array([0.0, 0.25, 1.0])
    forward = assign.assign(lon, lat, two_squares)
    backward = assign.assign(lon, lat, two_squares.iloc[::-1].reset_index(drop=True))
    assert forward["county_adcode"].tolist() == backward["county_adcode"].tolist() == ["410102"] * 3


def test_snap_zero_leaves_near_points_outside(two_squares):
    result = assign.assign(np.array([2.0001]), np.array([0.5]), two_squares, snap_m=0)
    assert result["region_match"].tolist() == ["outside"]
    assert assign.summarise(result).outside == 1


def test_county_level_city_fills_its_own_code(cache_dir):
    leaves = boundaries.polygons("410000", "county", cache_dir)
    jiyuan = leaves.set_index("adcode").geometry["419001"]
    point = shapely.point_on_surface(jiyuan)
    result = assign.assign(np.array([point.x]), np.array([point.y]), leaves)
    assert result.loc[0, ["province_adcode", "city_adcode", "county_adcode"]].tolist() == ["410000", "419001", "419001"]


def test_bad_coordinates_are_reported_by_row_and_field():
    lon = pd.Series(["113.6", "", "abc", "200", "0", "113.7"])
    lat = pd.Series(["34.7", "34.7", "34.7", "34.7", "0", "-95"])
    x, y, problems = assign.parse_coordinates(lon, lat, "经度", "纬度")
    assert problems == [
        "row 2: 经度 is empty",
        "row 3: 经度 'abc' is not a number",
        "row 4: 经度 200 is outside -180..180",
        "row 5: 经度,纬度 is 0,0 (a placeholder, not a place)",
        "row 6: 纬度 -95 is outside -90..90",
    ]
    assert np.isfinite(x).tolist() == [True, False, False, False, False, False]


def test_henan_air_stations_agree_with_the_files_own_city_column(cache_dir):
    """Real data: CNEMC station list (GBK), Henan rows, assigned with our code vs its 地级行政区 column."""
    frame, encoding = read_csv_detecting_encoding(STATIONS)
    assert encoding == "gb18030"
    henan = frame[frame["省级行政区"] == "河南省"].reset_index(drop=True)
    x, y, problems = assign.parse_coordinates(henan["经度"], henan["纬度"], "经度", "纬度")
    result = assign.assign(x, y, boundaries.polygons("410000", "county", cache_dir))
    names = hierarchy.region_table()["name"]
    ours = result["city_adcode"].map(names)
    usable = result["region_match"] != "no_coordinates"
    agree = (ours == henan["地级行政区"])[usable]
    differ = usable & (ours != henan["地级行政区"])
    disagreements = henan[differ].assign(ours=ours[differ])
    print(f"\n{len(henan)} Henan stations, {int(usable.sum())} with coordinates, {agree.mean():.2%} agree")
    print(disagreements[["监测点编码", "监测点名称", "经度", "纬度", "地级行政区", "ours"]].to_string())
    assert len(henan) > 100
    assert agree.mean() >= 0.97


def test_stations_of_every_province_agree_with_their_city_column(cache_dir):
    """The whole national list against all of China's counties (what `weijian geo assign` does by default).

    The file's own errors show up among the disagreements: Xinjiang's corps cities (石河子, 五家渠) are
    labelled 阿勒泰地区, and new areas (雄安新区, 兰州新区, 西咸新区, 赣江新区) are not prefectures.
    """
    frame, _ = read_csv_detecting_encoding(STATIONS)
    x, y, problems = assign.parse_coordinates(frame["经度"], frame["纬度"], "经度", "纬度")
    assert len(problems) == 20  # 10 stations without either coordinate
    result = assign.assign(x, y, boundaries.polygons("100000", "county", cache_dir))
    names = hierarchy.region_table()["name"]
    usable = (result["region_match"] != "no_coordinates").to_numpy()
    ours = result["city_adcode"].map(names).to_numpy()
    agree = ours[usable] == frame["地级行政区"].to_numpy()[usable]
    print(f"\n{usable.sum()} stations with coordinates, {agree.mean():.2%} agree with 地级行政区")
    differ = frame[usable][~agree].assign(ours=ours[usable][~agree])
    print(differ[["监测点编码", "监测点名称", "省级行政区", "地级行政区", "ours"]].to_string())
    assert agree.mean() >= 0.97
    provinces = result["province_adcode"].map(names).to_numpy()
    assert (provinces[usable] == frame["省级行政区"].to_numpy()[usable]).mean() >= 0.995


def test_raster_index_gives_the_exact_answers(cache_dir):
    """Random points over Henan and points on and next to every border: the grid path equals the exact path.

    The exact path is point-in-polygon (covers, smaller adcode on a shared border, 50 m snap) on the
    full-resolution polygons; the grid answers most points by lookup and tests the rest only against
    their cell's candidate leaves, so any candidate missing from a cell would show up here as a difference.
    """

    leaves = boundaries.polygons("410000", "county", cache_dir)
    index = boundaries.raster_index("410000", cache_dir)
    minx, miny, maxx, maxy = leaves.total_bounds
    rng = np.random.default_rng(21)
    lon, lat = rng.uniform(minx - 0.1, maxx + 0.1, 200_000), rng.uniform(miny - 0.1, maxy + 0.1, 200_000)
    # Vertices of every boundary (exactly on a shared border), and points scattered within ~150 m of them,
    # where a cell holds several candidates and snapping to the nearest leaf decides outside the province.
    border = shapely.get_coordinates(shapely.boundary(leaves.geometry.values))[::7]
    jitter = rng.uniform(-0.0015, 0.0015, (2, len(border)))
    lon = np.r_[lon, border[:, 0], border[:, 0] + jitter[0], border[:, 0] + 0.0003, np.nan, 113.5]
    lat = np.r_[lat, border[:, 1], border[:, 1] + jitter[1], border[:, 1], 34.0, np.nan]
    fast = assign.assign(lon, lat, leaves, index=index)
    exact = assign.assign(lon, lat, leaves)
    pd.testing.assert_frame_equal(fast, exact)
    matches = fast["region_match"].value_counts()
    assert matches["near"] > 100 and matches["inside"] > 100_000 and matches["no_coordinates"] == 2
    # Few cells defer to exact tests, and a wider snap than the grid's reach is answered exactly.
    assert index.deferred_share() < 0.02
    wide = assign.assign(lon[-2000:], lat[-2000:], leaves, snap_m=500, index=index)
    pd.testing.assert_frame_equal(wide, assign.assign(lon[-2000:], lat[-2000:], leaves, snap_m=500))
