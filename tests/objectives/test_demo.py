from django.core.management import call_command

from objectives.models import KeyResult, Objective
from organizations.models import Organization, Period, StrategicTheme


def _counts():
    return (
        Objective.objects.count(),
        KeyResult.objects.count(),
        Period.objects.count(),
        StrategicTheme.objects.count(),
        Objective.objects.filter(parent__isnull=False).count(),
    )


def test_seed_demo_is_idempotent_and_tells_the_story(db):
    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    first = _counts()
    call_command("seed_demo", "--org", "demo-co", "--people", "18")
    assert _counts() == first
    org = Organization.objects.get(slug="demo-co")
    assert org.vision and org.strategy
    assert Period.objects.filter(org=org, is_current=True).count() == 3

    kr = KeyResult.objects.get(org=org, title="Gain 1,000 relevant followers this quarter")
    path = []
    objective = kr.objective
    while objective is not None:
        path.append((objective.level, objective.title))
        objective = objective.parent
    assert path == [
        ("individual", "Grow our APAC audience on social media"),
        ("team", "Build a stronger social-media presence"),
        ("company", "Grow brand value in the APAC region"),
    ]
    company = Objective.objects.filter(org=org, level="company", period__kind="year")
    assert any(not o.children.exists() for o in company)  # an unsupported company goal
    assert Objective.objects.filter(org=org, visibility="private").count() == 1
    kinds = set(KeyResult.objects.filter(org=org).values_list("kind", flat=True))
    units = set(KeyResult.objects.filter(org=org).values_list("unit", flat=True))
    confidences = set(KeyResult.objects.filter(org=org).values_list("confidence", flat=True))
    assert kinds == {"increase", "decrease", "milestone"}
    assert units == {"number", "percent", "currency"}
    assert confidences == {"on_track", "at_risk", "off_track"}
    team_ids = set(Objective.objects.filter(org=org, level="team").values_list("team", flat=True))
    assert len(team_ids) == org.teams.count()
