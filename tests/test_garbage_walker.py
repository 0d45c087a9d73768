"""No company URL answers 500 to garbage, whatever the form or query string.

Walks every company URL (as the tenancy walker does) as the company's admin and sends it
empty and absurd input: non-numeric numbers, ids that do not exist or are not numbers, huge
strings, markup. Each answer must be a page or a form error (< 500), never a crash.
"""

import pytest
from django.urls import reverse

from tests.test_tenancy_walker import FILLERS, World, company_patterns, headers_for, route_kwargs

HUGE = "x" * 10_000
GARBAGE = {
    "title": HUGE,
    "name": HUGE,
    "description": HUGE,
    "note": "n" * 100_000,
    "email": "not-an-email",
    "role": "emperor",
    "value": "twelve",
    "start_value": "NaN",
    "target_value": "1e400",
    "current_value": "-",
    "weight": "-3",
    "confidence": "great",
    "kind": "sideways",
    "unit": "furlongs",
    "currency_code": "EURO!",
    "period": "abc",
    "team": "999999999",
    "owner": "-1",
    "parent": "zzz",
    "theme": "1.5",
    "level": "galaxy",
    "visibility": "secret",
    "status": "maybe",
    "start": "2026-02-30",
    "end": "yesterday",
    "kind_of_period": "decade",
    "fiscal_year": "MMXXVI",
    "direction": "sideways",
    "action": "explode",
    "membership": "abc",
    "teams": ["abc", "999999999"],
    "cadence": "hourly",
    "send_time": "25:61",
    "day_of_month": "99",
    "days_before_quarter_end": "-5",
    "stale_days": "many",
    "co_owner": "perhaps",
    "person": "abc",
    "colour": "red",
    "decision": "shrug",
    "comment": "c" * 100_000,
    "review_required": "perhaps",
    "what": HUGE,
    "answer": HUGE,
    "from_team": "abc",
    "from_person": "999999999",
    "needed_by": "2026-13-45",
    "proposed_date": "soon",
    "key_result": "-1",
    "reply": "maybe",
}
QUERY = "?period=abc&page=zzz&team=-1&stale_days=abc&q=%3Cscript%3E&objective=x&level=z&expand=1"


@pytest.fixture
def world(org, admin_membership, member_membership, team, period):
    return World(org, admin_membership, member_membership, team, period)


def _urls(world):
    for route, name in company_patterns():
        kwargs = {kw: FILLERS[kw](world) for kw in route_kwargs(route)}
        yield name, reverse(name, kwargs={"org_slug": world.org.slug, **kwargs}), route


DESTRUCTIVE = ("delete", "deactivate", "revoke", "withdraw")


def test_no_company_url_crashes_on_garbage(world, admin):
    # Destructive actions last, so the objects stay there for every other form.
    urls = sorted(_urls(world), key=lambda item: any(w in item[0] for w in DESTRUCTIVE))
    for name, url, route in urls:
        # The REST API's endpoints get the admin's token, and garbage as JSON too.
        plain, htmx = headers_for(admin, route), headers_for(admin, route, **{"HX-Request": "1"})
        json = {"content_type": "application/json", "headers": plain}
        for label, response in [
            ("GET with garbage query", admin.get(url + QUERY, headers=plain)),
            ("htmx GET with garbage query", admin.get(url + QUERY, headers=htmx)),
            ("empty POST", admin.post(url, {}, headers=plain)),
            ("garbage POST", admin.post(url, GARBAGE, headers=plain)),
            ("htmx garbage POST", admin.post(url, GARBAGE, headers=htmx)),
            ("garbage JSON POST", admin.post(url, GARBAGE, **json)),
            ("not JSON POST", admin.post(url, "{'title': ", **json)),
        ]:
            assert response.status_code < 500, (name, label, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/settings/",
        "/accounts/password-reset/",
        "/accounts/reset/abc/def/",
        "/accounts/signup/sent/",
        "/accounts/signup/confirm/not-a-token/",
        "/invitations/not-a-token/",
        "/",
    ],
)
def test_account_pages_do_not_crash_on_garbage(path, admin, anon):
    garbage = {
        **GARBAGE,
        "password": "",
        "org_slug": "admin",
        "org_name": HUGE,
        "full_name": HUGE,
        "next": "https://evil.example/",
        "new_password1": "a",
        "new_password2": "b",
    }
    for client in (admin, anon):
        for response in (
            client.get(path + QUERY),
            client.post(path, {}),
            client.post(path, garbage),
        ):
            assert response.status_code < 500, (path, response.status_code)
