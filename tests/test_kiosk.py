"""The kiosk's playlist and the masking switch, called as plain functions inside the real app's requests."""

import pandas as pd
import pytest
from dash import dcc, html, no_update

from dashboard import masking
from dashboard.pages import kiosk
from kiosk_fixtures import ID_NUMBER, OFFICER, PHONE, public_case
from components import text as _text
from components import walk




def test_views_are_parsed_and_what_is_not_understood_is_reported():
    views, unknown = kiosk.parse_views("wall, region:410100,alerts,device:WJ4101050001,,clock,region:41,device:../x",
                                       "410000")
    assert [(v.name, v.path) for v in views] == [
        ("wall", "/wall?region=410000"), ("region:410100", "/wall?region=410100"), ("alerts", "/alerts?region=410000"),
        ("device:WJ4101050001", "/device/WJ4101050001")]
    assert unknown == ["clock", "region:41", "device:../x"]
    assert views[1].url("en") == "/wall?region=410100&kiosk=1&mask=1&lang=en"
    assert views[3].url("zh") == "/device/WJ4101050001?kiosk=1&mask=1&lang=zh"
    assert [v.name for v in kiosk.parse_views(None, "410105")[0]] == ["wall", "alerts"]  # the default playlist
    assert kiosk.parse_views("", "410105") == ([], [])


@pytest.mark.parametrize(("value", "seconds"), [(None, 60), ("", 60), ("30", 30), ("1", 2), ("99999", 3600), ("x", 60)])
def test_the_interval_is_held_to_its_bounds(value, seconds):
    assert kiosk.bounded_seconds(value, kiosk.DEFAULT_INTERVAL_S, kiosk.MIN_INTERVAL_S, kiosk.MAX_INTERVAL_S) == seconds


def test_a_kiosk_state_masks_whatever_its_mask_says():
    assert masking.view_state("0", "1") == {"kiosk": True, "mask": True}
    assert masking.view_state(None, None) == {"kiosk": False, "mask": False}
    assert masking.view_state("1", None) == {"kiosk": False, "mask": True}
    assert masking.applies({"kiosk": True, "mask": False})  # a browser that flipped the mask in the store
    assert not masking.applies({"mask": False}) and not masking.applies(None)


def test_feed_and_trail_are_masked_as_plain_frames():
    feed = pd.DataFrame({"entity": [f"李四诊所（{PHONE}）", None], "message": ["PM2.5 81 > 75", f"报告人 {ID_NUMBER}"]})
    masked = masking.alert_feed(feed)
    assert masked["entity"].iloc[0] == "李四诊所（139****5678）" and pd.isna(masked["entity"].iloc[1])
    assert masked["message"].tolist() == ["PM2.5 81 > 75", "报告人 410105********1234"]
    assert feed["entity"].iloc[0].endswith(f"{PHONE}）")  # the caller's frame is not touched
    trail = pd.DataFrame({"actor": ["system", OFFICER, "zhangsan"], "action": ["raised", "dispatch", "handle"],
                          "note": [None, f"→ 410105007: 请联系{PHONE}", "现场复测合格"]})
    masked = masking.alert_trail(trail)
    assert masked["actor"].tolist() == ["system", "王**", "z*******"]
    assert pd.isna(masked["note"].iloc[0])
    assert masked["note"].tolist()[1:] == ["→ 4********: 请联系139****5678", "现场复测合格"]


@pytest.fixture(scope="module")
def case(demo_app):
    with public_case(demo_app) as found:
        yield found


