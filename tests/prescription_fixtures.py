"""A small medical world in a database: institutions, the demo's practitioners, registrations and departments."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data import models
from data.bulk import insert_frame
from data.demo import practitioners

UNTIL = dt.date(2026, 6, 30)
MONTH = dt.date(2026, 6, 1)
COUNTIES = ("410105", "410102")  # two counties of Zhengzhou, for scope tests


def medical_entities(count: int = 90) -> pd.DataFrame:
    """Hospitals, clinics (every ninth a dental one) and village clinics in two counties."""
    index = np.arange(count)
    subtype = np.array(["hospital", "clinic", "village_clinic"])[index % 3]
    name = np.where((index % 9) == 4, "口腔诊所", "医院")
    county = np.array(COUNTIES)[index % 2]
    return pd.DataFrame({"id": index + 1, "credit_code": [f"12410100MB{i:08d}" for i in index],
                         "name": [f"测试{n}{i}" for n, i in zip(name, index)], "specialty": "medical",
                         "subtype": subtype, "province_adcode": "410000", "city_adcode": "410100",
                         "county_adcode": county})


def install(conn, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Store the entities, practitioners, registrations and departments; returns them."""
    ents = medical_entities()
    staff, regs, deps = practitioners.practitioners(np.random.default_rng(seed), ents, UNTIL)
    for model, frame in ((models.Entity, ents), (models.Practitioner, staff),
                         (models.PractitionerRegistration, regs), (models.EntityDepartment, deps)):
        insert_frame(conn, model.__table__, frame)
    return ents, staff, regs, deps
