"""Inside a company, an id the person may not see answers exactly like an id that does not
exist, on EVERY company URL, found by walking Django's resolver (as the tenancy walker does).

For each named pattern with ids and each of its ids, the walker builds two URLs that differ
in that id only: one names a row the viewer may not see (``HIDDEN``: a private objective that
is not theirs, its key result, a check-in on it, and the same again with a draft that is
not theirs instead of the private objective; for kinds nothing inside a company hides,
another company's row), the other an id that does not exist. GET, POST and an htmx GET of
the two must get the same status, the same redirect and the same page (tokens and the ids
themselves aside). A URL kwarg without a ``HIDDEN`` filler fails the test: teach it first.

Ids taken from the query string or the form (the parent picker's ``objective``, "write a
supporting objective"'s ``parent``, the align form's ``parent``, the writing coach's
``objective`` and ``parent``) are walked from ``QUERY_IDS``.
"""

import re

import pytest
from django.urls import reverse

from objectives.models import Objective
from tests import factories as f
from tests.test_tenancy_walker import (
    FILLERS,
    BuiltOnDemand,
    World,
    company_patterns,
    headers_for,
    route_kwargs,
)

MISSING_ID = 987_654_321


# What hides an objective: being private, or being a draft (a public one, not yet published).
HIDING = {
    "private": {"visibility": Objective.Visibility.PRIVATE},
    "draft": {"status": Objective.Status.DRAFT},
}


class Hidden(BuiltOnDemand):
    """What the viewer (a member of acme's "Marketing" team) may not see."""

    def __init__(self, world: World, other_org, hiding="private"):
        self.world = world
        self.other_org = other_org
        self.hiding = HIDING[hiding]
        self._cache = {}

    @property
    def objective(self):  # the admin's private objective (or draft): the admin is in no team
        w = self.world
        return self.get(
            "objective",
            lambda: f.ObjectiveFactory(
                org=w.org,
                period=w.period,
                owner=w.admin,
                title="Secret merger plan",
                **self.hiding,
            ),
        )

    @property
    def kr(self):
        return self.get(
            "kr", lambda: f.KeyResultFactory(objective=self.objective, title="Secret KR")
        )

    @property
    def checkin(self):
        return self.get(
            "checkin",
            lambda: f.CheckInFactory(key_result=self.kr, author=self.world.admin),
        )

    @property
    def comment(self):
        from conversations.models import Comment

        return self.get(
            "comment",
            lambda: Comment.objects.create(
                org=self.world.org,
                objective=self.objective,
                author=self.world.admin,
                body="Secret talk",
            ),
        )

    @property
    def notification(self):  # someone else's, about the private objective
        from notifications.models import Notification

        return self.get(
            "notification",
            lambda: Notification.objects.create(
                org=self.world.org,
                recipient=self.world.admin,
                kind="comment",
                objective=self.objective,
            ),
        )

    @property
    def alignment_request(self):  # the private objective asks to align to a public one
        from alignment.models import AlignmentRequest

        w = self.world
        return self.get(
            "alignment_request",
            lambda: AlignmentRequest.objects.create(
                org=w.org, child=self.objective, parent=w.objective, requested_by=w.admin
            ),
        )

    @property
    def dependency(self):  # the private objective needs something of the admin
        from dependencies.models import Dependency

        return self.get(
            "dependency",
            lambda: Dependency.objects.create(
                org=self.world.org,
                objective=self.objective,
                requested_by=self.world.admin,
                from_person=self.world.admin,
                what="Secret due diligence",
                needed_by=self.world.period.end,
            ),
        )

    @property
    def also_supports(self):  # the private objective also supports a public one
        from alignment.models import AlsoSupports

        w = self.world
        return self.get(
            "also_supports",
            lambda: AlsoSupports.objects.create(
                org=w.org, objective=self.objective, supported=w.objective
            ),
        )

    @property
    def token(self):  # someone else's personal access token (the admin's)
        from api.services import api_token_create

        return self.get(
            "token",
            lambda: api_token_create(
                actor=self.world.admin, name="Secret", access="read", expires_in_days=1
            )[0],
        )

    def foreign(self, key, build):
        return self.get(f"foreign-{key}", build)


