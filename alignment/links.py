from django.urls import reverse


def objective_url(org, objective) -> str:
    return reverse(
        "objectives:objective", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
    )


def person_url(org, membership) -> str:
    return reverse("objectives:person", kwargs={"org_slug": org.slug, "person_id": membership.pk})


def team_url(org, team) -> str:
    return reverse("objectives:team", kwargs={"org_slug": org.slug, "team_id": team.pk})
