"""Files uploaded on the import page, kept on the server between the preview and the confirmation.

The browser holds only a random staging id. Each staged file lives in `<var>/cache/imports/<id>/` beside a
meta.json naming its owner (the account id) and the session it was uploaded in (a hash of the session's CSRF
token, set at login): `get` refuses an id of another user or of another session (a logged-out and logged-in
again user, a copied id), an expired one and one that is not of the form we issue, all alike, so the confirm
step never acts on what the browser merely claims. What was validated (kind and profile) is recorded here too:
the confirmation writes that, never a kind or profile sent with the click.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

TTL = dt.timedelta(hours=2)
ID = re.compile(r"[A-Za-z0-9_-]{22}")
# What the readers (data/imports/readers.py) and profiles take, by the file name's ending.
DATA_SUFFIXES = (".csv.gz", ".csv", ".xlsx", ".geojson", ".json", ".zip", ".shz", ".gpkg")
PROFILE_SUFFIXES = (".yaml", ".yml")


class StagingError(PermissionError):
    """The staging id is unknown, expired, or not this user's in this session."""


class UnsupportedFile(ValueError):
    """The uploaded file's name ends in nothing the readers take."""


@dataclass(frozen=True)
class Staged:
    id: str
    path: Path  # the stored file
    filename: str  # as uploaded, for messages and the audit
    meta: dict

    @property
    def validated(self) -> dict | None:
        """{"kind", "profile"} of the last validation, or None."""
        return self.meta.get("validated")


def session_key(csrf_token: str) -> str:
    return hashlib.sha256(("import-staging:" + csrf_token).encode()).hexdigest()


def suffix_of(filename: str, allowed: tuple[str, ...]) -> str:
    lower = filename.lower()
    for suffix in allowed:
        if lower.endswith(suffix):
            return ".yaml" if suffix == ".yml" else suffix
    raise UnsupportedFile(f"{filename}: use one of {', '.join(allowed)}")


def stage(root: Path, data: bytes, filename: str, *, owner: int, session: str, now: dt.datetime,
          allowed: tuple[str, ...] = DATA_SUFFIXES) -> Staged:
    """Store an upload under a new id (and drop this root's expired ones)."""
    suffix = suffix_of(filename, allowed)
    prune(root, now)
    staged_id = secrets.token_urlsafe(16)
    folder = root / staged_id
    folder.mkdir(parents=True)
    stem = re.sub(r"[^\w-]", "_", Path(filename[: -len(suffix)] if filename.lower().endswith(suffix) else filename).name)
    path = folder / f"{stem[:40] or 'upload'}{suffix}"
    path.write_bytes(data)
    meta = {"owner": owner, "session": session, "filename": filename[:200], "file": path.name,
            "created": now.isoformat(), "validated": None}
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return Staged(staged_id, path, meta["filename"], meta)


def get(root: Path, staged_id, *, owner: int, session: str, now: dt.datetime) -> Staged:
    """The staged upload, if it is this user's, of this session, and not expired; StagingError otherwise."""
    if not isinstance(staged_id, str) or not ID.fullmatch(staged_id):
        raise StagingError("no such upload")
    meta_path = root / staged_id / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise StagingError("no such upload") from None
    expired = now - dt.datetime.fromisoformat(meta["created"]) > TTL
    if meta.get("owner") != owner or meta.get("session") != session or expired:
        raise StagingError("no such upload")
    return Staged(staged_id, root / staged_id / meta["file"], meta["filename"], meta)


def record_validation(root: Path, staged: Staged, kind: str, profile: str, report: dict) -> Staged:
    """Remember what was validated, and its report (counts and every problem) for the XLSX download."""
    (root / staged.id / "report.json").write_text(json.dumps(report, ensure_ascii=False, default=str), encoding="utf-8")
    meta = {**staged.meta, "validated": {"kind": kind, "profile": profile}}
    (root / staged.id / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return Staged(staged.id, staged.path, staged.filename, meta)


def report(root: Path, staged: Staged) -> dict | None:
    """The last validation's report, or None before any."""
    path = root / staged.id / "report.json"
    return json.loads(path.read_text(encoding="utf-8")) if staged.validated and path.is_file() else None


def discard(root: Path, staged: Staged) -> None:
    shutil.rmtree(root / staged.id, ignore_errors=True)


def prune(root: Path, now: dt.datetime) -> None:
    """Remove staged uploads older than TTL (a page left open, a preview never confirmed)."""
    if not root.is_dir():
        return
    for meta_path in root.glob("*/meta.json"):
        try:
            created = dt.datetime.fromisoformat(json.loads(meta_path.read_text(encoding="utf-8"))["created"])
        except (OSError, ValueError, KeyError):
            continue
        if now - created > TTL:
            shutil.rmtree(meta_path.parent, ignore_errors=True)
