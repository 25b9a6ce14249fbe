"""The first rows of a file as a profile maps them: our field on the left, the source column it comes from, the
value the import will read (text joined and trimmed, source codes mapped to ours, defaults filled in).

For the import page's preview (dashboard/pages/import_page.py), before anything is validated: it uses the same
column and code rules as the commands (data/imports/commands.py), so what the preview shows is what the
validation reads. A mapped column the file lacks is the same MappingError the validation would raise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.imports.commands import _Collector, _label, _map_codes, _need, _text
from data.imports.profile import KindSpec

ROWS = 10


def mapped_rows(frame: pd.DataFrame, spec: KindSpec, rows: int = ROWS) -> pd.DataFrame:
    """`rows` first data rows: a `row` column (as in the file, header = 1), then one column per mapped field,
    named "field ← source"."""
    head = frame.head(rows)
    out = {"row": (np.arange(len(head)) + 2).tolist()}
    if spec.kind == "readings":
        out.update(_readings(head, spec))
        return pd.DataFrame(out)
    if spec.key is not None:
        _need(head, spec.key.columns)
        key = head[list(spec.key.columns)].astype(str).apply(lambda c: c.str.strip()).agg("-".join, axis=1)
        out[f"key ← {_label(spec.key.columns)}"] = (spec.key.prefix + key).tolist()
    for name, source in spec.columns.items():
        _need(head, (source,) if isinstance(source, str) else source)
        values = _text(head, source)
        if name in spec.codes:
            values = _map_codes(values, spec.codes[name], name, _Collector(np.asarray(out["row"])), False)
        out[f"{name} ← {_label(source)}"] = values.tolist()
    for name, value in spec.defaults.items():
        if name not in spec.columns:
            out[f"{name} ← (default)"] = [value] * len(head)
    return pd.DataFrame(out)


def _readings(head: pd.DataFrame, spec: KindSpec) -> dict:
    device = spec.device
    _need(head, [device["column"], *spec.values])
    station = _text(head, device["column"])
    if "codes" in device:
        station = station.map({str(k): str(v) for k, v in device["codes"].items()})
    out = {f"device ← {device['column']}": (str(device.get("prefix", "")) + station).where(station.notna(), None).tolist()}
    when = spec.measured_at
    names = list(when["columns"]) if "columns" in when else [when["column"]]
    _need(head, names)
    out[f"measured_at ← {','.join(names)}"] = head[names].astype(str).agg(" ".join, axis=1).tolist()
    for column, target in spec.values.items():
        out[f"{target['indicator']} ({target['unit']}) ← {column}"] = head[column].astype(str).str.strip().tolist()
    return out
