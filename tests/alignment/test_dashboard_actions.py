"""The dashboards' lists act in place: "not a duplicate", "align one under the other" and
"nudge the owner", each with htmx (the row is swapped) and as a plain POST (back to the
dashboard), with their permissions, privacy and query budget."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alignment.figures import compute_scopes
from alignment.models import DashboardSnapshot, DuplicateDismissal
from audit.models import AuditEntry
from checkins.models import KRNudge
from objectives.models import KeyResult, Objective
from organizations.models import Organization
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
NEWSLETTER = "Grow the newsletter to 10,000 engaged readers"


def url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme", **kwargs})


def dashboard(client, periods, **kwargs):
    return client.get(url("alignment:dashboard", **kwargs), {"period": periods["q2"].pk})


def duplicates_list(client, periods) -> str:
    body = dashboard(client, periods).content.decode()
    return body[body.index('id="list-duplicates"') : body.index('id="list-at-risk"')]


@pytest.fixture
def pair(org, periods, teams, make_objective):
    """Marketing's and Sales' look-alike team objectives (sibling teams: neither may align
    under the other)."""
    first = make_objective("team:marketing", "q2", title=NEWSLETTER)
    second = make_objective("team:sales", "q2", title=NEWSLETTER.replace("Grow", "Grow up"))
    return first, second


@pytest.fixture
def alignable_pair(org, periods, teams, make_objective):
    """A Sales person's objective that looks like Marketing's: it may align under it."""
    team_objective = make_objective("team:marketing", "q2", title="Launch the partner programme")
    seller = TeamMembershipFactory(team=teams["sales"]).membership
    mine = make_objective("individual", "q2", owner=seller, title="Launch a partner programme")
    return team_objective, mine


def dismiss_url(a, b):
    return url("alignment:duplicate-dismiss", objective_id=a.pk, other_id=b.pk)


def test_not_a_duplicate_removes_the_pair_for_the_company(admin, manager, periods, pair):
    assert NEWSLETTER in duplicates_list(admin, periods)
    response = manager.post(dismiss_url(*pair), {"next": "/acme/alignment/dashboard/?x=1"})
    assert response.status_code == 302
    assert response["Location"] == "/acme/alignment/dashboard/?x=1"
    assert DuplicateDismissal.objects.filter(dismissed_by=manager.membership).count() == 1
    for client in (admin, manager):
        body = duplicates_list(client, periods)
        assert NEWSLETTER not in body
        assert "No two teams' objectives look alike." in body
    # Remembered, whoever asks again and in whichever order.
    assert admin.post(dismiss_url(pair[1], pair[0])).status_code == 302
    assert DuplicateDismissal.objects.count() == 1


def test_not_a_duplicate_with_htmx_swaps_the_row(admin, periods, pair):
    response = admin.post(dismiss_url(*pair), headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="dup-row"' in body and "no longer listed as possible duplicates" in body
    assert "<html" not in body


def test_a_dismissal_does_not_hide_another_companys_pair(admin, periods, pair):
    other = OrganizationFactory(slug="globex")
    quarter = PeriodFactory(org=other, kind="quarter")
    a = ObjectiveFactory(org=other, period=quarter, title=NEWSLETTER)
    b = ObjectiveFactory(org=other, period=quarter, title=NEWSLETTER + " soon")
    admin.post(dismiss_url(*pair))
    assert not DuplicateDismissal.objects.filter(org=other).exists()
    figures = compute_scopes(other, quarter)["company"]["lists"]["duplicates"]
    assert figures["total"] == 1 and figures["shown"][0][1:3] == sorted([a.pk, b.pk])


def test_align_one_under_the_other_is_offered_only_when_allowed(
    admin, manager, periods, pair, alignable_pair
):
    team_objective, mine = alignable_pair
    body = dashboard(admin, periods).content.decode()
    assert "Align “Launch a partner programme” under the other" in body
    # Sibling teams' pair: the rules allow no link, so nothing is offered.
    assert body.count("under the other</button>") == 1
    # The Marketing manager may not edit the Sales person's objective: not offered.
    assert "under the other</button>" not in dashboard(manager, periods).content.decode()


def test_align_one_under_the_other_aligns_through_the_service(admin, periods, alignable_pair):
    team_objective, mine = alignable_pair
    align = url("alignment:duplicate-align", objective_id=team_objective.pk, other_id=mine.pk)
    response = admin.post(align, {"child": mine.pk}, headers=HTMX)
    assert response.status_code == 200
    assert "now aligns to" in response.content.decode()
    mine.refresh_from_db()
    assert mine.parent_id == team_objective.pk
    assert (
        AuditEntry.objects.get(action="objective.align", target_id=mine.pk).actor
        == admin.membership
    )
    # One serves the other now: no longer listed as duplicated work.
    assert "Launch a partner programme" not in duplicates_list(admin, periods)


def test_align_one_under_the_other_refused_by_the_rules_says_why(admin, periods, pair):
    first, second = pair
    align = url("alignment:duplicate-align", objective_id=first.pk, other_id=second.pk)
    response = admin.post(align, {"child": first.pk}, headers=HTMX)
    assert response.status_code == 200
    assert "can only align to a company objective" in response.content.decode()
    first.refresh_from_db()
    assert first.parent_id is None
    response = admin.post(align, {"child": first.pk})  # plain POST: back, with the message
    assert response.status_code == 302


# Nudges -------------------------------------------------------------------------------------


@pytest.fixture
def silent_kr(org, periods, teams, make_objective, member_membership):
    """Marketing's team objective with a KR owned by Mia, silent for three weeks."""
    objective = make_objective("team:marketing", "q2", title="Own the podcast charts")
    kr = KeyResultFactory(objective=objective, owner=member_membership, title="Reach top 10")
    KeyResult.objects.filter(pk=kr.pk).update(
        last_checkin_at=timezone.now() - datetime.timedelta(days=21),
        updated_at=timezone.now() - datetime.timedelta(days=21),
    )
    return kr


