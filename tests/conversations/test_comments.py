"""Conversations under objectives and key results: comments, @mentions and reactions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from conversations import services
from conversations.models import Comment, Mention, Reaction
from objectives.models import Objective
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory

HX = {"HTTP_HX_REQUEST": "true"}


def url(name, **kwargs):
    return reverse(f"conversations:{name}", kwargs={"org_slug": "acme", **kwargs})


@pytest.fixture
def objective(org, period, member_membership):
    return ObjectiveFactory(org=org, period=period, owner=member_membership, title="Grow")


@pytest.fixture
def private_objective(org, period, admin_membership):
    return ObjectiveFactory(
        org=org,
        period=period,
        owner=admin_membership,
        title="Secret merger",
        visibility=Objective.Visibility.PRIVATE,
    )


def test_a_member_comments_and_everyone_who_sees_the_objective_reads_it(member, manager, objective):
    response = member.post(url("objective", objective_id=objective.pk), {"body": "Why **EMEA**?"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.objective == objective and comment.key_result is None
    page = manager.get(url("objective", objective_id=objective.pk)).content.decode()
    assert "Why <strong>EMEA</strong>?" in page
    assert AuditEntry.objects.filter(action="comment.create").count() == 1


def test_a_comment_on_a_key_result_stays_with_the_key_result(member, objective):
    kr = KeyResultFactory(objective=objective, title="Followers")
    member.post(url("kr", kr_id=kr.pk), {"body": "Doubled this week"}, **HX)
    assert Comment.objects.get().key_result == kr
    assert "Doubled this week" in member.get(url("kr", kr_id=kr.pk)).content.decode()
    assert "Doubled this week" not in (
        member.get(url("objective", objective_id=objective.pk)).content.decode()
    )


def test_markdown_is_sanitised(member, objective):
    member.post(
        url("objective", objective_id=objective.pk),
        {"body": '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="a()">'},
    )
    page = member.get(url("objective", objective_id=objective.pk)).content.decode()
    assert "<script>alert" not in page and "javascript:" not in page and "onerror" not in page


@pytest.mark.parametrize("body, message", [("", "Write something first."), ("x" * 5001, "5,000")])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_keeps_what_was_typed_and_says_why(member, objective, body, message, htmx):
    headers = HX if htmx else {}
    response = member.post(url("objective", objective_id=objective.pk), {"body": body}, **headers)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page and 'aria-invalid="true"' in page
    assert body[:100] in page
    assert not Comment.objects.exists()


def test_mentions_link_the_people_named(member, objective, org, member_membership):
    mara = MembershipFactory(org=org, user__full_name="Mara Lindqvist")
    MembershipFactory(org=org, user__full_name="Mara")  # a shorter name: the longest wins
    gone = MembershipFactory(org=org, user__full_name="Old Timer", is_active=False)
    services.comment_create(
        actor=member_membership,
        objective=objective,
        body="Thanks @Mara Lindqvist! Ask @Old Timer, or email@example.com",
    )
    assert list(Mention.objects.values_list("membership_id", flat=True)) == [mara.pk]
    page = member.get(url("objective", objective_id=objective.pk)).content.decode()
    person = reverse("objectives:person", kwargs={"org_slug": "acme", "person_id": mara.pk})
    assert f'<a href="{person}" rel="noopener noreferrer nofollow">@Mara Lindqvist</a>' in page
    assert gone.pk not in Mention.objects.values_list("membership_id", flat=True)


def test_editing_moves_the_mentions_and_only_the_author_edits(
    member, manager, objective, org, member_membership
):
    erik = MembershipFactory(org=org, user__full_name="Erik Berg")
    comment = services.comment_create(
        actor=member_membership, objective=objective, body="@Erik Berg please look"
    )
    assert manager.get(url("edit", comment_id=comment.pk)).status_code == 403
    response = member.post(url("edit", comment_id=comment.pk), {"body": "Never mind"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Never mind" and comment.edited_at is not None
    assert not Mention.objects.filter(membership=erik).exists()


def test_author_or_admin_deletes_others_may_not(
    member, manager, admin, objective, member_membership
):
    first = services.comment_create(actor=member_membership, objective=objective, body="One")
    second = services.comment_create(actor=member_membership, objective=objective, body="Two")
    assert "Delete this comment?" in member.get(url("delete", comment_id=first.pk)).content.decode()
    assert manager.post(url("delete", comment_id=first.pk)).status_code == 403
    assert member.post(url("delete", comment_id=first.pk)).status_code == 302
    assert admin.post(url("delete", comment_id=second.pk)).status_code == 302
    assert not Comment.objects.exists()


def test_reactions_toggle_and_count(member, manager, objective, member_membership):
    comment = services.comment_create(actor=member_membership, objective=objective, body="Done!")
    react = url("react", comment_id=comment.pk)
    member.post(react, {"emoji": "🎉"})
    response = manager.post(react, {"emoji": "🎉"}, **HX)
    assert response.status_code == 200
    assert Reaction.objects.filter(comment=comment, emoji="🎉").count() == 2
    assert 'aria-pressed="true" title="Celebrate"' in response.content.decode()
    manager.post(react, {"emoji": "🎉"})  # taken back
    assert Reaction.objects.filter(comment=comment).count() == 1
    manager.post(react, {"emoji": "<b>"})  # not offered: nothing happens, no error
    assert Reaction.objects.filter(comment=comment).count() == 1


def test_a_private_objectives_conversation_is_as_private_as_the_objective(
    member, admin, private_objective, admin_membership
):
    comment = services.comment_create(
        actor=admin_membership, objective=private_objective, body="Board only"
    )
    for response in (
        member.get(url("objective", objective_id=private_objective.pk)),
        member.post(url("objective", objective_id=private_objective.pk), {"body": "Hi"}),
        member.get(url("edit", comment_id=comment.pk)),
        member.post(url("delete", comment_id=comment.pk)),
        member.post(url("react", comment_id=comment.pk), {"emoji": "👍"}),
    ):
        assert response.status_code == 404
    assert Comment.objects.count() == 1 and not Reaction.objects.exists()
    assert (
        "Board only"
        in admin.get(url("objective", objective_id=private_objective.pk)).content.decode()
    )


def test_the_service_refuses_who_may_not_see_and_a_foreign_key_result(
    member_membership, private_objective, objective, org, period
):
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=member_membership, objective=private_objective, body="x")
    elsewhere = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period))
    with pytest.raises(PermissionDenied):
        services.comment_create(
            actor=member_membership, objective=objective, key_result=elsewhere, body="x"
        )
    with pytest.raises(ValidationError):
        services.comment_create(actor=member_membership, objective=objective, body="   ")


def test_the_objective_and_kr_pages_load_the_conversation_when_it_comes_into_view(
    member, objective
):
    kr = KeyResultFactory(objective=objective)
    for page, thread in (
        (
            reverse(
                "objectives:objective", kwargs={"org_slug": "acme", "objective_id": objective.pk}
            ),
            url("objective", objective_id=objective.pk),
        ),
        (
            reverse("objectives:kr", kwargs={"org_slug": "acme", "kr_id": kr.pk}),
            url("kr", kr_id=kr.pk),
        ),
    ):
        body = member.get(page).content.decode()
        assert f'hx-get="{thread}" hx-trigger="revealed"' in body
        assert f'<a href="{thread}">Open the conversation</a>' in body


@pytest.mark.parametrize("size", [2, 30])
def test_a_thread_costs_the_same_queries_however_long(
    django_assert_max_num_queries, member, objective, org, size
):
    people = [MembershipFactory(org=org, user__full_name=f"Person {i}") for i in range(3)]
    for i in range(size):
        comment = services.comment_create(
            actor=people[i % 3], objective=objective, body=f"Note {i} for @Person {(i + 1) % 3}"
        )
        services.reaction_toggle(actor=people[(i + 2) % 3], comment=comment, emoji="👍")
    # Session, membership, permission facts, the objective, comments, reactions, mentions.
    with django_assert_max_num_queries(8):
        response = member.get(url("objective", objective_id=objective.pk), **HX)
    assert response.content.decode().count('class="comment"') == size
