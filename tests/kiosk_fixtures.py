"""A case in the demo with personal data in it, for the masking tests of the kiosk: a clinic whose name
carries its owner's mobile number, and an alert of it dispatched by a named officer with a phone and an
ID number in the note. Restores the clinic's name afterwards (the alert stays dispatched: still unclosed)."""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy import select, update

from data import accounts, db, models
from data.monitoring import alerts
from data.queries import alerts as alert_queries
from data.queries.filters import Scope

PHONE, ID_NUMBER, OFFICER = "13912345678", "410105199003071234", "王建国"


@contextlib.contextmanager
def public_case(demo_app):
    store = demo_app.server.extensions["weijian"].store
    scope = Scope.of("410000")
    with store.engine.connect() as conn:
        officer_county = accounts.by_username(conn, "demo_officer").region_adcode
    newest = alert_queries.feed(store, scope, "410000", status="unclosed", limit=5000)
    # A device's alert (the device page shows its history), not a prescription check's.
    candidates = newest[(newest["status"] == "open") & (newest["county_adcode"] != officer_county)
                        & newest["device_id"].notna()]
    assert len(candidates), "the demo has open device alerts among the newest, outside the demo officer's county"
    alert_id = int(candidates["id"].iloc[0])
    badge = str(alert_queries.officers(store, scope, alert_id)["badge_no"].iloc[0])
    with store.engine.begin() as conn:
        entity_id = conn.execute(select(models.Alert.entity_id).where(models.Alert.id == alert_id)).scalar_one()
        name = conn.execute(select(models.Entity.name).where(models.Entity.id == entity_id)).scalar_one()
        conn.execute(update(models.Entity).where(models.Entity.id == entity_id).values(name=f"{name}（{PHONE}）"))
        alerts.transition(conn, alert_id, "dispatch", actor=alerts.Actor(OFFICER, "410000"), scope=scope,
                          now=dt.datetime.now(dt.UTC), note=f"请联系{PHONE}，身份证{ID_NUMBER}", assignee_badge=badge)
        db.bump_data_version(conn)
    try:
        yield {"alert_id": alert_id, "badge": badge, "entity": f"{name}（{PHONE}）"}
    finally:
        with store.engine.begin() as conn:
            conn.execute(update(models.Entity).where(models.Entity.id == entity_id).values(name=name))
            db.bump_data_version(conn)
