"""The person's API tokens page: make a token (shown once), see them, revoke one."""

import re

from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create, digest_of
from audit.models import AuditEntry


def test_a_new_token_is_shown_once_and_works(org, period, member, member_membership):
    url = reverse("api-tokens:list", args=[org.slug])
    response = member.post(url, {"name": "Weekly report", "access": "read", "expires_in_days": 90})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plain = re.search(r'value="(aln_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(membership=member_membership)
    assert (token.name, token.access, token.token_hash) == (
        "Weekly report",
        "read",
        digest_of(plain),
    )
    # Never again: the list shows its first characters only.
    listed = member.get(url).content.decode()
    assert plain not in listed
    assert token.token_prefix in listed
    # It opens the API.
    api = member.get(f"/{org.slug}/api/periods/", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 200
    assert AuditEntry.objects.filter(action="api_token.create", actor=member_membership).exists()


def test_a_bad_form_keeps_what_was_typed(org, member):
    url = reverse("api-tokens:list", args=[org.slug])
    response = member.post(url, {"name": "", "access": "admin", "expires_in_days": "999"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="field-errors"') == 3
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_then_refuses_the_token(org, member, member_membership):
    token, plain = api_token_create(
        actor=member_membership, name="Sync", access="read_write", expires_in_days=30
    )
    url = reverse("api-tokens:revoke", args=[org.slug, token.pk])
    confirm = member.get(url)
    assert confirm.status_code == 200 and "Revoke token" in confirm.content.decode()
    assert member.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    api = member.get(f"/{org.slug}/api/periods/", headers={"Authorization": f"Bearer {plain}"})
    assert api.status_code == 401


def test_nobody_sees_or_revokes_someone_elses_token(org, manager, member_membership):
    token, _ = api_token_create(
        actor=member_membership, name="Mine", access="read", expires_in_days=30
    )
    url = reverse("api-tokens:revoke", args=[org.slug, token.pk])
    assert manager.get(url).status_code == 404
    assert manager.post(url).status_code == 404
    assert "Mine" not in manager.get(reverse("api-tokens:list", args=[org.slug])).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_email_settings_page_links_to_the_tokens(org, member):
    html = member.get(reverse("notifications:settings", args=[org.slug])).content.decode()
    assert reverse("api-tokens:list", args=[org.slug]) in html


def test_exports_and_the_change_log_never_hold_a_token_or_its_hash(org, admin, member_membership):
    import json

    from history.tracking import SECRET_COLUMN
    from sheets.exports import SECRET_FIELD

    token, plain = api_token_create(
        actor=member_membership, name="Sync", access="read", expires_in_days=30
    )
    response = admin.get(reverse("sheets:company-json", args=[org.slug]))
    raw = b"".join(response.streaming_content).decode()
    assert "api.ApiToken" in json.loads(raw)  # the token's name and dates are company data
    assert token.token_hash not in raw and plain not in raw
    for name in ("token_hash", "token_prefix"):
        assert SECRET_FIELD.search(name) and SECRET_COLUMN.search(name)
