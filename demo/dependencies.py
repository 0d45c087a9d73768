"""The demo's dependencies between Marketing and Sales, declared and answered through the
services as people would: Marketing needs Sales' APAC target accounts (acknowledged), and
Sales needs Marketing's webinar recordings (asked a week ago, still unanswered, so Sales'
and Marketing's dashboards flag it)."""

import datetime

from dependencies import services
from dependencies.models import Dependency
from objectives.models import Objective
from organizations.clock import company_today
from organizations.models import Organization, Team


def _team_objective(org, team: str, title: str):
    return (
        Objective.objects.for_org(org)
        .filter(level=Objective.Level.TEAM, team__name=team, title=title)
        .select_related("period", "team")
        .order_by("-period__start", "id")
        .first()
    )


def seed_dependencies(org: Organization, *, people: dict) -> None:
    if Dependency.objects.for_org(org).exists():
        return
    teams = {team.name: team for team in Team.objects.for_org(org)}
    leads = _team_objective(org, "Marketing", "Feed Sales with qualified APAC leads")
    customers = _team_objective(org, "Sales", "Turn Marketing's MQLs into customers")
    if leads is None or customers is None or not {"Marketing", "Sales"} <= teams.keys():
        return
    today = company_today(org)
    accounts = services.dependency_request(
        actor=people["mara"],
        objective=leads,
        what="The list of 50 APAC target accounts, so the campaign aims at them",
        needed_by=min(today + datetime.timedelta(days=14), max(leads.period.end, today)),
        from_team=teams["Sales"],
    )
    services.dependency_acknowledge(
        actor=people["sam"], dependency=accounts, answer="Leo sends it by then."
    )
    recordings = services.dependency_request(
        actor=people["sam"],
        objective=customers,
        what="The APAC webinar recordings, to send to the leads after their first call",
        needed_by=max(customers.period.end, today),
        from_team=teams["Marketing"],
    )
    # Asked a week ago and not answered yet: the managers' dashboards flag it.
    Dependency.objects.filter(pk=recordings.pk).update(
        created_at=recordings.created_at - datetime.timedelta(days=7)
    )