HIDDEN = {
    # Private inside the company.
    "objective_id": lambda h: h.objective.pk,
    "other_id": lambda h: h.objective.pk,
    "kr_id": lambda h: h.kr.pk,
    "checkin_id": lambda h: h.checkin.pk,
    "comment_id": lambda h: h.comment.pk,
    "notification_id": lambda h: h.notification.pk,
    "request_id": lambda h: h.alignment_request.pk,
    "dependency_id": lambda h: h.dependency.pk,
    "link_id": lambda h: h.also_supports.pk,
    "token_id": lambda h: h.token.pk,
    # Nothing inside a company hides these: another company's row is the hidden one.
    "team_id": lambda h: h.foreign("team", lambda: f.TeamFactory(org=h.other_org)).pk,
    "membership_id": lambda h: h.foreign("person", lambda: f.MembershipFactory(org=h.other_org)).pk,
    "person_id": lambda h: h.foreign("person", lambda: f.MembershipFactory(org=h.other_org)).pk,
    "invitation_id": lambda h: (
        h.foreign("invitation", lambda: f.InvitationFactory(org=h.other_org)).pk
    ),
    "period_id": lambda h: h.foreign("period", lambda: f.PeriodFactory(org=h.other_org)).pk,
    "theme_id": lambda h: h.foreign("theme", lambda: f.StrategicThemeFactory(org=h.other_org)).pk,
    "schedule_id": lambda h: (
        h.foreign("schedule", lambda: f.ReminderScheduleFactory(org=h.other_org)).pk
    ),
}

# (URL name, method, where the id goes: "query" or "form", its name, other form fields)
QUERY_IDS = [
    ("alignment:picker", "get", "query", "objective", {}),
    ("objectives:objective-new", "get", "query", "parent", {}),
    ("alignment:align", "post", "form", "parent", {}),
    ("alignment:also-supports-add", "post", "form", "supported", {}),
    # The writing coach: the objective being edited, and the parent typed into the form.
    ("objectives:coach", "post", "form", "objective", {"title": "Merger plan"}),
    ("objectives:coach", "post", "form", "parent", {"title": "Merger plan", "level": "team"}),
    # The admins' change log narrowed to one objective (anyone else: 403 either way).
    ("history:log", "get", "query", "objective", {}),
    ("history:log-csv", "get", "query", "objective", {}),
]

_TOKENS = [
    re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'),
    re.compile(r'"X-CSRFToken": ?"[^"]*"'),
    re.compile(r'csrf[^"\s]*" content="[^"]*"'),
]


def _shape(response, *ids) -> tuple:
    """What a person can tell from an answer: status, redirect target, content type, page."""
    body = response.content.decode(errors="replace")
    location = response.get("Location", "")
    for token in _TOKENS:
        body = token.sub("<token>", body)
    for pk in ids:
        body = re.sub(rf"\b{pk}\b", "<id>", body)
        location = re.sub(rf"\b{pk}\b", "<id>", location)
    return response.status_code, location, response.get("Content-Type", ""), body


@pytest.fixture
def world(org, admin_membership, member_membership, team, period):
    return World(org, admin_membership, member_membership, team, period)


@pytest.fixture(params=sorted(HIDING))
def hidden(world, other_org, request):
    """A private objective, and a draft: every test below runs with each."""
    return Hidden(world, other_org, request.param)


def test_every_url_id_has_a_hidden_filler():
    for route, name in company_patterns():
        missing = [kw for kw in route_kwargs(route) if kw not in HIDDEN]
        assert not missing, f"{name}: teach tests/test_privacy_walker.py HIDDEN {missing}"


