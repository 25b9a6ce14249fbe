"""A small real file for the import page's tests: a slice of the CNEMC station list (GBK, as published), read
from ../shared/datasets and written to a temporary folder, and an app over an empty database with importers.

The slice (19 rows, header = row 1): rows 2-4 Beijing (outside the installation's Henan), rows 5-13 Zhengzhou
(410100; rows 5, 6, 7 and 10 in 金水区 410105), rows 14-20 Luoyang (410300).
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

from shared_datasets import DATASETS

from data import accounts, db, models
from data.demo.build import DEMO_PASSWORD

CNEMC = DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv"
LINES = [0, 1, 2, 3, *range(315, 324), *range(734, 741)]  # file lines (0: the header)
BEIJING_ROWS, ZHENGZHOU_ROWS, LUOYANG_ROWS = [2, 3, 4], list(range(5, 14)), list(range(14, 21))
COUNTY = "410105"  # 金水区: stations 1316A, 1317A, 1318A, 1321A
COUNTY_ROWS = [5, 6, 7, 10]
NOW = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)
USERS = (("city_mgr", "city_manager", "410100"), ("officer", "county_officer", COUNTY), ("auditor1", "auditor", "410000"),
         ("city_mgr2", "city_manager", "410100"))


def stations_slice(folder: Path) -> Path:
    lines = CNEMC.read_bytes().splitlines(keepends=True)
    path = folder / "stations_gbk.csv"
    path.write_bytes(b"".join(lines[i] for i in LINES))
    return path


def data_url(path: Path) -> str:
    return "data:text/csv;base64," + base64.b64encode(path.read_bytes()).decode()


def import_app(url: str, var_dir: Path, **settings):
    """The real app over an empty database (schema only) with the USERS."""
    from dashboard.app import create_app
    from dashboard.settings import Settings

    engine = db.make_engine(url)
    db.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(models.Region.__table__.insert(), [
            {"adcode": "410000", "name": "河南省", "level": "province", "parent_adcode": None},
            {"adcode": "410100", "name": "郑州市", "level": "city", "parent_adcode": "410000"},
            {"adcode": COUNTY, "name": "金水区", "level": "county", "parent_adcode": "410100"}])
        for username, role, region in USERS:
            accounts.create_user(conn, username=username, name="测试", role=role, region=region, password=DEMO_PASSWORD,
                                 actor="test", now=NOW)
    engine.dispose()
    return create_app(Settings(database_url=url, var_dir=var_dir, region="410000", login_rate_limit="10000 per minute",
                               **settings))
