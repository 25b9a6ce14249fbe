"""The import page's steps on real files, in-process: upload (decode + stage + read), preview, validate (dry
run), XLSX report, confirm; beside the baseline of the same command run directly, as `weijian import` does.

    .venv/bin/python bench/import_page.py

Files from ../shared/datasets (read there): the CNEMC station list (GBK, 2,000 rows; entities) and the NYC
restaurant inspections (2.6 MB, 5,000 rows; entities, all outside Henan, so every row is a problem: the
report's worst case). An app over a temporary SQLite database, a city manager of Zhengzhou as the viewer.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from import_fixtures import data_url, import_app  # noqa: E402
from shared_datasets import DATASETS  # noqa: E402

from callbacks import imports as cb  # noqa: E402
from dashboard import auth  # noqa: E402
from data import accounts  # noqa: E402
from data.imports import commands, profile  # noqa: E402

FILES = [(DATASETS / "cn_air_stations_cnemc" / "NewSiteList_gbk.csv", "cnemc_stations"),
         (DATASETS / "nyc_restaurant_inspections" / "nyc_restaurant_inspections.csv", "nyc_restaurant_inspections")]


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _one(app, engine, path: Path, name: str) -> None:
    with app.server.test_request_context("/"):
        with engine.connect() as conn:
            auth.login(accounts.by_username(conn, "city_mgr"))
        contents = data_url(path)
        t_upload, (state, _) = _timed(lambda: cb.upload(contents, path.name, {"lang": "zh"}))
        t_preview, _ = _timed(lambda: cb.show_preview(state, "entities", name))
        t_validate, _ = _timed(lambda: cb.validate(1, "entities", name, state))
        report = cb.import_staging.report(cb._root(), cb._staged(state["staged"]))
        t_xlsx, book = _timed(lambda: cb.report_xlsx(report, "zh"))
        t_confirm, _ = _timed(lambda: cb.confirm(1, "entities", name, state))
    settings = app.server.extensions["weijian"].settings
    job = commands.command("entities", engine, path, profile.load(name), region=settings.region,
                           cache_dir=settings.cache_dir)
    t_command, _ = _timed(lambda: job.run(dry_run=True))
    print(f"{path.name:<34} {report['rows']:>6,} {t_upload:>7.2f}s {t_preview:>7.2f}s {t_validate:>8.2f}s "
          f"{t_xlsx:>6.2f}s {t_confirm:>7.2f}s {t_command:>7.2f}s {len(report['problems']):>9,}"
          f"  (report {len(book) / 1024:.0f} KiB)")


def main() -> None:
    root = Path(tempfile.mkdtemp())
    app = import_app(f"sqlite:///{root / 'bench.db'}", Path("var"))
    engine = app.server.extensions["weijian"].store.engine
    print(f"{'file':<34} {'rows':>6} {'upload':>8} {'preview':>8} {'validate':>9} {'xlsx':>7} {'confirm':>8} "
          f"{'command':>8} {'problems':>9}")
    for path, name in FILES:
        _one(app, engine, path, name)


if __name__ == "__main__":
    main()
