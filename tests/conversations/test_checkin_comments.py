"""Comments on check-ins: shown under the check-in in its key result's check-in history, as
private as the objective, the check-in's author told, edited and deleted like any comment."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from checkins.models import CheckIn
from checkins.services import checkin_submit
from conversations import services
from conversations.models import Comment
from notifications.models import Notification
from objectives.models import Objective
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}


def comments_url(checkin):
    return reverse("checkins:comments", kwargs={"org_slug": "acme", "checkin_id": checkin.pk})


def kr_url(kr):
    return reverse("objectives:kr", kwargs={"org_slug": "acme", "kr_id": kr.pk})


@pytest.fixture
def kr(org, period, manager_membership, member_membership):
    """The manager's objective; its key result is the member's, who checks in on it."""
    objective = ObjectiveFactory(org=org, period=period, owner=manager_membership, title="Grow")
    return KeyResultFactory(
        objective=objective, owner=member_membership, title="Gain followers", target_value=100
    )


@pytest.fixture
def checkin(kr, member_membership):
    return checkin_submit(kr=kr, author=member_membership, value="30", confidence="on_track")


def test_a_comment_on_a_check_in_shows_under_it_and_not_in_the_kr_conversation(
    admin, member, checkin, kr
):
    response = admin.post(comments_url(checkin), {"body": "Great **jump**!"}, **HX)
    assert response.status_code == 200
    assert "Great <strong>jump</strong>!" in response.content.decode()
    comment = Comment.objects.get()
    assert (comment.checkin, comment.key_result, comment.objective) == (
        checkin,
        kr,
        kr.objective,
    )
    page = member.get(kr_url(kr)).content.decode()
    row = page.index(f'id="checkin-{checkin.pk}"')
    assert page.index("Great <strong>jump</strong>!") > row
    thread = reverse("conversations:kr", kwargs={"org_slug": "acme", "kr_id": kr.pk})
    assert "jump" not in member.get(thread).content.decode()
    assert AuditEntry.objects.filter(action="comment.create").count() == 1


def test_without_javascript_the_check_in_has_a_page_of_its_comments(member, admin, checkin):
    response = admin.post(comments_url(checkin), {"body": "Well done"})
    assert response.status_code == 302 and response["Location"] == comments_url(checkin)
    page = member.get(comments_url(checkin)).content.decode()
    assert "Well done" in page and "Gain followers" in page and "30" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_keeps_what_was_typed_beside_the_box(admin, checkin, htmx):
    long = "y" * 5001
    response = admin.post(comments_url(checkin), {"body": long}, **(HX if htmx else {}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "5,000" in page and 'aria-invalid="true"' in page and long[:200] in page
    assert not Comment.objects.exists()


def test_the_check_ins_author_and_the_mentioned_are_told_never_the_commenter(
    admin_membership, member_membership, manager_membership, checkin, org
):
    ann = MembershipFactory(org=org, user__full_name="Ann Lee")
    services.checkin_comment_create(
        actor=admin_membership, checkin=checkin, body="Ask @Ann Lee how she did it"
    )
    told = dict(Notification.objects.values_list("recipient_id", "kind"))
    # The check-in's author (who owns the KR too) and the objective's owner: "comments on
    # what you own"; Ann: a mention.
    assert told == {
        member_membership.pk: "comment",
        manager_membership.pk: "comment",
        ann.pk: "mention",
    }
    # The check-in's author commenting on it tells only the others.
    Notification.objects.all().delete()
    services.checkin_comment_create(actor=member_membership, checkin=checkin, body="Thanks!")
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {
        manager_membership.pk
    }


def test_the_inbox_says_it_is_a_check_in_and_opens_the_kr_page_at_it(
    member, admin_membership, member_membership, checkin, kr
):
    services.checkin_comment_create(actor=admin_membership, checkin=checkin, body="Nice")
    inbox = member.get(reverse("notifications:inbox", kwargs={"org_slug": "acme"}))
    assert "commented on a check-in of “Gain followers”" in inbox.content.decode()
    notification = Notification.objects.get(recipient=member_membership)
    opened = member.get(
        reverse(
            "notifications:open", kwargs={"org_slug": "acme", "notification_id": notification.pk}
        )
    )
    assert opened["Location"] == f"{kr_url(kr)}#checkin-{checkin.pk}"


def test_a_private_objectives_check_in_comments_are_as_private_as_it(
    member, admin, admin_membership, org, period
):
    secret = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility=Objective.Visibility.PRIVATE
    )
    kr = KeyResultFactory(objective=secret, owner=admin_membership)
    checkin = checkin_submit(kr=kr, author=admin_membership, value="5", confidence="on_track")
    comment = services.checkin_comment_create(
        actor=admin_membership, checkin=checkin, body="Board only"
    )
    for response in (
        member.get(comments_url(checkin)),
        member.post(comments_url(checkin), {"body": "Hi"}),
        member.get(
            reverse("conversations:edit", kwargs={"org_slug": "acme", "comment_id": comment.pk})
        ),
        member.post(
            reverse("conversations:delete", kwargs={"org_slug": "acme", "comment_id": comment.pk})
        ),
    ):
        assert response.status_code == 404
    assert Comment.objects.count() == 1
    assert "Board only" in admin.get(kr_url(kr)).content.decode()
    with pytest.raises(PermissionDenied):
        services.checkin_comment_create(
            actor=MembershipFactory(org=org), checkin=checkin, body="Let me in"
        )


def test_authors_edit_their_own_and_admins_remove_any(
    member, manager, admin, member_membership, checkin
):
    comment = services.checkin_comment_create(
        actor=member_membership, checkin=checkin, body="First try"
    )
    edit = reverse("conversations:edit", kwargs={"org_slug": "acme", "comment_id": comment.pk})
    delete = reverse("conversations:delete", kwargs={"org_slug": "acme", "comment_id": comment.pk})
    assert manager.get(edit).status_code == 403
    response = member.post(edit, {"body": "Second try"})
    assert response["Location"] == comments_url(checkin)  # back to where it is read
    assert Comment.objects.get().body == "Second try"
    assert manager.post(delete).status_code == 403
    # From the history with htmx: the check-in's comments are drawn again, without it.
    response = admin.post(delete, **HX, follow=True)
    assert response.status_code == 200 and not Comment.objects.exists()
    assert f'id="checkin-{checkin.pk}-comments"' in response.content.decode()


def test_a_check_in_deleted_takes_its_comments(member, member_membership, checkin):
    services.checkin_comment_create(actor=member_membership, checkin=checkin, body="Oops")
    member.post(reverse("checkins:delete", kwargs={"org_slug": "acme", "checkin_id": checkin.pk}))
    assert not CheckIn.objects.exists() and not Comment.objects.exists()


def _checkins_with_comments(kr, people, n):
    now = timezone.now()
    checkins = CheckIn.objects.bulk_create(
        CheckIn(
            org_id=kr.org_id,
            key_result=kr,
            author=people[i % len(people)],
            value=i,
            previous_value=i - 1,
            confidence="on_track",
            created_at=now - datetime.timedelta(days=n - i),
        )
        for i in range(1, n + 1)
    )
    for i, checkin in enumerate(checkins):
        for j in range(2):
            services.checkin_comment_create(
                actor=people[(i + j + 1) % len(people)],
                checkin=checkin,
                body=f"Comment {j} for @{people[i % len(people)].user.full_name}",
            )
    return checkins


@pytest.mark.parametrize("n", [2, 30])
def test_the_kr_page_and_its_history_cost_the_same_however_many_comments(
    django_assert_max_num_queries, member, kr, org, member_membership, n
):
    people = [member_membership] + [
        MembershipFactory(org=org, user__full_name=f"Person {i}") for i in range(3)
    ]
    _checkins_with_comments(kr, people, n)
    listed = min(n, 20)
    # The KR page costs eleven queries without check-ins (ten before key-result links); the
    # listed check-ins' comments add two, whatever their number: the comments with their
    # authors, and the people they mention.
    with django_assert_max_num_queries(13):
        page = member.get(kr_url(kr)).content.decode()
    assert page.count('class="comment"') == listed * 2
    history = reverse("checkins:kr-history", kwargs={"org_slug": "acme", "kr_id": kr.pk})
    with django_assert_max_num_queries(10):
        everything = member.get(history + "?history=all").content.decode()
    assert everything.count('class="comment"') == n * 2
    assert everything.count('href="/acme/people/') >= n * 2  # the mentions, linked


@pytest.mark.parametrize("n", [2, 40])
def test_a_check_ins_comments_page_costs_the_same_however_many(
    django_assert_max_num_queries, member, kr, org, member_membership, n
):
    people = [member_membership] + [
        MembershipFactory(org=org, user__full_name=f"Person {i}") for i in range(3)
    ]
    (checkin,) = _checkins_with_comments(kr, people, 1)
    for i in range(n):
        services.checkin_comment_create(
            actor=people[i % 4],
            checkin=checkin,
            body=f"More {i} @{people[(i + 1) % 4].user.full_name}",
        )
    # Seven whatever the size (measured): the session and membership, the check-in with its
    # key result and objective, the comments with authors, the people they mention.
    for headers in ({}, HX):
        with django_assert_max_num_queries(7):
            page = member.get(comments_url(checkin), **headers).content.decode()
        assert page.count('class="comment"') == n + 2
