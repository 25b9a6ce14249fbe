"""The map as a standalone offline HTML file (dashboard/offline_map.py, exports.map_file): Leaflet inlined, nothing
remote referenced, popups escaped, the page's scope and audit; and in Chromium with the network off, the map draws."""

from __future__ import annotations

import base64
import json
import re
import time

import plotly.graph_objects as go
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from sqlalchemy import select, text
from typer.testing import CliRunner

from callbacks import manager
from dashboard import exports, i18n, offline_map
from dashboard.cli import app
from dashboard.settings import get_settings
from data import accounts
from data.models import Entity
from data.queries import regions
from data.queries.filters import Filters, Period, Scope
from layers import registry
from test_browser import ARTIFACTS, CHROMEDRIVER, CHROMIUM, FLAGS, _wait, browser, server  # noqa: F401 (fixtures)

runner = CliRunner()
PERIOD = "2026-01..2026-06"
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@pytest.fixture
def env(demo_db, var_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("WEIJIAN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("WEIJIAN_DATABASE_URL", demo_db)
    monkeypatch.setenv("WEIJIAN_REGION", "410000")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _store(demo_app):
    return demo_app.server.extensions["weijian"].store


def _audited(store) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, target, detail FROM audit_log WHERE action = 'export' ORDER BY id")).all()
    return [{"actor": r.actor, "target": r.target, **json.loads(r.detail)} for r in rows]


def _without_leaflet(document: str) -> str:
    """The document without Leaflet's own inlined source (whose strings name its website, the SVG namespace, tileLayer)."""
    leaflet = (offline_map.LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    return "".join(part for part in re.split(r"(<script>.*?</script>)", document, flags=re.S)
                   if not (part.startswith("<script>") and leaflet[:2000] in part))


def _remote_references(document: str) -> list[str]:
    """Every http(s) URL in what the export wrote around Leaflet: scripts, styles, tiles, popups."""
    return re.findall(r"https?://[^\s\"'<>)]+", _without_leaflet(document))


def _map(demo_app, region: str, layer: str, lang: str = "zh") -> exports.Export:
    store = _store(demo_app)
    return exports.map_file(store, Filters(region, Period.parse(PERIOD)), Scope.of("410000"), registry.REGISTRY[layer],
                            lang, demo_app.server.extensions["weijian"].settings.cache_dir)


def test_the_province_map_inlines_leaflet_and_references_nothing_remote(demo_app):
    made = _map(demo_app, "410000", "inspection")
    document = made.content.decode("utf-8")
    cities = regions.children(_store(demo_app), "410000", Scope.of("410000"))
    assert made.rows == len(cities) == 18 and made.filename.endswith(".html") and "河南省" in made.filename
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=|@import", document)
    assert "tileLayer" not in _without_leaflet(document) and "L.map(" in document
    assert _remote_references(document) == []
    assert (offline_map.LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")[:2000] in document  # inlined
    assert re.search(r"url\(images/", document) is None  # the CSS's images are data: URIs
    assert "sourceMappingURL" not in document
    for name in cities["name"]:
        assert json.dumps(name)[1:-1] in document  # label and popup of every city (as JSON escapes it)
    assert "不合格" in document and "河南省 · " in document  # popups and title in Chinese


def test_a_county_map_draws_its_entities_as_points_with_popups(demo_app, as_user):
    store = _store(demo_app)
    with store.engine.connect() as conn:
        county = accounts.by_username(conn, "demo_officer").region_adcode
        located = conn.execute(select(Entity.name).where(Entity.county_adcode == county, Entity.lon.is_not(None))).scalars().all()
    made = _map(demo_app, county, "inspection", lang="en")
    document = made.content.decode("utf-8")
    assert made.rows >= len(located) > 0
    assert sum(1 for name in located if json.dumps(name)[1:-1] in document) == len(located)  # each point's popup
    assert "Non-compliant" in document and _remote_references(document) == []


def test_popups_and_legend_escape_names_from_imported_data():
    squares = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": code, "name": name, "label_lon": x + 0.5, "label_lat": 0.5},
         "geometry": {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]}}
        for code, name, x in (("000001", "<img src=x onerror=alert(1)>", 0), ("000002", "东区", 1))]}
    trace = go.Choropleth(geojson=squares, featureidkey="properties.adcode", locations=["000001", "000002"], z=[3, 1234],
                          customdata=[["<img src=x onerror=alert(1)>", 0.5], ["东区", 0.26]], colorscale=[[0, "#000000"], [1, "#ff0000"]],
                          zmin=0, zmax=1234, hovertemplate="<b>%{customdata[0]}</b><br>%{z:,} / %{customdata[1]:.1f}<extra>x</extra>",
                          colorbar=dict(title=dict(text="<b>count</b>")))
    document = offline_map.render([trace], squares, title="T <i>", subtitle="S", labels=True)
    # HTML-escaped, then JSON-escaped by folium: the popup's innerHTML shows the text, runs nothing
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in document and "\\u003cimg" not in document
    assert "<img src=x" not in document
    assert "1,234 / 0.3" in document  # d3's "," and ".1f" as Plotly shows them
    assert "rgb(255,0,0)" in document or "#ff0000" in document  # the top of the scale fills the larger z
    assert "&lt;b&gt;count&lt;/b&gt;" in document and "T &lt;i&gt;" in document
    assert "<extra>" not in document


