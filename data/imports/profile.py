"""Mapping profiles: which source column feeds which of our fields, and how source codes become ours.

A profile is a small YAML file (data/imports/profiles/*.yaml, or any path) with one section per kind it
can import (`entities`, `inspections`, `readings`, `self_inspections`) beside shared settings (`crs`, `date_formats`,
`placeholder_dates`). It is checked when loaded, so a typo in a profile is one clear error before any row
is read, not a thousand row problems. README.md ("How to write a profile") documents the keys.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from data import vocab

PROFILES = Path(__file__).with_name("profiles")
KINDS = ("entities", "inspections", "penalties", "complaints", "devices", "readings", "self_inspections",
         "construction_projects")
# The fields each kind fills from columns (readings are described by `device`, `measured_at`, `values` instead).
FIELDS = {
    "entities": {"name", "lon", "lat", "address", "specialty", "subtype", "grade", "legal_representative", "contact_phone"},
    "inspections": {"inspected_on", "kind", "result", "findings", "score", "grade"},
    "penalties": {"case_no", "decided_on", "kind", "amount", "status"},
    "devices": {"device_id", "scene", "interval_s", "installed_on", "lon", "lat"},
    "complaints": {"received_at", "channel", "category", "description", "lon", "lat", "status", "due_on", "closed_at",
                   "specialty"},
    "self_inspections": {"period", "completed", "submitted_on", "findings", "rectified"},
    "construction_projects": {"project_no", "name", "project_type", "stage", "applied_on", "decided_on", "outcome"},
}
# The ones that must be mapped to a column or given a default.
REQUIRED = {"entities": ("name", "specialty", "subtype"), "inspections": ("inspected_on", "kind", "result"),
            "penalties": ("case_no", "decided_on", "kind", "status"), "devices": ("device_id", "scene", "interval_s"),
            "complaints": ("received_at", "channel", "category", "status", "due_on"),
            "self_inspections": ("period", "completed"),
            "construction_projects": ("project_no", "name", "project_type", "stage", "applied_on", "outcome")}
# Our vocabularies a code map may target, per kind; a profile mapping to anything else is refused when loaded.
VOCABULARIES = {
    "entities": {"specialty": vocab.SPECIALTIES, "grade": vocab.GRADES},
    "inspections": {"kind": vocab.INSPECTION_KINDS, "result": vocab.INSPECTION_RESULTS, "grade": vocab.GRADES},
    "penalties": {"kind": vocab.PENALTY_KINDS, "status": vocab.PENALTY_STATUSES},
    "devices": {"scene": vocab.SCENES},
    "complaints": {"channel": vocab.COMPLAINT_CHANNELS, "status": vocab.COMPLAINT_STATUSES, "specialty": vocab.SPECIALTIES},
    "self_inspections": {"completed": ("yes", "no")},
    "construction_projects": {"project_type": vocab.PROJECT_TYPES, "stage": vocab.PROJECT_STAGES,
                              "outcome": vocab.PROJECT_OUTCOMES},
}


class ProfileError(ValueError):
    """The profile cannot be used; the message names the key."""


@dataclass(frozen=True)
class Key:
    """A natural key: source columns (joined by '-') and a prefix naming the source system."""

    columns: tuple[str, ...]
    prefix: str = ""


@dataclass(frozen=True)
class ScoreBand:
    """Scores up to `max_score` (after the lower bands) earn `value`: a grade, or an inspection result."""

    max_score: float | None  # None: no upper bound
    value: str


@dataclass(frozen=True)
class KindSpec:
    kind: str
    key: Key | None = None  # entities: the entity's natural key; inspections: the entity it belongs to
    many_rows_per_record: bool = False  # e.g. one row per violation of one inspection
    columns: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    codes: dict[str, dict[str, str | None]] = field(default_factory=dict)
    notices: tuple[dict, ...] = ()
    grade_scale: tuple[ScoreBand, ...] = ()
    result_scale: tuple[ScoreBand, ...] = ()  # a source without a result column: the result its score earns
    # readings only
    device: dict = field(default_factory=dict)
    measured_at: dict = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    missing: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    crs: str
    timezone: str  # of the file's times without a zone (complaints); readings name theirs in `measured_at`
    date_formats: tuple[str, ...]
    placeholder_dates: frozenset[dt.date]
    kinds: dict[str, KindSpec]

    def spec(self, kind: str) -> KindSpec:
        if kind not in self.kinds:
            raise ProfileError(f"profile {self.name!r} has no {kind!r} section (it has: {', '.join(self.kinds)})")
        return self.kinds[kind]


def available() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))


def load(name_or_path: str | Path) -> Profile:
    """A shipped profile by name (`cnemc_stations`) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ProfileError(f"no profile {str(name_or_path)!r} (shipped: {', '.join(available())})")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile is a mapping of keys")
    return _parse(path.stem, raw)


def _key(raw, where: str) -> Key:
    if not isinstance(raw, dict) or "column" not in raw and "columns" not in raw:
        raise ProfileError(f"{where}: give `column` (or `columns`) and optionally `prefix`")
    columns = raw.get("columns") or [raw["column"]]
    return Key(tuple(str(c) for c in columns), str(raw.get("prefix", "")))


