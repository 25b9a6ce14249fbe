"""HTTP API under /api/v1: device ingest, and prescription batches from logged-in staff.

`POST /api/v1/readings` takes a JSON batch (an array of readings, or {"readings": [...]}) from one
device, authenticated by that device's token (`Authorization: Bearer <token>`, from `weijian
device token ID`). Answers: 200 with the counts (accepted, duplicates, late, rejected, and each
rejection's index, field and reason), 401 for a missing or wrong token, 413 for a body over
MAX_BODY bytes or more than MAX_BATCH readings, 422 for a body that is not such a batch. Cookies
play no part here, so a browser session cannot be made to post readings.

`POST /api/v1/prescriptions` takes a JSON batch (an array, or {"prescriptions": [...]}) of at most
5,000 prescriptions from a logged-in account with data access (the gate: 401 anonymous, 403 cross-site,
administrators and display screens); the answer counts accepted, duplicates and refused rows (index,
field, value, reason), hits per check and alerts raised. Institutions outside the account's region are
refused row by row.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request

from data.monitoring import devices, ingest

MAX_BODY = 2 * 1024 * 1024  # ~5,000 readings of ~150 bytes with room to spare


def _json(status: int, body: dict, **headers) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json", headers=headers)


def _problem(status: int, reason: str, **headers) -> Response:
    return _json(status, {"error": reason}, **headers)


def parse_batch(raw: bytes, key: str = "readings"):
    """The list of items (readings, prescriptions) in a request or MQTT body: an array, or an object holding
    it under `key`; ValueError saying what is wrong otherwise."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"body is not JSON: {exc}") from None
    if isinstance(body, dict):
        body = body.get(key)
    if not isinstance(body, list):
        raise ValueError(f"body must be a JSON array of {key} or an object with a '{key}' array")
    return body


def blueprint() -> Blueprint:
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")

    @api.post("/readings")
    def post_readings() -> Response:
        store = current_app.extensions["weijian"].store
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        device_id = devices.authenticate(store.engine, token)
        if device_id is None:
            return _problem(401, "missing or invalid device token", **{"WWW-Authenticate": 'Bearer realm="readings"'})
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _problem(413, f"body over {MAX_BODY} bytes")
        raw = request.get_data(cache=False)
        if len(raw) > MAX_BODY:
            return _problem(413, f"body over {MAX_BODY} bytes")
        try:
            items = parse_batch(raw)
            result = ingest.ingest(store.engine, items, token_device=device_id)
        except ingest.BatchTooLarge as exc:
            return _problem(413, str(exc))
        except ValueError as exc:
            return _problem(422, str(exc))
        return _json(200, result.as_dict())

    @api.post("/prescriptions")
    def post_prescriptions() -> Response:
        """A batch of prescriptions from a logged-in person (the gate refused anyone else): checked against
        the rules; institutions outside the person's region are refused row by row, never stored."""
        from dashboard import context
        from dashboard.auth import current_account
        from data.prescriptions import ingest as rx_ingest

        try:
            scope = context.viewer_scope()
        except context.NotLoggedIn:
            return _problem(403, "this account reads no supervision data")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _problem(413, f"body over {MAX_BODY} bytes")
        raw = request.get_data(cache=False)
        if len(raw) > MAX_BODY:
            return _problem(413, f"body over {MAX_BODY} bytes")
        try:
            items = parse_batch(raw, "prescriptions")
            result = rx_ingest.check_batch(current_app.extensions["weijian"].store.engine, items,
                                           current_account().username, scope)
        except rx_ingest.BatchTooLarge as exc:
            return _problem(413, str(exc))
        except ValueError as exc:
            return _problem(422, str(exc))
        return _json(200, result.as_dict())

    return api
