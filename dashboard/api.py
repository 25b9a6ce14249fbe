"""HTTP API under /api/v1: read endpoints (regions, entities, summaries, alerts), device ingest, prescription
batches from logged-in staff, and the OpenAPI document of them (dashboard/openapi.py, from the models in
dashboard/api_models.py).

Reads need a logged-in session (the gate in dashboard/auth.py answers 401 without one); the scope is the
viewer's home region, checked here before the query runs (403, an unknown region 404) and applied again
inside the query functions of data/queries. Parameters are validated by the same pydantic models the
document is generated from (422 naming each field). A region is a built-in six-digit adcode or the code of an
imported boundary set (BK0101, "Mission"; api_models.RegionCode): any code that names a region this process
has installed (data/boundary_watch.py keeps them current) is answered like any other.

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

import datetime as dt

from flask import Blueprint, Response, current_app, request
from pydantic import BaseModel, ValidationError

from dashboard import api_models as models
from dashboard import context, openapi, periods
from data.monitoring import devices, ingest
from data.queries import alerts, entities, overview, regions
from data.queries.filters import Filters, OutOfScope, UnknownRegion

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


def _answer(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), status=200, mimetype="application/json")


def _parse(model: type[BaseModel]):
    """The request's query parameters as `model`; ValidationError names each bad field."""
    return model.model_validate(request.args.to_dict())


def _read(handler):
    """Run a read endpoint: scope refusals and unknown regions become 403 / 404 with no data, bad parameters 422."""

    def run(**path):
        try:
            return _answer(handler(context.store(), context.viewer_scope(), **path))
        except ValidationError as exc:
            problems = [{"field": ".".join(map(str, e["loc"])) or "query", "reason": e["msg"]} for e in exc.errors()]
            return _json(422, {"error": "invalid parameters", "problems": problems})
        except OutOfScope:
            return _problem(403, "region outside the viewer's scope")
        except (UnknownRegion, KeyError):
            return _problem(404, "unknown region")
        except ValueError as exc:
            return _problem(422, str(exc))

    run.__name__ = handler.__name__
    return run


def _home(scope, region: str | None) -> str:
    return region or sorted(scope.roots)[0]


def get_region(store, scope, adcode: str) -> models.RegionOut:
    adcode = models.RegionPath.model_validate({"adcode": adcode}).adcode
    region = regions.get_region(store, adcode, scope)
    children = regions.children(store, adcode, scope).to_dict("records")
    return models.RegionOut(adcode=region.adcode, name=region.name, level=region.level,
                            parent_adcode=region.parent_adcode, children=children)


def get_entities(store, scope) -> models.EntityPage:
    query = _parse(models.EntityQuery)
    region = _home(scope, query.region)
    total, frame = entities.page(store, scope, region, specialty=query.specialty,
                                 offset=(query.page - 1) * query.per_page, limit=query.per_page)
    items = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return models.EntityPage(region=region, total=total, page=query.page, per_page=query.per_page, items=items)


def get_summaries(store, scope) -> models.SummaryOut:
    query = _parse(models.SummaryQuery)
    region = _home(scope, query.region)
    scope.check(region)  # an unknown code is a 404 here as on every read, before Filters would call it invalid (422)
    filters = Filters(region, periods.resolve(query.period, dt.date.today()), query.specialty)
    frame = overview.child_figures(store, filters, scope)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    computed = frame.attrs.get("computed_at")
    return models.SummaryOut(region=filters.region, period=filters.period.key(), specialty=filters.specialty,
                             computed_at=str(computed) if computed is not None else None, children=rows)


def get_alerts(store, scope) -> models.AlertList:
    query = _parse(models.AlertQuery)
    region = _home(scope, query.region)
    frame = alerts.feed(store, scope, region, status=query.status, limit=query.limit)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return models.AlertList(region=region, status=query.status, items=rows)


def blueprint() -> Blueprint:
    api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    api.get("/regions/<path:adcode>")(_read(get_region))  # path: an imported code may hold a "/" (SF's "Castro/Upper Market")
    api.get("/entities")(_read(get_entities))
    api.get("/summaries")(_read(get_summaries))
    api.get("/alerts")(_read(get_alerts))

    @api.get("/openapi.json")
    def openapi_json() -> Response:
        return _json(200, openapi.document())

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