def _parse(name: str, raw: dict) -> Profile:
    unknown = set(raw) - {"description", "crs", "date_formats", "placeholder_dates", "timezone", *KINDS}
    if unknown:
        raise ProfileError(f"profile {name!r}: unknown keys {', '.join(sorted(unknown))}")
    kinds = {kind: _kind(name, kind, raw[kind]) for kind in KINDS if kind in raw}
    if not kinds:
        raise ProfileError(f"profile {name!r}: no section for any of {', '.join(KINDS)}")
    try:
        placeholders = frozenset(dt.date.fromisoformat(str(d)) for d in raw.get("placeholder_dates", []))
    except ValueError as exc:
        raise ProfileError(f"profile {name!r}: placeholder_dates: {exc}") from exc
    return Profile(name=name, description=str(raw.get("description", "")).strip(), crs=str(raw.get("crs", "wgs84")),
                   timezone=str(raw.get("timezone", "Asia/Shanghai")),
                   date_formats=tuple(raw.get("date_formats", ["%Y-%m-%d"])), placeholder_dates=placeholders, kinds=kinds)


def _kind(name: str, kind: str, raw) -> KindSpec:
    where = f"profile {name!r}, {kind}"
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: must be a mapping")
    codes = {f: {str(k): v for k, v in (m or {}).items()} for f, m in (raw.get("codes") or {}).items()}
    vocabularies = VOCABULARIES.get(kind, {})
    for target, mapping in codes.items():
        allowed = vocabularies.get(target)
        if allowed is None:
            raise ProfileError(f"{where}: codes for {target!r}: only {', '.join(vocabularies) or 'none'} have code maps")
        wrong = sorted({str(v) for v in mapping.values() if v is not None and v not in allowed})
        if wrong:
            raise ProfileError(f"{where}: codes.{target} maps to {', '.join(wrong)}, not in ({', '.join(allowed)})")
    for target, value in (raw.get("defaults") or {}).items():
        if target in vocabularies and value not in vocabularies[target]:
            raise ProfileError(f"{where}: defaults.{target} {value!r} is not one of {', '.join(vocabularies[target])}")
    columns = {f: tuple(c) if isinstance(c, list) else str(c) for f, c in (raw.get("columns") or {}).items()}
    if kind == "readings":
        for needed in ("device", "measured_at", "values"):
            if not raw.get(needed):
                raise ProfileError(f"{where}: `{needed}` is required")
        return KindSpec(kind=kind, device=raw["device"], measured_at=raw["measured_at"], values=raw["values"],
                        missing=tuple(str(m) for m in raw.get("missing", [""])))
    allowed_fields = FIELDS[kind]
    wrong = sorted(set(columns) - allowed_fields)
    if wrong:
        raise ProfileError(f"{where}: unknown fields {', '.join(wrong)} (known: {', '.join(sorted(allowed_fields))})")
    for needed in REQUIRED[kind]:
        derived = needed == "result" and raw.get("result_scale") and "score" in columns
        if needed not in columns and needed not in (raw.get("defaults") or {}) and not derived:
            raise ProfileError(f"{where}: field {needed!r} needs a column or a default")
    key_name = "key" if kind in ("entities", "complaints") else "entity_key"
    if key_name not in raw:
        raise ProfileError(f"{where}: `{key_name}` is required")
    scale = _bands(raw.get("grade_scale", []), "grade", vocab.GRADES, f"{where}.grade_scale")
    results = _bands(raw.get("result_scale", []), "result", vocab.INSPECTION_RESULTS, f"{where}.result_scale")
    return KindSpec(kind=kind, key=_key(raw[key_name], f"{where}.{key_name}"),
                    many_rows_per_record=raw.get("rows_per_record", "one") == "many", columns=columns,
                    defaults={k: str(v) for k, v in (raw.get("defaults") or {}).items()}, codes=codes,
                    notices=_notices(raw.get("notices") or [], f"{where}.notices"), grade_scale=scale,
                    result_scale=results)


def _notices(raw, where: str) -> tuple[dict, ...]:
    """[{column, pattern, reason, code}] → the same with `reason` as {zh, en} (one text serves both languages when
    the profile gives one) and `code` defaulting to "notice", checked."""
    notices = []
    for notice in raw if isinstance(raw, list) else [raw]:
        if not isinstance(notice, dict) or not {"column", "pattern", "reason"} <= set(notice):
            raise ProfileError(f"{where}: each notice is {{column, pattern, reason, code}} (code optional)")
        try:
            re.compile(str(notice["pattern"]))
        except re.error as exc:
            raise ProfileError(f"{where}: pattern {notice['pattern']!r} is not a regular expression ({exc})") from None
        reason = notice["reason"]
        if isinstance(reason, dict):
            if not {"zh", "en"} <= set(reason):
                raise ProfileError(f"{where}: a reason in two languages is {{zh: …, en: …}}")
            reason = {"zh": str(reason["zh"]), "en": str(reason["en"])}
        else:
            reason = {"zh": str(reason), "en": str(reason)}
        notices.append({"column": str(notice["column"]), "pattern": str(notice["pattern"]), "reason": reason,
                        "code": str(notice.get("code", "notice"))})
    return tuple(notices)


def _bands(raw, name: str, allowed: tuple[str, ...], where: str) -> tuple[ScoreBand, ...]:
    """[{max: 70, result: non_compliant}, {max: null, result: compliant}] → bands, checked."""
    bands = []
    for band in raw or []:
        if not isinstance(band, dict) or band.get(name) not in allowed:
            raise ProfileError(f"{where}: each band is {{max: N or null, {name}: one of {', '.join(allowed)}}}")
        bands.append(ScoreBand(None if band.get("max") is None else float(band["max"]), str(band[name])))
    return tuple(bands)
