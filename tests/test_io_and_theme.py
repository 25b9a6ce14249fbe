"""Encoding detection on the real files in ../shared/datasets; one source of colours; layer contracts."""

import dataclasses
import re
from pathlib import Path

import pandas as pd
import pytest
from shared_datasets import DATASETS

from dashboard.theme import THEME
from geo.io import detect_encoding, read_csv_detecting_encoding
from layers.base import LayerDataError
from layers.registry import REGISTRY

ASSETS = Path(__file__).resolve().parents[1] / "assets"


@pytest.mark.parametrize("relative, encoding", [
    ("cn_air_stations_cnemc/NewSiteList_gbk.csv", "gb18030"),
    ("cn_air_stations_cnemc/NewSiteList_utf8.csv", "utf-8-sig"),
    ("sf_restaurant_inspections/businesses_plus.csv", "cp1252"),
    ("nyc_restaurant_inspections/nyc_restaurant_inspections.csv", "utf-8-sig"),
])
def test_real_files_are_read_in_their_own_encoding(relative, encoding):
    assert detect_encoding(DATASETS / relative) == encoding


def test_gbk_and_utf8_copies_read_the_same():
    gbk, _ = read_csv_detecting_encoding(DATASETS / "cn_air_stations_cnemc/NewSiteList_gbk.csv")
    utf8, _ = read_csv_detecting_encoding(DATASETS / "cn_air_stations_cnemc/NewSiteList_utf8.csv")
    pd.testing.assert_frame_equal(gbk, utf8)
    assert gbk.loc[0, "监测点名称"] == "万寿西宫"


def test_every_css_variable_used_is_defined_by_the_theme():
    defined = set(re.findall(r"--wj-[a-z-]+(?=:)", THEME.css()))
    used = {m for css in ASSETS.glob("*.css") for m in re.findall(r"var\((--wj-[a-z-]+)\)", css.read_text())}
    assert used and used <= defined, used - defined
    hex_colours = {m for css in ASSETS.glob("*.css") for m in re.findall(r"#[0-9a-fA-F]{6}\b", css.read_text())}
    assert not hex_colours, f"colours belong in dashboard/theme.py: {hex_colours}"


def test_a_layer_whose_query_lacks_a_column_fails_loudly():
    layer = REGISTRY["inspection"]
    view = dataclasses.replace(layer.regions_view, query=lambda *_: pd.DataFrame({"adcode": ["410100"]}))
    broken = dataclasses.replace(layer, regions_view=view)
    with pytest.raises(LayerDataError, match="no column\\(s\\) name, inspections"):
        broken.data(False, None, None, None)


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_wall_colours_keep_their_contrast_on_a_projector():
    """A projector in a lit room loses contrast: body text gets WCAG AAA (7:1), secondary text and the
    status colours AA (4.5:1), boundaries the 3:1 of non-text graphics, on panels and on the page."""
    wanted = {"text": 7.0, "muted": 4.5, "accent": 4.5, "good": 4.5, "warn": 4.5, "bad": 4.5, "boundary": 3.0}
    for name, ratio in wanted.items():
        for ground in (THEME.panel, THEME.background):
            assert _contrast(getattr(THEME, name), ground) >= ratio, (name, ground)
    assert _contrast("#777777", THEME.panel) < 4.5  # the check can fail: a mid grey would not pass


def test_region_names_are_drawn_only_while_they_can_be_read():
    from dashboard.figures import MAX_LABELS, map_figure

    def regions(n):
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": f"区{i}", "label_lon": 113 + i / 100, "label_lat": 34.0},
             "geometry": {"type": "Point", "coordinates": [113 + i / 100, 34.0]}} for i in range(n)]}

    def names(figure):
        return [t for t in figure.data if t.type == "scattergeo" and t.mode == "text"]

    assert len(names(map_figure([], regions(18), THEME, labels=True))[0].text) == 18
    assert names(map_figure([], regions(MAX_LABELS + 1), THEME, labels=True)) == []
    assert names(map_figure([], regions(18), THEME, labels=False)) == []
