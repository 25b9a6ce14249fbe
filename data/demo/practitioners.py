"""Demo practitioners (一人一档), their registrations, the institutions' licensed departments, and a month
of prescriptions with violations planted at known rates, so tests measure each check's recall and precision.

Everything valid is valid by construction (a prescriber holds the right, practises the department at an
institution licensed for it, is registered there on the day, within the day limit of the rule table);
then disjoint sets of rows are changed so that exactly one check fails on each, and the change is
recorded in the plant (row, rule). The generators never call the checks.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data import vocab
from data.demo.generate import _MOBILE_PREFIXES, person_names
from data.prescriptions import rules as rx_rules

# Staff per institution (doctors and nurses), by subtype: a range drawn uniformly.
STAFF = {"hospital": (30, 60), "clinic": (1, 4), "village_clinic": (1, 2)}
# Departments (诊疗科目) on the licence, by subtype; clinics named 口腔 are dental only.
LICENSED = {"hospital": ("internal", "surgery", "paediatrics", "obstetrics", "emergency", "pain", "tcm", "dental"),
            "clinic": ("internal", "tcm"), "village_clinic": ("internal", "tcm"), "dental_clinic": ("dental",)}
# Each category's departments in the demo's valid prescriptions (a subset of what rules.csv allows).
PRACTISED = {"clinical": ("internal", "surgery", "paediatrics", "obstetrics", "emergency"), "tcm": ("tcm",),
             "dental": ("dental",)}
TITLES = np.array(["住院医师", "主治医师", "副主任医师", "主任医师"])
NURSE_TITLES = np.array(["护士", "护师", "主管护师", "副主任护师"])
DRUGS = {"ordinary": ("阿莫西林胶囊", "头孢克肟片", "布洛芬缓释胶囊", "氯化钠注射液"),
         "narcotic": ("盐酸吗啡缓释片", "芬太尼透皮贴剂", "盐酸吗啡注射液"),
         "psych1": ("盐酸哌醋甲酯缓释片", "司可巴比妥钠胶囊"), "psych2": ("艾司唑仑片", "地西泮片")}
# Share of each planted violation among a month's prescriptions (disjoint rows).
PLANT_RATES = {"rx_no_right": 0.004, "rx_outside_category": 0.004, "rx_outside_licence": 0.004,
               "rx_over_days": 0.006, "rx_not_registered": 0.003}
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])


def _id_numbers(rng: np.random.Generator, county: np.ndarray) -> np.ndarray:
    """Resident ID numbers (GB 11643) with a valid check character: county, birth date, sequence, check."""
    n = len(county)
    born = (np.datetime64("1960-01-01") + rng.integers(0, 40 * 365, n).astype("timedelta64[D]")).astype(str)
    body = pd.Series(county).str[:6] + pd.Series(born).str.replace("-", "") + pd.Series(
        rng.integers(0, 1000, n)).map("{:03d}".format)
    digits = np.array([list(map(int, b)) for b in body]) if n else np.zeros((0, 17), dtype=int)
    check = np.array(list("10X98765432"))[(digits @ _ID_WEIGHTS) % 11] if n else np.array([], dtype=str)
    return (body + check).to_numpy()


def practitioners(rng: np.random.Generator, ents: pd.DataFrame, until: dt.date) -> tuple[pd.DataFrame, ...]:
    """(practitioners, registrations, departments) for the medical entities of `ents`."""
    medical = ents[(ents["specialty"] == "medical") & ents["subtype"].isin(list(STAFF))].reset_index(drop=True)
    dental = medical["name"].str.contains("口腔")
    kind_of_place = np.where(dental, "dental_clinic", medical["subtype"])
    low = medical["subtype"].map(lambda s: STAFF[s][0]).to_numpy()
    high = medical["subtype"].map(lambda s: STAFF[s][1]).to_numpy()
    counts = rng.integers(low, high + 1)
    place = np.repeat(np.arange(len(medical)), counts)
    n = len(place)
    place_kind = kind_of_place[place]
    doctor = rng.random(n) < 0.5
    doctor[np.r_[0, np.cumsum(counts)[:-1]]] = True  # every institution has a doctor
    category = np.where(place_kind == "dental_clinic", "dental",
                        np.where(rng.random(n) < 0.8, "clinical",
                                 np.where((place_kind == "hospital") & (rng.random(n) < 0.4), "dental", "tcm")))
    category = np.where(doctor, category, None)
    title_level = rng.choice(4, n, p=[0.35, 0.35, 0.2, 0.1])
    staff = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "licence_no": [f"{'1' if d else '2'}{c[:6]}{i:08d}" for d, c, i in
                       zip(doctor, medical["county_adcode"].to_numpy()[place], range(1, n + 1))],
        "name": person_names(rng, n),
        "kind": np.where(doctor, "doctor", "nurse"),
        "category": category,
        "scope": pd.Series(category).map({"clinical": "内科专业", "tcm": "中医专业", "dental": "口腔专业"}).to_numpy(),
        "title": np.where(doctor, TITLES[title_level], NURSE_TITLES[title_level]),
        "rx_ordinary": doctor,
        "rx_narcotic": doctor & (category == "clinical") & (place_kind == "hospital") & (rng.random(n) < 0.4),
        "id_number": _id_numbers(rng, medical["county_adcode"].to_numpy()[place]),
        "phone": (pd.Series(_MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)])
                  + pd.Series(rng.integers(0, 100_000_000, n)).map("{:08d}".format)).to_numpy(),
    })
    start = pd.Timestamp(until) - pd.to_timedelta(rng.integers(60, 15 * 365, n), unit="D")
    main = pd.DataFrame({"practitioner_id": staff["id"], "entity_id": medical["id"].to_numpy()[place], "main": True,
                         "valid_from": start.date, "valid_to": None})
    # 多机构执业: a tenth of hospital doctors also practise at another hospital, from some months ago.
    hospitals = medical.loc[medical["subtype"] == "hospital", "id"].to_numpy()
    extra = np.flatnonzero(doctor & (place_kind == "hospital") & (rng.random(n) < 0.1))
    other = hospitals[rng.integers(0, len(hospitals), len(extra))] if len(hospitals) else np.zeros(0, dtype=int)
    keep = other != main["entity_id"].to_numpy()[extra]
    multi = pd.DataFrame({"practitioner_id": staff["id"].to_numpy()[extra][keep], "entity_id": other[keep],
                          "main": False, "valid_from": (pd.Timestamp(until) - pd.Timedelta(days=400)).date(),
                          "valid_to": None})
    regs = pd.concat([main, multi], ignore_index=True)
    regs.insert(0, "id", np.arange(1, len(regs) + 1))
    deps = pd.DataFrame({"entity_id": medical["id"], "department": [LICENSED[k] for k in kind_of_place]}).explode(
        "department", ignore_index=True)
    return staff, regs, deps


def _limits(cls: np.ndarray, form: np.ndarray, setting: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The smallest max_days and max_doses of rules.csv's rows matching each prescription (inf: none)."""
    table = rx_rules.seed_rows()
    table = table[table["rule"] == "rx_over_days"]
    keys = pd.DataFrame({"drug_class": cls, "dosage_form": form, "setting": setting})
    combos = keys.drop_duplicates()
    found = []
    for combo in combos.itertuples(index=False):  # a dozen combinations, not rows
        match = table[table["drug_class"].isin([combo.drug_class, "*"]) & table["dosage_form"].isin([combo.dosage_form, "*"])
                      & table["setting"].isin([combo.setting, "*"])]
        found.append((*combo, match["max_days"].min(), match["max_doses"].min()))
    limits = pd.DataFrame(found, columns=["drug_class", "dosage_form", "setting", "max_days", "max_doses"])
    joined = keys.merge(limits, how="left", on=["drug_class", "dosage_form", "setting"])
    return (joined["max_days"].astype(float).fillna(np.inf).to_numpy(),
            pd.to_numeric(joined["max_doses"]).astype(float).fillna(np.inf).to_numpy())


