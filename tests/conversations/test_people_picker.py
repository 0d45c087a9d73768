"""The @ people picker's choices: the company's active people whose name (or a later word of
it) starts with what follows the "@", for the listbox static/js/mentions.js fills."""

import re

import pytest
from django.urls import reverse

from conversations import services
from conversations.models import Mention
from tests.factories import MembershipFactory, ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}


def people(client, q):
    url = reverse("conversations:people", kwargs={"org_slug": "acme"})
    return client.get(url, {"q": q}, **HX)


def names(response) -> list[str]:
    return re.findall(r'data-mention="([^"]*)"', response.content.decode())


@pytest.fixture
def company(org, other_org):
    MembershipFactory(org=org, user__full_name="Mara Lindqvist", job_title="Head of Marketing")
    MembershipFactory(org=org, user__full_name="Omar Marlow")
    MembershipFactory(org=org, user__full_name="Tamara Ek")  # "mar" inside a word: not offered
    MembershipFactory(org=org, user__full_name="Mark Gone", is_active=False)
    MembershipFactory(org=other_org, user__full_name="Martin Elsewhere")


def test_people_whose_name_starts_with_the_letters_first_then_a_later_word(member, company):
    response = people(member, "mar")
    assert response.status_code == 200
    assert names(response) == ["Mara Lindqvist", "Omar Marlow"]
    page = response.content.decode()
    assert 'role="option"' in page and "Head of Marketing" in page
    assert names(people(member, "Mara L")) == ["Mara Lindqvist"]


def test_nobody_found_says_so_and_offers_nothing_to_pick(member, company):
    response = people(member, "zz<b>")
    assert names(response) == []
    page = response.content.decode()
    assert 'aria-disabled="true"' in page and "zz&lt;b&gt;" in page


def test_what_the_picker_inserts_is_what_the_mention_parser_reads(
    member_membership, company, org, period
):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    for name in names(people(_client(member_membership), "Omar")):
        comment = services.comment_create(
            actor=member_membership, objective=objective, body=f"Thanks @{name} for this"
        )
        assert [m.membership.user.full_name for m in Mention.objects.filter(comment=comment)] == [
            name
        ]


def _client(membership):
    from django.test import Client

    client = Client()
    client.force_login(membership.user)
    return client


@pytest.mark.parametrize("size", [5, 200])
def test_the_picker_costs_the_same_queries_however_large_the_company(
    django_assert_max_num_queries, member, org, size
):
    MembershipFactory.create_batch(size, org=org)
    for i in range(12):
        MembershipFactory(org=org, user__full_name=f"Sam Number{i}")
    # Session, user, membership, the people.
    with django_assert_max_num_queries(4):
        response = people(member, "sam")
    assert len(names(response)) == 8  # the first eight: type more of a name for others
