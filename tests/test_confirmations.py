"""Destructive actions ask first (issue 16): with JavaScript an ``hx-confirm`` on the button,
without it the button leads (GET) to a confirmation page whose form posts the action."""

import re

import pytest
from django.urls import reverse

from checkins.models import CheckIn, ReminderSchedule
from checkins.services import checkin_submit
from organizations.models import Invitation, Membership, StrategicTheme

from .factories import (
    InvitationFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    ReminderScheduleFactory,
    StrategicThemeFactory,
)


def _form_of(html: str, action: str) -> str:
    """The opening tag of the form whose action is ``action``."""
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>', html)
    assert match, action
    return match.group(0)


def _confirmation(response, *, posts_to: str, button: str) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    form = _form_of(html, posts_to)
    assert 'method="post"' in form
    assert f'<button type="submit" class="danger">{button}</button>' in html
    assert ">Cancel</a>" in html
    return html


@pytest.fixture
def my_checkin(org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective, title="Gain followers")
    return checkin_submit(kr=kr, author=member_membership, value="30", confidence="on_track")


def test_checkin_delete_asks_on_the_kr_history_and_on_a_page_without_javascript(member, my_checkin):
    kr = my_checkin.key_result
    delete = reverse("checkins:delete", kwargs={"org_slug": "acme", "checkin_id": my_checkin.pk})
    kr_page = member.get(reverse("objectives:kr", kwargs={"org_slug": "acme", "kr_id": kr.pk}))
    button = _form_of(kr_page.content.decode(), delete)
    assert 'method="get"' in button and f'hx-post="{delete}"' in button
    assert 'hx-confirm="Delete this check-in?' in button

    # Without JavaScript the button is a GET: the page asks, nothing is deleted yet.
    back = f"/acme/krs/{kr.pk}/"
    html = _confirmation(
        member.get(delete, {"next": back}), posts_to=delete, button="Delete check-in"
    )
    assert "Gain followers" in html
    assert f'<input type="hidden" name="next" value="{back}">' in html
    assert CheckIn.objects.filter(pk=my_checkin.pk).exists()
    # A foreign "next" is not offered as the way back.
    html = member.get(delete, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in html

    response = member.post(delete, {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert not CheckIn.objects.filter(pk=my_checkin.pk).exists()


@pytest.mark.parametrize("persona, expected", [("admin", 403), ("outsider", 404)])
def test_only_the_author_sees_a_checkins_confirmation(request, my_checkin, persona, expected):
    delete = reverse("checkins:delete", kwargs={"org_slug": "acme", "checkin_id": my_checkin.pk})
    assert request.getfixturevalue(persona).get(delete).status_code == expected


def test_deactivate_and_revoke_ask_first(admin, org, member_membership, admin_membership):
    invitation = InvitationFactory(org=org, invited_by=admin_membership, email="new@example.com")
    deactivate = reverse(
        "organizations:person-deactivate",
        kwargs={"org_slug": "acme", "membership_id": member_membership.pk},
    )
    revoke = reverse(
        "organizations:invitation-revoke",
        kwargs={"org_slug": "acme", "invitation_id": invitation.pk},
    )
    people = admin.get(reverse("organizations:people", kwargs={"org_slug": "acme"}))
    html = people.content.decode()
    for action, question in [
        (deactivate, "Deactivate Mia Member?"),
        (revoke, "Revoke the invitation of new@example.com?"),
    ]:
        button = _form_of(html, action)
        assert 'method="get"' in button and f'hx-post="{action}"' in button
        assert f'hx-confirm="{question}' in button

    html = _confirmation(admin.get(deactivate), posts_to=deactivate, button="Deactivate")
    assert "<h1>Deactivate Mia Member?</h1>" in html
    html = _confirmation(admin.get(revoke), posts_to=revoke, button="Revoke")
    assert "<h1>Revoke the invitation of new@example.com?</h1>" in html
    member_membership.refresh_from_db()
    assert member_membership.is_active
    assert Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).exists()

    assert admin.post(deactivate).status_code == 302
    member_membership.refresh_from_db()
    assert not member_membership.is_active


def test_a_member_gets_no_confirmation_page_of_an_admin_action(member, admin_membership):
    deactivate = reverse(
        "organizations:person-deactivate",
        kwargs={"org_slug": "acme", "membership_id": admin_membership.pk},
    )
    assert member.get(deactivate).status_code == 403


@pytest.mark.parametrize("kind", ["theme", "schedule"])
def test_theme_and_reminder_delete_ask_on_a_page_first(admin, org, kind):
    if kind == "theme":
        row = StrategicThemeFactory(org=org, name="Growth")
        edit = reverse("config:theme-edit", kwargs={"org_slug": "acme", "theme_id": row.pk})
        model, button, title = StrategicTheme, "Delete theme", "Delete the theme “Growth”?"
    else:
        row = ReminderScheduleFactory(org=org, name="Weekly")
        edit = reverse("checkins:schedule-edit", kwargs={"org_slug": "acme", "schedule_id": row.pk})
        model, button, title = ReminderSchedule, "Delete reminder", "Delete the reminder “Weekly”?"
    page = admin.get(edit).content.decode()
    # The edit page's delete button is a GET (it posts nothing by itself).
    assert re.search(r'<form method="get" class="card">', page)
    html = _confirmation(admin.get(edit, {"action": "delete"}), posts_to=edit, button=button)
    assert f"<h1>{title}</h1>" in html
    assert '<input type="hidden" name="action" value="delete">' in html
    assert model.objects.filter(pk=row.pk).exists()
    assert admin.post(edit, {"action": "delete"}).status_code == 302
    assert not model.objects.filter(pk=row.pk).exists()


def test_team_member_removal_asks(admin, org, team, member_membership):
    page = admin.get(
        reverse("organizations:team-members", kwargs={"org_slug": "acme", "team_id": team.pk})
    ).content.decode()
    assert 'hx-confirm="Remove Mia Member from Marketing?"' in page


@pytest.mark.parametrize("extra", [0, 40])
def test_confirmation_pages_cost_the_same_whatever_the_company_size(
    admin, org, admin_membership, extra, django_assert_max_num_queries
):
    for _ in range(extra):
        MembershipFactory(org=org, role=Membership.Role.MEMBER)
        InvitationFactory(org=org, invited_by=admin_membership)
    person = MembershipFactory(org=org, role=Membership.Role.MEMBER)
    invitation = InvitationFactory(org=org, invited_by=admin_membership)
    theme = StrategicThemeFactory(org=org)
    schedule = ReminderScheduleFactory(org=org)
    slug = {"org_slug": "acme"}
    pages = [
        reverse("organizations:person-deactivate", kwargs={**slug, "membership_id": person.pk}),
        reverse("organizations:invitation-revoke", kwargs={**slug, "invitation_id": invitation.pk}),
        reverse("config:theme-edit", kwargs={**slug, "theme_id": theme.pk}) + "?action=delete",
        reverse("checkins:schedule-edit", kwargs={**slug, "schedule_id": schedule.pk})
        + "?action=delete",
    ]
    for page in pages:
        with django_assert_max_num_queries(8):
            assert admin.get(page).status_code == 200, page
