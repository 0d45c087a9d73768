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


# --- OKR pages: every destructive button asks (issue 16, a calm visual hierarchy) ----------

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
DANGER = re.compile(r'<button[^>]*class="[^"]*\bdanger\b[^"]*"')


def _asking_form(html: str, action: str) -> str:
    """The opening tag of the form that asks before ``action``: a GET with hx-confirm."""
    for match in re.finditer(rf'<form[^>]*action="{re.escape(action)}"[^>]*>', html):
        if "hx-confirm=" in match.group(0):
            return match.group(0)
    raise AssertionError(f"no asking form for {action}")


def _destructive_forms(html: str) -> list[str]:
    return [form for form in FORM.findall(html) if DANGER.search(form)]


@pytest.fixture
def okrs(org, period, member_membership, manager_membership, team):
    """Mia's objective (two KRs, aligned to her team's, shared with her manager)."""
    from alignment.services import objective_align
    from objectives.services import objective_share

    parent = ObjectiveFactory(
        org=org, period=period, level="team", team=team, owner=None, title="Team goal"
    )
    objective = ObjectiveFactory(
        org=org, period=period, owner=member_membership, title="Grow the audience"
    )
    first = KeyResultFactory(objective=objective, owner=member_membership, title="Gain followers")
    KeyResultFactory(objective=objective, owner=member_membership, title="Post weekly")
    objective_align(objective=objective, parent=parent, actor=member_membership)
    objective_share(objective=objective, actor=member_membership, membership=manager_membership)
    return objective, first


def _url(name, **kwargs):
    return reverse(name, kwargs={"org_slug": "acme", **kwargs})


def test_every_destructive_button_on_the_okr_pages_asks_first(member, admin, okrs, team):
    """Each danger button (a KR row's or a page's menu, sharing, unlinking, a team member's
    removal) is a GET to a confirmation page that, with JavaScript, asks with hx-confirm and
    posts with htmx: nothing is deleted by one click."""
    objective, kr = okrs
    pages = [
        (member, _url("objectives:my")),
        (member, _url("objectives:objective", objective_id=objective.pk)),
        (member, _url("objectives:kr", kr_id=kr.pk)),
        (member, _url("objectives:objective-share", objective_id=objective.pk)),
        (member, _url("objectives:team", team_id=team.pk)),
        (admin, _url("organizations:team-members", team_id=team.pk)),
        (admin, _url("organizations:people")),
    ]
    for client, page in pages:
        html = client.get(page).content.decode()
        forms = _destructive_forms(html)
        if "team" not in page or "manage" in page:
            assert forms, page
        for form in forms:
            tag = re.match(r"<form\b[^>]*>", form).group(0)
            assert 'method="get"' in tag, (page, tag)
            assert "hx-post=" in tag and "hx-confirm=" in tag, (page, tag)
            assert "csrfmiddlewaretoken" not in form, (page, form)  # a GET posts nothing


def test_kr_delete_asks_in_the_row_menu_and_on_a_page(member, okrs):
    objective, kr = okrs
    delete = _url("objectives:kr-delete", kr_id=kr.pk)
    my = member.get(_url("objectives:my")).content.decode()
    tag = _asking_form(my, delete)
    assert 'method="get"' in tag and f'hx-post="{delete}"' in tag
    assert 'hx-confirm="Delete “Gain followers”?' in tag

    html = _confirmation(
        member.get(delete, {"next": "/acme/my/"}), posts_to=delete, button="Delete key result"
    )
    assert "<h1>Delete “Gain followers”?</h1>" in html
    assert '<input type="hidden" name="next" value="/acme/my/">' in html
    assert objective.key_results.filter(pk=kr.pk).exists()

    response = member.post(delete, {"next": "/acme/my/"})
    assert response.status_code == 302 and response["Location"] == "/acme/my/"
    assert not objective.key_results.filter(pk=kr.pk).exists()