def test_the_map_button_exports_the_current_view_and_audits_it(request_context):
    state = {"region": "410100", "period": PERIOD, "specialty": "medical", "layer": "penalty", "lang": "zh"}
    download, message = manager.export_map(1, state)
    assert message == "" and download["filename"].endswith(".html") and "行政处罚" in download["filename"]
    document = base64.b64decode(download["content"]).decode("utf-8")
    assert "郑州市" in document and _remote_references(document) == []
    entry = _audited(request_context)[-1]
    assert entry["actor"] == "demo_manager" and entry["target"] == "410100"
    assert entry["format"] == "html" and entry["layer"] == "penalty" and entry["specialty"] == "medical"
    assert entry["rows"] > 0 and entry["file"] == download["filename"]
    assert manager.export_map(0, state) == (manager.no_update, "")


def test_a_map_outside_the_scope_is_refused_and_audited(demo_app, as_user):
    store = _store(demo_app)
    with store.engine.connect() as conn:
        county = accounts.by_username(conn, "demo_officer").region_adcode
    with as_user("demo_officer"):
        download, message = manager.export_map(1, {"region": "410000", "period": PERIOD, "layer": "inspection",
                                                   "lang": "zh"})
        assert download is manager.no_update and message == i18n.t("out_of_scope", "zh")
        own, _ = manager.export_map(1, {"region": county, "period": PERIOD, "layer": "inspection", "lang": "zh"})
    entries = _audited(store)
    assert entries[-2]["actor"] == "demo_officer" and entries[-2]["refused"] == "out_of_scope"
    assert entries[-2]["target"] == "410000" and own["filename"].endswith(".html")


def test_weijian_export_map_writes_the_file_and_refuses_what_it_must(env, demo_app):
    out = env / "map.html"
    result = runner.invoke(app, ["export", "map", "--region", "410100", "--layer", "complaint", "--period", PERIOD,
                                 str(out), "--as", "demo_manager"])
    assert result.exit_code == 0, result.output
    assert "rows (html, region 410100 郑州市" in result.output
    assert _remote_references(out.read_text(encoding="utf-8")) == []
    entry = _audited(_store(demo_app))[-1]
    assert entry["via"] == "cli" and entry["layer"] == "complaint" and entry["file"] == "map.html"

    bad = runner.invoke(app, ["export", "map", "--layer", "heat", str(env / "x.html"), "--as", "demo_manager"])
    assert bad.exit_code == 1 and "--layer 'heat'" in bad.output and not (env / "x.html").exists()
    outside = runner.invoke(app, ["export", "map", "--region", "410000", str(env / "y.html"), "--as", "demo_officer"])
    assert outside.exit_code == 1 and "outside the scope" in outside.output and not (env / "y.html").exists()


def _offline_chromium():
    """Headless Chromium with no way out: names resolve nowhere, a dead proxy, and DevTools' offline mode."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--window-size=1400,1000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    ARTIFACTS.mkdir(exist_ok=True)
    return driver


@pytest.mark.browser
@pytest.mark.parametrize("region, layer", [("410000", "inspection"), ("demo_officer", "inspection")])
def test_the_exported_file_draws_its_map_with_the_network_off(demo_app, tmp_path, region, layer):
    store = _store(demo_app)
    if region == "demo_officer":
        with store.engine.connect() as conn:
            region = accounts.by_username(conn, "demo_officer").region_adcode
    made = _map(demo_app, region, layer)
    path = tmp_path / "map.html"
    path.write_bytes(made.content)
    driver = _offline_chromium()
    try:
        driver.get(path.as_uri())
        shapes = _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".leaflet-interactive"))
        assert len(shapes) >= made.rows > 0
        assert driver.execute_script("return typeof L") == "object"
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert [r for r in resources if not r.startswith("data:")] == []
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 700, clientY: 500}))",
                              shapes[-1])
        # The popup can be in the page before its text is readable (Leaflet fades it in): wait until it reads.
        popup = _wait(driver, lambda d: [p for p in d.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content")
                                         if p.text.strip()])
        assert popup[0].text.strip()
        time.sleep(0.5)
        driver.save_screenshot(str(ARTIFACTS / f"mapexport_{region}_{layer}.png"))
    finally:
        driver.quit()


def test_without_the_vendored_leaflet_the_page_says_so_and_sends_nothing(request_context, tmp_path, monkeypatch):
    monkeypatch.setattr(offline_map, "LEAFLET_DIR", tmp_path)  # `make map-assets` never ran
    with pytest.raises(offline_map.MapAssetsMissing, match="make map-assets"):
        offline_map.render([], {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]},
            title="t", subtitle="s", labels=False)
    download, message = manager.export_map(1, {"region": "410100", "period": PERIOD, "layer": "inspection", "lang": "zh"})
    assert download is manager.no_update and message == i18n.t("mapexport_assets_missing", "zh")


@pytest.mark.browser
def test_the_map_button_on_the_page_downloads_the_file(server, browser, tmp_path):  # noqa: F811
    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(server + "/?region=410100&layer=complaint&period=" + PERIOD)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#manager-map path.choroplethlocation"))
    browser.find_element(By.ID, "mapexport-html").click()
    files = _wait(browser, lambda _d: [p for p in tmp_path.glob("*.html")], timeout=60)
    document = files[0].read_text(encoding="utf-8")
    assert "郑州市" in files[0].name and "投诉举报" in files[0].name and _remote_references(document) == []
    assert browser.find_element(By.ID, "mapexport-message").text == ""
