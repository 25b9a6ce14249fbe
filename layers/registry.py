"""Every map layer, by key. A new layer is one module and one entry here.

Pages and callbacks ask `offered` for the layers to list and `choose` for the one to draw: both leave
out a layer that is not available to the viewer (layers/base.py), so a URL naming one falls back to
the default layer like any unknown name.
"""

from __future__ import annotations

from data.queries.filters import Scope
from data.store import Store
from layers.base import Layer
from layers.complaint import COMPLAINT
from layers.grade import GRADE
from layers.inspection import INSPECTION
from layers.institution import INSTITUTION
from layers.monitoring import MONITORING
from layers.penalty import PENALTY
from layers.risk import RISK

REGISTRY: dict[str, Layer] = {layer.key: layer for layer in (INSPECTION, PENALTY, GRADE, COMPLAINT, MONITORING, RISK,
                                                                  INSTITUTION)}
DEFAULT_LAYER = INSPECTION.key


def offered(store: Store, scope: Scope) -> list[Layer]:
    """The layers this viewer can choose from, in the registry's order."""
    return [layer for layer in REGISTRY.values() if layer.available(store, scope)]


def choose(key: str | None, store: Store, scope: Scope) -> Layer:
    """The layer named `key` when it exists and is available to the viewer, else the default layer."""
    layer = REGISTRY.get(key) if isinstance(key, str) else None
    return layer if layer is not None and layer.available(store, scope) else REGISTRY[DEFAULT_LAYER]
