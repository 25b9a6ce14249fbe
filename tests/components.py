"""Reading Dash component trees in tests: the text a layout shows, and every component inside it."""

from __future__ import annotations

import json


def walk(component):
    """Every component and string inside a Dash component tree, depth first."""
    if isinstance(component, (list, tuple)):
        for child in component:
            yield from walk(child)
    elif component is not None:
        yield component
        if not isinstance(component, (str, int, float)):
            yield from walk(getattr(component, "children", None))


def text(component, attributes: tuple[str, ...] = ()) -> str:
    """All text inside a tree, joined by spaces; with `attributes` (href, src…), their values too."""
    if component is None or isinstance(component, (int, float)):
        return str(component or "")
    if isinstance(component, str):
        return component
    if isinstance(component, (list, tuple)):
        return " ".join(text(c, attributes) for c in component)
    parts = [text(getattr(component, "children", None), attributes)]
    for attribute in attributes:
        value = getattr(component, attribute, None)
        if value is not None:
            parts.append(json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, dict) else str(value))
    return " ".join(parts)
