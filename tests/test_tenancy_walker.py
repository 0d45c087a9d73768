"""Cross-company isolation for EVERY company URL, found by walking Django's resolver.

For each named pattern under ``/<org_slug>/`` the walker fills the URL's ids with objects of
company "acme" and checks:
- anonymous: redirected to sign-in (GET and POST);
- a member of another company, using acme's slug: 404 (GET and POST);
- the same outsider, using their OWN company's slug with acme's ids: 404 (GET and POST),
  and nothing of acme changed;
- acme's admin, GET: not 404 (so the ids were right and the 404s above mean something).

A pattern whose arguments the walker cannot fill fails the test: teach ``FILLERS`` first.

The REST API (``/<org_slug>/api/...``) answers tokens, not sessions: there the walker sends
each persona's own personal access token (``api_headers``), anonymous is 401 instead of a
redirect, and the rest holds as above (an outsider's token on acme's URL is 404).
"""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories as f

ORG_PREFIX = "<slug:org_slug>/"
API_PREFIX = ORG_PREFIX + "api/"
API_SESSION_ROUTES = ("openapi.json", "docs")  # the API's schema and docs: browser pages


def needs_token(route: str) -> bool:
    """Whether ``route`` is a REST endpoint, which only a personal access token opens."""
    return route.startswith(API_PREFIX) and not route.endswith(API_SESSION_ROUTES)


def api_headers(client) -> dict:
    """A read-write token of the persona's membership, made the first time it is asked."""
    if not hasattr(client, "api_headers"):
        from api.services import api_token_create

        _, plain = api_token_create(
            actor=client.membership, name="walker", access="read_write", expires_in_days=1
        )
        client.api_headers = {"Authorization": f"Bearer {plain}"}
    return client.api_headers


def headers_for(client, route: str, **extra) -> dict:
    return {**(api_headers(client) if needs_token(route) else {}), **extra}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + route, ns)
        elif isinstance(entry, URLPattern):
            yield prefix + route, (f"{namespace}{entry.name}" if entry.name else None)


def company_patterns():
    found = []
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(ORG_PREFIX):
            found.append((route, name))
    return found


def route_kwargs(route):
    return [
        m.group(2) for m in re.finditer(r"<(?:(\w+):)?(\w+)>", route) if m.group(2) != "org_slug"
    ]


