"""Example OKRs: the empty My OKRs offers them; "Start from this" fills the new-objective form."""

import datetime

import pytest
from django.urls import reverse

from objectives.examples import BY_KEY, EXAMPLES
from objectives.models import Objective
from tests.factories import PeriodFactory

pytestmark = pytest.mark.django_db


def test_examples_cover_each_function_with_measurable_key_results():
    assert {e.function for e in EXAMPLES} >= {
        "Sales",
        "Marketing",
        "Engineering",
        "Support",
        "People",
    }
    assert len(BY_KEY) == len(EXAMPLES)
    for example in EXAMPLES:
        assert 2 <= len(example.key_results) <= 3  # fits the quick form's rows
        for kr in example.key_results:
            assert kr.start != kr.target


def test_member_without_objectives_sees_what_to_do_and_the_examples(member, org, period):
    html = member.get(reverse("objectives:my", kwargs={"org_slug": org.slug})).content.decode()
    assert "Write your first objective" in html
    assert "Align it to a team or company objective" in html
    for example in EXAMPLES:
        assert example.title in html
        link = f"/acme/objectives/new/?example={example.key}&amp;period={period.pk}"
        assert f'href="{link}"' in html
    assert 'Qualified pipeline for next quarter (k€): <span class="nowrap">400 → 1000' in html


def test_member_with_an_objective_sees_no_examples(member, org, my_objective):
    html = member.get(reverse("objectives:my", kwargs={"org_slug": org.slug})).content.decode()
    assert "Write your first objective" not in html
    assert "Start from this" not in html


def test_start_from_this_prefills_the_title_and_key_results(member, org, period):
    example = BY_KEY["support-fast-answers"]
    response = member.get(
        reverse("objectives:objective-new", kwargs={"org_slug": org.slug}),
        {"example": example.key},
    )
    assert response.context["form"]["title"].value() == example.title
    rows = [
        (f["title"].value(), f["start_value"].value(), f["target_value"].value())
        for f in response.context["kr_formset"]
    ]
    assert rows == [(kr.title, kr.start, kr.target) for kr in example.key_results]
    html = response.content.decode()
    assert 'value="Hours to first response (median)"' in html
    assert 'name="kr-TOTAL_FORMS" value="3"' in html


def test_unknown_example_is_an_empty_form(member, org, period):
    response = member.get(
        reverse("objectives:objective-new", kwargs={"org_slug": org.slug}), {"example": "nope"}
    )
    assert response.status_code == 200
    assert response.context["form"]["title"].value() is None
    assert len(response.context["kr_formset"].forms) == 3


def test_an_example_saves_as_an_objective_with_its_key_results(member, org, period):
    example = BY_KEY["engineering-delivery"]
    data = {
        "title": example.title,
        "period": period.pk,
        "level": "individual",
        "owner": member.membership.pk,
        "visibility": "public",
        "status": "active",
        "kr-TOTAL_FORMS": "3",
        "kr-INITIAL_FORMS": "3",
    }
    for i, kr in enumerate(example.key_results):
        data |= {
            f"kr-{i}-title": kr.title,
            f"kr-{i}-start_value": str(kr.start),
            f"kr-{i}-target_value": str(kr.target),
        }
    response = member.post(reverse("objectives:objective-new", kwargs={"org_slug": org.slug}), data)
    assert response.status_code == 302
    objective = Objective.objects.get(org=org, title=example.title)
    saved = list(objective.key_results.order_by("position", "pk"))
    assert [(kr.title, kr.kind) for kr in saved] == [
        ("Deploys to production per week", "increase"),
        ("Changes that cause an incident (%)", "decrease"),
        ("Hours from merge to production (median)", "decrease"),
    ]


def test_start_from_this_in_another_period_goes_in_that_period(member, org, period):
    later = PeriodFactory(
        org=org, name="Later", start=datetime.date(2031, 1, 1), end=datetime.date(2031, 3, 31)
    )
    my = member.get(
        reverse("objectives:my", kwargs={"org_slug": org.slug}), {"period": later.pk}
    ).content.decode()
    assert f"?example=sales-pipeline&amp;period={later.pk}" in my
    response = member.get(
        reverse("objectives:objective-new", kwargs={"org_slug": org.slug}),
        {"example": "sales-pipeline", "period": later.pk},
    )
    assert response.context["form"]["period"].value() in (later, later.pk)
    # Without ?period= (or with another company's or a bad one), the current quarter.
    for query in ({}, {"period": "999999"}, {"period": "x"}):
        response = member.get(
            reverse("objectives:objective-new", kwargs={"org_slug": org.slug}), query
        )
        assert response.context["form"]["period"].value() in (period, period.pk)
