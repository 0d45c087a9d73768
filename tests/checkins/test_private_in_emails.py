"""No e-mail shows a key result to someone who may not see its objective.

The rule, for every automatic e-mail (reminders, nudges): a KR is listed only for a person
who may see its objective (``objectives.permissions``); otherwise it is left out, and when
nothing remains no e-mail goes.
"""

import datetime
import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from guardian.shortcuts import assign_perm

from checkins import reminders
from checkins.models import KRNudge, ReminderDelivery
from checkins.nudges import send_nudge
from checkins.services import kr_nudge
from objectives.access import who_sees
from objectives.models import KeyResult, Objective
from objectives.permissions import can_view_objective
from organizations.models import Membership
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2025, 1, 31, 8, 5, tzinfo=UTC)  # the last Friday of January, 09:05
PRIVATE = Objective.Visibility.PRIVATE
SECRETS = ("Secret merger", "Buy Globex quietly")


@pytest.fixture
def quarter(org):
    org.time_zone = "Europe/Oslo"
    org.save(update_fields=["time_zone"])
    return PeriodFactory(org=org, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31))


@pytest.fixture
def schedule(org):
    return ReminderScheduleFactory(
        org=org,
        name="Monthly check-in",
        cadence="monthly",
        monthly_rule="weekday",
        week=-1,
        weekday=4,
        send_time=datetime.time(9, 0),
        created_at=NOW - datetime.timedelta(days=90),
    )


def _secret_kr(org, quarter, owner_of_objective, kr_owner):
    """A KR owned by ``kr_owner`` on ``owner_of_objective``'s private objective."""
    objective = ObjectiveFactory(
        org=org,
        period=quarter,
        owner=owner_of_objective,
        visibility=PRIVATE,
        title="Buy Globex quietly",
    )
    return KeyResultFactory(objective=objective, owner=kr_owner, title="Secret merger")


def _own_kr(org, quarter, person, title):
    objective = ObjectiveFactory(org=org, period=quarter, owner=person, title=f"{title} goal")
    return KeyResultFactory(objective=objective, owner=person, title=title)


def _age_krs(org):
    KeyResult.objects.filter(org=org).update(created_at=NOW - datetime.timedelta(days=30))


def _send(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_in_process(now=NOW)
    return {m.to[0]: m for m in mail.outbox}


def _shows_secret(message) -> bool:
    html = message.alternatives[0][0]
    return any(s in message.body or s in html or s in message.subject for s in SECRETS)


def test_reminder_leaves_out_a_kr_whose_private_objective_its_owner_may_not_see(
    org, quarter, schedule, admin_membership, member_membership, django_capture_on_commit_callbacks
):
    _secret_kr(org, quarter, admin_membership, member_membership)
    _own_kr(org, quarter, member_membership, "Gain followers")
    _age_krs(org)
    sent = _send(django_capture_on_commit_callbacks)
    message = sent[member_membership.user.email]
    assert "Gain followers" in message.body
    assert not _shows_secret(message)


def test_no_reminder_when_every_kr_is_on_an_objective_they_may_not_see(
    org, quarter, schedule, admin_membership, member_membership, django_capture_on_commit_callbacks
):
    _secret_kr(org, quarter, admin_membership, member_membership)
    _age_krs(org)
    sent = _send(django_capture_on_commit_callbacks)
    assert member_membership.user.email not in sent
    assert not ReminderDelivery.objects.filter(membership=member_membership).exists()


def test_reminder_lists_a_private_kr_its_owner_may_see(
    org, quarter, schedule, admin_membership, member_membership, django_capture_on_commit_callbacks
):
    """Shared with them (or theirs, or their report's): listed as before."""
    kr = _secret_kr(org, quarter, admin_membership, member_membership)
    assign_perm("objectives.share_objective", member_membership.user, kr.objective)
    _age_krs(org)
    sent = _send(django_capture_on_commit_callbacks)
    assert "Secret merger" in sent[member_membership.user.email].body


def test_a_manager_sees_their_reports_private_kr_but_not_another_teams(
    org, quarter, schedule, manager_membership, member_membership,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Managers see their teams' (and sub-teams') private work: the one audience the
    dispatcher's query cannot judge exactly, so the sender does."""
    report_kr = _secret_kr(org, quarter, member_membership, manager_membership)
    report_kr.objective.title = "Report's private plan"
    report_kr.objective.save()
    stranger = MembershipFactory(org=org)
    TeamMembershipFactory(team=TeamFactory(org=org, name="Sales"), membership=stranger)
    _secret_kr(org, quarter, stranger, manager_membership)
    _age_krs(org)
    sent = _send(django_capture_on_commit_callbacks)
    body = sent[manager_membership.user.email].body
    assert "Report's private plan" in body
    assert "Buy Globex quietly" not in body


def test_a_manager_whose_every_kr_is_hidden_gets_no_email(
    org, quarter, schedule, manager_membership, django_capture_on_commit_callbacks
):
    stranger = MembershipFactory(org=org)
    _secret_kr(org, quarter, stranger, manager_membership)
    _age_krs(org)
    sent = _send(django_capture_on_commit_callbacks)
    assert manager_membership.user.email not in sent
    assert set(
        ReminderDelivery.objects.filter(membership=manager_membership).values_list(
            "status", flat=True
        )
    ) <= {ReminderDelivery.Status.SKIPPED}


def test_nudge_about_a_kr_its_owner_may_not_see_is_refused(
    org, period, admin_membership, member_membership, django_capture_on_commit_callbacks
):
    kr = _secret_kr(org, period, admin_membership, member_membership)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError, match="may not see this objective"),
    ):
        kr_nudge(kr=kr, actor=admin_membership)
    assert mail.outbox == []
    assert not KRNudge.objects.exists()


