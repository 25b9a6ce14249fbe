"""Every map layer, by key. A new layer is one module and one entry here."""

from __future__ import annotations

from layers.base import Layer
from layers.complaint import COMPLAINT
from layers.inspection import INSPECTION
from layers.monitoring import MONITORING

REGISTRY: dict[str, Layer] = {layer.key: layer for layer in (INSPECTION, COMPLAINT, MONITORING)}
DEFAULT_LAYER = INSPECTION.key
