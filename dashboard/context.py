"""What a request may use, taken from the server side: settings, the store, the viewer's scope.

Callbacks and pages call these instead of trusting anything the browser sent. Today the scope is the
configured region; the security issue replaces it with the logged-in user's home region.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from dashboard.settings import Settings
from data.queries.filters import Scope
from data.store import Store


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    store: Store


def app_context() -> AppContext:
    return current_app.extensions["weijian"]


def store() -> Store:
    return app_context().store


def settings() -> Settings:
    return app_context().settings


def viewer_scope() -> Scope:
    return Scope.of(settings().region)