def test_kr_delete_with_htmx_redraws_the_card_or_leaves_the_kr_page(member, okrs):
    objective, kr = okrs
    delete = _url("objectives:kr-delete", kr_id=kr.pk)
    response = member.post(
        delete, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=f"objective-{objective.pk}"
    )
    assert response.status_code == 200 and response["HX-Retarget"] == f"#objective-{objective.pk}"
    assert "Post weekly" in response.content.decode()

    other = objective.key_results.get()
    response = member.post(_url("objectives:kr-delete", kr_id=other.pk), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == _url("objectives:objective", objective_id=objective.pk)


def test_objective_delete_asks_in_its_menu_and_on_a_page(member, okrs):
    objective, _ = okrs
    delete = _url("objectives:objective-delete", objective_id=objective.pk)
    page = member.get(_url("objectives:objective", objective_id=objective.pk)).content.decode()
    tag = _asking_form(page, delete)
    assert 'method="get"' in tag and 'hx-confirm="Delete “Grow the audience”' in tag

    html = _confirmation(member.get(delete), posts_to=delete, button="Delete objective")
    assert "<h1>Delete “Grow the audience”?</h1>" in html
    assert type(objective).objects.filter(pk=objective.pk).exists()

    response = member.post(delete, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == _url("objectives:my")
    assert not type(objective).objects.filter(pk=objective.pk).exists()


def test_removing_a_share_asks_first(member, okrs, manager_membership):
    objective, _ = okrs
    share = _url("objectives:objective-share", objective_id=objective.pk)
    tag = _asking_form(member.get(share).content.decode(), share)
    assert 'method="get"' in tag and 'hx-confirm="Remove Max Manager' in tag

    html = _confirmation(
        member.get(share, {"remove": manager_membership.pk}), posts_to=share, button="Remove access"
    )
    assert f'<input type="hidden" name="remove" value="{manager_membership.pk}">' in html
    assert "Max Manager" in html
    assert member.get(share).content.decode().count("Max Manager") >= 1  # still shared

    assert member.post(share, {"remove": manager_membership.pk}).status_code == 302
    assert "Nobody has been given access yet." in member.get(share).content.decode()


def test_unlinking_asks_first(member, okrs):
    objective, _ = okrs
    align = _url("alignment:align", objective_id=objective.pk)
    page = member.get(_url("objectives:objective", objective_id=objective.pk)).content.decode()
    tag = _asking_form(page, align)
    assert 'method="get"' in tag and 'hx-confirm="Unlink “Grow the audience”?' in tag

    html = _confirmation(member.get(align), posts_to=align, button="Unlink")
    assert '<input type="hidden" name="parent" value="">' in html
    objective.refresh_from_db()
    assert objective.parent_id is not None

    assert member.post(align, {"parent": ""}).status_code == 302
    objective.refresh_from_db()
    assert objective.parent_id is None
    # Nothing left to unlink: the page goes back to the objective.
    assert member.get(align).status_code == 302


def test_removing_a_team_member_asks_on_a_page_without_javascript(admin, team, member_membership):
    members = _url("organizations:team-members", team_id=team.pk)
    query = {"membership": member_membership.pk, "action": "remove"}
    html = _confirmation(admin.get(members, query), posts_to=members, button="Remove")
    assert "<h1>Remove Mia Member from Marketing?</h1>" in html
    assert team.team_memberships.filter(membership=member_membership).exists()
    assert admin.post(members, query).status_code == 302
    assert not team.team_memberships.filter(membership=member_membership).exists()


def test_only_who_may_delete_sees_the_okr_confirmation_pages(okrs, org, outsider):
    from django.test import Client

    objective, kr = okrs
    colleague = Client()
    colleague.force_login(MembershipFactory(org=org, role=Membership.Role.MEMBER).user)
    for page in (
        _url("objectives:kr-delete", kr_id=kr.pk),
        _url("objectives:objective-delete", objective_id=objective.pk),
        _url("alignment:align", objective_id=objective.pk),
    ):
        assert colleague.get(page).status_code == 403, page  # a public objective they see
        assert outsider.get(page).status_code == 404, page
