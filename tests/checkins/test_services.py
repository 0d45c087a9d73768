import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from guardian.shortcuts import assign_perm

from checkins.models import CheckIn
from checkins.services import checkin_delete, checkin_submit
from objectives.models import KeyResult
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
)


def test_checkin_moves_the_kr_and_records_the_previous_value(my_kr, member_membership):
    checkin = checkin_submit(
        kr=my_kr, author=member_membership, value="42.5", confidence="at_risk", note=" ok "
    )
    my_kr.refresh_from_db()
    assert my_kr.current_value == Decimal("42.5")
    assert my_kr.confidence == "at_risk"
    assert my_kr.last_checkin_at == checkin.created_at
    assert (checkin.previous_value, checkin.previous_confidence) == (Decimal(0), "on_track")
    assert checkin.note == "ok"


@pytest.mark.parametrize(
    "value, note, field",
    [
        ("abc", "", "value"),
        ("NaN", "", "value"),
        ("Infinity", "", "value"),
        ("1", "x" * 100_000, "note"),
    ],
)
def test_bad_input_stores_nothing(my_kr, member_membership, value, note, field):
    with pytest.raises(ValidationError) as info:
        checkin_submit(
            kr=my_kr, author=member_membership, value=value, confidence="on_track", note=note
        )
    assert field in info.value.message_dict
    assert not CheckIn.objects.exists()
    my_kr.refresh_from_db()
    assert my_kr.current_value == 0


def test_a_value_far_outside_the_range_is_allowed(my_kr, member_membership):
    checkin_submit(kr=my_kr, author=member_membership, value="-5000", confidence="off_track")
    my_kr.refresh_from_db()
    assert my_kr.current_value == Decimal(-5000)


def test_milestone_takes_only_done_or_not_done(org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective, kind="milestone", start_value=0, target_value=1)
    with pytest.raises(ValidationError):
        checkin_submit(kr=kr, author=member_membership, value="0.5", confidence="on_track")
    checkin_submit(kr=kr, author=member_membership, value="1", confidence="on_track")
    kr.refresh_from_db()
    assert kr.current_value == 1


def test_closed_period_refuses(org, member_membership):
    closed = PeriodFactory(org=org, is_closed=True)
    objective = ObjectiveFactory(org=org, period=closed, owner=member_membership)
    kr = KeyResultFactory(objective=objective)
    with pytest.raises(ValidationError, match="closed"):
        checkin_submit(kr=kr, author=member_membership, value="5", confidence="on_track")
    assert not CheckIn.objects.exists()


def test_someone_elses_kr_is_refused(admins_kr, member_membership):
    with pytest.raises(PermissionDenied):
        checkin_submit(kr=admins_kr, author=member_membership, value="5", confidence="on_track")
    assert not CheckIn.objects.exists()


def test_another_companys_kr_is_not_found(foreign_kr, member_membership):
    with pytest.raises(KeyResult.DoesNotExist):
        checkin_submit(kr=foreign_kr, author=member_membership, value="5", confidence="on_track")
    assert not CheckIn.objects.exists()


def test_a_contributor_granted_through_guardian_may_check_in(admins_kr, member_membership):
    assign_perm("checkin_keyresult", member_membership.user, admins_kr)
    checkin_submit(kr=admins_kr, author=member_membership, value="5", confidence="on_track")
    assert CheckIn.objects.count() == 1


def test_a_team_manager_may_check_in_on_the_teams_kr(org, period, team, manager_membership):
    objective = ObjectiveFactory(org=org, period=period, level="team", team=team, owner=None)
    kr = KeyResultFactory(objective=objective, owner=None)
    checkin_submit(kr=kr, author=manager_membership, value="7", confidence="on_track")
    assert CheckIn.objects.get().author == manager_membership


def test_a_manager_may_not_check_in_on_a_team_members_individual_kr(my_kr, manager_membership):
    with pytest.raises(PermissionDenied):
        checkin_submit(kr=my_kr, author=manager_membership, value="7", confidence="on_track")


def test_deleting_the_latest_checkin_restores_the_kr(my_kr, member_membership):
    first = checkin_submit(kr=my_kr, author=member_membership, value="10", confidence="on_track")
    second = checkin_submit(kr=my_kr, author=member_membership, value="99", confidence="at_risk")
    checkin_delete(checkin=second, actor=member_membership)
    my_kr.refresh_from_db()
    assert (my_kr.current_value, my_kr.confidence) == (Decimal(10), "on_track")
    assert my_kr.last_checkin_at == first.created_at
    checkin_delete(checkin=first, actor=member_membership)
    my_kr.refresh_from_db()
    assert (my_kr.current_value, my_kr.last_checkin_at) == (Decimal(0), None)


def test_deleting_an_older_checkin_leaves_the_kr_alone(my_kr, member_membership):
    first = checkin_submit(kr=my_kr, author=member_membership, value="10", confidence="on_track")
    checkin_submit(kr=my_kr, author=member_membership, value="20", confidence="on_track")
    checkin_delete(checkin=first, actor=member_membership)
    my_kr.refresh_from_db()
    assert my_kr.current_value == 20
    assert CheckIn.objects.count() == 1


def test_only_the_author_may_delete_and_only_for_fifteen_minutes(
    my_kr, member_membership, manager_membership
):
    checkin = checkin_submit(kr=my_kr, author=member_membership, value="10", confidence="on_track")
    with pytest.raises(PermissionDenied):
        checkin_delete(checkin=checkin, actor=manager_membership)
    later = timezone.now() + datetime.timedelta(minutes=16)
    with pytest.raises(PermissionDenied):
        checkin_delete(checkin=checkin, actor=member_membership, now=later)
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_checkins_both_land_and_the_later_value_wins(org, period):
    owner = MembershipFactory(org=org)
    colleague = MembershipFactory(org=org, role="admin")
    kr = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period, owner=owner))
    barrier = threading.Barrier(2)
    order, errors = [], []

    def check_in(author, value):
        try:
            barrier.wait(timeout=10)
            checkin_submit(
                kr=KeyResult.objects.get(pk=kr.pk),
                author=author,
                value=value,
                confidence="on_track",
            )
            order.append(value)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=check_in, args=(owner, "30")),
        threading.Thread(target=check_in, args=(colleague, "45")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    history = list(CheckIn.objects.filter(key_result=kr).order_by("created_at", "id"))
    assert len(history) == 2
    kr.refresh_from_db()
    # The row lock serialises them: the second saw the first's value as its previous value.
    first, second = history
    assert second.previous_value == first.value
    assert first.previous_value == 0
    assert kr.current_value == second.value
    assert sorted(order) == ["30", "45"]