def test_nudge_made_private_before_it_is_sent_is_not_sent(
    org, period, admin_membership, member_membership
):
    objective = ObjectiveFactory(org=org, period=period, owner=admin_membership)
    kr = KeyResultFactory(objective=objective, owner=member_membership, title="Secret merger")
    nudge = kr_nudge(kr=kr, actor=admin_membership)  # on_commit not run: not sent yet
    Objective.objects.filter(pk=objective.pk).update(visibility=PRIVATE)
    assert send_nudge(nudge.pk) is False
    assert mail.outbox == []


def test_who_sees_agrees_with_the_page_rule(org, period, team, admin_membership):
    """The bulk rule the e-mails use is the one the pages use, person by person."""
    sub = TeamFactory(org=org, parent=team, name="Sub")
    other = TeamFactory(org=org, name="Other")
    manager = MembershipFactory(org=org, role=Membership.Role.MANAGER)
    TeamMembershipFactory(team=team, membership=manager, is_manager=True)
    in_sub, outside, granted = (MembershipFactory(org=org) for _ in range(3))
    TeamMembershipFactory(team=sub, membership=in_sub)
    TeamMembershipFactory(team=other, membership=outside)
    people = [admin_membership, manager, in_sub, outside, granted]
    objectives = [
        ObjectiveFactory(org=org, period=period, owner=owner, visibility=visibility, **extra)
        for owner, visibility, extra in [
            (in_sub, PRIVATE, {}),
            (outside, PRIVATE, {}),
            (outside, Objective.Visibility.PUBLIC, {}),
            (None, PRIVATE, {"level": "team", "team": sub}),
            (None, PRIVATE, {"level": "team", "team": other}),
            # Drafts are seen like private objectives, whatever their visibility.
            (in_sub, Objective.Visibility.PUBLIC, {"status": Objective.Status.DRAFT}),
            (outside, Objective.Visibility.PUBLIC, {"status": Objective.Status.SUBMITTED}),
            (
                None,
                Objective.Visibility.PUBLIC,
                {"level": "team", "team": other, "status": "draft"},
            ),
        ]
    ]
    assign_perm("objectives.share_objective", granted.user, objectives[1])
    pairs = list(itertools.product(people, objectives))
    seen = who_sees(org.pk, ((m.pk, o) for m, o in pairs))
    expected = {(m.pk, o.pk) for m, o in pairs if can_view_objective(m, o)}
    assert seen == expected
    assert (outside.pk, objectives[0].pk) not in seen  # the table is not trivially full
