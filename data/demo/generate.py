"""Seeded generators of demo records, one function per table, all vectorised over numpy arrays.

Everything is drawn from one `numpy.random.Generator`, so (seed, region, scale, until) gives the same
database every time. The structure mimics the field rather than uniform noise: entities cluster in
towns and urban districts; a hidden per-entity `quality` drives non-compliance, grades and penalties;
inspections follow the supervision calendar; complaints concentrate around a few hotspots; sensors
have gaps, spikes, stuck values and drift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data import credit_code
from data.complaints import deadlines as complaint_deadlines
from data.complaints import workflow
from data.demo import catalog
from data.demo.monitoring import SCENE_BY_KEY, SCENES, reporting_mask, sensor_series
from geo import assign as geo_assign
from geo import hierarchy

_SUBTYPE = {s.key: s for s in catalog.SUBTYPES}
_PROVINCE_ABBR = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉", "23": "黑", "31": "沪",
    "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫", "42": "鄂", "43": "湘",
    "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "贵", "53": "云", "54": "藏", "61": "陕",
    "62": "甘", "63": "青", "64": "宁", "65": "新", "71": "台", "81": "港", "82": "澳",
}
# Registration authority and organisation type (GB 32100) by subtype: public bodies, private
# non-enterprise units, companies, sole traders.
_CREDIT_KIND = {
    "hospital": "12", "school": "12", "nursery": "52", "village_clinic": "52", "clinic": "92", "barber": "92",
    "bathhouse": "92",
}


@dataclass(frozen=True)
class Scale:
    entities: int
    reading_days: int  # length of the hourly sensor history
    prescriptions: int  # in the last month (data/demo/practitioners.py)


# city: ~30k entities and ~1M records (the default `make run` database); province: >= 10M records.
SCALES: dict[str, Scale] = {
    "county": Scale(3_000, 30, 20_000),
    "city": Scale(30_000, 14, 1_000_000),
    "province": Scale(300_000, 21, 1_000_000),
}


def province_abbr(adcode: str) -> str:
    return _PROVINCE_ABBR.get(adcode[:2], "卫")


# ---------------------------------------------------------------- entities


def _leaf_weights(leaves: gpd.GeoDataFrame) -> np.ndarray:
    """Urban districts (…区) are denser than county-level cities (…市), which are denser than counties;
    the provincial capital (city code xx01xx) is denser still."""
    name = leaves["name"].astype(str)
    urban = np.where(name.str.endswith("区"), 3.0, np.where(name.str.endswith("市"), 1.6, 1.0))
    capital = np.where(leaves["adcode"].astype(str).str[2:4] == "01", 2.0, 1.0)
    area = shapely.area(leaves.geometry.values)
    return urban * capital * np.power(area / area.mean(), 0.35)


def place_points(rng: np.random.Generator, leaves: gpd.GeoDataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` points inside the leaf polygons, clustered around a few towns per leaf."""
    weights = _leaf_weights(leaves)
    counts = rng.multinomial(n, weights / weights.sum())
    lons, lats = [], []
    for geom, count in zip(leaves.geometry.values, counts):
        if count == 0:
            continue
        shapely.prepare(geom)
        minx, miny, maxx, maxy = geom.bounds
        spread = 0.12 * np.sqrt(shapely.area(geom))
        corners = np.column_stack([rng.uniform(minx, maxx, 4), rng.uniform(miny, maxy, 4)])
        towns = np.vstack([shapely.get_coordinates(shapely.point_on_surface(geom)), corners])
        towns = towns[shapely.contains_xy(geom, towns[:, 0], towns[:, 1])]  # the first always stays
        town_weight = np.r_[3.0, np.ones(len(towns) - 1)]
        got_x, got_y, have = [], [], 0
        while have < count:
            m = (count - have) * 3 + 16
            clustered = rng.random(m) < 0.75
            which = rng.choice(len(towns), m, p=town_weight / town_weight.sum())
            x = np.where(clustered, towns[which, 0] + rng.normal(0, spread, m), rng.uniform(minx, maxx, m))
            y = np.where(clustered, towns[which, 1] + rng.normal(0, spread, m), rng.uniform(miny, maxy, m))
            inside = shapely.contains_xy(geom, x, y)
            got_x.append(x[inside])
            got_y.append(y[inside])
            have += int(inside.sum())
        lons.append(np.concatenate(got_x)[:count])
        lats.append(np.concatenate(got_y)[:count])
    order = rng.permutation(n)
    return np.concatenate(lons).round(6)[order], np.concatenate(lats).round(6)[order]


