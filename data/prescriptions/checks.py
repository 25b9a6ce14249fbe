"""The five prescription checks over a whole batch at once: array lookups, merges and masks, no loop per row.

`evaluate(batch, reference)` returns one row per (prescription, failed check), with the rule row that
decided it (its parameter and legal source) and a short detail. Definitions:
- rx_no_right: the drug's class needs a right (rx_ordinary; rx_narcotic for narcotic and first-class
  psychotropic drugs) that the prescriber does not hold. A nurse holds none.
- rx_outside_category: a doctor's practice category does not cover the prescription's department
  (rows of the rule list the departments of each category). Nurses have no category: the check
  does not apply to them (their prescriptions already fail rx_no_right).
- rx_outside_licence: the institution's licence lists departments and this one is not among them.
  An institution with no department recorded is not checked (nothing to check against).
- rx_over_days: days' supply over the smallest max_days of the rows matching its class, dosage form
  and setting, or doses over their max_doses ("一次常用量" is max_doses = 1). Rows marked extendable
  (第十九条, 第二十三条第三款) do not bind a prescription on which the doctor wrote a reason.
- rx_not_registered: no registration of the prescriber at the institution covers the date
  (valid_from ≤ date ≤ valid_to; an open registration has no end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data import vocab
from data.prescriptions.rules import ANY

HIT_COLUMNS = ["row", "rule", "rule_id", "detail"]
NS = "datetime64[ns]"
OPEN_END = pd.Timestamp("2262-01-01")  # an open registration (valid_to empty) ends after every date


@dataclass(frozen=True)
class Reference:
    """What the checks compare a batch against: who may prescribe what, where, when; and the rule table."""

    practitioners: pd.DataFrame  # id, category, rx_ordinary, rx_narcotic
    registrations: pd.DataFrame  # practitioner_id, entity_id, valid_from, valid_to
    departments: pd.DataFrame  # entity_id, department
    rules: pd.DataFrame  # data.prescriptions.rules.load()


def _codes(values: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Position of each value in its vocabulary (-1 when absent), vectorised."""
    return pd.Categorical(values, categories=list(vocabulary)).codes.astype(np.int64)


def _matching(rules: pd.DataFrame, column: str, vocabulary: tuple[str, ...]) -> np.ndarray:
    """A (rule row × vocabulary value) mask: the row applies to the value (it names it, or says "*")."""
    values = rules[column].to_numpy()[:, None]
    return (values == ANY) | (values == np.array(vocabulary)[None, :])


