import numpy as np
import pytest

from geo import crs

# Published test points. eviltransform's test suite (WGS-84 → GCJ-02, lat/lon order there):
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# coordtransform's README (wandergis), all from (116.404, 39.915):
COORDTRANSFORM = {
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
}


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_published_points(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = crs.wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert crs.haversine_m(lon, lat, gcj_lon, gcj_lat) < 0.01


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM)
def test_gcj02_to_wgs84_recovers_published_points(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = crs.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert crs.haversine_m(lon, lat, wgs_lon, wgs_lat) < 0.01


@pytest.mark.parametrize("name, expected", COORDTRANSFORM.items())
def test_coordtransform_reference_values(name, expected):
    lon, lat = getattr(crs, name)(116.404, 39.915)
    assert crs.haversine_m(lon, lat, *expected) < 0.01


def test_round_trip_under_one_metre_everywhere_in_china():
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(73.7, 135.0, 200_000), rng.uniform(18.0, 53.5, 200_000)
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert crs.haversine_m(*back, lon, lat).max() < 1.0
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert crs.haversine_m(*back, lon, lat).max() < 1.0


def test_the_one_step_approximation_would_not_be_good_enough():
    """Guards the iteration: subtracting the forward offset once is off by more than our 1 m bound."""
    lon, lat = 116.404, 39.915
    g_lon, g_lat = crs.wgs84_to_gcj02(lon, lat)
    one_step = crs.gcj02_to_wgs84(g_lon, g_lat, iterations=1)
    assert crs.haversine_m(*one_step, lon, lat) > 0.1
    assert crs.haversine_m(*crs.gcj02_to_wgs84(g_lon, g_lat), lon, lat) < 0.001


def test_outside_china_is_unchanged():
    lon, lat = crs.wgs84_to_gcj02([-73.98, 2.35], [40.75, 48.85])
    assert np.allclose(lon, [-73.98, 2.35]) and np.allclose(lat, [40.75, 48.85])


def test_to_wgs84_dispatch_and_unknown_crs():
    assert crs.to_wgs84(116.0, 39.0, "WGS-84")[0] == 116.0
    # BD-09's published reverse formula is itself approximate (a few cm), well inside the 1 m bound.
    assert crs.haversine_m(*crs.to_wgs84(*crs.wgs84_to_bd09(116.0, 39.0), "bd09"), 116.0, 39.0) < 0.1
    lon, lat = crs.to_wgs84(500000.0, 4428000.0, "EPSG:32650")  # UTM 50N
    assert 116.9 < lon < 117.1 and 39.9 < lat < 40.1
    with pytest.raises(ValueError, match="unknown coordinate system"):
        crs.to_wgs84(1.0, 1.0, "mars")