def entities(rng: np.random.Generator, leaves: gpd.GeoDataFrame, n: int, until: dt.date) -> pd.DataFrame:
    """Entities with names, valid credit codes, licences, grades and a hidden `quality` in [0, 1]."""
    lon, lat = place_points(rng, leaves, n)
    codes = geo_assign.assign(lon, lat, leaves, snap_m=0)
    shares = np.array([s.share for s in catalog.SUBTYPES])
    subtype_idx = rng.choice(len(catalog.SUBTYPES), n, p=shares / shares.sum())
    subtype = np.array([s.key for s in catalog.SUBTYPES])[subtype_idx]
    specialty = np.array([s.specialty for s in catalog.SUBTYPES])[subtype_idx]
    quality = rng.beta(5, 2, n)

    names = hierarchy.region_table()["name"]
    county = codes["county_adcode"].to_numpy()
    county_name = names.reindex(county).to_numpy()
    city_name = names.reindex(codes["city_adcode"].to_numpy()).to_numpy()
    short_county = pd.Series(county_name).str.replace(r"(区|县|市)$", "", regex=True).to_numpy()
    stems = np.array(catalog.NAME_STEMS)[rng.integers(0, len(catalog.NAME_STEMS), n)]
    suffix = np.array([rng.choice(_SUBTYPE[k].suffixes) for k in subtype])
    name = pd.Series(short_county) + pd.Series(stems) + pd.Series(suffix)
    # Names repeat across a province; keep them unique the way registrations do, with a branch number.
    dup = name.groupby(name).cumcount()
    name = name.where(dup == 0, name + (dup + 1).astype(str) + "号店")

    road = (np.array(catalog.ROAD_STEMS)[rng.integers(0, len(catalog.ROAD_STEMS), n)]
            + np.array(catalog.ROAD_KINDS)[rng.integers(0, len(catalog.ROAD_KINDS), n)])
    address = pd.Series(city_name) + pd.Series(county_name) + pd.Series(road) + pd.Series(rng.integers(1, 999, n).astype(str)) + "号"

    ids = np.arange(1, n + 1)
    kinds = pd.Series(subtype).map(_CREDIT_KIND).fillna("91").to_numpy()
    credit = [
        credit_code.make(kind[0], kind[1], code, "MA" + _base31(i + 3_000_000, 6))
        for kind, code, i in zip(kinds, county, ids)
    ]

    issued = pd.to_datetime(until) - pd.to_timedelta(rng.integers(0, 4 * 365, n), unit="D")
    expiry = (issued + pd.DateOffset(years=4)).date
    abbr = province_abbr(leaves["adcode"].iloc[0])
    licence = [f"{abbr}卫{_LICENCE_WORD[s]}字[{d.year}]第{i:06d}号" for s, d, i in zip(specialty, issued, ids)]

    score = quality + rng.normal(0, 0.08, n)
    grade = np.where(score > 0.78, "A", np.where(score > 0.52, "B", "C")).astype(object)
    graded = np.isin(specialty, ("public_place", "drinking_water", "medical", "school")) & (rng.random(n) > 0.08)
    grade[~graded] = None

    return pd.DataFrame({
        "id": ids,
        "credit_code": credit,
        "name": name,
        "specialty": specialty,
        "subtype": subtype,
        "address": address,
        "lon": lon,
        "lat": lat,
        "licence_no": licence,
        "licence_expiry": expiry,
        "grade": grade,
        "risk_level": None,
        "province_adcode": codes["province_adcode"],
        "city_adcode": codes["city_adcode"],
        "county_adcode": codes["county_adcode"],
        "quality": quality,
    })


