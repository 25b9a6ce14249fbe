"""The complaint inbox /complaints: a complaint walked to closed through the callbacks, and what others get."""

from __future__ import annotations

import pytest
from components import text
from logins import client_as
from sqlalchemy import select

from data import accounts
from data.models import Complaint, Inspector


@pytest.fixture
def people(demo_app):
    """The demo's officer and manager, the officer's badge, a fresh complaint of the officer's county and one of
    another county (the walk-through closes its complaint, so each test takes the first still received)."""
    engine = demo_app.server.extensions["weijian"].store.engine
    with engine.connect() as conn:
        officer = accounts.by_username(conn, "demo_officer")
        manager = accounts.by_username(conn, "demo_manager")
        badge = conn.execute(select(Inspector.badge_no).where(Inspector.id == officer.inspector_id)).scalar_one()
        own = conn.execute(select(Complaint.id).where(
            Complaint.county_adcode == officer.region_adcode).order_by(Complaint.status != "received")).scalars().first()
        neighbour = conn.execute(select(Complaint.id).where(
            Complaint.county_adcode != officer.region_adcode, Complaint.status == "received")).scalars().first()
    assert own and neighbour, "the demo has complaints in the officer's county and fresh ones elsewhere"
    return officer, manager, badge, own, neighbour


def _step(demo_app, account, complaint_id, action, note=None, assignee=None, finding=None):
    from callbacks import complaints as inbox
    from dashboard import auth

    with demo_app.server.test_request_context("/complaints"):
        auth.login(account)
        selected, panel = inbox.pick({"type": "complaint-pick", "id": complaint_id}, [1], "zh")
        message, href = inbox.act({"type": "complaint-act", "action": action}, [1], selected, note, assignee,
                                  finding, "/complaints", "zh")
        return text(panel), text(message), href


def _status(demo_app, complaint_id):
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return conn.execute(select(Complaint.status).where(Complaint.id == complaint_id)).scalar_one()


def test_a_complaint_is_walked_from_received_to_closed_in_the_inbox(demo_app, people):
    officer, manager, badge, complaint_id, _ = people
    assert _status(demo_app, complaint_id) == "received"
    panel, message, href = _step(demo_app, manager, complaint_id, "assign", note="请核查", assignee=badge)
    assert "转办给" in panel and message == "已办理" and href == "/complaints"
    assert "已交由其他人员办理" in _step(demo_app, manager, complaint_id, "start")[1]
    assert _step(demo_app, officer, complaint_id, "start")[1] == "已办理"
    assert "是否属实" in _step(demo_app, officer, complaint_id, "feedback", note="已查")[1]
    assert _step(demo_app, officer, complaint_id, "feedback", note="属实，已责令整改", finding="held")[1] == "已办理"
    assert "办理人不能复核或办结" in _step(demo_app, officer, complaint_id, "close")[1]
    assert _step(demo_app, manager, complaint_id, "close", note="已回访")[1] == "已办理"
    assert _status(demo_app, complaint_id) == "closed"


def test_an_officer_replaying_a_neighbours_complaint_gets_nothing(demo_app, people):
    officer, _manager, badge, _, neighbour = people
    panel, message, _href = _step(demo_app, officer, neighbour, "assign", assignee=badge)
    assert panel == "无权查看该区域" and message == "无权查看该区域"
    assert _status(demo_app, neighbour) == "received"


def test_the_page_lists_the_viewers_complaints_and_refuses_other_regions(demo_app, people):
    officer, _manager, _badge, complaint_id, neighbour = people
    client = client_as(demo_app, "demo_officer")
    page = client.get(f"/complaints?region={officer.region_adcode}")
    assert page.status_code == 200
    from dashboard.pages import complaints as page_module

    with demo_app.server.test_request_context("/complaints"):
        from dashboard import auth

        auth.login(officer)
        own = text(page_module.layout(region=officer.region_adcode, status="all"))
        assert f"#{complaint_id} " in own and f"#{neighbour} " not in own and "投诉" in own
        assert "outside the viewer's scope" in text(page_module.layout(region="410000"))
        english = text(page_module.layout(region=officer.region_adcode, lang="en"))
        assert "Complaint handling" in english
