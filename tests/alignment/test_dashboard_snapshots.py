"""Stored dashboard figures: they follow writes, serve a bounded lag with a broker, show
each viewer only the private work they may see, and answer any silence threshold."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from alignment import snapshots, tasks
from alignment.dashboard import build_dashboard
from alignment.models import DashboardSnapshot
from checkins.services import checkin_submit
from objectives.models import KeyResult
from organizations.models import Organization, note_data_change
from organizations.services import team_add_member
from tests.factories import KeyResultFactory, MembershipFactory, TeamMembershipFactory


def url(org, name, **kwargs):
    return reverse(f"alignment:{name}", kwargs={"org_slug": org.slug, **kwargs})


def board_for(org, period, membership, roots=None, **kwargs):
    return build_dashboard(org=org, period=period, membership=membership, roots=roots, **kwargs)


@pytest.fixture
def goal(make_objective, member_membership):
    """An unaligned individual objective of the member (in Marketing) with one KR at 20%."""
    objective = make_objective(
        "individual", "q2", owner=member_membership, title="Ship the onboarding flow"
    )
    KeyResultFactory(objective=objective, owner=member_membership, current_value=20)
    return objective


def test_a_checkin_shows_on_the_next_visit_without_a_broker(
    org, periods, admin_membership, member_membership, goal
):
    before = board_for(org, periods["q2"], admin_membership)
    assert before.metrics.progress == Decimal("0.2")
    checkin_submit(
        kr=goal.key_results.get(), author=member_membership, value="80", confidence="on_track"
    )
    after = board_for(org, periods["q2"], admin_membership)
    assert after.metrics.progress == Decimal("0.8")
    assert after.as_of >= before.as_of


def test_with_a_broker_a_recent_snapshot_serves_while_one_rebuild_is_queued(
    org, periods, admin_membership, member_membership, goal, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.DASHBOARD_MAX_LAG_SECONDS = 60
    queued = []
    monkeypatch.setattr(
        tasks.refresh_dashboard_snapshots, "delay", lambda *args: queued.append(args)
    )
    period = periods["q2"]
    cache.delete(f"dashboard-refresh:{org.pk}:{period.pk}")  # Redis outlives test databases
    board_for(org, period, admin_membership)  # first visit: built in the request
    checkin_submit(
        kr=goal.key_results.get(), author=member_membership, value="80", confidence="on_track"
    )
    with pytest.MonkeyPatch.context() as patch:  # on_commit runs at once in these tests
        patch.setattr(snapshots.transaction, "on_commit", lambda fn: fn())
        lagging = board_for(org, period, admin_membership)
        board_for(org, period, admin_membership)
    assert lagging.metrics.progress == Decimal("0.2")  # the figures of a moment ago
    assert queued == [(org.pk, period.pk)]  # one rebuild for both visits

    assert tasks.refresh_dashboard_snapshots(org.pk, period.pk) > 1  # the worker's run
    assert board_for(org, period, admin_membership).metrics.progress == Decimal("0.8")


def test_a_snapshot_older_than_the_lag_is_rebuilt_in_the_request(
    org, periods, admin_membership, member_membership, goal, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    period = periods["q2"]
    board_for(org, period, admin_membership)
    checkin_submit(
        kr=goal.key_results.get(), author=member_membership, value="60", confidence="on_track"
    )
    DashboardSnapshot.objects.filter(org=org).update(
        computed_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert board_for(org, period, admin_membership).metrics.progress == Decimal("0.6")


def test_team_changes_move_the_data_version_and_the_figures(
    org, periods, teams, admin_membership, goal
):
    marketing = teams["marketing"]
    before = board_for(org, periods["q2"], admin_membership, roots={marketing.pk})
    version = Organization.objects.get(pk=org.pk).data_version
    team_add_member(team=marketing, membership=MembershipFactory(org=org), actor=admin_membership)
    assert Organization.objects.get(pk=org.pk).data_version == version + 1
    after = board_for(org, periods["q2"], admin_membership, roots={marketing.pk})
    assert after.metrics.people == before.metrics.people + 1


def test_a_renamed_person_shows_under_the_new_name_on_the_next_dashboard(
    admin, member, org, periods, goal
):
    dashboard = url(org, "dashboard") + f"?period={periods['q2'].pk}"
    assert "Ship the onboarding flow" in admin.get(dashboard).content.decode()
    version = Organization.objects.get(pk=org.pk).data_version
    member.post(reverse("accounts:settings"), {"full_name": "Mia Renamed"})
    assert Organization.objects.get(pk=org.pk).data_version == version + 1
    assert "Mia Renamed" in admin.get(dashboard).content.decode()
    member.post(reverse("accounts:settings"), {"full_name": "Mia Renamed"})  # no change
    assert Organization.objects.get(pk=org.pk).data_version == version + 1


def test_saving_a_company_loaded_earlier_keeps_the_newer_data_version(org):
    stale_copy = Organization.objects.get(pk=org.pk)
    note_data_change(org.pk)
    newer = Organization.objects.get(pk=org.pk).data_version
    stale_copy.name = "Acme Corporation"
    stale_copy.save()
    assert Organization.objects.get(pk=org.pk).data_version == newer


def test_private_work_is_listed_only_for_people_who_may_see_it(
    org, periods, teams, admin_membership, manager_membership, make_objective
):
    """The manager leads Marketing: a private objective of a Marketing person is theirs to
    see, a private one in Sales is not; the numbers count both for everybody."""
    marketer, seller = MembershipFactory(org=org), MembershipFactory(org=org)
    TeamMembershipFactory(team=teams["marketing"], membership=marketer)
    TeamMembershipFactory(team=teams["sales"], membership=seller)
    for owner, title in ((marketer, "Private marketing bet"), (seller, "Private sales bet")):
        make_objective("individual", "q2", owner=owner, title=title, visibility="private")
    make_objective("individual", "q2", owner=seller, title="Public sales plan")
    period = periods["q2"]

    def unaligned(board):
        return {o.title for o in board.unaligned}, board.unaligned_total

    admin_sees = board_for(org, period, admin_membership)
    assert unaligned(admin_sees) == (
        {"Private marketing bet", "Private sales bet", "Public sales plan"},
        3,
    )
    # Growth (Marketing's parent) and Sales: the manager's company-wide view of two teams.
    both = {teams["growth"].pk, teams["sales"].pk}
    manager_sees = board_for(org, period, manager_membership, roots=both)
    assert unaligned(manager_sees) == ({"Private marketing bet", "Public sales plan"}, 2)
    assert manager_sees.metrics.objectives == admin_sees.metrics.objectives == 3


def test_silence_threshold_is_answered_from_the_stored_figures(
    org, periods, admin_membership, make_objective
):
    objective = make_objective("team:marketing", "q2", title="Quiet team work")
    now = timezone.now()
    for days in (3, 10, 20):
        kr = KeyResultFactory(objective=objective, title=f"Silent {days} days")
        KeyResult.objects.filter(pk=kr.pk).update(
            last_checkin_at=now - datetime.timedelta(days=days, hours=1)
        )

    def silent(stale_days):
        board = board_for(org, periods["q2"], admin_membership, stale_days=stale_days)
        return [(s.title, s.days) for s in board.stale], board.stale_total

    assert silent(5) == ([("Silent 20 days", 20), ("Silent 10 days", 10)], 2)
    assert silent(15) == ([("Silent 20 days", 20)], 1)
    assert silent(1) == (
        [("Silent 20 days", 20), ("Silent 10 days", 10), ("Silent 3 days", 3)],
        3,
    )


def test_the_page_says_when_its_figures_were_computed(admin, org, periods, goal):
    body = admin.get(url(org, "dashboard"), {"period": periods["q2"].pk}).content.decode()
    assert "Figures as of" in body and "Ship the onboarding flow" in body


def test_a_manager_of_many_teams_gets_a_scope_that_fits_its_column():
    from alignment.figures import SCOPE_KEY_LENGTH, scope_key

    many = range(100_000, 100_080)
    assert len(scope_key(many)) <= SCOPE_KEY_LENGTH
    assert scope_key(many) == scope_key(reversed(many))  # the same teams, the same row
    assert scope_key(many) != scope_key(range(100_000, 100_081))
    assert scope_key([7, 3]) == "teams:3,7" and scope_key([7]) == "team:7"
