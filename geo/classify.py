"""Choropleth classes: how counts become a handful of legend colours.

Natural breaks (Fisher-Jenks, exact) suit skewed counts such as non-compliance; quantiles suit shares
where every class should hold as many regions. Each layer chooses its scheme and says why (SCHEME in
layers/inspection.py, penalty.py, complaint.py, monitoring.py: natural breaks; layers/classes.py, the
grade and risk shares: quantiles); dashboard.figures.class_colours turns the classes into map colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np

SCHEMES = {"natural_breaks": mapclassify.FisherJenks, "quantiles": mapclassify.Quantiles}


@dataclass(frozen=True)
class Classes:
    bins: tuple[float, ...]  # upper bound of each class
    labels: tuple[str, ...]  # "0–12", "13–40", … for the legend
    of: tuple[int, ...]  # class index of each input value (-1 for missing)


def classify(values, scheme: str = "natural_breaks", k: int = 5) -> Classes:
    """Classes for the finite values; fewer than k when there are fewer distinct values."""
    data = np.asarray(values, dtype="float64")
    finite = np.isfinite(data)
    distinct = np.unique(data[finite])
    if len(distinct) == 0:
        return Classes((), (), tuple([-1] * len(data)))
    k = max(1, min(k, len(distinct)))
    if k == 1:
        bins = np.array([distinct[-1]])
    else:
        bins = SCHEMES[scheme](data[finite], k=k).bins
    of = np.full(len(data), -1)
    of[finite] = np.searchsorted(bins, data[finite], side="left")
    lower = np.r_[distinct[0], bins[:-1]]
    labels = tuple(_label(lo, hi, first=i == 0) for i, (lo, hi) in enumerate(zip(lower, bins, strict=True)))
    return Classes(tuple(float(b) for b in bins), labels, tuple(int(c) for c in of))


def _label(lo: float, hi: float, first: bool) -> str:
    fmt = "{:,.0f}" if float(lo).is_integer() and float(hi).is_integer() else "{:,.2f}"
    if first and lo == hi:  # a class of one value (all regions equal) reads as that value
        return fmt.format(lo)
    if first:
        return f"{fmt.format(lo)}–{fmt.format(hi)}"
    return f">{fmt.format(lo)}–{fmt.format(hi)}"