_LICENCE_WORD = {
    "public_place": "公证", "drinking_water": "水证", "medical": "医证", "occupational": "职证", "radiation": "放证",
    "school": "校证", "infectious": "传证", "disinfection": "消证",
}


def _base31(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        chars.append(credit_code.ALPHABET[digit])
    return "".join(reversed(chars))


_SURNAMES = np.array(list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"))
_GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华红梅玉兰建国志强海燕晓东"))
# Mobile prefixes of the three carriers: numbers look real and are random, so they belong to no one known.
_MOBILE_PREFIXES = np.array("130 131 132 135 136 137 138 139 150 151 152 155 156 157 158 159 166 176 177 180 181 182 "
                            "185 186 187 188 189 198 199".split())


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Chinese personal names of two or three characters."""
    return _SURNAMES[rng.integers(0, len(_SURNAMES), n)] + _GIVEN[rng.integers(0, len(_GIVEN), n)] + np.where(
        rng.random(n) < 0.6, _GIVEN[rng.integers(0, len(_GIVEN), n)], "")


def representatives(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """legal_representative and contact_phone (a mobile number) for `n` entities: realistic and made up."""
    digits = rng.integers(0, 100_000_000, n)
    phone = pd.Series(_MOBILE_PREFIXES[rng.integers(0, len(_MOBILE_PREFIXES), n)]) + pd.Series(digits).map("{:08d}".format)
    return pd.DataFrame({"legal_representative": person_names(rng, n), "contact_phone": phone.to_numpy()})


# 量化分级 scores: A 90 and above, B 75–89, C 60–74 (below 60 an entity is not graded but made to rectify).
GRADE_SCORES = {"A": (90, 100), "B": (75, 89), "C": (60, 74)}


def grade_history(rng: np.random.Generator, ents: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """One to four yearly gradings of every graded entity, the latest within the last year and of the
    entity's current grade; earlier grades move at most one step from one year to the next."""
    graded = ents[ents["grade"].notna()]
    counts = rng.integers(1, 5, len(graded))
    idx = np.repeat(np.arange(len(graded)), counts)
    back = np.concatenate([np.arange(c) for c in counts]) if len(counts) else np.zeros(0, dtype=int)  # 0 = latest
    latest = np.repeat(rng.integers(0, 365, len(graded)), counts)
    days = latest + back * 365 + np.where(back > 0, rng.integers(-45, 46, len(idx)), 0)
    graded_on = (np.datetime64(until) - days.astype("timedelta64[D]")).astype("datetime64[D]")
    # Walk back from the current grade: each earlier year one step better, the same, or one step worse.
    level = pd.Series(graded["grade"].to_numpy()[idx]).map({"A": 0, "B": 1, "C": 2}).to_numpy()
    step = np.where(back > 0, rng.choice([-1, 0, 1], len(idx), p=[0.2, 0.6, 0.2]), 0)
    drift = pd.Series(step).groupby(idx).cumsum().to_numpy()
    grade = np.array(["A", "B", "C"])[np.clip(level + drift, 0, 2)]
    low = np.array([GRADE_SCORES[g][0] for g in grade])
    high = np.array([GRADE_SCORES[g][1] for g in grade])
    county_name = hierarchy.region_table()["name"].reindex(graded["county_adcode"].to_numpy()[idx]).to_numpy()
    frame = pd.DataFrame({
        "entity_id": graded["id"].to_numpy()[idx],
        "graded_on": graded_on,
        "grade": grade,
        "score": rng.integers(low, high + 1),
        "grader": pd.Series(county_name).fillna("") + "卫生健康委员会",
    }).sort_values(["entity_id", "graded_on"], ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def inspectors(rng: np.random.Generator, ents: pd.DataFrame) -> pd.DataFrame:
    """About one officer per 120 entities, at least two per county (inspections go in pairs)."""
    per_county = ents.groupby("county_adcode").size()
    counts = np.maximum(2, np.round(per_county / 120).astype(int))
    county = np.repeat(per_county.index.to_numpy(), counts.to_numpy())
    n = len(county)
    name = person_names(rng, n)
    abbr = province_abbr(str(county[0]))
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "badge_no": [f"{abbr}卫监{c}{i:04d}" for i, c in enumerate(county, start=1)],
        "name": name,
        "region_adcode": county,
        "active": True,
    })


def _day_weights(days: pd.DatetimeIndex, boost_months: tuple[int, ...]) -> np.ndarray:
    month = days.month.to_numpy()
    weight = np.array(catalog.MONTH_WEIGHT)[month - 1]
    weight = weight * np.where(np.isin(month, boost_months), 1.8, 1.0)
    weight = weight * np.where(days.day_of_week.to_numpy() >= 5, 0.08, 1.0)  # officers rarely inspect at weekends
    return weight / weight.sum()


def inspections(rng: np.random.Generator, ents: pd.DataFrame, staff: pd.DataFrame, start: dt.date, until: dt.date) -> pd.DataFrame:
    """Two years of inspections; poorer entities are visited more often and fail more often."""
    days = pd.date_range(start, until, freq="D")
    years = len(days) / 365.25
    rate = ents["subtype"].map({s.key: s.inspections_per_year for s in catalog.SUBTYPES}).to_numpy()
    counts = rng.poisson(rate * years * (0.7 + 0.8 * (1 - ents["quality"].to_numpy())))
    idx = np.repeat(np.arange(len(ents)), counts)
    n = len(idx)
    subtype = ents["subtype"].to_numpy()[idx]
    dates = np.empty(n, dtype="datetime64[D]")
    for key in np.unique(subtype):
        mask = subtype == key
        p = _day_weights(days, catalog.SEASONAL_BOOST.get(key, ()))
        dates[mask] = days.to_numpy().astype("datetime64[D]")[rng.choice(len(days), mask.sum(), p=p)]
    nc_base = ents["subtype"].map({s.key: s.nc_rate for s in catalog.SUBTYPES}).to_numpy()[idx]
    p_nc = np.clip(nc_base * (0.3 + 2.2 * (1 - ents["quality"].to_numpy()[idx])), 0.01, 0.9)
    non_compliant = rng.random(n) < p_nc
    specialty = ents["specialty"].to_numpy()[idx]
    findings = np.full(n, None, dtype=object)
    for key, options in catalog.FINDINGS.items():
        mask = non_compliant & (specialty == key)
        findings[mask] = np.array(options)[rng.integers(0, len(options), mask.sum())]
    lead, second = _pick_pair(rng, staff, ents["county_adcode"].to_numpy()[idx])
    frame = pd.DataFrame({
        "entity_id": ents["id"].to_numpy()[idx],
        "specialty": specialty,
        "inspected_on": dates,
        "kind": rng.choice(["routine", "random_draw", "campaign", "complaint"], n, p=[0.70, 0.18, 0.08, 0.04]),
        "result": np.where(non_compliant, "non_compliant", "compliant"),
        "findings": findings,
        "inspector_id": lead,
        "second_inspector_id": second,
        "province_adcode": ents["province_adcode"].to_numpy()[idx],
        "city_adcode": ents["city_adcode"].to_numpy()[idx],
        "county_adcode": ents["county_adcode"].to_numpy()[idx],
    }).sort_values(["inspected_on", "entity_id"], kind="stable", ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def _pick_pair(rng: np.random.Generator, staff: pd.DataFrame, county: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two different officers of the entity's county for each inspection."""
    staff = staff.sort_values(["region_adcode", "id"])
    first = staff.groupby("region_adcode")["id"].agg(["min", "size"])
    lo = first["min"].reindex(county).to_numpy()
    size = first["size"].reindex(county).to_numpy()
    a = rng.integers(0, size)
    b = (a + rng.integers(1, size)) % size
    return lo + a, lo + b


def penalties(rng: np.random.Generator, ents: pd.DataFrame, insp: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """Cases opened on non-compliant inspections: warnings and fines mostly, rarely suspension/revocation."""
    nc = insp[insp["result"] == "non_compliant"]
    quality = ents.set_index("id")["quality"].reindex(nc["entity_id"]).to_numpy()
    chosen = nc[rng.random(len(nc)) < np.clip(0.15 + 0.6 * (1 - quality), 0, 0.9)]
    n = len(chosen)
    kind = rng.choice(["warning", "fine", "suspension", "revocation"], n, p=[0.45, 0.50, 0.04, 0.01])
    amount = np.where(kind == "fine", np.round(rng.lognormal(np.log(3000), 0.9, n), -2).clip(200, 300_000), 0.0)
    decided = pd.to_datetime(chosen["inspected_on"]).to_numpy() + rng.integers(7, 75, n).astype("timedelta64[D]")
    until64 = np.datetime64(until)
    age = (until64 - decided).astype("timedelta64[D]").astype(int)
    status = np.where(age < 0, rng.choice(["filed", "investigating", "reviewing"], n),
                      np.where(age < 30, "decided", np.where(age < 90, "executing", "closed")))
    decided = np.minimum(decided, until64)
    abbr = province_abbr(str(ents["province_adcode"].iloc[0]))
    years = pd.DatetimeIndex(decided).year
    seq = pd.Series(years).groupby(years).cumcount().to_numpy() + 1
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "case_no": [f"{abbr}卫罚〔{y}〕{c}-{s:06d}号" for y, c, s in zip(years, chosen["county_adcode"], seq)],
        "entity_id": chosen["entity_id"].to_numpy(),
        "inspection_id": chosen["id"].to_numpy(),
        "specialty": chosen["specialty"].to_numpy(),
        "decided_on": decided.astype("datetime64[D]"),
        "kind": kind,
        "amount": amount,
        "status": status,
        "province_adcode": chosen["province_adcode"].to_numpy(),
        "city_adcode": chosen["city_adcode"].to_numpy(),
        "county_adcode": chosen["county_adcode"].to_numpy(),
    })


def complaints(rng: np.random.Generator, ents: pd.DataFrame, leaves: gpd.GeoDataFrame, start: dt.date, until: dt.date) -> pd.DataFrame:
    """Complaints concentrated around a few hotspots (one per ~3,000 entities, in urban districts)."""
    n = int(len(ents) * 0.5)
    lon, lat = ents["lon"].to_numpy(), ents["lat"].to_numpy()
    urban = ents["county_adcode"].map(dict(zip(leaves["adcode"], leaves["name"]))).fillna("").str.endswith("区").to_numpy()
    pool = np.flatnonzero(urban) if urban.any() else np.arange(len(ents))
    hotspots = rng.choice(pool, max(3, len(ents) // 3000), replace=False)
    near_hotspot = np.zeros(len(ents))
    for h in hotspots:
        near_hotspot += np.exp(-((lon - lon[h]) ** 2 + (lat - lat[h]) ** 2) / (2 * 0.02**2))  # σ ≈ 2 km
    anywhere = 1.5 - ents["quality"].to_numpy()  # poorer places draw more complaints
    # 45 % of complaints come from the hotspots, the rest from anywhere.
    weight = 0.45 * near_hotspot / near_hotspot.sum() + 0.55 * anywhere / anywhere.sum()
    idx = rng.choice(len(ents), n, p=weight / weight.sum())
    c_lon = (lon[idx] + rng.normal(0, 0.0008, n)).round(6)
    c_lat = (lat[idx] + rng.normal(0, 0.0008, n)).round(6)
    codes = geo_assign.assign(c_lon, c_lat, leaves)
    span = (pd.Timestamp(until) - pd.Timestamp(start)).total_seconds()
    received = pd.Timestamp(start, tz="Asia/Shanghai") + pd.to_timedelta(rng.random(n) * span, unit="s")
    received = received.floor("min")
    age_days = (pd.Timestamp(until, tz="Asia/Shanghai") - received).days.to_numpy()
    steps = np.array(["received", "assigned", "handling", "feedback", "closed"])
    progress = np.where(age_days > 20, 4, np.clip(age_days // 4, 0, 4))
    progress = np.where((age_days > 20) & (rng.random(n) < 0.03), rng.integers(1, 4, n), progress)  # stuck cases
    status = steps[progress]
    closed_at = received + pd.to_timedelta(rng.integers(2, 20, n), unit="D")
    received_on = received.tz_convert("Asia/Shanghai").tz_localize(None).to_numpy().astype("datetime64[D]")
    stage_started = received_on + (4 * progress).astype("timedelta64[D]")
    due_on, step_due_on = workflow.due_dates(received_on, status, stage_started,
                                             {d.stage: d for d in complaint_deadlines.seed_rows()})
    specialty = ents["specialty"].to_numpy()[idx]
    category = np.array([rng.choice(catalog.COMPLAINT_CATEGORIES[s]) for s in specialty])
    anonymous = rng.random(n) < 0.1  # the caller could not name the place
    return pd.DataFrame({
        "id": np.arange(1, n + 1),
        "entity_id": np.where(anonymous, None, ents["id"].to_numpy()[idx].astype(object)),
        "specialty": specialty,
        "received_at": received,
        "channel": rng.choice(["hotline_12345", "hotline_12320", "web", "letter", "visit"], n, p=[0.55, 0.2, 0.17, 0.03, 0.05]),
        "category": category,
        "description": category,
        "lon": c_lon,
        "lat": c_lat,
        "status": status,
        "due_on": pd.to_datetime(due_on).date,
        "step_due_on": [None if np.isnat(d) else d.astype(dt.date) for d in step_due_on],
        "address": ents["address"].to_numpy()[idx],  # callers name the street even when not the venue
        "closed_at": closed_at.where(status == "closed", pd.NaT),
        "substantiated": np.where(status == "closed", rng.random(n) < 0.45, None),
        "province_adcode": codes["province_adcode"],
        "city_adcode": codes["city_adcode"],
        "county_adcode": codes["county_adcode"],
    })


def complaint_assignees(rng: np.random.Generator, comps: pd.DataFrame, staff: pd.DataFrame) -> pd.Series:
    """An officer of the complaint's county for every complaint passed on (assigned or later), else None."""
    by_county = staff.groupby("region_adcode")["id"].apply(np.asarray)
    passed_on = comps["status"].ne("received").to_numpy()
    chosen = [int(rng.choice(by_county[county])) if on and county in by_county.index else None
              for county, on in zip(comps["county_adcode"], passed_on)]
    return pd.Series(chosen, index=comps.index, dtype=object)


# ---------------------------------------------------------------- monitoring


def devices(rng: np.random.Generator, ents: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    frames = []
    for scene in SCENES:
        candidates = ents[ents["subtype"].isin(scene.subtypes)]
        chosen = candidates[rng.random(len(candidates)) < scene.share]
        frames.append(pd.DataFrame({
            "scene": scene.key,
            "entity_id": chosen["id"].to_numpy(),
            "lon": chosen["lon"].to_numpy(),
            "lat": chosen["lat"].to_numpy(),
            "interval_s": scene.interval_s,
            "province_adcode": chosen["province_adcode"].to_numpy(),
            "city_adcode": chosen["city_adcode"].to_numpy(),
            "county_adcode": chosen["county_adcode"].to_numpy(),
        }))
    frame = pd.concat(frames, ignore_index=True)
    seq = frame.groupby("county_adcode").cumcount() + 1
    frame.insert(0, "id", "WJ" + frame["county_adcode"].astype(str) + seq.map("{:04d}".format))
    frame["installed_on"] = (pd.Timestamp(until) - pd.to_timedelta(rng.integers(60, 900, len(frame)), unit="D")).date
    frame["active"] = True
    return frame


def readings(rng: np.random.Generator, devs: pd.DataFrame, scale: Scale, until: dt.date):
    """Yield batches of readings (~200k rows, with each indicator's limits): hourly, `scale.reading_days` days."""
    hours = scale.reading_days * 24
    end = pd.Timestamp(until, tz="Asia/Shanghai").tz_convert("UTC")
    stamps = pd.date_range(end - pd.Timedelta(hours=hours), periods=hours, freq="h")

    batch: list[pd.DataFrame] = []
    rows = 0
    for device_id, scene_key in zip(devs["id"], devs["scene"]):
        mask = reporting_mask(rng, hours)
        for indicator in SCENE_BY_KEY[scene_key].indicators:
            values = sensor_series(rng, indicator, hours)
            batch.append(pd.DataFrame({
                "device_id": device_id,
                "indicator": indicator.key,
                "measured_at": stamps[mask],
                "value": values[mask],
                "unit": indicator.unit,
                "low": np.nan if indicator.low is None else indicator.low,
                "high": np.nan if indicator.high is None else indicator.high,
            }))
            rows += int(mask.sum())
        if rows >= 200_000:
            yield pd.concat(batch, ignore_index=True)
            batch, rows = [], 0
    if batch:
        yield pd.concat(batch, ignore_index=True)


def self_inspections(rng: np.random.Generator, ents: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """依法执业自查 for the two years before `until`'s: better entities do it more often and rectify more of
    what they find; each is submitted in the three months after its year."""
    years = (until.year - 2, until.year - 1)
    quality = np.tile(ents["quality"].to_numpy(), len(years))
    n = len(quality)
    year = np.repeat(years, len(ents))
    completed = rng.random(n) < 0.5 + 0.45 * quality
    findings = np.where(completed, rng.poisson(4 * (1.2 - quality)), 0)
    rectified = rng.binomial(findings, np.clip(0.35 + 0.65 * quality, 0, 1))
    submitted = pd.to_datetime([f"{y + 1}-01-01" for y in year]) + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    frame = pd.DataFrame({
        "entity_id": np.tile(ents["id"].to_numpy(), len(years)),
        "period": year.astype(str),
        "completed": completed,
        "submitted_on": np.where(completed & (submitted.date <= until), submitted.date, None),
        "findings": findings,
        "rectified": rectified,
    })
    frame = frame[~frame["completed"] | frame["submitted_on"].notna()]  # not yet handed in by `until`: no record
    frame = frame.sort_values(["entity_id", "period"], ignore_index=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return frame


def conflicts(rng: np.random.Generator, ents: pd.DataFrame, staff: pd.DataFrame, until: dt.date) -> pd.DataFrame:
    """Declared conflicts of interest (回避): about one entity in a hundred with one officer of its county."""
    chosen = ents[rng.random(len(ents)) < 0.01]
    by_county = staff.groupby("region_adcode")["id"].apply(np.array)
    officers = [int(rng.choice(by_county[c])) for c in chosen["county_adcode"]]
    reasons = np.array(["近亲属在该单位任职", "曾在该单位任职", "与该单位存在经济往来"])
    return pd.DataFrame({
        "id": np.arange(1, len(chosen) + 1),
        "inspector_id": officers,
        "entity_id": chosen["id"].to_numpy(),
        "reason": reasons[rng.integers(0, len(reasons), len(chosen))],
        "declared_on": until - dt.timedelta(days=200),
    })