class BuiltOnDemand:
    """Objects a walker builds the first time a URL asks for them, then reuses."""

    _cache: dict

    def get(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


class World(BuiltOnDemand):
    """One object of every kind in company "acme", built on demand."""

    def __init__(self, org, admin_membership, member_membership, team, period):
        self.org = org
        self.admin = admin_membership
        self.member = member_membership
        self.team = team
        self.period = period
        self._cache = {}

    @property
    def objective(self):
        return self.get(
            "objective",
            lambda: f.ObjectiveFactory(org=self.org, period=self.period, owner=self.member),
        )

    @property
    def other_objective(self):  # a look-alike pair's other side
        return self.get(
            "other", lambda: f.ObjectiveFactory(org=self.org, period=self.period, owner=self.admin)
        )

    @property
    def kr(self):
        return self.get("kr", lambda: f.KeyResultFactory(objective=self.objective))


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _checkin(w):
    CheckIn = _model("checkins.CheckIn")  # noqa: N806
    assert CheckIn is not None, "checkin_id used in a URL but no checkins.CheckIn model"
    # The admin's own (recent) check-in: its delete confirmation page answers them 200.
    return CheckIn.objects.create(
        org=w.org, key_result=w.kr, author=w.admin, value=5, previous_value=0, note="walker"
    ).pk


def _schedule(w):
    Schedule = _model("checkins.ReminderSchedule")  # noqa: N806
    assert Schedule is not None, "schedule_id used in a URL but no checkins.ReminderSchedule"
    return Schedule.objects.create(org=w.org, name="Walker reminder").pk


def _comment(w):
    Comment = _model("conversations.Comment")  # noqa: N806
    assert Comment is not None, "comment_id used in a URL but no conversations.Comment model"
    # The admin's own comment: its edit and delete pages answer them 200.
    return Comment.objects.create(org=w.org, objective=w.objective, author=w.admin, body="Hi").pk


def _notification(w):
    Notification = _model("notifications.Notification")  # noqa: N806
    assert Notification is not None, "notification_id used in a URL but no Notification model"
    # The admin's own: opening it answers them a redirect to the conversation.
    return Notification.objects.create(
        org=w.org, recipient=w.admin, kind="mention", actor=w.member, objective=w.objective
    ).pk


def _alignment_request(w):
    AlignmentRequest = _model("alignment.AlignmentRequest")  # noqa: N806
    assert AlignmentRequest is not None, "request_id used in a URL but no AlignmentRequest"
    return AlignmentRequest.objects.create(
        org=w.org, child=w.objective, parent=w.other_objective, requested_by=w.member
    ).pk


def _dependency(w):
    Dependency = _model("dependencies.Dependency")  # noqa: N806
    assert Dependency is not None, "dependency_id used in a URL but no Dependency model"
    # The member's objective needs something of the admin: the admin may answer it.
    return Dependency.objects.create(
        org=w.org,
        objective=w.objective,
        requested_by=w.member,
        from_person=w.admin,
        what="Walker",
        needed_by=w.period.end,
    ).pk


def _also_supports(w):
    AlsoSupports = _model("alignment.AlsoSupports")  # noqa: N806
    assert AlsoSupports is not None, "link_id used in a URL but no alignment.AlsoSupports"
    return AlsoSupports.objects.create(
        org=w.org, objective=w.objective, supported=w.other_objective
    ).pk


def _token(w):
    from api.services import api_token_create

    # The admin's own: its revoke confirmation page answers them 200.
    token, _ = api_token_create(actor=w.admin, name="Walker", access="read", expires_in_days=1)
    return token.pk


FILLERS = {
    "objective_id": lambda w: w.objective.pk,
    "kr_id": lambda w: w.kr.pk,
    "other_id": lambda w: w.other_objective.pk,
    "team_id": lambda w: w.team.pk,
    "membership_id": lambda w: w.member.pk,
    "person_id": lambda w: w.member.pk,
    "invitation_id": lambda w: w.get("invitation", lambda: f.InvitationFactory(org=w.org)).pk,
    "period_id": lambda w: w.period.pk,
    "theme_id": lambda w: w.get("theme", lambda: f.StrategicThemeFactory(org=w.org)).pk,
    "checkin_id": lambda w: w.get("checkin", lambda: _checkin(w)),
    "schedule_id": lambda w: w.get("schedule", lambda: _schedule(w)),
    "comment_id": lambda w: w.get("comment", lambda: _comment(w)),
    "notification_id": lambda w: w.get("notification", lambda: _notification(w)),
    "request_id": lambda w: w.get("alignment_request", lambda: _alignment_request(w)),
    "dependency_id": lambda w: w.get("dependency", lambda: _dependency(w)),
    "link_id": lambda w: w.get("also_supports", lambda: _also_supports(w)),
    "token_id": lambda w: w.get("token", lambda: _token(w)),
}


def tenant_row_counts(org):
    counts = {}
    for model in apps.get_models():
        if any(field.name == "org" for field in model._meta.fields):
            counts[model._meta.label] = model._default_manager.filter(org=org).count()
    return counts


@pytest.fixture
def world(org, admin_membership, member_membership, team, period):
    return World(org, admin_membership, member_membership, team, period)


def test_walker_finds_the_company_pages():
    names = {name for _, name in company_patterns()}
    assert "objectives:my" in names
    assert "organizations:people" in names
    assert len(names) >= 5


def test_every_company_url_is_named_and_fillable():
    for route, name in company_patterns():
        assert name, f"Company URL {route!r} has no name; name it so the walker can reverse it."
        missing = [kw for kw in route_kwargs(route) if kw not in FILLERS]
        assert not missing, f"{name}: teach tests/test_tenancy_walker.py FILLERS {missing}"


def _urls(world, slug, *, with_route=False):
    for route, name in company_patterns():
        kwargs = {kw: FILLERS[kw](world) for kw in route_kwargs(route)}
        url = reverse(name, kwargs={"org_slug": slug, **kwargs})
        yield (name, bool(kwargs), url, route) if with_route else (name, bool(kwargs), url)


def test_anonymous_is_sent_to_sign_in_everywhere(world, anon):
    for name, _, url, route in _urls(world, world.org.slug, with_route=True):
        for method in ("get", "post"):
            response = getattr(anon, method)(url)
            if needs_token(route):  # an API client gets an answer it can read, not a page
                assert response.status_code == 401, (name, method, response.status_code)
                assert response.json()["code"] == "token_required", name
                continue
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login")), name


def test_other_company_member_gets_404_on_every_url(world, outsider):
    urls = list(_urls(world, world.org.slug, with_route=True))  # builds acme's objects first
    before = tenant_row_counts(world.org)
    for name, _, url, route in urls:
        for method in ("get", "post"):
            response = getattr(outsider, method)(url, headers=headers_for(outsider, route))
            assert response.status_code == 404, (name, method, response.status_code)
        response = outsider.get(url, headers=headers_for(outsider, route, **{"HX-Request": "true"}))
        assert response.status_code == 404, (name, "htmx get", response.status_code)
    assert tenant_row_counts(world.org) == before


def test_foreign_ids_under_own_company_slug_are_404(world, outsider):
    """The outsider's own company URL with acme's object ids: not found, nothing changes."""
    own_slug = outsider.membership.org.slug
    urls = list(_urls(world, own_slug, with_route=True))
    before = tenant_row_counts(world.org)
    checked = 0
    for name, has_ids, url, route in urls:
        if not has_ids:
            continue
        checked += 1
        headers = headers_for(outsider, route, **{"HX-Request": "true"})
        statuses = {
            method: getattr(outsider, method)(url, headers=headers).status_code
            for method in ("get", "post")
        }
        # A GET-only page may answer 405 to POST (and vice versa) before any lookup,
        # but the method it serves must say "not found".
        assert set(statuses.values()) <= {404, 405}, (name, statuses)
        assert 404 in statuses.values(), (name, statuses)
    assert tenant_row_counts(world.org) == before
    assert checked or not any(route_kwargs(r) for r, _ in company_patterns())


def test_company_admin_reaches_every_url(world, admin):
    for name, _, url, route in _urls(world, world.org.slug, with_route=True):
        response = admin.get(url, headers=headers_for(admin, route))
        assert response.status_code in (200, 302, 405), (name, response.status_code)