def test_the_inbox_masks_in_a_kiosk_even_when_the_url_says_not_to(case, request_context):
    from dashboard.pages import alerts as inbox

    plain = _text(inbox.layout(mask="0"))
    assert OFFICER in plain and PHONE in plain and ID_NUMBER in plain and case["badge"] in plain
    assert "已脱敏" not in plain
    for page in (inbox.layout(mask="1"), inbox.layout(kiosk="1", mask="0")):
        text = _text(page)
        assert OFFICER not in text and PHONE not in text and ID_NUMBER not in text and case["badge"] not in text
        assert "王**" in text and "139****5678" in text and "已脱敏" in text
    shown = list(walk(inbox.layout(kiosk="1", mask="0", region="410000")))
    assert not [c for c in shown if isinstance(c, (html.Button, dcc.Link, dcc.Dropdown, dcc.Store))]  # read-only
    rows = sum(isinstance(c, html.Tr) and "wj-alert" in getattr(c, "className", "") for c in shown)
    assert 0 < rows <= inbox.KIOSK_ROWS


def test_the_device_page_masks_its_alert_history(case, demo_app, request_context):
    from dashboard.pages import device
    from sqlalchemy import select

    from data import models

    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        device_id = conn.execute(select(models.Alert.device_id).where(models.Alert.id == case["alert_id"])).scalar_one()
    assert OFFICER in _text(device.layout(device_id=device_id))
    shown = device.layout(device_id=device_id, kiosk="1")
    assert OFFICER not in _text(shown) and PHONE not in _text(shown) and "王**" in _text(shown)
    assert not [c for c in walk(shown) if isinstance(c, dcc.Link)]


def test_the_wall_feed_is_masked_from_the_state_on_the_server(case, request_context):
    from callbacks import wall
    from dashboard.pages import wall as wall_page

    state = {"region": "410000", "layer": "inspection", "lang": "zh", "interval": 30}
    plain = wall.refresh(1, state)[6]
    assert PHONE in _text(plain)
    for masked_state in ({**state, "mask": True}, {**state, "kiosk": True, "mask": False}):
        feed = _text(wall.refresh(1, masked_state)[6])
        assert PHONE not in feed and "139****5678" in feed
    page = wall_page.layout(region="410000", kiosk="1", mask="0")
    stores = [c for c in walk(page) if isinstance(c, dcc.Store) and c.id == "wall-state"]
    assert stores[0].data["kiosk"] and stores[0].data["mask"] and "已脱敏" in _text(page)
    assert wall.drill({"points": [{"location": "410100"}]}, stores[0].data) is no_update  # a kiosk never moves
    assert wall.drill({"points": [{"location": "410100"}]}, {**state, "mask": True}).endswith("&mask=1")


def test_the_kiosk_shell_carries_its_playlist_and_reports_unknown_views(request_context):
    page = kiosk.layout(views="wall,region:320600,clock", interval="1", reload="5", lang="en")
    config = next(c for c in walk(page) if isinstance(c, dcc.Store) and c.id == "kiosk-config").data
    assert config["views"] == ["/wall?region=410000&kiosk=1&mask=1&lang=en", "/wall?region=320600&kiosk=1&mask=1&lang=en"]
    assert config["interval_ms"] == 2000 and config["reload_ms"] == 60000
    assert "Skipped views not understood: clock" in _text(page)
    assert "没有可轮播的视图" in _text(kiosk.layout(views="clock"))


def test_pages_may_be_framed_by_this_site_only(demo_app):
    from logins import client_as

    answer = client_as(demo_app).get("/kiosk?views=wall")
    assert answer.status_code == 200
    assert answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in answer.headers["Content-Security-Policy"].split("; ")


def test_a_display_account_masks_whatever_the_url_says(case, demo_app):
    import datetime as dt

    from dashboard import auth
    from dashboard.pages import alerts as inbox
    from data import accounts
    from data.demo.build import DEMO_PASSWORD

    with demo_app.server.extensions["weijian"].store.engine.begin() as conn:
        screen = accounts.create_user(conn, username="lobby_screen", name="大厅屏", role="display", region="410000",
                                      password=DEMO_PASSWORD, actor="test", now=dt.datetime.now(dt.UTC))
    with demo_app.server.test_request_context("/alerts"):
        auth.login(screen)
        text = _text(inbox.layout(mask="0"))
    assert OFFICER not in text and PHONE not in text and "王**" in text and "已脱敏" in text