def prescriptions(rng: np.random.Generator, staff: pd.DataFrame, regs: pd.DataFrame, deps: pd.DataFrame,
                  month: dt.date, n: int, first: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` prescriptions in the month starting at `month`, numbered from `first` (a month in several
    batches), and the plant: (row, rule) of every violation."""
    days_in_month = (pd.Timestamp(month) + pd.offsets.MonthBegin(1) - pd.Timestamp(month)).days
    doctors = staff[staff["rx_ordinary"]].set_index("id")
    current = regs[regs["practitioner_id"].isin(doctors.index) & regs["valid_to"].isna()
                   & (pd.to_datetime(regs["valid_from"]) <= pd.Timestamp(month))].reset_index(drop=True)
    pick = rng.integers(0, len(current), n)
    prescriber = current["practitioner_id"].to_numpy()[pick]
    entity = current["entity_id"].to_numpy()[pick]
    category = doctors["category"].reindex(prescriber).to_numpy()
    narcotic_right = doctors["rx_narcotic"].reindex(prescriber).to_numpy(dtype=bool)
    licensed = set(zip(deps["entity_id"], deps["department"]))
    # A department both practised by the category and licensed at the institution (first that fits).
    department = np.full(n, "", dtype=object)
    for cat, options in PRACTISED.items():  # three categories
        at = np.flatnonzero(category == cat)
        for option in rng.permutation(list(options)):
            free = at[department[at] == ""]
            fits = np.array([(e, option) in licensed for e in entity[free]], dtype=bool)
            department[free[fits]] = option
    assert (department != "").all(), "every demo institution licenses a department its doctors practise"
    roll = rng.random(n)
    cls = np.where(roll < 0.9, "ordinary", "psych2")
    controlled = narcotic_right & (rng.random(n) < 0.5)
    cls = np.where(controlled, np.where(rng.random(n) < 0.6, "narcotic", "psych1"), cls)
    form = np.array(vocab.DOSAGE_FORMS)[rng.choice(3, n, p=[0.2, 0.2, 0.6])]
    setting = np.where(department == "emergency", "emergency", "outpatient")
    max_days, max_doses = _limits(cls, form, setting)
    days = np.floor(rng.random(n) * np.minimum(max_days, 30)) + 1
    doses = np.where(np.isfinite(max_doses), 1, np.nan)
    batch = pd.DataFrame({
        "practitioner_id": prescriber, "entity_id": entity,
        "issued_on": (np.datetime64(month) + rng.integers(0, days_in_month, n).astype("timedelta64[D]")).astype("datetime64[D]"),
        "setting": setting, "department": department, "diagnosis": None,
        "drug": [DRUGS[c][i % len(DRUGS[c])] for c, i in zip(cls, rng.integers(0, 12, n))],
        "drug_class": cls, "dosage_form": form, "days": days, "doses": pd.array(doses, dtype="Int64"),
        "extension_reason": None,
    })
    batch.insert(0, "rx_no", np.char.add(f"RX{month:%Y%m}", np.char.zfill(np.arange(first, first + n).astype(str), 9)))
    return batch, _plant(rng, batch, staff, regs, deps, max_days, max_doses)


def _plant(rng, batch, staff, regs, deps, max_days, max_doses) -> pd.DataFrame:
    """Change disjoint sets of rows so that exactly one check fails on each; returns (row, rule)."""
    n = len(batch)
    free = np.ones(n, dtype=bool)
    plant = []
    by_id = staff.set_index("id")
    category = by_id["category"].reindex(batch["practitioner_id"]).to_numpy()
    narcotic_right = by_id["rx_narcotic"].reindex(batch["practitioner_id"]).to_numpy(dtype=bool)
    hospital_ids = set(deps.loc[deps["department"] == "surgery", "entity_id"])
    at_hospital = batch["entity_id"].isin(hospital_ids).to_numpy()

    def take(rule: str, eligible: np.ndarray) -> np.ndarray:
        candidates = np.flatnonzero(eligible & free)
        count = min(len(candidates), int(round(PLANT_RATES[rule] * n)))
        rows = rng.choice(candidates, count, replace=False) if count else np.zeros(0, dtype=int)
        free[rows] = False
        plant.append(pd.DataFrame({"row": rows, "rule": rule}))
        return rows

    ordinary_other = (batch["drug_class"] == "ordinary").to_numpy() & (batch["setting"] == "outpatient").to_numpy()
    rows = take("rx_no_right", ordinary_other & ~narcotic_right)
    batch.loc[rows, ["drug_class", "dosage_form", "days"]] = ["narcotic", "other", 1.0]
    batch.loc[rows, "doses"] = pd.NA
    rows = take("rx_outside_category", ordinary_other & at_hospital & (category == "clinical"))
    batch.loc[rows, "department"] = "tcm"
    rows = take("rx_outside_licence", ordinary_other & ~at_hospital & (category == "clinical"))
    batch.loc[rows, "department"] = "surgery"
    rows = take("rx_over_days", np.isfinite(max_days) | np.isfinite(max_doses))
    by_doses = np.isfinite(max_doses[rows])
    batch.loc[rows[by_doses], "doses"] = (max_doses[rows[by_doses]] + 1).astype(int)
    batch.loc[rows[~by_doses], "days"] = max_days[rows[~by_doses]] + rng.integers(1, 4, (~by_doses).sum())
    # Not registered: the same prescription written at another institution licensed for the department,
    # where the prescriber holds no registration (rows where the drawn one happens to be theirs are skipped).
    rows = take("rx_not_registered", ordinary_other & (category == "clinical") & at_hospital)
    hospitals = np.array(sorted(hospital_ids))
    moved = hospitals[rng.integers(0, len(hospitals), len(rows))]
    pairs = set(zip(regs["practitioner_id"], regs["entity_id"]))
    clash = np.array([(p, e) in pairs for p, e in zip(batch["practitioner_id"].to_numpy()[rows], moved)], dtype=bool)
    batch.loc[rows[~clash], "entity_id"] = moved[~clash]
    plant[-1] = plant[-1][~clash]
    free[rows[clash]] = True
    return pd.concat(plant, ignore_index=True)
