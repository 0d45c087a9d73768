"""Fetching an OKR row by id for a person: the one access module every app uses.

Whatever this person may not see (another company's row, a private objective or a draft that
is not theirs, a key result or check-in on one) answers exactly like an id that does not exist:
``Http404`` with the same message, so no answer tells which ids are private. A view asks
``objectives.permissions`` afterwards for what the person may *change*; only that answers
403, and only about things they can see.
"""

from __future__ import annotations

from django.http import Http404

from organizations.tenancy import get_org_object_or_404

from .models import KeyResult, Objective
from .permissions import can_view_objective
from .selectors import key_result_with_parents

NO_OBJECTIVE = "No such objective."
NO_KEY_RESULT = "No such key result."
NO_CHECKIN = "No such check-in."

OBJECTIVE_RELATED = ("period", "owner__user", "team", "theme")


def visible_objective_or_404(request, objective_id, *, related=OBJECTIVE_RELATED) -> Objective:
    """An objective of the company that ``request.membership`` may see."""
    objective = get_org_object_or_404(
        request, Objective.objects.select_related(*related), pk=objective_id
    )
    if not can_view_objective(request.membership, objective):
        raise Http404(NO_OBJECTIVE)
    return objective


def visible_key_result_or_404(request, kr_id) -> KeyResult:
    """A key result of the company whose objective ``request.membership`` may see, with its
    objective, period, team and owners loaded (``selectors.key_result_with_parents``)."""
    kr = key_result_with_parents(request.org, kr_id)
    if kr is None or not can_view_objective(request.membership, kr.objective):
        raise Http404(NO_KEY_RESULT)
    return kr


def visible_checkin_or_404(request, checkin_id):
    """A check-in of the company on a key result ``request.membership`` may see."""
    from checkins.models import CheckIn

    checkin = get_org_object_or_404(
        request,
        CheckIn.objects.select_related("key_result__objective__period"),
        pk=checkin_id,
    )
    if not can_view_objective(request.membership, checkin.key_result.objective):
        raise Http404(NO_CHECKIN)
    return checkin


def who_sees(org_id: int, pairs) -> set[tuple[int, int]]:
    """Which ``(membership_id, objective)`` pairs are "this person may see this objective",
    for many people at once (e-mails list each recipient's own KRs): the rule of
    ``permissions.visible_objectives`` in at most four queries whatever the number of pairs,
    none when every objective is public or the person's own. Returns the visible pairs as
    ``(membership_id, objective_id)``. Objectives need ``pk``, ``owner_id``, ``team_id``,
    ``visibility`` and ``status`` (a draft is seen like a private objective)."""
    from django.db.models import Q

    from organizations.models import Membership, Team, TeamMembership

    from .models import ObjectiveUserObjectPermission
    from .permissions import READ_GRANTS

    seen: set[tuple[int, int]] = set()
    doubtful: list[tuple[int, object]] = []
    for membership_id, objective in pairs:
        if not objective.is_restricted or objective.owner_id == membership_id:
            seen.add((membership_id, objective.pk))
        else:
            doubtful.append((membership_id, objective))
    if not doubtful:
        return seen
    people = {m for m, _ in doubtful}
    roles, user_of = {}, {}
    for pk, role, user_id in Membership.objects.filter(org_id=org_id, pk__in=people).values_list(
        "pk", "role", "user_id"
    ):
        roles[pk], user_of[pk] = role, user_id
    granted = set(
        ObjectiveUserObjectPermission.objects.filter(
            content_object_id__in={o.pk for _, o in doubtful},
            user_id__in=set(user_of.values()),
            permission__codename__in=READ_GRANTS,
        ).values_list("user_id", "content_object_id")
    )
    led: dict[int, set[int]] = {}
    for membership_id, team_id in TeamMembership.objects.filter(
        Q(membership_id__in=people) & Q(is_manager=True)
    ).values_list("membership_id", "team_id"):
        led.setdefault(membership_id, set()).add(team_id)
    managed: dict[int, set[int]] = {}
    owner_teams: dict[int, set[int]] = {}
    if led:  # a manager also manages the teams below theirs
        children: dict[int | None, list[int]] = {}
        for team_id, parent_id in Team.objects.filter(org_id=org_id).values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(team_id)
        for membership_id, direct in led.items():
            below, stack = set(direct), list(direct)
            while stack:
                for child in children.get(stack.pop(), []):
                    if child not in below:
                        below.add(child)
                        stack.append(child)
            managed[membership_id] = below
        owners = {o.owner_id for m, o in doubtful if m in managed and o.owner_id}
        for membership_id, team_id in TeamMembership.objects.filter(
            membership_id__in=owners
        ).values_list("membership_id", "team_id"):
            owner_teams.setdefault(membership_id, set()).add(team_id)
    for membership_id, objective in doubtful:
        teams = managed.get(membership_id, set())
        if (
            roles.get(membership_id) == Membership.Role.ADMIN
            or (user_of.get(membership_id), objective.pk) in granted
            or objective.team_id in teams
            or owner_teams.get(objective.owner_id, set()) & teams
        ):
            seen.add((membership_id, objective.pk))
    return seen
