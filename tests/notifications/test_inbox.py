"""The inbox: mentions and comments on what you own, never about what you may not see."""

import pytest
from django.urls import reverse

from conversations import services as talk
from notifications.models import Notification
from objectives.models import Objective
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"notifications:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture
def objective(org, period, member_membership):
    return ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow")


def test_a_mention_and_a_comment_on_what_you_own_reach_the_inbox(
    member, manager, objective, manager_membership, member_membership
):
    name = manager_membership.user.full_name
    talk.comment_create(actor=manager_membership, objective=objective, body="Nice work!")
    talk.comment_create(actor=member_membership, objective=objective, body=f"Thanks @{name}")
    # The owner hears of the manager's comment; the manager of the mention; nobody of their own.
    assert set(Notification.objects.values_list("recipient_id", "kind")) == {
        (member_membership.pk, "comment"),
        (manager_membership.pk, "mention"),
    }
    page = manager.get(url("inbox")).content.decode()
    assert "mentioned you on" in page and "Grow" in page and "Thanks @" in page
    assert (
        manager.get(url("count"), **HX)
        .content.decode()
        .startswith('<span class="inbox-count">1</span>')
    )


def test_the_inbox_quotes_a_comment_in_plain_words(member, objective, manager_membership):
    body = "Impressions are up **3x**, see [the report](https://example.com/r)."
    talk.comment_create(actor=manager_membership, objective=objective, body=body)
    page = member.get(url("inbox")).content.decode()
    assert "Impressions are up 3x, see the report." in page
    assert "**" not in page and "](" not in page


def test_a_key_results_owner_hears_of_a_comment_on_it(org, objective, manager_membership):
    owner = MembershipFactory(org=org)
    kr = KeyResultFactory(objective=objective, owner=owner)
    talk.comment_create(actor=manager_membership, objective=objective, key_result=kr, body="?")
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        owner.pk,
        objective.owner_id,
    }


def test_editing_tells_only_the_newly_mentioned(org, objective, member_membership):
    ann = MembershipFactory(org=org, user__full_name="Ann Lee")
    bob = MembershipFactory(org=org, user__full_name="Bob Ray")
    comment = talk.comment_create(actor=member_membership, objective=objective, body="@Ann Lee")
    talk.comment_edit(actor=member_membership, comment=comment, body="@Ann Lee and @Bob Ray")
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [ann.pk, bob.pk]
    )


def test_no_one_is_told_about_what_they_may_not_see(
    org, period, admin_membership, member_membership, member, objective
):
    private = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility=Objective.Visibility.PRIVATE
    )
    name = member_membership.user.full_name
    talk.comment_create(actor=admin_membership, objective=private, body=f"@{name} secret")
    assert not Notification.objects.filter(recipient=member_membership).exists()
    # One they were told of disappears when its objective becomes private.
    other = MembershipFactory(org=org)
    talk.comment_create(actor=other, objective=objective, body="Hello")
    assert member.get(url("count"), **HX).content.decode().startswith('<span class="inbox-count">1')
    notification = Notification.objects.get(recipient=member_membership)
    Objective.objects.filter(pk=objective.pk).update(
        visibility=Objective.Visibility.PRIVATE, owner=admin_membership
    )
    assert "inbox-count" not in member.get(url("count"), **HX).content.decode()
    assert "Hello" not in member.get(url("inbox")).content.decode()
    assert member.get(url("open", notification_id=notification.pk)).status_code == 404


def test_opening_marks_read_and_goes_to_the_conversation(
    manager, objective, manager_membership, member_membership, admin
):
    talk.comment_create(
        actor=member_membership,
        objective=objective,
        body=f"@{manager_membership.user.full_name} look",
    )
    notification = Notification.objects.get(recipient=manager_membership)
    assert admin.get(url("open", notification_id=notification.pk)).status_code == 404
    response = manager.get(url("open", notification_id=notification.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(f"/objectives/{objective.pk}/#conversation")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "inbox-count" not in manager.get(url("count"), **HX).content.decode()


def test_mark_all_as_read(member, objective, org):
    for i in range(3):
        talk.comment_create(actor=MembershipFactory(org=org), objective=objective, body=f"{i}")
    assert member.post(url("read-all")).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_bell_is_on_every_company_page_and_polls_for_its_number(member):
    page = member.get(reverse("objectives:my", kwargs={"org_slug": "acme"})).content.decode()
    assert f'href="{url("inbox")}"' in page
    assert f'hx-get="{url("count")}" hx-trigger="load delay:200ms, every 60s"' in page


@pytest.mark.parametrize("size", [2, 25])
def test_the_inbox_costs_the_same_queries_however_full(
    django_assert_max_num_queries, member, objective, org, size
):
    for i in range(size):
        talk.comment_create(actor=MembershipFactory(org=org), objective=objective, body=f"n{i}")
    # Session, membership, permission facts, the notifications, the navigation's companies.
    with django_assert_max_num_queries(7):
        response = member.get(url("inbox"))
    assert response.content.decode().count('class="inbox-item') == size
    with django_assert_max_num_queries(5):
        member.get(url("count"), **HX)
