"""Each prescription check at its boundary, on hand-made prescriptions (no database: the checks are pure)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data.prescriptions import checks, rules

DAY = dt.date(2026, 5, 10)


@pytest.fixture(scope="module")
def reference() -> checks.Reference:
    """Doctor 1 (clinical, ordinary and narcotic rights), doctor 2 (clinical, ordinary only), nurse 3,
    dentist 4; all registered at institution 10 (licensed: internal, emergency, pain, dental) until
    2026-05-09 for doctor 2 and open-ended for the others."""
    staff = pd.DataFrame({"id": [1, 2, 3, 4], "category": ["clinical", "clinical", None, "dental"],
                          "rx_ordinary": [True, True, False, True], "rx_narcotic": [True, False, False, False]})
    regs = pd.DataFrame({"practitioner_id": [1, 2, 3, 4], "entity_id": [10, 10, 10, 10],
                         "valid_from": [dt.date(2020, 1, 1)] * 4,
                         "valid_to": [None, dt.date(2026, 5, 9), None, None]})
    deps = pd.DataFrame({"entity_id": [10] * 4, "department": ["internal", "emergency", "pain", "dental"]})
    table = rules.seed_rows().reset_index(names="id")
    return checks.Reference(staff, regs, deps, table)


def rx(**overrides) -> dict:
    base = {"practitioner_id": 1, "entity_id": 10, "issued_on": DAY, "setting": "outpatient", "department": "internal",
            "drug_class": "ordinary", "dosage_form": "other", "days": 7.0, "doses": None, "extension_reason": None}
    return base | overrides


def hits(reference, *prescriptions) -> list[set[str]]:
    batch = pd.DataFrame(list(prescriptions))
    found = checks.evaluate(batch, reference)
    return [set(found.loc[found["row"] == i, "rule"]) for i in range(len(batch))]


def test_ordinary_seven_days_passes_and_eight_fails(reference):
    assert hits(reference, rx(days=7), rx(days=8)) == [set(), {"rx_over_days"}]


def test_emergency_three_days_passes_and_four_fails(reference):
    assert hits(reference, rx(setting="emergency", department="emergency", days=3),
                rx(setting="emergency", department="emergency", days=4)) == [set(), {"rx_over_days"}]


def test_a_written_reason_extends_the_ordinary_limit_but_not_a_narcotic_one(reference):
    reason = "慢性病"
    assert hits(reference, rx(days=30, extension_reason=reason),
                rx(drug_class="narcotic", dosage_form="other", days=4, extension_reason=reason)) == [set(), {"rx_over_days"}]


def test_narcotic_by_a_doctor_with_and_without_the_right(reference):
    narcotic = {"drug_class": "narcotic", "dosage_form": "other", "days": 3}
    assert hits(reference, rx(**narcotic), rx(practitioner_id=2, issued_on=dt.date(2026, 5, 9), **narcotic)) == [
        set(), {"rx_no_right"}]


def test_narcotic_forms_and_settings_have_their_own_limits(reference):
    cases = [
        rx(drug_class="narcotic", dosage_form="injection", days=1, doses=1),  # 一次常用量
        rx(drug_class="narcotic", dosage_form="injection", days=1, doses=2),
        rx(drug_class="narcotic", dosage_form="controlled_release", days=7),
        rx(drug_class="narcotic", dosage_form="controlled_release", days=8),
        rx(drug_class="psych1", dosage_form="other", days=3),
        rx(drug_class="psych1", dosage_form="other", days=4),
        rx(drug_class="narcotic", dosage_form="controlled_release", setting="pain", department="pain", days=15),
        rx(drug_class="narcotic", dosage_form="controlled_release", setting="pain", department="pain", days=16),
        rx(drug_class="narcotic", dosage_form="other", setting="inpatient", days=1),
        rx(drug_class="narcotic", dosage_form="other", setting="inpatient", days=2),
        rx(drug_class="psych2", days=7), rx(drug_class="psych2", days=8),
        rx(drug_class="narcotic", dosage_form="controlled_release", setting="emergency", department="emergency", days=4),
    ]
    over = [bool(found) for found in hits(reference, *cases)]
    assert over == [False, True, False, True, False, True, False, True, False, True, False, True, True]


def test_registration_ending_the_day_before_fails(reference):
    assert hits(reference, rx(practitioner_id=2, issued_on=dt.date(2026, 5, 9)), rx(practitioner_id=2)) == [
        set(), {"rx_not_registered"}]


def test_unregistered_institution_fails(reference):
    assert hits(reference, rx(entity_id=11)) == [{"rx_not_registered"}]


def test_department_outside_category_and_outside_licence(reference):
    assert hits(reference, rx(practitioner_id=4, department="dental"), rx(practitioner_id=4, department="internal"),
                rx(department="surgery")) == [set(), {"rx_outside_category"}, {"rx_outside_licence"}]


def test_nurse_has_no_prescribing_right(reference):
    assert hits(reference, rx(practitioner_id=3)) == [{"rx_no_right"}]


def test_each_hit_names_the_rule_row_with_its_legal_source(reference):
    batch = pd.DataFrame([rx(days=8), rx(drug_class="narcotic", dosage_form="injection", days=1, doses=2)])
    found = checks.evaluate(batch, reference).merge(reference.rules[["id", "source"]], left_on="rule_id", right_on="id")
    assert found.sort_values("row")["source"].str.contains("第十九条|第二十三条").all()
    assert list(found.sort_values("row")["detail"]) == ["days 8 > 7", "doses 2 > 1"]
