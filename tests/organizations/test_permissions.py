"""Who may open the company-administration pages: admins only; everyone else inside is 403."""

import pytest
from django.urls import reverse

from organizations.models import Membership, Team
from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# (url name, method, kwarg needed). Statuses are the admin's; non-admins always get 403.
PAGES = [
    ("people", "get", None, 200),
    ("invite", "post", None, 200),  # empty form: re-rendered with errors
    ("invite", "get", None, 405),
    ("person-role", "post", "membership_id", 200),  # no role posted: error shown
    ("person-deactivate", "post", "membership_id", 302),
    ("person-reactivate", "post", "membership_id", 302),
    ("invitation-resend", "post", "invitation_id", 302),
    ("invitation-revoke", "post", "invitation_id", 302),
    ("teams", "get", None, 200),
    ("teams", "post", None, 200),  # empty form: re-rendered with errors
    ("team-edit", "get", "team_id", 200),
    ("team-edit", "post", "team_id", 200),
    ("team-members", "get", "team_id", 200),
    ("team-members", "post", "team_id", 200),
]

ROLE_TABLE = [
    (persona, method, name, kwarg, admin_status if persona == "admin" else 403)
    for name, method, kwarg, admin_status in PAGES
    for persona in ("admin", "manager", "member")
]


@pytest.mark.parametrize(("persona", "method", "url_name", "kwarg", "expected"), ROLE_TABLE)
def test_role_table(request, org, team, persona, method, url_name, kwarg, expected):
    client = request.getfixturevalue(persona)
    target = MembershipFactory(org=org, role=Membership.Role.MEMBER)
    ids = {
        "membership_id": target.pk,
        "invitation_id": InvitationFactory(org=org).pk,
        "team_id": team.pk,
    }
    kwargs = {"org_slug": org.slug}
    if kwarg:
        kwargs[kwarg] = ids[kwarg]
    before = (
        list(Membership.objects.values_list("pk", "role", "is_active").order_by("pk")),
        list(Team.objects.values_list("pk", "name").order_by("pk")),
    )
    response = getattr(client, method)(reverse(f"organizations:{url_name}", kwargs=kwargs))
    assert response.status_code == expected
    if expected == 403:
        after = (
            list(Membership.objects.values_list("pk", "role", "is_active").order_by("pk")),
            list(Team.objects.values_list("pk", "name").order_by("pk")),
        )
        assert after == before


@pytest.mark.parametrize("url_name", ["people", "teams"])
def test_anonymous_is_sent_to_login_and_outsider_gets_404(anon, outsider, org, url_name):
    path = reverse(f"organizations:{url_name}", kwargs={"org_slug": org.slug})
    response = anon.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert outsider.get(path).status_code == 404