def nudge(client, kr, **kwargs):
    return client.post(url("checkins:kr-nudge", kr_id=kr.pk), **kwargs)


def test_nudge_emails_the_owner_once_a_day_and_shows_on_the_dashboard(
    manager, periods, silent_kr, member_membership, django_capture_on_commit_callbacks
):
    body = dashboard(manager, periods).content.decode()
    assert "Reach top 10" in body and "Nudge the owner" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = nudge(manager, silent_kr, headers=HTMX, data={"next": ""})
    assert response.status_code == 200
    assert "nudged today" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member_membership.user.email]
    assert "Reach top 10" in message.subject and "Max Manager" in message.subject
    assert f"/acme/krs/{silent_kr.pk}/" in message.body
    stored = KRNudge.objects.get()
    assert (stored.nudged_by, stored.recipient) == (manager.membership, member_membership)
    assert stored.sent_at is not None
    # A second nudge the same company day: refused, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        again = nudge(manager, silent_kr)
    assert again.status_code == 302
    assert len(mail.outbox) == 1 and KRNudge.objects.count() == 1
    body = dashboard(manager, periods).content.decode()
    assert "nudged today" in body
    # Two days on, the dashboard says so, and a new nudge may go.
    KRNudge.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    KRNudge.objects.update(day=timezone.now().date() - datetime.timedelta(days=2))
    body = dashboard(manager, periods).content.decode()
    assert "nudged 2 days ago" in body
    with django_capture_on_commit_callbacks(execute=True):
        assert nudge(manager, silent_kr).status_code == 302
    assert len(mail.outbox) == 2


def test_nudge_of_a_private_key_result_one_may_not_see_is_404(
    manager, org, periods, teams, make_objective
):
    outsider_of_team = MembershipFactory(org=org)
    hidden = make_objective("individual", "q2", owner=outsider_of_team, title="Private")
    Objective.objects.filter(pk=hidden.pk).update(visibility=Objective.Visibility.PRIVATE)
    kr = KeyResultFactory(objective=hidden)
    assert nudge(manager, kr).status_code == 404
    assert not KRNudge.objects.exists()


