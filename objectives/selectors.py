"""Reads shared by the OKR pages: each returns objectives with everything the templates
touch already loaded (period, owner, team, theme, key results and their owners), so a page
costs the same number of queries for 10 objectives as for 200."""

from django.db.models import Count, Prefetch, Q, QuerySet

from organizations.models import Membership, Period, StrategicTheme, Team

from .models import KeyResult, Objective
from .permissions import annotate_rights, visible_objectives
from .progress import as_percent, explain_objective, key_result_progress, objective_progress


def with_related(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("period", "owner__user", "team", "theme").prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.select_related("owner__user"))
    )


def visible(org, viewer) -> QuerySet:
    """Every objective of ``org`` that ``viewer`` may see, not yet loaded."""
    return visible_objectives(Objective.objects.for_org(org), viewer)


def decorate(objectives, viewer) -> list[Objective]:
    """Attach progress (``progress``, ``percent``, ``explanation``) and rights to loaded rows."""
    objectives = list(objectives)
    for objective in objectives:
        krs = list(objective.key_results.all())
        for kr in krs:
            kr.progress = key_result_progress(kr)
            kr.percent = as_percent(kr.progress)
        objective.progress = objective_progress(krs)
        objective.percent = as_percent(objective.progress)
        objective.explanation = explain_objective(krs)
    annotate_rights(viewer, objectives)
    return objectives


def _level_order(queryset: QuerySet) -> QuerySet:
    return queryset.order_by("period__start", "level", "title", "id")


def objectives_for_person(org, viewer, person: Membership, period: Period | None) -> list:
    queryset = visible(org, viewer).filter(owner=person)
    if period is not None:
        queryset = queryset.filter(period=period)
    return decorate(with_related(_level_order(queryset)), viewer)


def key_results_owned_elsewhere(org, viewer, person: Membership, period: Period | None) -> list:
    """KRs ``person`` owns on objectives someone else owns (visible ones only)."""
    queryset = visible(org, viewer).filter(key_results__owner=person).exclude(owner=person)
    if period is not None:
        queryset = queryset.filter(period=period)
    objectives = decorate(with_related(_level_order(queryset.distinct())), viewer)
    return [(o, kr) for o in objectives for kr in o.key_results.all() if kr.owner_id == person.pk]


def objectives_for_team(org, viewer, team: Team, period: Period | None) -> tuple[list, list]:
    """(team objectives, individual objectives of the team's people)."""
    queryset = visible(org, viewer)
    if period is not None:
        queryset = queryset.filter(period=period)
    team_rows = decorate(with_related(_level_order(queryset.filter(team=team))), viewer)
    people_rows = decorate(
        with_related(
            _level_order(
                queryset.filter(
                    level=Objective.Level.INDIVIDUAL, owner__team_memberships__team=team
                ).distinct()
            )
        ),
        viewer,
    )
    return team_rows, people_rows


def company_objectives(org, viewer, period: Period | None) -> list:
    queryset = visible(org, viewer).filter(level=Objective.Level.COMPANY)
    if period is not None:
        queryset = queryset.filter(period=period)
    return decorate(with_related(_level_order(queryset)), viewer)


def objective_with_krs(org, viewer, objective_id: int) -> Objective | None:
    """One objective for its page or an htmx partial; ``None`` when not visible."""
    objective = with_related(visible(org, viewer).filter(pk=objective_id)).first()
    if objective is None:
        return None
    return decorate([objective], viewer)[0]


def teams_with_counts(org, viewer, period: Period | None) -> list[Team]:
    """Teams with the number of their objectives the viewer can see (and people)."""
    counts = dict(
        visible(org, viewer)
        .filter(**({"period": period} if period is not None else {}))
        .filter(team__isnull=False)
        .values_list("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    teams = list(
        Team.objects.for_org(org)
        .select_related("parent")
        .annotate(people_count=Count("team_memberships", distinct=True))
        .order_by("name")
    )
    for team in teams:
        team.objective_count = counts.get(team.pk, 0)
    return teams


def periods_for_switcher(org) -> list[Period]:
    return list(Period.objects.for_org(org).order_by("-start", "end"))


def themes(org) -> list[StrategicTheme]:
    return list(StrategicTheme.objects.for_org(org).order_by("name"))


def explore_queryset(org, viewer, filters: dict) -> QuerySet:
    """Visible objectives matching the explore filters (already validated by a form)."""
    queryset = visible(org, viewer)
    for field in ("period", "level", "team", "theme", "status"):
        value = filters.get(field)
        if value:
            queryset = queryset.filter(**{field: value})
    if filters.get("owner"):
        name = filters["owner"]
        queryset = queryset.filter(
            Q(owner__user__full_name__icontains=name) | Q(owner__user__email__icontains=name)
        )
    if filters.get("confidence"):
        queryset = queryset.filter(key_results__confidence=filters["confidence"]).distinct()
    if filters.get("q"):
        text = filters["q"]
        queryset = queryset.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(key_results__title__icontains=text)
        ).distinct()
    return with_related(queryset.order_by("-period__start", "level", "title", "id"))


def objective_grants(objective: Objective) -> list[dict]:
    """People with a guardian grant on the objective: reader or co-owner."""
    from .models import ObjectiveUserObjectPermission

    rows = ObjectiveUserObjectPermission.objects.filter(content_object=objective).values_list(
        "user_id", "permission__codename"
    )
    by_user: dict[int, set[str]] = {}
    for user_id, codename in rows:
        by_user.setdefault(user_id, set()).add(codename)
    people = Membership.objects.for_org(objective.org_id).filter(user_id__in=by_user)
    return [
        {"person": person, "co_owner": "change_objective" in by_user[person.user_id]}
        for person in people.select_related("user").order_by("user__full_name")
    ]
