"""The demo company shows a dependency between Marketing and Sales, both ways."""

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from dependencies.models import Dependency
from organizations.models import Membership, Organization


def test_the_demo_has_marketing_and_sales_depending_on_each_other(db):
    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    call_command("seed_demo", "--org", "demo-co", "--people", "18")  # idempotent
    org = Organization.objects.get(slug="demo-co")
    rows = {
        (d.objective.team.name, d.from_team.name, d.status)
        for d in Dependency.objects.for_org(org).select_related("objective__team", "from_team")
    }
    assert rows == {("Marketing", "Sales", "acknowledged"), ("Sales", "Marketing", "requested")}
    mara = Membership.objects.get(org=org, user__email__startswith="mara@")
    client = Client()
    client.force_login(mara.user)
    dashboard = client.get(reverse("alignment:dashboard", kwargs={"org_slug": org.slug}))
    section = dashboard.content.decode().split("Dependencies needing attention")[1]
    assert "webinar recordings" in section and "no answer for 7 days" in section
    sales = Dependency.objects.get(org=org, from_team__name="Sales").from_team
    page = client.get(
        reverse("objectives:team", kwargs={"org_slug": org.slug, "team_id": sales.pk})
    )
    assert "APAC target accounts" in page.content.decode()