def _requests(client, url, route=""):
    """GET, POST and an htmx GET (with the persona's token on a REST endpoint)."""
    yield "get", client.get(url, headers=headers_for(client, route))
    yield "post", client.post(url, headers=headers_for(client, route))
    yield "htmx get", client.get(url, headers=headers_for(client, route, **{"HX-Request": "true"}))


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_hidden_and_missing_ids_get_identical_answers_everywhere(world, hidden, persona, request):
    viewer = request.getfixturevalue(persona)
    checked = 0
    for route, name in company_patterns():
        kwargs = route_kwargs(route)
        for kw in kwargs:
            base = {k: FILLERS[k](world) for k in kwargs if k != kw}
            secret = HIDDEN[kw](hidden)
            urls = [
                reverse(name, kwargs={"org_slug": world.org.slug, **base, kw: pk})
                for pk in (secret, MISSING_ID)
            ]
            answers = [dict(_requests(viewer, url, route)) for url in urls]
            for method in answers[0]:
                shown, missing = (_shape(a[method], secret, MISSING_ID) for a in answers)
                assert shown == missing, (name, kw, method, shown[:3], missing[:3])
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_hidden_and_missing_ids_in_queries_and_forms_get_identical_answers(
    world, hidden, persona, request
):
    viewer = request.getfixturevalue(persona)
    # The viewer's own objective (theirs to align) for the URL's own id.
    own = f.ObjectiveFactory(org=world.org, period=world.period, owner=viewer.membership)
    for name, method, where, field, data in QUERY_IDS:
        route = next(r for r, n in company_patterns() if n == name)
        kwargs = {k: own.pk for k in route_kwargs(route)}
        url = reverse(name, kwargs={"org_slug": world.org.slug, **kwargs})
        answers = []
        for pk in (hidden.objective.pk, MISSING_ID):
            params = {**data, field: str(pk)}
            if where == "query":
                response = getattr(viewer, method)(url, params)
            else:
                response = viewer.post(url, params, headers={"HX-Request": "true"})
            answers.append(_shape(response, hidden.objective.pk, MISSING_ID))
        assert answers[0] == answers[1], (name, field, answers[0][:3], answers[1][:3])
        assert "Secret merger plan" not in answers[0][3]
    own.refresh_from_db()
    assert own.parent_id is None


def test_private_objective_is_404_not_403_on_the_six_endpoints(world, hidden, member):
    """The endpoints that answered 403 for a private id and 404 for a missing one."""
    slug = world.org.slug
    objective, kr = hidden.objective, hidden.kr
    answers = {
        "kr history": member.get(reverse("checkins:kr-history", args=[slug, kr.pk])),
        "check-in form": member.get(
            reverse("checkins:create", args=[slug, kr.pk]), headers={"HX-Request": "true"}
        ),
        "check-in POST": member.post(
            reverse("checkins:create", args=[slug, kr.pk]), {"value": "5"}
        ),
        "alignment panel": member.get(reverse("alignment:subtree", args=[slug, objective.pk])),
        "parent picker": member.get(
            reverse("alignment:picker", args=[slug]), {"objective": objective.pk}
        ),
        "align POST": member.post(reverse("alignment:align", args=[slug, objective.pk]), {}),
    }
    assert {what: r.status_code for what, r in answers.items()} == {what: 404 for what in answers}
    kr.refresh_from_db()
    assert kr.current_value == 0  # the check-in POST changed nothing


def test_visible_but_not_theirs_still_answers_403(world, member):
    """403 stays for what the person sees but may not change: the admin's public objective."""
    slug = world.org.slug
    response = member.post(reverse("alignment:align", args=[slug, world.other_objective.pk]), {})
    assert response.status_code == 403


# Downloads of a period (sheets/, closing/): what a person may not see is in none of them.
EXPORTS = ["sheets:period-csv", "sheets:period-xlsx", "closing:report-csv"]


def _download_text(response) -> str:
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # a workbook: its cells, not its compressed bytes
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return repr([list(row) for sheet in workbook for row in sheet.iter_rows(values_only=True)])
    return content.decode("utf-8-sig")


@pytest.mark.parametrize("persona", ["member", "manager"])
def test_exports_leave_out_what_the_person_may_not_see(world, hidden, persona, request):
    viewer = request.getfixturevalue(persona)
    # The hidden objective with a key result and a check-in; something they see too.
    f.CheckInFactory(key_result=hidden.kr, author=world.admin, note="Secret note")
    f.CheckInFactory(key_result=world.kr, author=world.admin, note="Open note")
    names = {name for _, name in company_patterns()}
    for name in EXPORTS:
        assert name in names, name
        url = reverse(name, kwargs={"org_slug": world.org.slug, "period_id": world.period.pk})
        response = viewer.get(url)
        assert response.status_code == 200, name
        text = _download_text(response)
        assert world.objective.title in text or name == "closing:report-csv", name
        for secret in ("Secret merger plan", "Secret KR", "Secret note"):
            assert secret not in text, (name, secret)
