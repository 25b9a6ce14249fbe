"""The read API under /api/v1 and its OpenAPI document: answers within the viewer's scope, 403 with nothing
outside it, 422 naming the field, and a bounded schemathesis run against the document finding no 500."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from logins import client_as, form_token
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance, status_code_conformance
from sqlalchemy import func, select

from dashboard import openapi
from data import accounts
from data.demo.build import DEMO_PASSWORD
from data.models import AuditLog, Entity

CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
AGENT = {"User-Agent": "weijian-api-test"}  # sessions are bound to the client's address and agent (flask-login "strong")


@pytest.fixture(scope="module")
def manager(demo_app):
    return client_as(demo_app)


@pytest.fixture(scope="module")
def officer(demo_app):
    return client_as(demo_app, "demo_officer")


def _home(demo_app, username: str) -> str:
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return accounts.by_username(conn, username).region_adcode


def _entity_count(demo_app, county: str) -> int:
    with demo_app.server.extensions["weijian"].store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Entity).where(Entity.county_adcode == county)).scalar_one()


def test_every_route_is_in_the_document_and_every_documented_path_is_served(demo_app):
    import re

    served = {(method.lower(), re.sub(r"<\w+:(\w+)>", r"<\1>", rule.rule)) for rule in demo_app.server.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(method, path.replace("{", "<").replace("}", ">"))
                  for path, operations in openapi.document()["paths"].items() for method in operations}
    assert served == documented


def test_the_document_is_served_and_its_references_resolve(manager):
    document = manager.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    text = str(document)
    for name in ("EntityPage", "SummaryOut", "AlertList", "RegionOut", "ReadingBatch", "IngestOut", "ErrorOut"):
        assert f"#/components/schemas/{name}" in text and name in schemas
    assert document["paths"]["/api/v1/readings"]["post"]["security"] == [{"device": []}]


def test_region_parameters_are_described_as_the_server_takes_them():
    """A region is a six-digit adcode or an imported boundary's code (up to 40 characters, any inner character):
    the document says so for the path and the query alike, and the server's model takes what the pattern takes."""
    import re

    from pydantic import ValidationError

    from dashboard import api_models
    from data.models import REGION_CODE_LENGTH

    paths = openapi.document()["paths"]
    in_path = paths["/api/v1/regions/{adcode}"]["get"]["parameters"][0]["schema"]
    in_query = [next(p for p in paths[f"/api/v1/{name}"]["get"]["parameters"] if p["name"] == "region")["schema"]["anyOf"][0]
                for name in ("entities", "summaries", "alerts")]
    for schema in (in_path, *in_query):
        assert schema["maxLength"] == REGION_CODE_LENGTH and schema["pattern"] == in_path["pattern"]
    for code, taken in (("410105", True), ("BK0101", True), ("Castro/Upper Market", True), ("3", True),
                        (" Mission", False), ("a\nb", False), ("x" * (REGION_CODE_LENGTH + 1), False), ("", False)):
        described = bool(re.search(in_path["pattern"], code)) and len(code) <= in_path["maxLength"]
        try:
            accepted = api_models.RegionPath(adcode=code).adcode == code
        except ValidationError:
            accepted = False
        assert described == accepted == taken, code


def test_anonymous_requests_get_401_and_nothing(demo_app):
    answer = demo_app.server.test_client().get("/api/v1/entities")
    assert answer.status_code == 401 and "items" not in answer.get_data(as_text=True)


def test_entities_are_paged_by_id_and_count_the_whole_region(demo_app, officer):
    county = _home(demo_app, "demo_officer")
    first = officer.get("/api/v1/entities?per_page=7").get_json()
    second = officer.get("/api/v1/entities?per_page=7&page=2").get_json()
    assert first["region"] == county and first["total"] == _entity_count(demo_app, county) > 14
    ids = [e["id"] for e in first["items"]] + [e["id"] for e in second["items"]]
    assert len(ids) == 14 and ids == sorted(set(ids))
    assert {e["county_adcode"] for e in first["items"]} == {county}


def test_out_of_scope_regions_get_403_with_nothing_of_the_data(demo_app, officer, manager):
    county = _home(demo_app, "demo_officer")
    neighbour = next(c["adcode"] for c in manager.get(f"/api/v1/regions/{county[:4]}00").get_json()["children"]
                     if c["adcode"] != county)
    assert manager.get(f"/api/v1/entities?region={neighbour}").get_json()["total"] > 0
    for path in (f"/api/v1/entities?region={neighbour}", f"/api/v1/summaries?region={neighbour}",
                 f"/api/v1/alerts?region={neighbour}", f"/api/v1/regions/{neighbour}", "/api/v1/regions/410000"):
        answer = officer.get(path)
        assert answer.status_code == 403, path
        assert answer.get_json() == {"error": "region outside the viewer's scope"}


