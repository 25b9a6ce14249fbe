"""Units of monitoring readings: each indicator is stored in one canonical unit, others are converted.

A device may report free chlorine in µg/L or CO₂ in ppm; a limit compared with an unconverted
value is wrong by a factor of 1,000 or 10,000. So every unit a reading may carry is listed here
with its factor to the canonical unit of its dimension, and a unit not listed is refused rather
than guessed. Spellings are normalised first (µ/μ/u, ³/3, case of ppm/NTU), because devices write
them all ways.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass


class UnitError(ValueError):
    """A unit that is unknown, or that cannot express the indicator's quantity: `unit` as given, and the units
    `accepted` for the quantity (a comma-separated list), kept apart for wordings in other languages."""

    def __init__(self, unit: str, accepted: str):
        self.unit, self.accepted = unit, accepted
        super().__init__(f"unknown unit {unit!r} (accepted: {accepted})")


@dataclass(frozen=True)
class Dimension:
    canonical: str
    factors: dict[str, float]  # normalised spelling → multiply by this to get the canonical unit


DIMENSIONS: dict[str, Dimension] = {
    "mass_per_volume_water": Dimension("mg/L", {"mg/l": 1.0, "µg/l": 1e-3, "ug/l": 1e-3, "g/l": 1e3,
                                                "ppm": 1.0}),  # in water 1 ppm ≈ 1 mg/L
    "mass_per_volume_air": Dimension("mg/m³", {"mg/m3": 1.0, "µg/m3": 1e-3, "ug/m3": 1e-3}),
    "fine_particles": Dimension("µg/m³", {"µg/m3": 1.0, "ug/m3": 1.0, "mg/m3": 1e3}),
    "volume_fraction": Dimension("%", {"%": 1.0, "ppm": 1e-4, "ppmv": 1e-4}),
    "turbidity": Dimension("NTU", {"ntu": 1.0}),
    "ph": Dimension("pH", {"ph": 1.0, "": 1.0}),
    "dose_rate": Dimension("µSv/h", {"µsv/h": 1.0, "usv/h": 1.0, "nsv/h": 1e-3, "msv/h": 1e3}),
    "temperature": Dimension("°C", {"°c": 1.0, "℃": 1.0, "c": 1.0}),
    "duration": Dimension("h", {"h": 1.0, "min": 1 / 60, "d": 24.0}),
    "mass": Dimension("kg", {"kg": 1.0, "g": 1e-3, "t": 1e3}),
    "sound_level": Dimension("dB(A)", {"db(a)": 1.0, "dba": 1.0}),
    # Hospital operations and check-ins are counts: visits, admissions, tests (人次, 例, 次 are all "one each").
    "count": Dimension("count", {"count": 1.0, "人次": 1.0, "例": 1.0, "次": 1.0, "人": 1.0}),
}


def normalise(unit: str) -> str:
    """One spelling per unit: NFKC (m³ → m3, ℃ kept), micro sign and Greek mu and 'u' alike, lower case."""
    text = unicodedata.normalize("NFKC", unit.strip()).replace("μ", "µ").replace(" ", "")
    text = text.replace("³", "3").replace("^3", "3")
    return text.lower()


def canonical(dimension: str) -> str:
    return DIMENSIONS[dimension].canonical


@functools.lru_cache(maxsize=1024)  # devices send the same few spellings millions of times
def factor(unit: str, dimension: str) -> float:
    """The factor that converts a value in `unit` to the canonical unit of `dimension`.

    Raises UnitError naming the unit and the units accepted.
    """
    dim = DIMENSIONS[dimension]
    key = normalise(unit)
    if key in dim.factors:
        return dim.factors[key]
    if key == normalise(dim.canonical):
        return 1.0
    accepted = ", ".join(sorted({dim.canonical, *dim.factors} - {""}))
    raise UnitError(unit, accepted)
