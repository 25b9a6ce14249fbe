"""Masking of personal data for screens in public view (kiosk, lobby walls, projected pages).

Names of persons, phone numbers and ID numbers are shown in part: 张**, 138****5678,
410105********1234. Masking is a switch on every page (`?mask=1` / `?mask=0`); the kiosk turns it
on by default. The functions take any value (None, numbers, short strings) and never raise, so a
page can pass a column through them without first cleaning it.
"""

from __future__ import annotations

import re

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_PHONE = re.compile(r"(?<!\d)1\d{10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?![\dXx])")


def wanted(arg: str | None, default: bool = False) -> bool:
    """Whether a page masks, from its `mask` URL argument; anything unrecognised keeps the default."""
    text = (arg or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return default


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
