"""Exports: the manager page's tables as XLSX or CSV, the filtered entities as GeoJSON or GeoPackage, and the
map as a standalone HTML file that opens offline (dashboard/offline_map.py).

One module for the download links of the manager page (callbacks/manager.py) and `weijian export`
(dashboard/cli_export.py), so a file from the shell and one from the browser hold the same rows for the same
filters. The caller passes the viewer's Scope; the queries check and apply it. Every export, refused or not,
is audited by the caller with `audit_export` (action "export").

Tables keep their types: counts and amounts are numbers in XLSX (Excel sums them) and plain numbers in CSV;
headers are in the reader's language (Chinese by default). CSV is UTF-8 with a BOM, which Excel needs to read
Chinese. Spatial exports carry our field names (GIS software and shapefile-era tools expect plain ASCII names),
coordinates in WGS-84 (EPSG:4326).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard import i18n, map_view, offline_map, xlsx
from data import audit
from data.queries import entities, overview, regions
from data.queries.filters import Filters, Scope
from layers.base import Layer

REGION_TABLE = (("name", "col_name", "text"), ("adcode", "col_adcode", "text"), ("entities", "entities", "int"),
                ("inspections", "inspections", "int"), ("non_compliant", "non_compliant", "int"), ("rate", "rate", "pct"),
                ("penalties", "penalties", "int"), ("penalty_amount", "penalty_amount_yuan", "money"),
                ("complaints", "complaints", "int"))
ENTITY_TABLE = (("name", "col_name", "text"), ("specialty", "specialty", "text"), ("subtype", "subtype", "text"),
                ("grade", "grade", "text"), ("address", "address", "text"), ("inspections", "inspections", "int"),
                ("non_compliant", "non_compliant", "int"), ("last_inspected_on", "col_last_inspected_on", "date"),
                ("last_result", "col_last_result", "text"))
TABLES = {"regions": REGION_TABLE, "entities": ENTITY_TABLE}  # the child regions' figures; a leaf region's entities
TABLE_FORMATS = ("xlsx", "csv")
SPATIAL_FORMATS = {"geojson": "GeoJSON", "gpkg": "GPKG"}
MAP_FORMAT = "html"
MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv",
         "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3", MAP_FORMAT: "text/html"}


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    rows: int


def table(store, filters: Filters, scope: Scope, name: str, lang: str) -> tuple[list[str], list[dict]]:
    """(headers in `lang`, rows as {field: value}) of table `name`: the page's grid and its exports alike.

    Numbers stay numbers (the grid sorts them, Excel sums them); the rate is a percentage with one decimal."""
    spec = TABLES[name]
    if name == "entities":
        frame = overview.entity_figures(store, filters, scope)
        frame["specialty"] = [i18n.specialty_label(s, lang) for s in frame["specialty"]]
        frame["subtype"] = [i18n.label(f"subtype_{s}", lang, s) for s in frame["subtype"]]
        frame["grade"] = frame["grade"].where(frame["grade"].notna(), i18n.t("ungraded", lang))
        frame["last_result"] = [i18n.t(f"result_{r}" if r else "class_not_inspected", lang) for r in frame["last_result"]]
        frame["last_inspected_on"] = [d.isoformat() if d else None for d in frame["last_inspected_on"]]
    else:
        frame = overview.child_figures(store, filters, scope)
        frame["rate"] = (frame["rate"] * 100).round(1)
        frame["penalty_amount"] = frame["penalty_amount"].round(2)
    frame = frame[[field for field, _, _ in spec]].astype(object)
    frame = frame.where(frame.notna(), None)
    return [i18n.t(header, lang) + (" (%)" if kind == "pct" else "") for _, header, kind in spec], frame.to_dict("records")


def table_file(store, filters: Filters, scope: Scope, name: str, fmt: str, lang: str, region_name: str) -> Export:
    if fmt not in TABLE_FORMATS:
        raise ValueError(f"a table exports as {' or '.join(TABLE_FORMATS)}, not {fmt!r}")
    headers, rows = table(store, filters, scope, name, lang)
    fields = [field for field, _, _ in TABLES[name]]
    values = [[row[field] for field in fields] for row in rows]
    if fmt == "xlsx":
        content = xlsx.workbook_bytes(region_name, headers, values)
    else:
        content = pd.DataFrame(values, columns=headers).to_csv(index=False).encode("utf-8-sig")
    return Export(content, f"{i18n.t('export_name', lang)}_{region_name}_{filters.period.label()}.{fmt}", len(rows))


def entity_file(store, filters: Filters, scope: Scope, fmt: str, region_name: str) -> Export:
    """The entities of filters.region (of its specialty, when one is set) that have coordinates, as points."""
    if fmt not in SPATIAL_FORMATS:
        raise ValueError(f"entities export as {' or '.join(SPATIAL_FORMATS)}, not {fmt!r}")
    _, frame = entities.page(store, scope, filters.region, specialty=filters.specialty, offset=0, limit=None)
    frame = frame[frame["lon"].notna() & frame["lat"].notna()]
    points = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                              crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as folder:  # GeoPackage is an SQLite file: written to disk, then read back
        path = Path(folder) / f"entities.{fmt}"
        points.to_file(path, driver=SPATIAL_FORMATS[fmt], layer="entities", engine="pyogrio")
        content = path.read_bytes()
    suffix = f"_{filters.specialty}" if filters.specialty else ""
    return Export(content, f"entities_{filters.region}_{region_name}{suffix}.{fmt}", len(points))


def map_file(store, filters: Filters, scope: Scope, layer: Layer, lang: str, cache_dir: Path) -> Export:
    """The map the manager page shows for these filters and this layer, as one HTML file with Leaflet inlined.

    What it holds is what the page's map holds (dashboard/map_view.py): the layer's query under `scope`, which
    carries figures per region and the entities' names, classes and counts, no personal data; `rows` counts
    the regions or points drawn."""
    region = regions.get_region(store, filters.region, scope)
    kids = regions.children(store, filters.region, scope)
    drawn = map_view.build(layer, store, filters, scope, region, kids, lang, cache_dir)
    document = offline_map.render(drawn.traces, drawn.geojson, title=drawn.title,
                                  subtitle=drawn.period_line(filters, lang), labels=not drawn.leaf)
    suffix = f"_{filters.specialty}" if filters.specialty else ""
    name = f"{i18n.t('map_png_name', lang)}_{region.name}_{i18n.t(layer.key, lang)}{suffix}_{filters.period.label()}.html"
    return Export(document.encode("utf-8"), name, len(drawn.frame))


def audit_export(store, *, actor: str, target: str, detail: dict, ip: str | None = None) -> None:
    with store.engine.begin() as conn:
        audit.append(conn, actor=actor, action="export", target=target, detail=detail, now=dt.datetime.now(dt.UTC), ip=ip)
