"""/api/v1/openapi.json, generated from the pydantic models the endpoints use (dashboard/api_models.py).

A small generator rather than a framework (flask-openapi3, spectree): the API is five routes on the existing
Flask server behind its gate (dashboard/auth.py), and pydantic's own JSON schema already is OpenAPI 3.1's
schema dialect, so the document is the operations listed below plus `models_json_schema` of their models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from dashboard import api_models as m

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form: /regions/{adcode}
    summary: str
    answer: type[BaseModel]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    path_params: type[BaseModel] | None = None  # one field per {name} of the path
    errors: dict[int, str] = field(default_factory=dict)
    security: tuple[str, ...] = ("session", "api_token")  # any one of them


READ_ERRORS = {401: "not logged in", 403: "the region is outside the viewer's scope", 404: "unknown region",
               422: "a parameter is invalid"}
OPERATIONS = (
    Operation("get", "/regions/{adcode}", "A region and its children", m.RegionOut, path_params=m.RegionPath,
              errors=READ_ERRORS),
    Operation("get", "/entities", "Supervised entities of a region, paged by id", m.EntityPage, query=m.EntityQuery,
              errors=READ_ERRORS),
    Operation("get", "/summaries", "The period's records per child region (rollups above county level)", m.SummaryOut,
              query=m.SummaryQuery, errors=READ_ERRORS),
    Operation("get", "/alerts", "The newest alerts of a region", m.AlertList, query=m.AlertQuery, errors=READ_ERRORS),
    Operation("post", "/readings", "Ingest a batch of one device's readings", m.IngestOut, body=m.ReadingBatch,
              errors={401: "missing or invalid device token", 413: "over 5,000 readings or 2 MB",
                      422: "the body is not a batch of readings"}, security=("device",)),
    Operation("post", "/prescriptions", "Check and store a batch of prescriptions (处方点评)", m.PrescriptionCheckOut,
              body=m.PrescriptionBatch,
              errors={401: "not logged in", 403: "this account reads no supervision data", 413: "over 5,000 or 2 MB",
                      422: "the body is not a batch of prescriptions"}),
)


def _parameters(operation: Operation, schemas: dict) -> list[dict]:
    params = []
    if operation.path_params is not None:
        properties = schemas[operation.path_params.__name__]["properties"]
        params += [{"name": name[1:-1], "in": "path", "required": True, "schema": properties[name[1:-1]]}
                   for name in operation.path.split("/") if name.startswith("{")]
    if operation.query is not None:
        schema = schemas[operation.query.__name__]
        required = set(schema.get("required", []))
        params += [{"name": name, "in": "query", "required": name in required, "schema": prop}
                   for name, prop in schema["properties"].items()]
    return params


def _content(model: type[BaseModel]) -> dict:
    return {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}}


def document() -> dict:
    models = {m.ErrorOut}
    for op in OPERATIONS:
        models |= {op.answer, *(x for x in (op.query, op.body, op.path_params) if x is not None)}
    ordered = sorted(models, key=lambda model: model.__name__)
    _, defs = models_json_schema([(model, "validation") for model in ordered], ref_template=REF)
    schemas = defs.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        entry = {"summary": op.summary, "operationId": f"{op.method}_{op.path.strip('/').split('/')[0]}",
                 "parameters": _parameters(op, schemas),
                 "responses": {"200": {"description": "OK", "content": _content(op.answer)},
                               **{str(code): {"description": why, "content": _content(m.ErrorOut)}
                                  for code, why in op.errors.items()}},
                 "security": [{scheme: []} for scheme in op.security]}
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": _content(op.body)}
        paths.setdefault("/api/v1" + op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "智慧卫监 API", "version": "1",
                 "description": "Read endpoints answer within the logged-in viewer's scope; readings take a device token."},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "weijian_session"},
            "api_token": {"type": "http", "scheme": "bearer", "description": "an account's token: `weijian user api-token`"},
            "device": {"type": "http", "scheme": "bearer", "description": "the token of `weijian device token ID`"}}},
    }
