"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), registering administration's
adcode (6), organisation code per GB 11714 (9, its own check digit last), check character (1).
The alphabet is the digits and 21 capital letters (no I, O, Z, S, V); character i (0-based) has value
in that alphabet and weight 3**i mod 31; the check character is (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

import re

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registration authorities (position 1) and the organisation types (position 2) each may register.
_TYPES = {
    "1": "129",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体
    "2": "19",  # 外交
    "3": "12345",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业
    "Y": "1",  # 其他
}
_SHAPE = re.compile(rf"^[{ALPHABET}]{{18}}$")


class CreditCodeError(ValueError):
    """A credit code that is not valid per GB 32100-2015; the message says which part is wrong."""


def check_character(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code (upper case, trimmed) or raise CreditCodeError saying why."""
    if not isinstance(code, str):
        raise CreditCodeError(f"credit code must be text, got {type(code).__name__}")
    normalised = code.strip().upper()
    if len(normalised) != 18:
        raise CreditCodeError(f"credit code {code!r} has {len(normalised)} characters, expected 18")
    if not _SHAPE.match(normalised):
        bad = sorted({c for c in normalised if c not in _VALUE})
        raise CreditCodeError(f"credit code {code!r} contains characters outside GB 32100: {''.join(bad)}")
    authority, kind = normalised[0], normalised[1]
    if authority not in _TYPES:
        raise CreditCodeError(f"credit code {code!r}: unknown registration authority {authority!r}")
    if kind not in _TYPES[authority]:
        raise CreditCodeError(f"credit code {code!r}: organisation type {kind!r} is not issued by authority {authority!r}")
    if not normalised[2:8].isdigit():
        raise CreditCodeError(f"credit code {code!r}: characters 3-8 must be an administrative division code")
    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        raise CreditCodeError(f"credit code {code!r}: check character is {normalised[17]!r}, expected {expected!r}")
    return normalised


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def organisation_check_digit(body8: str) -> str:
    """GB 11714 check digit of an 8-character organisation code body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    remainder = 11 - sum(v * w for v, w in zip(values, weights, strict=True)) % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def make(authority: str, kind: str, adcode: str, organisation_body: str) -> str:
    """Compose a valid code (used by the demo generator and tests)."""
    organisation = organisation_body + organisation_check_digit(organisation_body)
    first17 = f"{authority}{kind}{adcode}{organisation}"
    return first17 + check_character(first17)
