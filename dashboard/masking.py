"""Masking of personal data for screens in public view (kiosk, lobby walls, projected pages).

Names of persons, phone numbers and ID numbers are shown in part: 张**, 138****5678,
410105********1234. Masking is a switch on the pages that show such data (`?mask=1` / `?mask=0`);
kiosk views (`kiosk=1`) and display accounts always mask. The functions take any value (None,
numbers, short strings) and never raise, so a page can pass a column through them without first
cleaning it.
"""

from __future__ import annotations

import re

import pandas as pd

from data.monitoring.alerts import SYSTEM

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")
# A dispatch step's note names the officer it went to: "→ BADGE" or "→ BADGE: note" (data/monitoring/alerts.py).
_DISPATCHED_TO = re.compile(r"^→ ([^:]+)")


def wanted(arg: str | None, default: bool = False) -> bool:
    """Whether a page masks, from its `mask` URL argument; anything unrecognised keeps the default."""
    text = (arg or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


def view_state(mask: str | None, kiosk: str | None) -> dict:
    """{"kiosk", "mask"} for a page's state store, from its URL: a kiosk view masks whatever `mask` says,
    because a kiosk stands where the public passes and its URL may be typed by anyone."""
    on_kiosk = wanted(kiosk)
    return {"kiosk": on_kiosk, "mask": on_kiosk or wanted(mask)}


# The roles whose work needs a practitioner's ID number and phone in full: the county's officers and manager,
# who verify a doctor on site and call them about a case. Everyone else (province and city managers, who
# read files but do not work the case) sees them masked. To be replaced by the security issue's role masking.
PERSONAL_DATA_ROLES: tuple[str, ...] = ("county_officer", "county_manager")


def personal_data_shown(role: str | None, requested_mask: bool) -> bool:
    """Whether a page shows a person's ID number and phone in full: only to a role that needs them, and
    not when the page was asked to mask (a screen in public view)."""
    return role in PERSONAL_DATA_ROLES and not requested_mask


def applies(state: dict | None) -> bool:
    """Whether a callback masks what it builds, from the page's state: a state that says kiosk masks
    even when its `mask` was set to false by the browser."""
    state = state or {}
    return bool(state.get("kiosk")) or bool(state.get("mask"))


def phone(value) -> str:
    """138****5678 for a mobile number, the area code and the last four digits for a landline."""
    text = "" if value is None else str(value).strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return "*" * len(text)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def id_number(value) -> str:
    """The region code and the last four characters of a resident ID number: 410105********1234."""
    text = "" if value is None else str(value).strip()
    if len(text) < 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def person_name(value) -> str:
    """The surname only: 张**, 欧阳*; a Latin name keeps its first letter."""
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    keep = 2 if len(text) >= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", text) else 1
    return text[:keep] + "*" * max(1, len(text) - keep)


def free_text(value) -> str:
    """Phone and ID numbers inside free text (complaint descriptions, findings) masked in place."""
    text = "" if value is None else str(value)
    text = _ID_NUMBER.sub(lambda m: id_number(m.group()), text)
    return _PHONE.sub(lambda m: phone(m.group()), text)


def alert_feed(frame: pd.DataFrame) -> pd.DataFrame:
    """An alert feed (data.queries.alerts.feed) for public view: numbers in its texts masked.

    Entity names stay (they are the names of businesses, published by law); a phone number in a
    name or a rule's message does not."""
    masked = frame.copy()
    for column in ("entity", "message"):
        if column in masked:
            masked[column] = masked[column].map(free_text, na_action="ignore")
    return masked


def alert_trail(frame: pd.DataFrame) -> pd.DataFrame:
    """An alert trail (data.queries.alerts.trail) for public view: who took each step, to whom a case
    was dispatched and numbers in the notes masked; the system's own steps keep their actor."""
    masked = frame.copy()
    masked["actor"] = masked["actor"].map(lambda a: a if a == SYSTEM else person_name(a), na_action="ignore")
    masked["note"] = masked["note"].map(lambda n: _DISPATCHED_TO.sub(lambda m: "→ " + person_name(m.group(1)),
                                                                     free_text(n)), na_action="ignore")
    return masked
