"""Monitoring scenes for the demo: which entities carry devices, what they measure, and how sensors fail.

Units and limits are read from data/monitoring/limits.csv, the seed of the limits table, so the
demo's alerts agree with what ingest would raise on the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.monitoring.limits import seed_rows


@dataclass(frozen=True)
class Indicator:
    """How the demo draws one indicator; its unit and limits come from the limits seed (one source)."""

    key: str
    mean: float
    sd: float
    unit: str = ""
    low: float | None = None  # lower limit (None: none)
    high: float | None = None  # upper limit


@dataclass(frozen=True)
class Scene:
    key: str
    subtypes: tuple[str, ...]  # entity subtypes that carry this kind of device
    share: float  # share of those entities with a device
    interval_s: int
    indicators: tuple[Indicator, ...]


def _with_limits(scene: str, drawn: tuple[tuple[str, float, float], ...]) -> tuple[Indicator, ...]:
    """The scene's indicators with the canonical unit and the general (not subtype) limits of limits.csv."""
    seed = {(row["scene"], row["indicator"]): row for row in seed_rows() if not row["subtype"]}
    return tuple(Indicator(key, mean, sd, seed[(scene, key)]["unit"], seed[(scene, key)]["low"], seed[(scene, key)]["high"])
                 for key, mean, sd in drawn)


SCENES: tuple[Scene, ...] = (
    Scene("water_plant", ("central_supply",), 0.8, 3600, _with_limits("water_plant", (
        ("free_chlorine", 0.8, 0.15), ("turbidity", 0.3, 0.1), ("ph", 7.4, 0.15)))),
    Scene("water_tap", ("secondary_supply", "school"), 0.05, 3600, _with_limits("water_tap", (
        ("free_chlorine", 0.25, 0.08), ("turbidity", 0.4, 0.12)))),
    Scene("swimming_pool", ("swimming_pool",), 0.6, 3600, _with_limits("swimming_pool", (
        ("free_chlorine", 0.6, 0.1), ("combined_chlorine", 0.18, 0.06), ("ph", 7.4, 0.12), ("turbidity", 0.4, 0.12)))),
    Scene("public_air", ("hotel", "venue"), 0.01, 3600, _with_limits("public_air", (
        ("pm25", 38.0, 12.0), ("formaldehyde", 0.05, 0.015), ("co2", 0.06, 0.01), ("tvoc", 0.3, 0.08)))),
    Scene("medical_waste", ("hospital",), 0.3, 3600, _with_limits("medical_waste", (
        ("storage_hours", 20.0, 8.0), ("temperature", 4.0, 1.2)))),
    Scene("xray_room", ("radiology",), 0.15, 3600, _with_limits("xray_room", (("dose_rate", 0.25, 0.08),))),
    Scene("occupational_dust", ("factory",), 0.05, 3600, _with_limits("occupational_dust", (("total_dust", 3.5, 1.2),))),
)
SCENE_BY_KEY = {scene.key: scene for scene in SCENES}


def sensor_series(rng: np.random.Generator, indicator: Indicator, hours: int) -> np.ndarray:
    """One indicator's hourly values with the faults real sensors show.

    A daily cycle plus noise, and per series at random: sustained exceedance (the thing to catch),
    a spike (a broken sensor reading), a flat line (a stuck sensor), a slow drift (a sensor out of
    calibration). Values never go below zero.
    """
    t = np.arange(hours)
    values = indicator.mean + 0.3 * indicator.sd * np.sin(2 * np.pi * t / 24) + rng.normal(0, indicator.sd * 0.6, hours)
    limit = indicator.high if indicator.high is not None else indicator.low
    if limit is not None and rng.random() < 0.08:  # a sustained exceedance of 3-30 hours
        start, length = rng.integers(0, max(hours - 30, 1)), rng.integers(3, 30)
        target = limit * (1.15 if indicator.high is not None else 0.6)
        values[start : start + length] = target + rng.normal(0, indicator.sd * 0.2, len(values[start : start + length]))
    if rng.random() < 0.10:  # implausible spikes
        idx = rng.integers(0, hours, rng.integers(1, 4))
        values[idx] = values[idx] * rng.uniform(5, 12)
    if rng.random() < 0.07:  # stuck sensor: flat line of 24-72 hours
        start, length = rng.integers(0, max(hours - 72, 1)), rng.integers(24, 72)
        values[start : start + length] = values[start]
    if rng.random() < 0.06:  # calibration drift over the last third
        third = hours // 3
        values[-third:] += np.linspace(0, indicator.sd * rng.uniform(3, 6), third)
    return np.clip(values, 0, None).round(3)


def reporting_mask(rng: np.random.Generator, hours: int) -> np.ndarray:
    """Which hours a device reported: random dropped messages, outages, some devices gone silent."""
    mask = rng.random(hours) > 0.01
    for _ in range(rng.poisson(0.6)):  # outages of 2-48 hours
        start = rng.integers(0, hours)
        mask[start : start + rng.integers(2, 48)] = False
    if rng.random() < 0.04:  # stopped reporting before the end of the period
        mask[hours - rng.integers(6, 96) :] = False
    return mask


def exceedance_alerts(frame: pd.DataFrame) -> pd.DataFrame:
    """Alerts for 3+ consecutive readings beyond a limit (one per episode), from a device's readings.

    `frame` has device_id, indicator, measured_at, value, low, high, sorted by time per series.
    """
    over = ((frame["high"].notna() & (frame["value"] > frame["high"]))
            | (frame["low"].notna() & (frame["value"] < frame["low"])))
    series = frame["device_id"] + "|" + frame["indicator"]
    episode = (over != over.groupby(series).shift(fill_value=False)).groupby(series).cumsum()
    runs = frame[over].assign(episode=episode[over]).groupby(
        [frame["device_id"][over], frame["indicator"][over], episode[over]], sort=False
    ).agg(start=("measured_at", "first"), n=("value", "size"), peak=("value", "max"), low=("low", "first"),
          high=("high", "first"))
    return runs[runs["n"] >= 3].reset_index(level=2, drop=True).reset_index()
