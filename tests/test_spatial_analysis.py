"""Choropleth classes, Gi* hot spots and hexagons on small hand-made inputs."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import classify, hexagons, hotspots

GRID = [shapely.box(i, j, i + 1, j + 1) for j in range(10) for i in range(10)]
CLUSTER = [j * 10 + i for j in range(2, 5) for i in range(2, 5)]  # a 3×3 block


def _neighbourhood(cells):
    """The cells and their queen neighbours on the 10×10 grid."""
    around = set()
    for c in cells:
        i, j = c % 10, c // 10
        around |= {y * 10 + x for x in range(i - 1, i + 2) for y in range(j - 1, j + 2) if 0 <= x < 10 and 0 <= y < 10}
    return around


@pytest.mark.parametrize("seed", range(4))
def test_gi_star_finds_a_planted_cluster_on_a_grid(seed):
    values = np.random.default_rng(seed).poisson(5, 100).astype(float)
    values[CLUSTER] += 25
    result = hotspots.regions(gpd.GeoDataFrame({"v": values}, geometry=GRID), "v")
    hot = set(np.flatnonzero(result["spot"] == "hot"))
    assert 33 in hot  # the centre of the block
    assert len(hot) >= 3 and hot <= _neighbourhood(CLUSTER)
    assert (result.loc[list(hot), "p"] < 0.05).all() and (result.loc[list(hot), "z"] > 0).all()


@pytest.mark.parametrize("seed", range(4))
def test_gi_star_finds_nothing_in_a_uniform_grid(seed):
    values = np.random.default_rng(100 + seed).poisson(5, 100).astype(float)
    result = hotspots.regions(gpd.GeoDataFrame({"v": values}, geometry=GRID), "v")
    assert (result["spot"] == "none").all()


def test_gi_star_on_points_with_a_distance_band():
    rng = np.random.default_rng(1)
    lon = rng.uniform(113.5, 113.8, 400)
    lat = rng.uniform(34.6, 34.9, 400)
    near = (lon - 113.6) ** 2 + (lat - 34.7) ** 2 < 0.02 ** 2
    values = rng.poisson(2, 400).astype(float) + np.where(near, 12, 0)
    result = hotspots.points(lon, lat, values, band_m=3000)
    hot = result["spot"].to_numpy() == "hot"
    assert hot[near].mean() > 0.8 and hot[~near].mean() < 0.1


def test_natural_breaks_and_quantiles():
    skewed = [0, 1, 2, 3, 10, 11, 12, 40, 41, 100]
    classes = classify.classify(skewed, "natural_breaks", 4)
    assert classes.bins == (3.0, 12.0, 41.0, 100.0)
    assert classes.of == (0, 0, 0, 0, 1, 1, 1, 2, 2, 3)
    assert classes.labels[0] == "0–3" and classes.labels[-1] == ">41–100"
    quantiles = classify.classify(list(range(1, 101)), "quantiles", 4)
    assert [quantiles.of.count(k) for k in range(4)] == [25, 25, 25, 25]
    assert classify.classify([7, 7, np.nan]).of == (0, 0, -1)
    assert classify.classify([]).bins == ()


def _colour_of(scale: list, zmin: float, zmax: float, value: float) -> str:
    """The colour a stepped Plotly scale gives `value` (the step whose span holds it)."""
    position = (value - zmin) / (zmax - zmin)
    return next(colour for (start, colour), (end, _) in zip(scale[::2], scale[1::2]) if start <= position <= end)


def test_each_layer_colours_its_regions_by_its_own_classes():
    """Counts (skewed) in natural breaks, shares in quantiles; the map's colours are those classes."""
    from dashboard.figures import class_colours
    from dashboard.theme import THEME
    from layers import classes, complaint, inspection, monitoring, penalty

    assert {m.SCHEME for m in (inspection, penalty, complaint, monitoring)} == {"natural_breaks"}
    assert classes.SCHEME == "quantiles"
    skewed = [0, 1, 2, 3, 10, 11, 12, 40, 41, 100]
    drawn = class_colours(skewed, inspection.SCHEME, THEME, colorbar={"title": "x"}, k=4)
    expected = classify.classify(skewed, "natural_breaks", 4)
    colours = [_colour_of(drawn["colorscale"], drawn["zmin"], drawn["zmax"], v) for v in skewed]
    assert [sorted(set(colours), key=colours.index).index(c) for c in colours] == list(expected.of)
    assert drawn["colorbar"]["ticktext"] == list(expected.labels) and drawn["colorbar"]["title"] == "x"
    # Shares bunched near each other with one outlier: quantiles still give every class as many regions.
    shares = [20.0, 20.5, 21.0, 21.5, 22.0, 22.5, 23.0, 23.5, 60.0]
    drawn = class_colours(shares, classes.SCHEME, THEME, colorbar={}, k=3)
    colours = [_colour_of(drawn["colorscale"], drawn["zmin"], drawn["zmax"], v) for v in shares]
    assert sorted(colours.count(c) for c in set(colours)) == [3, 3, 3]
    breaks = class_colours(shares, "natural_breaks", THEME, colorbar={}, k=3)
    assert [_colour_of(breaks["colorscale"], breaks["zmin"], breaks["zmax"], v) for v in shares].count(
        _colour_of(breaks["colorscale"], breaks["zmin"], breaks["zmax"], 60.0)) == 1  # what quantiles avoid
    # One value, or none: one class, no division by zero.
    assert class_colours([4, 4], "natural_breaks", THEME, colorbar={})["colorbar"]["ticktext"] == ["4"]
    assert class_colours([], "quantiles", THEME, colorbar={})["zmax"] == 1


def test_hexagons_hold_every_point_once():
    rng = np.random.default_rng(2)
    lon, lat = rng.uniform(113.5, 113.8, 5000), rng.uniform(34.6, 34.9, 5000)
    cells = hexagons.aggregate(lon, lat, size_m=1500)
    assert cells["count"].sum() == 5000
    assert not cells.duplicated(["q", "r"]).any()
    rings = hexagons.outlines(cells)
    assert len(rings) == len(cells) and all(len(r) == 7 and r[0] == pytest.approx(r[-1]) for r in rings)
    # Each cell centre lies within about one hexagon size of its points.
    first = shapely.Polygon(rings[0])
    assert first.contains(shapely.Point(cells.loc[0, "lon"], cells.loc[0, "lat"]))
