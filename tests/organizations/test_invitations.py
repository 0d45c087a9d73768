"""Inviting people: create, resend, revoke, and accepting as a new or existing user."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from organizations.models import Invitation, Membership, TeamMembership
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"organizations:{name}", kwargs={"org_slug": "acme", **kwargs})


def accept_url(invitation):
    return reverse("invitation-accept", args=[invitation.token])


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a request and the e-mails it queues for after the commit."""

    def run(client, path, data=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data or {}, **extra)

    return run


# --- creating -----------------------------------------------------------------------------


@override_settings(SITE_URL="https://okr.example.com")
def test_admin_invites_a_person_and_the_email_goes_after_commit(admin, team, send):
    response = send(
        admin,
        url("invite"),
        {"email": "New.Person@Example.com", "role": "manager", "teams": [team.pk]},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.com"
    assert invitation.role == Membership.Role.MANAGER
    assert list(invitation.teams.all()) == [team]
    assert invitation.invited_by == admin.membership
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link = f"https://okr.example.com/invitations/{invitation.token}/"
    assert message.to == ["new.person@example.com"]
    assert "Acme" in message.subject
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html


def test_no_email_leaves_when_the_transaction_rolls_back(
    admin, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin.post(url("invite"), {"email": "x@example.com", "role": "member"})
    assert len(callbacks) == 1  # queued for the commit, not sent inside the transaction
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": "member"}, "email", "valid email"),
        ({"email": "a@example.com", "role": "owner"}, "role", "valid choice"),
        ({"email": "a" * 10_000 + "@example.com", "role": "member"}, "email", "at most"),
        ({"email": "a@example.com", "role": "member", "teams": ["abc"]}, "teams", "valid value"),
    ],
)
def test_bad_invitation_input_is_a_form_error(admin, send, data, field, message):
    response = send(admin, url("invite"), data)
    assert response.status_code == 200
    errors = response.context["invite_form"].errors
    assert message in " ".join(errors[field])
    assert not Invitation.objects.exists() and mail.outbox == []


