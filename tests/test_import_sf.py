"""The San Francisco DPH files (../shared/datasets/sf_restaurant_inspections, read in place) with the shipped
profile `sf_restaurant_inspections`: every count the import reports is recomputed here from the raw file with
plain pandas, independently of data/imports, and pinned to the figures of the datasets' README / SOURCE.txt.

How the expected numbers were established: businesses_plus.csv is cp1252 (SOURCE.txt); empty latitude or
longitude: 3,819 rows, 0/0: 10, names empty: 3 (counted below); SOURCE.txt's "15 duplicated business_id" are
15 repeats of 13 ids, and every row of those is refused (28 rows). All placed points are in California, outside the configured Henan (410000).
inspections_plus.csv: 95 rows of unknown businesses, 12,515 without a score (no result can be derived), 901
visits that are not inspections (893 "Non-inspection site visit", 6 "Administrative or Document Review", one
each of two assessments); rows sharing (business, day, kind once mapped) are refused as duplicate keys (both
the 173 byte-identical rows of SOURCE.txt and distinct DPH types mapped to one of our kinds on the same day).
"""

from __future__ import annotations

import pandas as pd
import pytest
from shared_datasets import DATASETS
from sqlalchemy import insert

from data import models
from data.imports import commands, profile

SF = DATASETS / "sf_restaurant_inspections"
BUSINESSES, INSPECTIONS = SF / "businesses_plus.csv", SF / "inspections_plus.csv"
NOT_INSPECTIONS = {"Non-inspection site visit", "Administrative or Document Review", "Community Health Assessment",
                   "Home Environmental Assessment"}


@pytest.fixture(scope="module")
def businesses() -> pd.DataFrame:
    return pd.read_csv(BUSINESSES, encoding="cp1252", dtype=str, keep_default_na=False)


@pytest.fixture
def sqlite_engine(tmp_path):
    from data import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'sf.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


def _dry(engine, kind, path, cache_dir):
    return commands.command(kind, engine, path, profile.load("sf_restaurant_inspections"), region="410000",
                            cache_dir=cache_dir).run(dry_run=True)


def test_sf_businesses_counts_recomputed_from_the_file(sqlite_engine, businesses, cache_dir):
    outcome = _dry(sqlite_engine, "entities", BUSINESSES, cache_dir)
    raw = businesses
    no_xy = (raw["latitude"] == "") | (raw["longitude"] == "")
    zero = ~no_xy & (pd.to_numeric(raw["latitude"], errors="coerce") == 0) & (pd.to_numeric(raw["longitude"], errors="coerce") == 0)
    duplicated = raw["business_id"].duplicated(keep=False)
    assert (no_xy.sum(), zero.sum(), raw["business_id"].duplicated().sum()) == (3819, 10, 15)  # as in SOURCE.txt
    assert (raw.loc[duplicated, "business_id"].nunique(), duplicated.sum()) == (13, 28)
    assert outcome.counts_by_code() == {
        "no_coordinates": 3819, "zero_coordinates": 10, "duplicate_key": 28,
        "missing": int((raw["name"].str.strip() == "").sum()),
        "outside_region": int((~no_xy & ~zero).sum()),  # California is not in Henan
    }
    assert outcome.taken == 0 and outcome.refused == raw["business_id"].nunique()
    assert outcome.rows == len(raw) == 7744


def test_sf_inspections_counts_recomputed_from_the_file(sqlite_engine, businesses, cache_dir):
    ids = sorted(set(businesses["business_id"]))
    with sqlite_engine.begin() as conn:  # the businesses as stored entities (in Henan they are refused as outside)
        conn.execute(insert(models.Entity), [{"credit_code": f"SF-{i}", "name": f"SF {i}", "specialty": "public_place",
                                              "subtype": "venue"} for i in ids])
    outcome = _dry(sqlite_engine, "inspections", INSPECTIONS, cache_dir)
    raw = pd.read_csv(INSPECTIONS, dtype=str, keep_default_na=False)
    unknown_entity = ~raw["business_id"].isin(ids)
    no_score = raw["Score"] == ""
    not_inspection = raw["type"].isin(NOT_INSPECTIONS)
    kind = raw["type"].map(lambda t: None if t in NOT_INSPECTIONS else
                           "complaint" if t.startswith("Complaint") or t == "Foodborne Illness Investigation" else
                           "campaign" if t in ("Special Event", "Multi-agency Investigation") else "routine")
    record = "SF-" + raw["business_id"] + "|" + raw["date"] + "|" + kind.map(str)
    duplicate = record.duplicated(keep=False)
    assert (unknown_entity.sum(), no_score.sum(), not_inspection.sum()) == (95, 12515, 901)
    assert raw.duplicated().sum() == 173 and raw[duplicate].duplicated().sum() == 173  # SOURCE.txt's identical rows
    assert outcome.counts_by_code() == {"missing": 12515, "unknown_code": 901, "unknown_entity": 95,
                                        "duplicate_key": int(duplicate.sum())}
    bad = unknown_entity | no_score | not_inspection | duplicate
    assert outcome.taken == int((~bad).sum())
    assert outcome.refused == record[bad].nunique()  # refused records: rows sharing a key are one record
    non_compliant = (~bad & (pd.to_numeric(raw["Score"], errors="coerce") <= 70)).sum()
    job = commands.command("inspections", sqlite_engine, INSPECTIONS, profile.load("sf_restaurant_inspections"),
                           region="410000", cache_dir=cache_dir)
    job.validate()
    assert (job._checked.records["result"] == "non_compliant").sum() == non_compliant > 0
