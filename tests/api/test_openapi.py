"""The OpenAPI document and its docs page, served by the app under each company's slug."""

import re

from openapi_spec_validator import validate

from tests.test_tenancy_walker import API_PREFIX, company_patterns, needs_token

from .conftest import TokenClient


def _endpoints() -> set[tuple[str, str]]:
    """Every REST endpoint as (path as OpenAPI writes it, method), from Django's resolver."""
    found = set()
    for route, name in company_patterns():
        if not needs_token(route):
            continue
        path = "/acme/api/" + route[len(API_PREFIX) :]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
        found.add((path, name))
    return found


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(org, member_membership):
    response = TokenClient(member_membership).get("/acme/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)  # raises on an invalid OpenAPI document
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    operations = {
        (path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for operation in methods.values()
    }
    paths = {path for path, _ in operations}
    endpoints = _endpoints()
    assert {path for path, _ in endpoints} == paths
    # One operation per URL name (each method of a path has its own name).
    assert len(operations) == len(endpoints) >= 20


def test_a_signed_in_person_reads_the_docs_in_the_browser(org, member, anon):
    page = member.get("/acme/api/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "/acme/api/openapi.json" in html
    assert "<script>" not in html  # the CSP allows no inline script
    assert member.get("/acme/api/openapi.json").status_code == 200
    assert anon.get("/acme/api/docs").status_code == 302  # to sign in
