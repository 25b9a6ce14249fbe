"""The back-test on the real NYC DOHMH restaurant inspections (../shared/datasets) and on the demo.

How the expectations were established: the inspection counts and the historical-order shares are
recomputed here from the raw file with plain pandas, independently of data/risk/backtest.py. The file
is a 5,000-row extract in which 3,454 of 3,760 inspected restaurants appear once (counted below), so
before most quarters the model knows almost nothing beyond "not inspected in the window": it cannot
beat the historical order by much, and it must not do much worse either (measured: 24.6 % vs 23.9 % of
critical violations in the first 25 % of inspections, pooled over 17 quarters; the logistic regression
fitted on earlier quarters 24.7 %).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from data.risk import backtest, params
from shared_datasets import DATASETS

NYC = DATASETS / backtest.NYC_FILE


@pytest.fixture(scope="module")
def model():
    return params.Model(version=1, features=tuple(params.Feature(r["key"], r["points"], r["cap"], r["window_days"])
                                                  for r in params.seed_rows() if r["kind"] == "feature"),
                        thresholds={"medium": 20, "high": 35, "very_high": 50}, due_days=30)


@pytest.fixture(scope="module")
def nyc_table(model):
    return backtest.run(backtest.nyc_case(NYC), model)


def _independent_inspections() -> pd.DataFrame:
    raw = pd.read_csv(NYC, dtype=str, keep_default_na=False)
    raw = raw[raw["inspection_date"] != "1900-01-01T00:00:00.000"]
    raw["critical"] = raw["critical_flag"] == "Critical"
    return raw.groupby(["camis", "inspection_date", "inspection_type"])["critical"].any().reset_index()


def test_the_nyc_back_test_counts_what_the_file_holds(nyc_table):
    inspections = _independent_inspections()
    assert len(inspections) == 4094 and inspections["camis"].nunique() == 3760
    assert int((inspections.groupby("camis").size() == 1).sum()) == 3454  # why the model has little to go on
    on = pd.to_datetime(inspections["inspection_date"].str[:10])
    quarters = nyc_table[nyc_table["period"] != "all"]
    assert quarters["period"].iloc[0] == "2022Q1" and quarters["period"].iloc[-1] == "2026Q1" and len(quarters) == 17
    chosen = (on >= "2022-01-01") & (on < "2026-04-01")
    assert nyc_table.iloc[-1]["inspections"] == int(chosen.sum()) == 4002
    assert nyc_table.iloc[-1]["violations"] == int(inspections.loc[chosen, "critical"].sum()) == 2094
    # The historical order, recomputed: the first ceil(10 %) of each quarter's inspections by date.
    q = inspections.loc[chosen].assign(on=on[chosen]).sort_values("on", kind="stable")
    first = q[q["on"] < "2022-04-01"]
    expected = first["critical"].iloc[:math.ceil(len(first) * 0.1)].sum() / first["critical"].sum()
    assert nyc_table.iloc[0]["historical_10"] == pytest.approx(expected)


def test_the_model_is_no_worse_than_the_historical_order_on_nyc(nyc_table):
    pooled = nyc_table.iloc[-1]
    assert pooled["model_25"] == pytest.approx(0.246, abs=0.001) and pooled["historical_25"] == pytest.approx(0.239, abs=0.001)
    assert abs(pooled["model_10"] - pooled["historical_10"]) < 0.03
    # The logistic regression learns from earlier quarters only: the first has nothing, so it keeps the historical order.
    first = nyc_table.iloc[0]
    assert first["fitted_10"] == first["historical_10"] and first["fitted_25"] == first["historical_25"]
    assert pooled["fitted_25"] == pytest.approx(0.247, abs=0.001)  # measured: no better than the points (0.246)


def test_the_demo_back_test_finds_violations_earlier(request_context, model):
    from data.queries import risk as risk_queries
    from data.queries.filters import Scope

    table = risk_queries.backtest_table(request_context, Scope.of("410000"), "database")
    pooled = table.iloc[-1]
    assert pooled["period"] == "all" and pooled["violations"] > 0
    # The demo generator gives each entity a hidden quality that drives its failures: past failures predict them.
    assert pooled["model_25"] > pooled["historical_25"] + 0.02


def test_weijian_risk_backtest_prints_the_table(tmp_path, var_dir, monkeypatch):
    from dashboard.cli import app
    from dashboard.settings import get_settings

    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["risk", "backtest", "--source", "nyc", "--datasets", str(DATASETS)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "2022Q1" in result.output and result.output.strip().splitlines()[-1].split()[:3] == ["all", "4002", "2094"]
