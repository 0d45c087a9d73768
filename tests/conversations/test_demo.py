"""The demo company talks: its conversation mentions people, Mara comments on one of Mia's
check-ins, and Priya's alignment request waits in the admin's inbox. Seeding twice adds
nothing."""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from alignment.models import AlignmentRequest
from conversations.models import Comment, Mention
from notifications.models import Notification
from organizations.models import Membership, Organization


def _client(org, local):
    client = Client()
    client.force_login(Membership.objects.get(org=org, user__email=f"{local}@demo-co.example").user)
    return client


def test_the_demo_has_mentions_a_check_in_comment_and_a_pending_alignment_request(db):
    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    counts = (
        Comment.objects.count(),
        Mention.objects.count(),
        AlignmentRequest.objects.count(),
        Notification.objects.count(),
    )
    call_command("seed_demo", "--org", "demo-co", "--people", "18")  # idempotent
    assert counts == (
        Comment.objects.count(),
        Mention.objects.count(),
        AlignmentRequest.objects.count(),
        Notification.objects.count(),
    )
    org = Organization.objects.get(slug="demo-co")
    mentioned = set(
        Mention.objects.filter(org=org).values_list("membership__user__full_name", flat=True)
    )
    assert {"Mara Lindqvist", "Erik Berg", "Tom Becker"} <= mentioned
    on_checkin = Comment.objects.filter(org=org, checkin__isnull=False).select_related(
        "checkin__author__user", "key_result"
    )
    assert on_checkin.count() == 2
    checkin = on_checkin.first().checkin
    assert checkin.author.user.full_name == "Mia Chen"
    mia = _client(org, "mia")
    kr_page = mia.get(
        reverse("objectives:kr", kwargs={"org_slug": org.slug, "kr_id": checkin.key_result_id})
    ).content.decode()
    assert "could your next article build on what worked here?" in kr_page

    (request,) = AlignmentRequest.objects.filter(org=org)
    assert request.status == "pending" and request.parent.owner.user.email.startswith("admin@")
    admin = _client(org, "admin")
    inbox = admin.get(reverse("notifications:inbox", kwargs={"org_slug": org.slug}))
    assert (
        "Priya Raman asks to align “Close the books in five working days” to your "
        "“Grow recurring revenue by 40%”" in inbox.content.decode()
    )
