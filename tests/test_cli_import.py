"""`weijian import` run as a user would (Typer's runner): summary, exit codes, the XLSX report."""

import unicodedata

import openpyxl
import pytest
from shared_datasets import DATASETS
from typer.testing import CliRunner

from dashboard.cli import app
from dashboard.settings import get_settings

runner = CliRunner()
CNEMC = DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv"
NYC = DATASETS / "nyc_restaurant_inspections" / "nyc_restaurant_inspections.csv"


@pytest.fixture
def env(tmp_path, var_dir, monkeypatch):
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    yield tmp_path
    get_settings.cache_clear()


def test_import_prints_summary_and_writes_the_report(env):
    report = env / "report.xlsx"
    dry = runner.invoke(app, ["import", "entities", str(CNEMC), "--profile", "cnemc_stations", "--dry-run",
                              "--report", str(report)])
    assert dry.exit_code == 0, dry.output
    assert "would take 114: inserted 114" in dry.output and "nothing written" in dry.output
    assert "no_coordinates 10" in dry.output
    header = next(line for line in dry.output.splitlines() if line.strip().startswith("row"))
    row = next(line for line in dry.output.splitlines() if "经度,纬度" in line)
    field_end = row.index("经度,纬度") + len("经度,纬度")
    rest = row[field_end:]
    shown = row[:field_end] + rest[:len(rest) - len(rest.lstrip())]  # up to where the value starts
    wide = sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in shown)
    assert wide == len(header.split("value")[0])  # CJK takes two columns: the value starts under its header
    sheet = openpyxl.load_workbook(report)["problems"]
    rows = list(sheet.values)
    assert rows[0][:4] == ("row", "field", "value", "reason")
    missing = [r for r in rows[1:] if r[4] == "no_coordinates"]
    assert len(missing) == 10 and all(r[1] == "经度,纬度" for r in missing)
    real = runner.invoke(app, ["import", "entities", str(CNEMC), "--profile", "cnemc_stations"])
    assert "took 114: inserted 114" in real.output
    again = runner.invoke(app, ["import", "entities", str(CNEMC), "--profile", "cnemc_stations"])
    assert again.exit_code == 0 and "took 114: inserted 0, updated 0, unchanged 114" in again.output


def test_import_exit_codes(env):
    nothing = runner.invoke(app, ["import", "entities", str(NYC), "--profile", "nyc_restaurant_inspections"])
    assert nothing.exit_code == 1 and "outside_region 4,717" in nothing.output  # reported, and nothing taken
    assert "zero_coordinates 177" in nothing.output and "no_coordinates 106" in nothing.output
    no_profile = runner.invoke(app, ["import", "entities", str(NYC), "--profile", "nope"])
    assert no_profile.exit_code == 1 and "no profile 'nope'" in no_profile.output
    no_file = runner.invoke(app, ["import", "entities", str(env / "missing.csv"), "--profile", "cnemc_stations"])
    assert no_file.exit_code == 1 and "no such file" in no_file.output
    wrong = runner.invoke(app, ["import", "entities", str(NYC), "--profile", "cnemc_stations"])
    assert wrong.exit_code == 1 and "no column" in wrong.output
