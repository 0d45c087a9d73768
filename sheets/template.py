"""The import template: the columns, what each means, and example rows that use the
company's own current quarter, a team and the downloading person's e-mail, so the file
imports as it is (and shows how objectives, key results and parents hang together)."""

from organizations.clock import current_period
from organizations.models import Team

from .cells import safe_cell
from .reading import COLUMNS

HELP = (
    (
        "ref",
        "Required. Your reference for the row, unique in the company (e.g. O1, K1). "
        "Importing a row whose ref was imported before creates nothing.",
    ),
    ("type", "Required. objective or key result."),
    ("title", "Required."),
    ("objective_ref", "Key results: the ref of their objective (in this file or imported before)."),
    ("description", "Objectives: optional."),
    ("period", "Objectives: the period's name as in Admin → Periods (e.g. Q1 2027)."),
    ("level", "Objectives: company, team or individual."),
    ("team", "Team objectives: the team's name."),
    ("owner", "The owner's e-mail. Individual objectives: yours unless you are an admin."),
    ("parent_ref", "Objectives: the ref of the objective it aligns to (optional)."),
    ("visibility", "Objectives: public (default) or private."),
    ("commitment", "Objectives: committed (default) or aspirational."),
    ("status", "Objectives: draft (default) or published."),
    ("kind", "Key results: increase (default), decrease or milestone."),
    ("unit", "Key results: number (default), percent or currency."),
    ("currency", "Key results in a currency: its code, e.g. EUR."),
    ("start", "Key results: the value today (default 0)."),
    ("target", "Key results (not milestones): the value to reach."),
    ("weight", "Key results: how much it counts in its objective (default 1)."),
)


def _example(values: dict) -> list:
    return [safe_cell(values.get(name)) for name in COLUMNS]


def template_rows(org, membership) -> list[list]:
    period = current_period(org)
    period_name = period.name if period else "Q1 2027"
    team = (
        Team.objects.for_org(org)
        .filter(team_memberships__membership=membership, team_memberships__is_manager=True)
        .order_by("name")
        .first()
        or Team.objects.for_org(org).order_by("name").first()
    )
    team_name = team.name if team else "Marketing"
    email = membership.user.email
    return [
        list(COLUMNS),
        _example(
            {
                "ref": "O1",
                "type": "objective",
                "title": "Grow our newsletter audience",
                "description": "More of the right readers hear from us every week.",
                "period": period_name,
                "level": "team",
                "team": team_name,
                "status": "draft",
            }
        ),
        _example(
            {
                "ref": "K1",
                "type": "key result",
                "title": "Reach 10,000 subscribers",
                "objective_ref": "O1",
                "owner": email,
                "kind": "increase",
                "unit": "number",
                "start": 2000,
                "target": 10000,
            }
        ),
        _example(
            {
                "ref": "K2",
                "type": "key result",
                "title": "Cut monthly unsubscribes to 1%",
                "objective_ref": "O1",
                "kind": "decrease",
                "unit": "percent",
                "start": 3,
                "target": 1,
            }
        ),
        _example(
            {
                "ref": "O2",
                "type": "objective",
                "title": "Write a welcome series new subscribers love",
                "period": period_name,
                "level": "individual",
                "owner": email,
                "parent_ref": "O1",
            }
        ),
        _example(
            {
                "ref": "K3",
                "type": "key result",
                "title": "Five welcome e-mails sent automatically",
                "objective_ref": "O2",
                "kind": "milestone",
            }
        ),
    ]
