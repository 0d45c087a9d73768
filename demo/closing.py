"""The demo company's closed last quarter: grades, outcomes, reflections, one objective
carried over into this quarter (idempotent: a second run finds the quarter closed)."""

from decimal import Decimal

from closing import services
from closing.models import PeriodClosing, ReflectionQuestion
from objectives.models import Objective
from organizations.clock import company_today
from organizations.models import Organization, Period

# title -> (outcome, {KR title: (grade, reason)}, reflections by question position)
GRADES = {
    "Launch our APAC brand campaign": (
        "achieved",
        {
            "Reach 1 million people in Singapore and Australia": (
                "1.0",
                "1.12 million reached, mostly through the Singapore partners.",
            ),
            "Launch the campaign website": ("1.0", "Live on 3 July as planned."),
        },
        [
            "Local partners carried the launch further than paid ads.",
            "Creative approvals took three weeks instead of one.",
            "Book regional partners before the creative, not after.",
        ],
    ),
    "Write the APAC sales playbook": (
        "postponed",
        {
            "Publish the playbook": ("1.0", "Published in August."),
            "Train 8 sellers on it": ("0.7", "Two new sellers joined late; trained next quarter."),
        },
        [
            "The playbook is used on every APAC call.",
            "Training slipped behind hiring.",
            "Train sellers in their first month, not once a quarter.",
        ],
    ),
    "Set up our APAC social channels": (
        "achieved",
        {"Open 4 regional accounts": ("1.0", "All four accounts are open and verified.")},
        [],
    ),
    "Move to the new data centre": (
        "achieved",
        {"Migrate every customer": ("1.0", "The last customer moved on 12 September.")},
        ["No customer-visible downtime.", "", "Dry runs paid for themselves."],
    ),
}
CARRIED = "Write the APAC sales playbook"


def seed_closed_quarter(org: Organization, *, people: dict) -> None:
    admin = people["admin"]
    today = company_today(org)
    previous = (
        Period.objects.for_org(org)
        .filter(kind=Period.Kind.QUARTER, end__lt=today)
        .order_by("-end")
        .first()
    )
    current = (
        Period.objects.for_org(org)
        .filter(kind=Period.Kind.QUARTER, start__lte=today, end__gte=today)
        .first()
    )
    if previous is None or current is None or previous.is_closed:
        return
    if not PeriodClosing.objects.filter(period=previous).exists():
        services.period_closing_start(period=previous, actor=admin)
    questions = list(ReflectionQuestion.objects.for_org(org).filter(archived_at=None))
    objectives = Objective.objects.for_org(org).filter(period=previous).select_related("period")
    for objective in objectives:
        outcome, grades, reflections = GRADES.get(objective.title, ("achieved", {}, []))
        by_title = {kr.title: kr.pk for kr in objective.key_results.all()}
        services.objective_grade(
            objective=objective,
            actor=admin,
            grades={
                by_title[title]: services.GradeInput(Decimal(score), reason)
                for title, (score, reason) in grades.items()
                if title in by_title
            },
            outcome=outcome,
            answers={q.pk: text for q, text in zip(questions, reflections, strict=False) if text},
        )
    previous.refresh_from_db()
    services.period_close(period=previous, actor=admin, force=True)
    carried = objectives.filter(title=CARRIED).first()
    if carried is not None:
        services.objective_carry_over(
            actor=admin, objective=carried, into_period=current, start_from="ended"
        )
