"""The `weijian` command, run as a user would (Typer's runner, real settings from the environment)."""

import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.settings import get_settings

runner = CliRunner()


@pytest.fixture
def env(tmp_path, var_dir, monkeypatch):
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WEIJIAN_REGION", "320600")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_regions_prints_the_hierarchy(env):
    result = runner.invoke(app, ["regions", "320600"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["320600", "南通市", "city", "7"]
    assert lines[1].split() == ["320612", "通州区", "county", "0"]
    assert runner.invoke(app, ["regions", "999999"]).exit_code == 1


def test_db_upgrade_and_demo(env):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and "empty → 0003" in result.output
    result = runner.invoke(app, ["demo", "--scale", "county", "--seed", "5", "--until", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "entity 3,000" in result.output and "stored reading" in result.output
    again = runner.invoke(app, ["demo", "--scale", "county"])
    assert again.exit_code == 1 and "--replace" in again.output
    assert runner.invoke(app, ["demo", "--if-empty"]).output.strip() == "demo database present; nothing to do"
    bad = runner.invoke(app, ["demo", "--scale", "galaxy", "--replace"])
    assert bad.exit_code == 1 and "unknown scale 'galaxy'" in bad.output


def test_bad_region_setting_is_refused(env, monkeypatch):
    monkeypatch.setenv("WEIJIAN_REGION", "320612")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="is a county: use a province or city code"):
        get_settings()


def test_geo_assign_reads_gbk_and_reports_bad_rows(env):
    source = env / "points.csv"
    pd.DataFrame({
        "名称": ["崇川站", "通州站", "空坐标", "乱码", "海上"],
        "经度": ["120.8747", "121.0734", "", "东经120", "122.9"],
        "纬度": ["32.0101", "32.0652", "", "32.0", "31.5"],
    }).to_csv(source, index=False, encoding="gbk")
    out = env / "out.csv"
    result = runner.invoke(app, ["geo", "assign", str(source), "--lon", "经度", "--lat", "纬度", "-o", str(out),
                                 "--region", "320600"])
    assert result.exit_code == 0, result.output
    assert "(gb18030)" in result.output
    assert "inside a county: 2" in result.output and "outside every region: 1" in result.output
    assert "row 3: 经度 is empty" in result.output and "row 4: 经度 '东经120' is not a number" in result.output
    written = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert written["county_adcode"].tolist()[:2] == ["320613", "320612"]
    assert written["region_match"].tolist() == ["inside", "inside", "no_coordinates", "no_coordinates", "outside"]


def test_geo_assign_converts_gcj02_input(env):
    from geo import crs

    lon, lat = crs.wgs84_to_gcj02(120.8747, 32.0101)
    source = env / "gcj.csv"
    pd.DataFrame({"x": [float(lon)], "y": [float(lat)]}).to_csv(source, index=False)
    out = env / "gcj_out.csv"
    result = runner.invoke(app, ["geo", "assign", str(source), "--lon", "x", "--lat", "y", "--crs", "gcj02", "-o", str(out),
                                 "--region", "320600"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out, dtype=str, encoding="utf-8-sig")["county_adcode"].tolist() == ["320613"]


def test_geo_assign_names_a_missing_column_and_crs(env):
    source = env / "p.csv"
    source.write_text("lon,lat\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["geo", "assign", str(source), "--lon", "经度", "--lat", "lat", "-o", str(env / "o.csv")])
    assert result.exit_code == 1 and "no column '经度'" in result.output
    result = runner.invoke(app, ["geo", "assign", str(source), "--lon", "lon", "--lat", "lat", "--crs", "mars",
                                 "-o", str(env / "o.csv")])
    assert result.exit_code == 1 and "--crs 'mars'" in result.output