def test_summaries_answer_the_child_regions_of_the_manager_page(manager):
    body = manager.get("/api/v1/summaries?region=410000&period=2026-01..2026-06").get_json()
    assert body["period"] == "2026-01-01..2026-06-30" and len(body["children"]) > 1
    assert all(c["adcode"].startswith("41") for c in body["children"])
    assert sum(c["inspections"] for c in body["children"]) > 0


def test_bad_parameters_get_422_naming_the_field(manager):
    answer = manager.get("/api/v1/entities?per_page=0&specialty=bakery")
    assert answer.status_code == 422
    assert {p["field"] for p in answer.get_json()["problems"]} == {"per_page", "specialty"}
    assert manager.get("/api/v1/summaries?period=2026-13..2026-01").status_code == 422
    assert manager.get("/api/v1/regions/999999").status_code == 404


def test_an_api_token_reads_as_its_account_until_revoked(demo_app):
    import datetime as dt

    from data import api_tokens

    engine, now = demo_app.server.extensions["weijian"].store.engine, dt.datetime.now(dt.UTC)
    county = _home(demo_app, "demo_officer")
    with engine.begin() as conn:
        token = api_tokens.issue(conn, "demo_officer", actor="sysadmin", now=now)
    client = demo_app.server.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    answer = client.get("/api/v1/entities?per_page=3", headers=bearer)
    assert answer.status_code == 200 and answer.get_json()["region"] == county
    assert client.get("/api/v1/regions/410000", headers=bearer).status_code == 403  # the officer's scope
    assert client.get("/", headers=bearer).status_code == 302  # API only: no page session from a token
    assert client.get_cookie("weijian_session") is None
    assert client.get("/api/v1/entities", headers={"Authorization": "Bearer wrong"}).status_code == 401
    with engine.begin() as conn:
        replacement = api_tokens.issue(conn, "demo_officer", actor="sysadmin", now=now)
    assert client.get("/api/v1/entities", headers=bearer).status_code == 401  # replaced
    with engine.begin() as conn:
        api_tokens.revoke(conn, "demo_officer", actor="sysadmin", now=now)
        actions = [r.action for r in conn.execute(select(AuditLog.action).where(AuditLog.target == "demo_officer").order_by(AuditLog.id))]
    assert client.get("/api/v1/entities", headers={"Authorization": f"Bearer {replacement}"}).status_code == 401
    assert actions[-3:] == ["api_token_issue", "api_token_issue", "api_token_revoke"]


def test_display_screens_get_no_api(demo_app):
    import datetime as dt

    from data import displays

    with demo_app.server.extensions["weijian"].store.engine.begin() as conn:
        _, token = displays.issue(conn, label="api test", region="410000", ip_ranges="127.0.0.1", actor="test",
                                  now=dt.datetime.now(dt.UTC))
    client = demo_app.server.test_client()
    assert client.get(f"/display/{token}").status_code == 302
    assert client.get("/api/v1/entities").status_code == 403


@pytest.fixture(scope="module")
def session_cookie(demo_app):
    """An officer's session (a scope narrower than the region, so 403s are exercised too)."""
    client = demo_app.server.test_client()
    client.environ_base.update(HTTP_USER_AGENT=AGENT["User-Agent"])
    client.post("/login", data={"csrf": form_token(client), "username": "demo_officer", "password": DEMO_PASSWORD})
    return client.get_cookie("weijian_session").value


@pytest.mark.parametrize("operation", [op.method + " " + op.path for op in openapi.OPERATIONS])
def test_schemathesis_finds_no_server_error(demo_app, session_cookie, operation):
    """Cases generated from the served document; every answer must have a documented status, content type and
    model."""
    schema = schemathesis.openapi.from_dict(openapi.document())
    schema.app = demo_app.server
    method, path = operation.split(" ")
    api_operation = schema["/api/v1" + path][method.upper()]

    statuses = set()

    @given(case=api_operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        response = case.call(cookies={"weijian_session": session_cookie}, headers=AGENT)
        statuses.add(response.status_code)
        assert response.status_code < 500, response.text[:500]
        assert response.status_code != 401 or path == "/readings", "the session was not used"
        # Conformance only: the "ignored auth" check would count our valid session cookie beside its generated
        # bad credentials as the API accepting bad ones (any one documented scheme suffices, as declared).
        case.validate_response(response, checks=CONFORMANCE)

    check()
    assert statuses <= ({200, 403, 404, 422} if path != "/readings" else {401, 413, 422}), statuses
