"""Real boundaries: hierarchy, conversion and coverage simplification of Henan's counties."""

import numpy as np
import shapely

from geo import boundaries, hierarchy


def test_hierarchy_of_henan_and_nantong():
    cities = hierarchy.children("410000")
    assert len(cities) == 18 and "郑州市" in set(cities["name"]) and "济源市" in set(cities["name"])
    assert hierarchy.children("419001").empty  # province-administered: no counties below it
    assert len(hierarchy.children("320600")) == 7
    assert [r.name for r in hierarchy.ancestors("410105")] == ["中华人民共和国", "河南省", "郑州市", "金水区"]
    assert set(hierarchy.leaves("410000")["level"]) == {"county", "city"}


def test_every_code_once_and_every_parent_exists():
    table = hierarchy.region_table()
    assert table["adcode"].is_unique
    parents = table["parent_adcode"].dropna()
    assert parents.isin(table["adcode"]).all()
    assert len(table[table["level"] == "province"]) == 34


def test_polygons_are_wgs84_and_cover_the_region(cache_dir):
    counties = boundaries.polygons("410000", "county", cache_dir)
    province = boundaries.polygons("410000", "province", cache_dir)
    assert len(counties) == 157
    assert shapely.is_valid(counties.geometry.values).all()
    # Zhengzhou's Jinshui district contains a WGS-84 point in its centre (Zijingshan Park).
    jinshui = counties.set_index("adcode").geometry["410105"]
    assert jinshui.contains(shapely.Point(113.6787, 34.7610))
    union = shapely.union_all(counties.geometry.values)
    assert abs(union.area - province.geometry.iloc[0].area) / union.area < 0.002


def _holes_area(geometry) -> float:
    """Area of the holes inside a (multi)polygon: where neighbours no longer meet."""
    parts = shapely.get_parts(geometry)
    filled = shapely.polygons(shapely.get_exterior_ring(parts))
    return float(shapely.area(filled).sum() - shapely.area(parts).sum())


def _overlap_and_gap(original, simplified):
    """Pairwise overlap area and new interior gap area of the simplified layer, as shares of the total."""
    tree = shapely.STRtree(simplified)
    left, right = tree.query(simplified, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(simplified[left[pairs]], simplified[right[pairs]])).sum()
    total = shapely.union_all(original).area
    gap = _holes_area(shapely.union_all(simplified)) - _holes_area(shapely.union_all(original))
    return overlap / total, max(gap, 0.0) / total


def test_coverage_simplification_keeps_shared_borders(cache_dir):
    full = boundaries.polygons("410000", "county", cache_dir)
    simple = boundaries.simplified("410000", "county", cache_dir)
    simple = simple.set_index("adcode").loc[full["adcode"]]
    original = full.geometry.values
    simplified = simple.geometry.values

    vertices_before = shapely.get_num_coordinates(original).sum()
    vertices_after = shapely.get_num_coordinates(simplified).sum()
    assert vertices_after < vertices_before / 3  # it really simplified

    overlap, gap = _overlap_and_gap(original, simplified)
    assert overlap < 1e-6 and gap < 1e-6, (overlap, gap)

    # Neighbours stay neighbours.
    tree = shapely.STRtree(original)
    a, b = tree.query(original, predicate="touches")
    touching = a < b
    still = shapely.intersects(simplified[a[touching]], simplified[b[touching]])
    assert still.mean() > 0.99


def test_per_polygon_simplification_would_fail_that_check(cache_dir):
    """The check above has teeth: simplifying polygon by polygon opens slivers between neighbours."""
    full = boundaries.polygons("410000", "county", cache_dir)
    tolerance = boundaries.tolerance_for("410000", cache_dir)
    naive = shapely.simplify(full.geometry.values, tolerance)
    overlap, gap = _overlap_and_gap(full.geometry.values, naive)
    assert overlap > 1e-5 or gap > 1e-5


def test_simplified_geojson_is_cached_on_disk_and_wound_for_d3(cache_dir):
    collection = boundaries.simplified_geojson("320600", "county", cache_dir)
    assert {f["id"] for f in collection["features"]} == set(hierarchy.children("320600")["adcode"])
    files = list((cache_dir / "boundaries").rglob("320600-county-*.geojson"))
    assert len(files) == 1
    geom = shapely.from_geojson(__import__("json").dumps(collection["features"][0]["geometry"]))
    polygons = shapely.get_parts(geom)
    assert all(not shapely.is_ccw(p.exterior) for p in polygons)  # clockwise exteriors
    label = shapely.Point(collection["features"][0]["properties"]["label_lon"], collection["features"][0]["properties"]["label_lat"])
    assert geom.buffer(1e-4).contains(label)


def test_every_level_of_henan_fits_the_wire_budget(cache_dir):
    """Issue 9: simplified boundaries <= 40 KB gzipped per level (the province's counties are the largest)."""
    for root, level in (("410000", "city"), ("410000", "county"), ("410100", "county")):
        raw, gzipped = boundaries.wire_bytes(root, level, cache_dir)
        assert gzipped <= 40 * 1024, (root, level, gzipped)
        assert raw > 3 * gzipped  # it is the real layer, not an empty one


def test_any_city_can_be_the_root(cache_dir):
    counties = boundaries.polygons("320600", "county", cache_dir)
    assert len(counties) == 7
    bounds = boundaries.region_bounds("320600", cache_dir)
    assert 120 < bounds[0] < bounds[2] < 122.1 and 31.5 < bounds[1] < bounds[3] < 32.8
    assert np.isfinite(boundaries.tolerance_for("320600", cache_dir))