def test_team_of_another_company_is_a_form_error(admin, other_org, send):
    foreign = TeamFactory(org=other_org)
    response = send(
        admin, url("invite"), {"email": "a@example.com", "role": "member", "teams": [foreign.pk]}
    )
    assert response.status_code == 200
    assert "teams" in response.context["invite_form"].errors
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_an_existing_active_member_is_a_form_error(admin, member_membership, send):
    email = member_membership.user.email.upper()
    response = send(admin, url("invite"), {"email": email, "role": "member"})
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_inviting_a_deactivated_member_is_allowed(admin, org, send):
    gone = MembershipFactory(org=org, is_active=False)
    response = send(admin, url("invite"), {"email": gone.user.email, "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.filter(email=gone.user.email).exists()


def test_second_pending_invitation_for_same_email_is_a_form_error(admin, org, send):
    first = InvitationFactory(org=org, email="dup@example.com")
    response = send(admin, url("invite"), {"email": "DUP@example.com", "role": "admin"})
    assert response.status_code == 200
    assert "already has a pending invitation" in response.content.decode()
    assert list(Invitation.objects.all()) == [first] and mail.outbox == []


def test_an_expired_pending_invitation_is_replaced(admin, org, send):
    old = InvitationFactory(org=org, email="late@example.com", expires_at=timezone.now())
    response = send(admin, url("invite"), {"email": "late@example.com", "role": "member"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert Invitation.objects.for_org(org).pending().get().pk != old.pk
    assert len(mail.outbox) == 1


def test_the_same_email_may_be_invited_by_two_companies(admin, other_org, send):
    InvitationFactory(org=other_org, email="both@example.com")
    assert (
        send(admin, url("invite"), {"email": "both@example.com", "role": "member"}).status_code
        == 302
    )


# --- resending and revoking ---------------------------------------------------------------


def test_resend_gives_a_new_token_and_expiry_and_sends_again(admin, org, send):
    invitation = InvitationFactory(org=org, expires_at=timezone.now() - timedelta(days=1))
    old_token = invitation.token
    response = send(admin, url("invitation-resend", invitation_id=invitation.pk))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    # The old link is dead.
    assert Client().get(f"/invitations/{old_token}/").status_code == 404


def test_revoke_kills_the_link(admin, org, send):
    invitation = InvitationFactory(org=org)
    response = send(admin, url("invitation-revoke", invitation_id=invitation.pk))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = Client().get(accept_url(invitation))
    assert page.status_code == 410 and "withdrawn" in page.content.decode()
    # A revoked invitation cannot be resent or revoked again.
    response = send(admin, url("invitation-resend", invitation_id=invitation.pk))
    assert "already revoked" in response.content.decode() and mail.outbox == []


def test_resend_or_revoke_of_another_company_is_404(admin, other_org, send):
    foreign = InvitationFactory(org=other_org)
    token = foreign.token
    for name in ("invitation-resend", "invitation-revoke"):
        assert send(admin, url(name, invitation_id=foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.token == token and foreign.revoked_at is None and mail.outbox == []


# --- accepting ----------------------------------------------------------------------------


@pytest.fixture
def invitation(org, team, admin_membership):
    invitation = InvitationFactory(
        org=org,
        email="newbie@example.com",
        role=Membership.Role.MANAGER,
        invited_by=admin_membership,
    )
    invitation.teams.set([team])
    return invitation


def test_new_user_sees_company_and_role_then_sets_name_and_password(client, invitation):
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Acme" in html and "manager" in html and "Marketing" in html
    response = client.post(
        accept_url(invitation), {"full_name": "Nina Newbie", "password": "a-good-long-secret"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="newbie@example.com")
    assert user.full_name == "Nina Newbie" and user.check_password("a-good-long-secret")
    membership = Membership.objects.get(org=invitation.org, user=user)
    assert membership.role == Membership.Role.MANAGER and membership.is_active
    assert TeamMembership.objects.filter(membership=membership, team__name="Marketing").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.accepted_by == user
    # Signed in, with access to the company.
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get("/acme/manage/people/").status_code == 403  # a manager, inside


def test_new_user_with_a_weak_password_gets_a_form_error(client, invitation):
    response = client.post(accept_url(invitation), {"full_name": "Nina", "password": "123"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_existing_signed_in_user_joins_with_one_click(invitation):
    user = UserFactory(email="NewBie@example.com".lower())
    client = Client()
    client.force_login(user)
    page = client.get(accept_url(invitation))
    assert "Join Acme" in page.content.decode()
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert Membership.objects.filter(org=invitation.org, user=user, is_active=True).exists()


def test_existing_user_not_signed_in_signs_in_and_comes_back(client, invitation):
    UserFactory(email="newbie@example.com")
    page = client.get(accept_url(invitation))
    assert "Sign in to accept" in page.content.decode()
    # A POST without signing in sends them to the login page, creating nothing.
    response = client.post(accept_url(invitation), {"full_name": "x", "password": "y"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Membership.objects.filter(
        org=invitation.org, user__email="newbie@example.com"
    ).exists()

    login = client.post(
        f"/accounts/login/?next={accept_url(invitation)}",
        {"email": "newbie@example.com", "password": "pw-for-tests"},
    )
    assert login["Location"] == accept_url(invitation)
    assert client.post(accept_url(invitation)).status_code == 302
    assert Membership.objects.filter(org=invitation.org, user__email="newbie@example.com").exists()


def test_signed_in_as_a_different_email_creates_nothing(outsider, invitation):
    page = outsider.get(accept_url(invitation))
    assert "this invitation is for newbie@example.com" in page.content.decode()
    response = outsider.post(accept_url(invitation))
    assert response.status_code == 403
    assert not Membership.objects.filter(org=invitation.org, user=outsider.user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_reactivates_a_deactivated_membership(org, team):
    gone = MembershipFactory(org=org, is_active=False, role=Membership.Role.ADMIN)
    invitation = InvitationFactory(org=org, email=gone.user.email, role=Membership.Role.MEMBER)
    invitation.teams.set([team])
    client = Client()
    client.force_login(gone.user)
    assert client.post(accept_url(invitation)).status_code == 302
    gone.refresh_from_db()
    assert gone.is_active and gone.role == Membership.Role.MEMBER
    assert Membership.objects.filter(user=gone.user).count() == 1
    assert gone.team_memberships.filter(team=team).exists()


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, 410, "has expired"),
        ({"revoked_at": timezone.now()}, 410, "withdrawn"),
        ({"accepted_at": timezone.now()}, 410, "already used"),
    ],
)
def test_unusable_invitation_shows_a_clear_page_and_creates_nothing(
    client, invitation, change, status, message
):
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    for method in (client.get, client.post):
        response = method(
            accept_url(invitation), {"full_name": "N", "password": "a-good-long-secret"}
        )
        assert response.status_code == status
        assert message in response.content.decode()
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_unknown_token_is_404_with_a_clear_page(client):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    response = client.get("/invitations/" + "x" * 500 + "/")
    assert response.status_code == 404


def test_a_token_is_single_use(invitation):
    user = UserFactory(email="newbie@example.com")
    client = Client()
    client.force_login(user)
    assert client.post(accept_url(invitation)).status_code == 302
    again = client.post(accept_url(invitation))
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert Membership.objects.filter(user=user).count() == 1
    assert TeamMembership.objects.filter(membership__user=user).count() == 1


def test_full_journey_invite_then_accept_in_another_session(admin, team, send):
    send(
        admin, url("invite"), {"email": "journey@example.com", "role": "member", "teams": [team.pk]}
    )
    path = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body).group(1)
    newcomer = Client()
    response = newcomer.post(path, {"full_name": "Jo Urney", "password": "a-good-long-secret"})
    assert response.status_code == 302
    assert "journey@example.com" in admin.get(url("people")).content.decode()
    assert not admin.get(url("people")).context["invitations"]


def test_a_failing_mail_server_does_not_turn_the_invite_into_an_error(admin, send, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    response = send(admin, url("invite"), {"email": "a@example.com", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.filter(email="a@example.com").exists()  # resend later


def test_company_name_with_a_line_break_gives_a_clean_subject(admin, org, send):
    org.name = "Acme\nInc"
    org.save()
    send(admin, url("invite"), {"email": "a@example.com", "role": "member"})
    assert mail.outbox[0].subject == "You are invited to join Acme Inc on Aligned"
