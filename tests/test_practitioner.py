"""Practitioner file (一人一档) on the demo: scope on the server, personal data by role, links both ways."""

from __future__ import annotations

import pandas as pd
import pytest
from components import text as component_text
from sqlalchemy import text

from data.queries import practitioner_file
from data.queries.filters import OutOfScope, Scope


def _read(demo_app, sql: str, **params) -> pd.DataFrame:
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _text(component) -> str:
    return component_text(component, ("href", "src", "alt", "data"))


def _doctors(demo_app) -> tuple[pd.Series, pd.Series]:
    """(a doctor registered only in the demo officer's county, with prescription alerts if any has them; a doctor
    registered only in other counties)."""
    home = _read(demo_app, "SELECT region_adcode FROM app_user WHERE username = 'demo_officer'")["region_adcode"].iloc[0]
    frame = _read(demo_app, """
        SELECT p.id, p.name, p.licence_no, p.id_number, p.phone, MIN(e.county_adcode) AS county,
               COUNT(DISTINCT e.county_adcode) AS counties, MIN(r.entity_id) AS entity_id,
               (SELECT COUNT(*) FROM alert a WHERE a.practitioner_id = p.id) AS alerts
        FROM practitioner p JOIN practitioner_registration r ON r.practitioner_id = p.id JOIN entity e ON e.id = r.entity_id
        WHERE p.kind = 'doctor' GROUP BY p.id, p.name, p.licence_no, p.id_number, p.phone
        ORDER BY alerts DESC, p.id""")
    single = frame[frame["counties"] == 1]
    return single[single["county"] == home].iloc[0], single[single["county"] != home].iloc[0]


def test_profile_is_refused_alike_for_unknown_and_out_of_scope(demo_app):
    store = demo_app.server.extensions["weijian"].store
    own, elsewhere = _doctors(demo_app)
    assert practitioner_file.profile(store, int(own["id"]), Scope.of(own["county"]))["licence_no"] == own["licence_no"]
    messages = []
    for wanted in (int(elsewhere["id"]), 99_999_999, "1 OR 1=1"):
        with pytest.raises(OutOfScope) as refused:
            practitioner_file.profile(store, wanted, Scope.of(own["county"]))
        messages.append(str(refused.value))
    assert len(set(messages)) == 1 and elsewhere["name"] not in messages[0]
    for query in (practitioner_file.registrations, practitioner_file.alerts):
        with pytest.raises(OutOfScope):
            query(store, int(elsewhere["id"]), Scope.of(own["county"]))


def test_a_manager_sees_the_file_with_personal_data_masked(demo_app, as_user):
    from dashboard.pages import practitioner as page

    own, _ = _doctors(demo_app)
    with as_user("demo_manager"):  # a province manager: reads files, does not work the case
        shown = _text(page.layout(practitioner_id=str(own["id"])))
    for label in ("执业证书编码", "执业类别", "处方权", "执业注册", "处方点评与防挂证预警"):
        assert label in shown, label
    assert own["name"] in shown and own["licence_no"] in shown and f"/entity/{own['entity_id']}" in shown
    assert own["id_number"] not in shown and own["phone"] not in shown
    assert own["phone"][:3] + "****" + own["phone"][-4:] in shown and own["id_number"][:6] + "********" in shown
    if own["alerts"]:
        assert any(label in shown for label in ("超量处方", "无相应处方权", "超执业类别处方", "超诊疗科目处方", "未注册执业地点处方"))


def test_the_county_officer_sees_personal_data_unless_masked_and_nothing_elsewhere(demo_app, as_user):
    from dashboard.pages import practitioner as page

    own, elsewhere = _doctors(demo_app)
    with as_user("demo_officer"):
        full = _text(page.layout(practitioner_id=str(own["id"])))
        masked = _text(page.layout(practitioner_id=str(own["id"]), mask="1"))
        refused = _text(page.layout(practitioner_id=str(elsewhere["id"])))
    assert own["phone"] in full and own["id_number"] in full
    assert own["phone"] not in masked and own["id_number"] not in masked
    assert "无此执业人员或无权查看" in refused and elsewhere["name"] not in refused
    assert elsewhere["licence_no"] not in refused and elsewhere["phone"] not in refused


def test_the_entity_file_links_to_its_practitioners(demo_app, as_user):
    from dashboard.pages import entity as page

    own, _ = _doctors(demo_app)
    with as_user("demo_manager"):
        shown = _text(page.layout(entity_id=str(own["entity_id"])))
    assert "执业人员" in shown and f"/practitioner/{own['id']}" in shown
