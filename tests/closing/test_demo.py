"""The demo company shows a closed quarter with grades, reflections and a carried-over
objective."""

from django.core.management import call_command
from django.urls import reverse

from closing.models import CarryOver, KRGrade, ReflectionAnswer
from objectives.models import Objective
from organizations.models import Membership


def test_the_demo_has_a_closed_quarter_graded_reflected_and_carried_over(db, client):
    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    call_command("seed_demo", "--org", "demo-co", "--people", "18")  # idempotent
    playbook = Objective.objects.get(
        org__slug="demo-co", title="Write the APAC sales playbook", period__is_closed=True
    )
    assert playbook.outcome.outcome == "postponed"
    assert KRGrade.objects.filter(key_result__objective=playbook).count() == 2
    assert ReflectionAnswer.objects.filter(objective=playbook).count() == 3
    carry = CarryOver.objects.get(source=playbook)
    assert carry.copy.period.is_current and not carry.copy.period.is_closed
    assert CarryOver.objects.filter(org__slug="demo-co").count() == 1
    # Sam reads the grades on the objective page, and where it continues.
    admin = Membership.objects.get(org__slug="demo-co", user__email="admin@demo-co.example")
    client.force_login(admin.user)
    page = client.get(
        reverse("objectives:objective", kwargs={"org_slug": "demo-co", "objective_id": playbook.pk})
    ).content.decode()
    assert "Trained next quarter" in page.replace("trained", "Trained") and "Continued in" in page
