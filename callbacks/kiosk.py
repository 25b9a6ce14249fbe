"""Callbacks of the kiosk: one, in the browser, that starts the rotation of assets/30_kiosk.js with the
playlist the server built (rotation, cross-fade and reloads need the page's clock and its iframes'
load events, which no server callback sees)."""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output

from dashboard import ids


def register(app: Dash) -> None:
    app.clientside_callback(ClientsideFunction(namespace="kiosk", function_name="start"),
                            Output(ids.KIOSK_STARTED, "data"), Input(ids.KIOSK_CONFIG, "data"))
