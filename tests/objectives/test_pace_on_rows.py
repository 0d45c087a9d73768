"""My OKRs shows each key result against its pace: a mark on the bar where it should be by
today, and the gap in words beside its last check-in (issue 16: progress against pace first)."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from objectives.models import KeyResult
from organizations.clock import company_today
from tests.factories import KeyResultFactory, ObjectiveFactory, PeriodFactory


def _my_okrs(client, org):
    return client.get(reverse("objectives:my", kwargs={"org_slug": org.slug})).content.decode()


def _running_period(org, days_in=50, days_left=50):
    today = company_today(org)
    return PeriodFactory(
        org=org,
        start=today - datetime.timedelta(days=days_in),
        end=today + datetime.timedelta(days=days_left),
        is_current=True,
    )


def _kr(org, period, owner, *, current, kind="increase", days_old=50):
    objective = ObjectiveFactory(org=org, period=period, owner=owner, title="Grow followers")
    kr = KeyResultFactory(
        objective=objective, title="Gain followers", kind=kind, current_value=Decimal(current)
    )
    KeyResult.objects.filter(pk=kr.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_old)
    )
    return kr


def test_a_key_result_behind_its_pace_says_by_how_much(org, member, member_membership):
    _kr(org, _running_period(org), member_membership, current=10)  # half the period gone
    html = _my_okrs(member, org)
    assert "40 points behind pace (50% expected)" in html
    assert 'class="pace pace-behind"' in html
    # The mark sits half-way along the 120 px bar, and the bar's name says it too.
    assert re.search(r'<rect class="bar-pace" x="59" width="2"', html)
    assert "Gain followers: 10%, 50% expected by today" in html


def test_a_key_result_ahead_or_on_pace_says_so(org, member, member_membership):
    period = _running_period(org)
    _kr(org, period, member_membership, current=80)
    html = _my_okrs(member, org)
    assert "ahead of pace (50% expected by today)" in html
    KeyResult.objects.update(current_value=Decimal(52))
    assert "on pace (50% expected by today)" in _my_okrs(member, org)


def test_a_young_key_result_is_measured_from_the_day_it_was_written(org, member, member_membership):
    # Written today in a period half gone: nothing is expected of it yet.
    _kr(org, _running_period(org), member_membership, current=0, days_old=0)
    assert "on pace (0% expected by today)" in _my_okrs(member, org)


def test_no_pace_for_milestones_or_periods_not_running(org, member, member_membership):
    today = company_today(org)
    past = PeriodFactory(
        org=org,
        start=today - datetime.timedelta(days=200),
        end=today - datetime.timedelta(days=100),
    )
    _kr(org, _running_period(org), member_membership, current=0, kind="milestone")
    html = _my_okrs(member, org)
    assert "bar-pace" not in html and "pace (" not in html
    _kr(org, past, member_membership, current=10)
    html = member.get(
        reverse("objectives:my", kwargs={"org_slug": org.slug}) + f"?period={past.pk}"
    ).content.decode()
    assert "Gain followers" in html
    assert "bar-pace" not in html and "behind pace" not in html
