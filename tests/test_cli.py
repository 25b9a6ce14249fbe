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
    assert result.exit_code == 0 and "empty → 0023" in result.output
    result = runner.invoke(app, ["demo", "--scale", "county", "--seed", "5", "--until", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "entity 3,000" in result.output and "stored reading" in result.output
    again = runner.invoke(app, ["demo", "--scale", "county"])
    assert again.exit_code == 1 and "--replace" in again.output
    assert runner.invoke(app, ["demo", "--if-empty"]).output.strip() == "demo database present; nothing to do"
    bad = runner.invoke(app, ["demo", "--scale", "galaxy", "--replace"])
    assert bad.exit_code == 1 and "unknown scale 'galaxy'" in bad.output

    # The URL behind an entity's QR code: stable until revoked, then a new one.
    first = runner.invoke(app, ["public", "token", "1"])
    assert first.exit_code == 0 and first.stdout.startswith("/public/") and len(first.stdout.strip()) >= len("/public/") + 22
    assert runner.invoke(app, ["public", "token", "1"]).stdout == first.stdout
    renewed = runner.invoke(app, ["public", "token", "1", "--revoke"])
    assert renewed.exit_code == 0 and renewed.stdout != first.stdout and "no longer" in renewed.output
    assert runner.invoke(app, ["public", "token", "999999"]).exit_code == 1


@pytest.mark.parametrize(("name", "value"), [("PASSWORD_MIN_LENGTH", "6"), ("PASSWORD_MIN_CLASSES", "2")])
def test_password_policy_cannot_be_weakened(env, monkeypatch, name, value):
    monkeypatch.setenv(f"WEIJIAN_{name}", value)
    get_settings.cache_clear()
    with pytest.raises(ValueError, match=name.lower()):
        get_settings()


def test_password_policy_comes_from_settings(env, monkeypatch):
    monkeypatch.setenv("WEIJIAN_PASSWORD_MIN_CLASSES", "4")
    get_settings.cache_clear()
    policy = get_settings().password_policy()
    assert (policy.min_length, policy.min_classes) == (8, 4)
    with pytest.raises(ValueError, match="of at least 4 kinds"):
        policy.check("Jinshui2026")  # three kinds: enough by default, not here
    policy.check("Jinshui#2026")


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


def test_monitoring_commands_walk_an_alert_and_manage_tokens_and_limits(tmp_path, monkeypatch, var_dir):
    """device list/token, limit list/set, alert list/dispatch/handle/review/close, monitor sweep."""
    from monitoring_fixtures import NOW, populate, reading

    from data import db
    from data.monitoring import ingest

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    populate(engine)
    ingest.ingest(engine, [reading("POOL-1", "free_chlorine", 1, 0.1, "mg/L")], token_device="POOL-1", now=NOW)
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    monkeypatch.setenv("WEIJIAN_REGION", "410100")
    get_settings.cache_clear()
    try:
        listed = runner.invoke(app, ["device", "list", "--scene", "swimming_pool"])
        assert listed.exit_code == 0, listed.output
        assert "POOL-1" in listed.output and "over_limit" in listed.output and "1 devices" in listed.output
        assert runner.invoke(app, ["device", "list", "--region", "110000"]).exit_code == 1  # outside the region
        again = runner.invoke(app, ["device", "token", "POOL-1"])
        assert again.exit_code == 1 and "--rotate" in again.output
        rotated = runner.invoke(app, ["device", "token", "POOL-1", "--rotate"])
        assert rotated.exit_code == 0 and len(rotated.output.strip()) >= 40
        from data.monitoring import devices

        assert devices.authenticate(engine, rotated.output.strip()) == "POOL-1"

        limits = runner.invoke(app, ["limit", "list", "--scene", "swimming_pool"])
        assert "0.3–1 mg/L" in limits.output and "GB 37488-2019" in limits.output
        changed = runner.invoke(app, ["limit", "set", "swimming_pool", "urea", "--high", "3.0", "--reason", "省标",
                                      "--as", "省卫健委"])
        assert changed.exit_code == 0 and "version 2, ≤ 3 mg/L" in changed.output

        rule = runner.invoke(app, ["rule", "set", "sustained", "--params", '{"min_readings": 4}', "--as", "省卫健委"])
        assert rule.exit_code == 0 and "min_readings" in runner.invoke(app, ["rule", "list"]).output
        assert runner.invoke(app, ["rule", "set", "nope", "--severity", "high", "--as", "x"]).exit_code == 1
        feed = runner.invoke(app, ["alert", "list"])
        alert_id = feed.output.strip().splitlines()[1].split()[0]
        steps = [["dispatch", alert_id, "--as", "C1", "--to", "A1"],
                 ["handle", alert_id, "--as", "A1", "--note", "投氯量调整后复测 0.45 mg/L"],
                 ["review", alert_id, "--as", "A1", "--note", "self"],  # refused: the handler cannot review
                 ["review", alert_id, "--as", "A2", "--note", "复核记录"],
                 ["close", alert_id, "--as", "C1"]]
        codes = [runner.invoke(app, ["alert", *step]).exit_code for step in steps]
        assert codes == [0, 0, 1, 0, 0]
        assert "closed" in runner.invoke(app, ["alert", "list", "--status", "closed"]).output
        swept = runner.invoke(app, ["monitor", "sweep"])
        assert swept.exit_code == 0 and "offline alerts raised" in swept.output
    finally:
        get_settings.cache_clear()
        engine.dispose()


def test_user_and_audit_commands(tmp_path, monkeypatch, var_dir):
    from monitoring_fixtures import populate

    from data import db

    url = f"sqlite:///{tmp_path / 'users.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    populate(engine)
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        added = runner.invoke(app, ["user", "add", "wangwei", "--role", "county_officer", "--region", "410105",
                                    "--name", "王伟", "--badge", "A1", "--as", "sysadmin"], input="Jinshui#2026\nJinshui#2026\n")
        assert added.exit_code == 0, added.output
        enrolled = runner.invoke(app, ["user", "totp", "wangwei", "--as", "sysadmin"])
        assert enrolled.exit_code == 0 and "otpauth://totp/" in enrolled.output and "secret=" in enrolled.output
        assert runner.invoke(app, ["user", "totp", "nobody", "--as", "sysadmin"]).exit_code == 1
        assert runner.invoke(app, ["user", "totp", "wangwei", "--remove", "--as", "sysadmin"]).exit_code == 0
        weak = runner.invoke(app, ["user", "add", "weak", "--role", "display", "--region", "410105", "--name", "x",
                                   "--as", "sysadmin"], input="password\npassword\n")
        assert weak.exit_code == 1 and "at least 8 characters" in weak.output
        monkeypatch.setenv("WEIJIAN_PASSWORD_MIN_LENGTH", "14")  # a stricter installation
        get_settings.cache_clear()
        short = runner.invoke(app, ["user", "add", "short", "--role", "display", "--region", "410105", "--name", "x",
                                    "--as", "sysadmin"], input="Jinshui#2026\nJinshui#2026\n")
        assert short.exit_code == 1 and "at least 14 characters" in short.output
        monkeypatch.delenv("WEIJIAN_PASSWORD_MIN_LENGTH")
        get_settings.cache_clear()
        assert "wangwei" in runner.invoke(app, ["user", "list"]).output
        assert runner.invoke(app, ["user", "unlock", "wangwei", "--as", "secadmin"]).exit_code == 0
        assert runner.invoke(app, ["audit", "verify"]).output.strip() == "audit log intact"
        pruned = runner.invoke(app, ["audit", "prune", "--keep-days", "1", "--as", "auditor"])
        assert pruned.exit_code == 0 and "0 audit entries" in pruned.output  # everything is from today
        assert runner.invoke(app, ["audit", "prune", "--keep-days", "0", "--as", "auditor"]).exit_code == 1
        with engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit_log SET actor = 'x' WHERE id = 1")
        broken = runner.invoke(app, ["audit", "verify"])
        assert broken.exit_code == 1 and "row 1" in broken.output
    finally:
        get_settings.cache_clear()
        engine.dispose()
