"""Carrying an objective over into a later period: once, with its KRs, linked both ways."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from closing import services
from closing.models import CarryOver
from objectives.models import Objective
from tests.closing.conftest import grade_all
from tests.factories import KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def carry(objective, actor, into, start_from="ended"):
    return services.objective_carry_over(
        actor=actor, objective=objective, into_period=into, start_from=start_from
    )


def test_it_carries_over_from_where_the_krs_ended(closing, mine, next_quarter, member_membership):
    grade_all(mine, member_membership, outcome="postponed")
    copy = carry(mine, member_membership, next_quarter)
    assert copy.period == next_quarter and copy.title == "Grow"
    assert copy.owner == member_membership
    krs = list(copy.key_results.order_by("position", "id"))
    # "Posts" reached its target: nothing left to do, so it stays behind.
    assert [(kr.title, kr.start_value, kr.current_value) for kr in krs] == [
        ("Followers", Decimal(40), Decimal(40))
    ]
    assert CarryOver.objects.get(source=mine).copy == copy


def test_it_carries_over_with_reset_start_values(closing, mine, next_quarter, member_membership):
    copy = carry(mine, member_membership, next_quarter, start_from="reset")
    assert sorted((kr.title, kr.start_value) for kr in copy.key_results.all()) == [
        ("Followers", Decimal(0)),
        ("Posts", Decimal(0)),
    ]


def test_carrying_twice_is_refused_with_a_clear_message(
    closing, mine, next_quarter, member_membership
):
    carry(mine, member_membership, next_quarter)
    with pytest.raises(ValidationError, match="carried over already: it continues in"):
        carry(mine, member_membership, next_quarter)
    assert Objective.objects.filter(title="Grow").count() == 2
    other = ObjectiveFactory(org=mine.org, period=next_quarter, owner=member_membership)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        CarryOver.objects.create(
            org=mine.org, source=mine, copy=other, start_from="ended", carried_at=other.created_at
        )


def test_achieved_or_dropped_and_open_periods_do_not_carry(
    quarter, mine, next_quarter, member_membership, admin_membership
):
    with pytest.raises(ValidationError, match="being closed or closed"):
        carry(mine, member_membership, next_quarter)
    services.period_closing_start(period=quarter, actor=admin_membership)
    quarter.refresh_from_db()
    for outcome in ("achieved", "dropped"):
        grade_all(mine, member_membership, outcome=outcome)
        with pytest.raises(ValidationError, match="only unfinished or postponed"):
            carry(Objective.objects.get(pk=mine.pk), member_membership, next_quarter)


def test_only_into_a_later_period(closing, mine, member_membership, org):
    from tests.factories import PeriodFactory

    earlier = PeriodFactory(
        org=org, start=closing.start.replace(month=1), end=closing.start.replace(month=3, day=31)
    )
    with pytest.raises(ValidationError, match="starts after"):
        carry(mine, member_membership, earlier)


def test_alignment_is_kept_only_where_the_parent_continues_too(
    closing, next_quarter, org, admin_membership, member_membership
):
    parent = ObjectiveFactory(org=org, period=closing, level="company", owner=None, title="Top")
    KeyResultFactory(objective=parent)
    child = ObjectiveFactory(org=org, period=closing, owner=member_membership, parent=parent)
    KeyResultFactory(objective=child)
    lonely_parent = ObjectiveFactory(
        org=org, period=closing, level="company", owner=None, title="Stays"
    )
    orphan = ObjectiveFactory(
        org=org, period=closing, owner=member_membership, parent=lonely_parent
    )
    # The child first: its parent has not continued yet, so the copy is unaligned...
    child_copy = carry(child, member_membership, next_quarter)
    assert child_copy.parent_id is None
    # ...until the parent continues too: the child's copy follows it.
    parent_copy = carry(parent, admin_membership, next_quarter)
    child_copy.refresh_from_db()
    assert child_copy.parent_id == parent_copy.pk
    # A later child is aligned at once; one whose parent stays behind is not.
    sibling = ObjectiveFactory(org=org, period=closing, owner=member_membership, parent=parent)
    assert carry(sibling, member_membership, next_quarter).parent_id == parent_copy.pk
    assert carry(orphan, member_membership, next_quarter).parent_id is None


def test_the_form_keeps_the_choice_and_links_both_ways(
    closing, mine, next_quarter, member, member_membership
):
    url = reverse("closing:carry-over", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    bad = member.post(url, {"into_period": "999999", "start_from": "reset"})
    body = bad.content.decode()
    assert bad.status_code == 200 and "Choose one of the later periods listed." in body
    assert 'value="reset" id="id_start_from_1" checked' in body or (
        'value="reset"' in body and "checked" in body
    )
    response = member.post(url, {"into_period": next_quarter.pk, "start_from": "ended"})
    assert response.status_code == 302
    copy = CarryOver.objects.get(source=mine).copy
    source_page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    ).content.decode()
    assert f'Continued in <a href="/acme/objectives/{copy.pk}/' in source_page or (
        "Continued in" in source_page and next_quarter.name in source_page
    )
    copy_page = member.get(
        reverse("objectives:objective", kwargs={"org_slug": "acme", "objective_id": copy.pk})
    ).content.decode()
    assert "Continued from" in copy_page and closing.name in copy_page
    again = member.get(url).content.decode()
    assert "carried over already" in again


def test_without_a_later_open_period_the_page_says_so(closing, mine, member, next_quarter):
    next_quarter.is_closed = True
    next_quarter.save(update_fields=["is_closed"])
    url = reverse("closing:carry-over", kwargs={"org_slug": "acme", "objective_id": mine.pk})
    assert "No later period is open" in member.get(url).content.decode()


def test_the_periods_page_marks_a_period_being_closed(closing, admin):
    page = admin.get(reverse("config:periods", kwargs={"org_slug": "acme"})).content.decode()
    assert "Being closed: grading" in page
