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