@pytest.mark.parametrize(
    ("persona", "action", "expected"),
    [
        ("admin", "nudge", 302),
        ("manager", "nudge", 302),
        ("member", "nudge", 403),
        ("outsider", "nudge", 404),
        ("admin", "dismiss", 302),
        ("manager", "dismiss", 302),
        ("member", "dismiss", 403),
        ("outsider", "dismiss", 404),
        ("admin", "align", 302),
        ("manager", "align", 403),
        ("member", "align", 403),
        ("outsider", "align", 404),
        ("anon", "nudge", 302),
    ],
)
def test_dashboard_action_permissions(
    request, persona, action, expected, silent_kr, alignable_pair
):
    client = request.getfixturevalue(persona)
    team_objective, mine = alignable_pair
    if action == "nudge":
        response = nudge(client, silent_kr)
    elif action == "dismiss":
        response = client.post(dismiss_url(team_objective, mine))
    else:
        align = url("alignment:duplicate-align", objective_id=team_objective.pk, other_id=mine.pk)
        response = client.post(align, {"child": mine.pk})
    assert response.status_code == expected
    if expected != 302 or persona == "anon":
        assert not KRNudge.objects.exists() and not DuplicateDismissal.objects.exists()
        mine.refresh_from_db()
        assert mine.parent_id is None


@pytest.mark.parametrize("size", [1, 4])
def test_dashboard_with_nudges_keeps_its_query_budget(
    admin,
    manager,
    org,
    periods,
    teams,
    make_objective,
    member_membership,
    size,
    django_assert_max_num_queries,
):
    old = timezone.now() - datetime.timedelta(days=30)
    for i in range(size * 3):
        objective = make_objective("team:marketing", "q2", title=f"Silent plan {i}")
        kr = KeyResultFactory(objective=objective, owner=member_membership)
        KeyResult.objects.filter(pk=kr.pk).update(last_checkin_at=old, updated_at=old)
        KRNudge.objects.create(
            org=org,
            key_result=kr,
            nudged_by=admin.membership,
            recipient=member_membership,
            day=timezone.now().date(),
        )
    dashboard(admin, periods)  # builds the stored figures
    for client in (admin, manager):  # (one of them: "Dependencies needing attention")
        with django_assert_max_num_queries(8 if client is admin else 10):
            body = dashboard(client, periods).content.decode()
        assert body.count("nudged today") == size * 3


def test_figures_a_little_behind_already_leave_out_a_dismissed_pair(
    admin, periods, pair, settings, django_assert_max_num_queries
):
    """While the stored figures are rebuilt in the background (a broker is configured), a
    pair someone just dismissed is already gone from the list and its count."""
    assert NEWSLETTER in duplicates_list(admin, periods)  # stored figures built
    admin.post(dismiss_url(*pair))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_MAX_LAG_SECONDS = 600
    with django_assert_max_num_queries(8):
        body = duplicates_list(admin, periods)
    assert NEWSLETTER not in body
    assert 'class="badge list-total">0<' in body
    stored = DashboardSnapshot.objects.get(scope="company", period=periods["q2"])
    assert stored.version < Organization.objects.get(pk=stored.org_id).data_version  # not rebuilt


def test_the_duplicated_share_counts_the_listed_pairs_objectives(admin, periods, pair):
    def share(body):
        return int(re.search(r"Duplicated share: (\d+) of", body).group(1))

    body = dashboard(admin, periods).content.decode()
    listed_ids = set(re.findall(r'id="dup-(\d+)-(\d+)"', body)[0])
    assert share(body) == len(listed_ids) == 2
    admin.post(dismiss_url(*pair))
    assert share(dashboard(admin, periods).content.decode()) == 0
