"""A small monitored district for the ingest tests: regions, entities, officers, devices with tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert

from data import models
from data.monitoring import devices

UTC = dt.UTC
CODES = {"province_adcode": "410000", "city_adcode": "410100", "county_adcode": "410105"}
OTHER = {"province_adcode": "410000", "city_adcode": "410100", "county_adcode": "410102"}
DEVICES = {
    "AIR-HOTEL": ("public_air", 1, 3600),
    "AIR-VENUE": ("public_air", 2, 3600),
    "POOL-1": ("swimming_pool", 3, 3600),
    "WASTE-1": ("medical_waste", 4, 86400),
    "AIR-OTHER": ("public_air", 5, 3600),
}


def populate(engine) -> dict[str, str]:
    """Insert the district; returns each device's ingest token."""
    with engine.begin() as conn:
        conn.execute(insert(models.Region), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            {"adcode": "410105", "name": "金水区", "level": "county", "parent_adcode": "410100"},
            {"adcode": "410102", "name": "中原区", "level": "county", "parent_adcode": "410100"},
        ])
        conn.execute(insert(models.Inspector), [
            {"id": 1, "badge_no": "A1", "name": "王伟", "region_adcode": "410105", "active": True},
            {"id": 2, "badge_no": "A2", "name": "李娜", "region_adcode": "410105", "active": True},
            {"id": 3, "badge_no": "B1", "name": "张强", "region_adcode": "410102", "active": True},
            {"id": 4, "badge_no": "C1", "name": "赵敏", "region_adcode": "410100", "active": True},
        ])
        entities = [
            (1, "91410105MA4123450F", "金水华泰宾馆", "public_place", "hotel", CODES),
            (2, "91410105MA41234600", "金水星光影城", "public_place", "venue", CODES),
            (3, "91410105MA41234700", "金水游泳馆", "public_place", "swimming_pool", CODES),
            (4, "12410105MA41234800", "金水区人民医院", "medical", "hospital", CODES),
            (5, "91410102MA41234900", "中原大酒店", "public_place", "hotel", OTHER),
        ]
        conn.execute(insert(models.Entity), [
            {"id": i, "credit_code": code, "name": name, "specialty": sp, "subtype": sub, "lon": 113.68, "lat": 34.76,
             **codes} for i, code, name, sp, sub, codes in entities])
        conn.execute(insert(models.Device), [
            {"id": device_id, "entity_id": entity_id, "scene": scene, "lon": 113.68, "lat": 34.76, "interval_s": interval,
             "installed_on": dt.date(2025, 1, 1), "active": True, **(OTHER if entity_id == 5 else CODES)}
            for device_id, (scene, entity_id, interval) in DEVICES.items()])
        return {device_id: devices.issue_token(conn, device_id) for device_id in DEVICES}


def reading(device_id: str, indicator: str, hour: int, value, unit: str, day: int = 1) -> dict:
    """A reading at `hour` o'clock China time on 2026-05-`day`."""
    return {"device_id": device_id, "indicator": indicator, "measured_at": f"2026-05-{day:02d}T{hour:02d}:00:00+08:00",
            "value": value, "unit": unit}


NOW = dt.datetime(2026, 5, 20, tzinfo=UTC)
