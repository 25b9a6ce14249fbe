"""Who sees personal data unmasked is decided on the server by role (dashboard/context.py UNMASKED_ROLES)."""

from __future__ import annotations

import dataclasses

import pytest

from dashboard import auth, context
from data import accounts, crypto, vocab

SEE_UNMASKED = {"province_manager", "city_manager", "county_manager", "county_officer"}


@pytest.mark.parametrize("role", vocab.ROLES)
def test_only_managers_and_officers_see_personal_data_unmasked(demo_app, role):
    with demo_app.server.test_request_context("/"):
        with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
            auth.login(dataclasses.replace(accounts.by_username(conn, "demo_manager"), role=role))
        assert context.masks({"mask": False}) is (role not in SEE_UNMASKED)
        assert context.masks({"mask": True}) and context.masks({"kiosk": True, "mask": False})  # asked for: always


def test_no_account_masks(demo_app):
    with demo_app.server.test_request_context("/"):
        assert context.masks({"mask": False})


def test_the_entity_file_masks_for_a_role_without_personal_data(request_context, demo_app):
    """The page's layout, built on the server, masks for a display account whatever `?mask=0` says."""
    from dashboard.pages import entity as entity_page

    entity_id = 1
    own = entity_page.layout(entity_id=str(entity_id), mask="0")
    with request_context.engine.connect() as conn:
        phone = crypto.keyring().decrypt(conn.exec_driver_sql("SELECT contact_phone FROM entity WHERE id = 1").scalar(),
                                         "entity.contact_phone")
    assert phone in str(own)
    manager = auth.current_account()
    auth.login(dataclasses.replace(manager, role="display"))
    masked = str(entity_page.layout(entity_id=str(entity_id), mask="0"))
    assert phone not in masked and phone[:3] + "****" + phone[-4:] in masked