def _limit_table(rules: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """For every (class, form, setting, extendable?) the smallest limit in `column` and the rule row giving it.

    Shape (2, classes, forms, settings): index 0 holds the rows that always bind, 1 the extendable ones.
    """
    shape = (2, len(vocab.DRUG_CLASSES), len(vocab.DOSAGE_FORMS), len(vocab.RX_SETTINGS))
    limit, source = np.full(shape, np.inf), np.full(shape, -1, dtype=np.int64)
    rows = rules[rules[column].notna()]
    if rows.empty:
        return limit, source
    applies = (_matching(rows, "drug_class", vocab.DRUG_CLASSES)[:, :, None, None]
               & _matching(rows, "dosage_form", vocab.DOSAGE_FORMS)[:, None, :, None]
               & _matching(rows, "setting", vocab.RX_SETTINGS)[:, None, None, :])
    values = rows[column].astype(float).to_numpy()
    for kind, extendable in enumerate((False, True)):
        pick = rows["extendable"].to_numpy().astype(bool) == extendable
        if not pick.any():
            continue
        candidates = np.where(applies[pick], values[pick][:, None, None, None], np.inf)
        limit[kind] = candidates.min(axis=0)
        best = candidates.argmin(axis=0)
        source[kind] = np.where(np.isfinite(limit[kind]), rows["id"].to_numpy()[pick][best], -1)
    return limit, source


def _over_limit(batch: pd.DataFrame, rules: pd.DataFrame, cls, form, setting, reason) -> tuple[np.ndarray, ...]:
    """rx_over_days: the mask, the rule row that binds, the limit and what was measured (days or doses)."""
    days_limit, days_rule = _limit_table(rules, "max_days")
    dose_limit, dose_rule = _limit_table(rules, "max_doses")
    index = (cls, form, setting)
    strict_days, ext_days = days_limit[0][index], np.where(reason, np.inf, days_limit[1][index])
    binding_days = np.minimum(strict_days, ext_days)
    days_source = np.where(strict_days <= ext_days, days_rule[0][index], days_rule[1][index])
    strict_doses, ext_doses = dose_limit[0][index], np.where(reason, np.inf, dose_limit[1][index])
    binding_doses = np.minimum(strict_doses, ext_doses)
    doses_source = np.where(strict_doses <= ext_doses, dose_rule[0][index], dose_rule[1][index])
    days = batch["days"].to_numpy(dtype=float)
    doses = pd.to_numeric(batch["doses"]).to_numpy(dtype=float)
    over_days = days > binding_days
    over_doses = np.nan_to_num(doses, nan=0.0) > binding_doses
    mask = over_days | over_doses
    rule_id = np.where(over_doses, doses_source, days_source)
    detail = np.where(over_doses, "doses", "days")
    return mask, rule_id, detail, np.where(over_doses, binding_doses, binding_days), np.where(over_doses, doses, days)


def _registered(batch: pd.DataFrame, registrations: pd.DataFrame) -> np.ndarray:
    """Whether a registration of the prescriber at the institution covers each prescription's date."""
    pairs = pd.DataFrame({"practitioner_id": batch["practitioner_id"].to_numpy(),
                          "entity_id": batch["entity_id"].to_numpy(),
                          "day": pd.to_datetime(batch["issued_on"]).astype(NS).to_numpy(), "row": np.arange(len(batch))})
    regs = registrations.assign(valid_from=pd.to_datetime(registrations["valid_from"]).astype(NS),
                                valid_to=pd.to_datetime(registrations["valid_to"]).astype(NS).fillna(OPEN_END))
    joined = pairs.merge(regs[["practitioner_id", "entity_id", "valid_from", "valid_to"]],
                         on=["practitioner_id", "entity_id"], how="inner")
    covered = joined["row"].to_numpy()[(joined["valid_from"] <= joined["day"]).to_numpy()
                                       & (joined["day"] <= joined["valid_to"]).to_numpy()]
    ok = np.zeros(len(batch), dtype=bool)
    ok[covered] = True
    return ok


def evaluate(batch: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """One row per (prescription position in `batch`, failed check): row, rule, rule_id (the deciding
    prescription_rule row), detail. `batch` has practitioner_id, entity_id, issued_on, setting, department,
    drug_class, dosage_form, days, doses, extension_reason; every id must be known to `reference`."""
    rules = reference.rules
    n = len(batch)
    staff = reference.practitioners.set_index("id")
    where = staff.index.get_indexer(batch["practitioner_id"].to_numpy())
    if (where < 0).any():
        raise ValueError(f"row {int(np.argmax(where < 0))}: practitioner_id is not a known practitioner")
    category = _codes(staff["category"], vocab.PRACTICE_CATEGORIES)[where]
    held = {right: staff[right].to_numpy(dtype=bool)[where] for right in vocab.RX_RIGHTS}
    cls = _codes(batch["drug_class"], vocab.DRUG_CLASSES)
    form = _codes(batch["dosage_form"], vocab.DOSAGE_FORMS)
    setting = _codes(batch["setting"], vocab.RX_SETTINGS)
    dept = _codes(batch["department"], vocab.DEPARTMENTS)
    reason = batch["extension_reason"].fillna("").astype(str).str.strip().to_numpy() != ""
    parts = []

    def add(rule: str, mask: np.ndarray, rule_id, detail) -> None:
        """The hits of one check; `detail(rows)` describes only the failing rows (a few in a hundred)."""
        rows = np.flatnonzero(mask)
        parts.append(pd.DataFrame({"row": rows, "rule": rule,
                                   "rule_id": np.broadcast_to(rule_id, n)[rows] if np.ndim(rule_id) else rule_id,
                                   "detail": detail(rows)}))

    department = batch["department"].astype(str).to_numpy()

    # rx_no_right: the right each class needs (rule rows by class), and whether the prescriber holds it.
    right_rows = rules[rules["rule"] == "rx_no_right"]
    class_rule = np.full(len(vocab.DRUG_CLASSES), -1, dtype=np.int64)
    class_right = np.full(len(vocab.DRUG_CLASSES), "", dtype=object)
    for position in range(len(vocab.DRUG_CLASSES)):  # four classes, not rows
        row = right_rows[_matching(right_rows, "drug_class", vocab.DRUG_CLASSES)[:, position]].head(1)
        if len(row):
            class_rule[position], class_right[position] = int(row["id"].iloc[0]), row["required_right"].iloc[0]
    needed = class_right[cls]
    lacking = np.zeros(n, dtype=bool)
    for right in vocab.RX_RIGHTS:
        lacking |= (needed == right) & ~held[right]
    add("rx_no_right", lacking, class_rule[cls], lambda rows: "needs " + needed[rows].astype(str))

    # rx_outside_category: (category × department) pairs the rule rows allow.
    cat_rows = rules[rules["rule"] == "rx_outside_category"]
    allowed = (_matching(cat_rows, "category", vocab.PRACTICE_CATEGORIES)[:, :, None]
               & _matching(cat_rows, "department", vocab.DEPARTMENTS)[:, None, :]).any(axis=0)
    cat_rule = int(cat_rows["id"].iloc[0]) if len(cat_rows) else -1
    outside = (category >= 0) & (dept >= 0) & ~allowed[np.maximum(category, 0), np.maximum(dept, 0)]
    add("rx_outside_category", outside, cat_rule, lambda rows: "department " + department[rows].astype(object))

    # rx_outside_licence: the institution's licensed departments, as integer keys.
    licence_rows = rules[rules["rule"] == "rx_outside_licence"]
    if len(licence_rows):
        deps = reference.departments
        width = len(vocab.DEPARTMENTS)
        licensed = deps["entity_id"].to_numpy(dtype=np.int64) * width + _codes(deps["department"], vocab.DEPARTMENTS)
        entity = batch["entity_id"].to_numpy(dtype=np.int64)
        listed = np.isin(entity, deps["entity_id"].to_numpy(dtype=np.int64))
        unlicensed = listed & ~np.isin(entity * width + dept, licensed)
        add("rx_outside_licence", unlicensed, int(licence_rows["id"].iloc[0]),
            lambda rows: "department " + department[rows].astype(object))

    over, over_rule, measured, limit, value = _over_limit(
        batch, rules[rules["rule"] == "rx_over_days"], cls, form, setting, reason)
    add("rx_over_days", over, over_rule, lambda rows: [f"{m} {v:g} > {lim:g}" for m, v, lim in
                                                       zip(measured[rows], value[rows], limit[rows])])

    registration_rows = rules[rules["rule"] == "rx_not_registered"]
    if len(registration_rows):
        add("rx_not_registered", ~_registered(batch, reference.registrations),
            int(registration_rows["id"].iloc[0]), lambda rows: np.full(len(rows), "no registration on date", dtype=object))
    return pd.concat(parts, ignore_index=True)[HIT_COLUMNS]
