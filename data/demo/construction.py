"""Demo construction projects (建设项目卫生审查): design reviews and completion acceptances.

Volumes follow the field's order of magnitude: a county office reviews a few dozen projects a year, about one
application a year per 60 supervised entities, most of them public places (renovated hotels, baths, pools) and
medical institutions (new wings, X-ray rooms). Each project is applied for by an existing entity of the matching
subtype (a hospital extending itself) or, for a third of them, by a new site that is not yet supervised. A design
review is decided within about 20 working days (the statutory term), most pass, some pass after rectification; a
project whose design passed more than half a year before the end comes back for its completion acceptance.
Undecided applications near the end are 'pending'. Its own random stream, so the other demo tables stay as they were.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from data import models, vocab
from data.bulk import insert_frame
from data.demo.generate import province_abbr

ENTITIES_PER_PROJECT_YEAR = 60
NEW_SITE_SHARE = 1 / 3
# Which entity subtypes apply for which project type, the type's share of applications, and its project name endings.
TYPES: dict[str, tuple[tuple[str, ...], float, tuple[str, ...]]] = {
    "hospital": (("hospital",), 0.14, ("门诊楼扩建项目", "住院综合楼新建项目", "发热门诊改造工程")),
    "radiology_room": (("radiology", "hospital"), 0.16, ("DR机房新建项目", "CT机房改造项目", "口腔CBCT机房项目")),
    "water_plant": (("central_supply",), 0.04, ("水厂改扩建工程", "深度处理工艺改造工程")),
    "public_place": (("hotel", "bathhouse", "swimming_pool", "venue"), 0.46, ("装修改造项目", "新建项目", "集中空调改造项目")),
    "school": (("school",), 0.12, ("教学楼新建项目", "学生宿舍改造项目", "食堂及饮水设施改造项目")),
    "occupational": (("factory",), 0.08, ("职业病防护设施设计项目", "生产线技改项目")),
}
NEW_SITE_NAMES = {"hospital": "新区医院", "radiology_room": "影像诊断中心", "water_plant": "第二水厂",
                  "public_place": "商业综合体", "school": "新建学校", "occupational": "新材料有限公司"}
OUTCOME_SHARES = {"approved": 0.82, "conditional": 0.13, "rejected": 0.05}
ACCEPTANCE_SHARE = 0.7  # of the passed design reviews old enough to be built


def projects(rng: np.random.Generator, ents: pd.DataFrame, start: dt.date, until: dt.date) -> pd.DataFrame:
    """Applications of the period start..until, design reviews first, then their completion acceptances."""
    years = (until - start).days / 365
    n = int(round(len(ents) / ENTITIES_PER_PROJECT_YEAR * years))
    types = np.array(list(TYPES))
    shares = np.array([TYPES[t][1] for t in types])
    chosen = rng.choice(types, n, p=shares / shares.sum())
    rows = []
    for project_type in types:
        count = int((chosen == project_type).sum())
        subtypes, _, endings = TYPES[project_type]
        pool = ents[ents["subtype"].isin(subtypes)]
        new_site = rng.random(count) < NEW_SITE_SHARE
        if pool.empty:
            new_site[:] = True
        picked = pool.iloc[rng.integers(0, max(len(pool), 1), count)] if not pool.empty else ents.iloc[
            rng.integers(0, len(ents), count)]
        frame = pd.DataFrame({
            "entity_id": np.where(new_site, None, picked["id"].to_numpy()).astype(object),
            "entity_name": picked["name"].to_numpy(),
            "new_site": new_site,
            "project_type": project_type,
            "ending": rng.choice(np.array(endings), count),
            "province_adcode": picked["province_adcode"].to_numpy(),
            "city_adcode": picked["city_adcode"].to_numpy(),
            "county_adcode": picked["county_adcode"].to_numpy(),
        })
        rows.append(frame)
    design = pd.concat(rows, ignore_index=True)
    county_stem = design["entity_name"].str.slice(0, 2)
    design["applicant"] = design["entity_name"].where(~design["new_site"],
                                                      county_stem + design["project_type"].map(NEW_SITE_NAMES))
    design["name"] = design["applicant"] + design["ending"]
    design["specialty"] = design["project_type"].map(vocab.PROJECT_TYPE_SPECIALTY)
    span = (until - start).days
    design["applied_on"] = [start + dt.timedelta(days=int(d)) for d in rng.integers(0, span + 1, len(design))]
    design["stage"] = "design_review"
    design = _decide(rng, design, until)

    built = design[design["outcome"].isin(("approved", "conditional"))
                   & (pd.to_datetime(design["decided_on"]) < pd.Timestamp(until - dt.timedelta(days=183)))]
    built = built[rng.random(len(built)) < ACCEPTANCE_SHARE].copy()
    gap = rng.integers(150, 540, len(built))
    built["applied_on"] = [d + dt.timedelta(days=int(g)) for d, g in zip(built["decided_on"], gap)]
    built = built[built["applied_on"] <= until]  # not built yet: no acceptance applied for
    built["stage"] = "completion_acceptance"
    accepted = _decide(rng, built, until)

    out = pd.concat([design, accepted], ignore_index=True).sort_values(["applied_on", "stage"], kind="stable")
    out = out.reset_index(drop=True)
    abbr = province_abbr(str(out["province_adcode"].iloc[0])) if len(out) else "卫"
    word = out["stage"].map({"design_review": "设审", "completion_acceptance": "竣验"})
    out["project_no"] = [f"{abbr}卫建{w}〔{d.year}〕{c}-{i:05d}" for w, d, c, i in
                         zip(word, out["applied_on"], out["county_adcode"], range(1, len(out) + 1))]
    out["id"] = np.arange(1, len(out) + 1)
    return out[["id", "project_no", "name", "entity_id", "applicant", "specialty", "project_type", "stage", "applied_on",
                "decided_on", "outcome", "province_adcode", "city_adcode", "county_adcode"]]


def _decide(rng: np.random.Generator, frame: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """Decision day (3–28 days after the application) and outcome; not yet decided by `until`: pending."""
    frame = frame.copy()
    decided = [d + dt.timedelta(days=int(k)) for d, k in zip(frame["applied_on"], rng.integers(3, 29, len(frame)))]
    outcome = rng.choice(np.array(list(OUTCOME_SHARES)), len(frame), p=np.array(list(OUTCOME_SHARES.values())))
    late = np.array([d > until for d in decided], dtype=bool)
    frame["decided_on"] = [None if x else d for d, x in zip(decided, late)]
    frame["outcome"] = np.where(late, "pending", outcome)
    return frame


def store(conn: Connection, seed: int, ents: pd.DataFrame, start: dt.date, until: dt.date) -> int:
    """Generate and store the demo's construction projects; returns the rows written."""
    frame = projects(np.random.default_rng([seed, 17]), ents, start, until)
    return insert_frame(conn, models.ConstructionProject.__table__, frame)
