"""Who may see and change which OKR: one place that every view and template asks.

Roles come from ``Membership.role``; team management from ``TeamMembership.is_manager``
(a manager of a team also manages its sub-teams); per-object exceptions from
django-guardian grants (``share_objective``: may read a private objective;
``change_objective``: co-owner; ``checkin_keyresult``: KR contributor).

Two rules hold for every write, and live here so views, templates and services agree:
a closed period is read-only for everyone but admins (``ensure_period_open``), and nobody
raises their own rights: a grant is made or removed only by someone who holds the right it
gives, and never on themselves (``can_grant``, ``ensure_may_grant``).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from organizations.models import Team, TeamMembership

from .models import (
    KeyResultUserObjectPermission,
    Objective,
    ObjectiveUserObjectPermission,
    seen_by_everyone_q,
)

READ_GRANTS = ("share_objective", "change_objective")

CLOSED_MESSAGE = "“%(period)s” is closed: its OKRs are read-only. Ask an admin to reopen it."


class PeriodClosed(ValidationError):
    """A write to a closed period's OKRs by someone who is not an admin."""


def period_open_for(membership, period) -> bool:
    """Whether ``membership`` may write to ``period``'s objectives, key results, check-ins,
    alignment links and grants: a closed period is read-only for everyone but admins."""
    return not period.is_closed or membership.is_admin


def ensure_period_open(actor, period) -> None:
    """The one guard every OKR write calls first. ``actor=None`` is the system (seeding,
    imports), which closing a period does not stop."""
    if actor is not None and not period_open_for(actor, period):
        raise PeriodClosed(CLOSED_MESSAGE % {"period": period.name}, code="period_closed")


@dataclass(frozen=True)
class _Facts:
    managed: frozenset[int]  # teams this person manages directly
    objective_grants: bool  # holds any grant on an objective (read or co-owner)
    kr_grants: bool  # holds any contributor grant on a key result


# Plain SQL (valid on PostgreSQL and SQLite): this runs on almost every page, and
# compiling it as a three-part ORM union cost more than running it.
_MANAGERS = TeamMembership._meta.db_table
_OBJECTIVE_GRANTS = ObjectiveUserObjectPermission._meta.db_table
_KR_GRANTS = KeyResultUserObjectPermission._meta.db_table
_FACTS_SQL = f"""
SELECT team_id, 'team' FROM {_MANAGERS} WHERE membership_id = %s AND is_manager
UNION ALL SELECT 0, 'objective' WHERE EXISTS (SELECT 1 FROM {_OBJECTIVE_GRANTS} WHERE user_id = %s)
UNION ALL SELECT 0, 'kr' WHERE EXISTS (SELECT 1 FROM {_KR_GRANTS} WHERE user_id = %s)
"""


def _facts(membership) -> _Facts:
    """What most permission checks ask first, in one query per request (cached on the
    membership): the teams this person manages and whether they hold grants at all. Most
    people manage nothing and hold no grant, and then their checks need neither subquery."""
    cached = getattr(membership, "_permission_facts", None)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, [membership.pk, membership.user_id, membership.user_id])
        found = cursor.fetchall()
    kinds = {kind for _, kind in found}
    membership._permission_facts = _Facts(
        managed=frozenset(pk for pk, kind in found if kind == "team"),
        objective_grants="objective" in kinds,
        kr_grants="kr" in kinds,
    )
    return membership._permission_facts


def managed_team_ids(membership) -> frozenset[int]:
    """Teams this person manages, with all their sub-teams (cached on the membership)."""
    cached = getattr(membership, "_managed_team_ids", None)
    if cached is not None:
        return cached
    direct = set(_facts(membership).managed)
    below: set[int] = set()  # teams under one this person manages
    if direct:
        children: dict[int | None, list[int]] = {}
        for team_id, parent_id in Team.objects.for_org(membership.org_id).values_list(
            "id", "parent_id"
        ):
            children.setdefault(parent_id, []).append(team_id)
        stack = list(direct)
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in below:
                    below.add(child)
                    stack.append(child)
    membership._managed_team_ids = frozenset(direct | below)
    membership._managed_team_roots = frozenset(direct - below)
    return membership._managed_team_ids


def managed_team_roots(membership) -> frozenset[int]:
    """The teams this person manages that no other team they manage sits above."""
    managed_team_ids(membership)
    return membership._managed_team_roots


def _granted(user_id, codenames) -> Exists:
    return Exists(
        ObjectiveUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"),
            user_id=user_id,
            permission__codename__in=codenames,
        )
    )


def visible_objectives(queryset: QuerySet, membership) -> QuerySet:
    """Filter objectives to those ``membership`` may see. Admins see everything; a draft is
    seen like a private objective (its owner, co-owners, the managers of its team or owner)."""
    if membership.is_admin:
        return queryset
    allowed = seen_by_everyone_q() | Q(owner=membership)
    if _facts(membership).objective_grants:  # most people hold none: no subquery to compile
        allowed |= _granted(membership.user_id, READ_GRANTS)
    managed = managed_team_ids(membership)
    if managed:  # most people manage nothing: no need to compile (and run) these terms
        allowed |= Q(team_id__in=managed) | Exists(
            TeamMembership.objects.filter(membership_id=OuterRef("owner_id"), team_id__in=managed)
        )
    return queryset.filter(allowed)


def _has_grant(membership, objective, codenames) -> bool:
    if not _facts(membership).objective_grants:
        return False
    return ObjectiveUserObjectPermission.objects.filter(
        content_object=objective, user_id=membership.user_id, permission__codename__in=codenames
    ).exists()


def manages_people_or_team(membership, *, team_id, people) -> bool:
    """Whether ``membership`` manages the team ``team_id`` (or a parent of it), or a team of
    one of ``people`` (membership ids; ``None`` ignored)."""
    managed = managed_team_ids(membership)
    if not managed:
        return False
    if team_id in managed:
        return True
    people = {person for person in people if person is not None}
    return bool(
        people
        and TeamMembership.objects.filter(membership_id__in=people, team_id__in=managed).exists()
    )


def _manages_owner_or_team(membership, objective) -> bool:
    return manages_people_or_team(
        membership, team_id=objective.team_id, people=[objective.owner_id]
    )


def can_view_objective(membership, objective) -> bool:
    if objective.org_id != membership.org_id:
        return False
    if membership.is_admin or not objective.is_restricted or objective.owner_id == membership.id:
        return True
    return _manages_owner_or_team(membership, objective) or _has_grant(
        membership, objective, READ_GRANTS
    )


def can_create_objective(membership, *, level: str, team=None, owner=None) -> bool:
    """A person writes their own individual objectives; team managers their teams'; admins all."""
    if membership.is_admin:
        return True
    if level == Objective.Level.INDIVIDUAL:
        return owner is None or owner.pk == membership.pk
    if level == Objective.Level.TEAM:
        return team is not None and team.pk in managed_team_ids(membership)
    return False


def can_edit_objective(membership, objective) -> bool:
    """May change the objective and its key results. Closed periods are read-only but for admins."""
    if objective.org_id != membership.org_id:
        return False
    if not period_open_for(membership, objective.period):
        return False
    return would_edit_if_open(membership, objective)


def would_edit_if_open(membership, objective) -> bool:
    """The edit right ignoring a closed period: tells "read-only now" apart from "not yours"."""
    if objective.org_id != membership.org_id:
        return False
    if membership.is_admin:
        return True
    if objective.level == Objective.Level.INDIVIDUAL and objective.owner_id == membership.id:
        return True
    if objective.level == Objective.Level.TEAM and objective.team_id in managed_team_ids(
        membership
    ):
        return True
    return _has_grant(membership, objective, ("change_objective",))


def can_checkin(membership, kr) -> bool:
    """The KR owner, a contributor, or anyone who may edit its objective; when its period is
    closed, only admins."""
    if kr.org_id != membership.org_id or not period_open_for(membership, kr.objective.period):
        return False
    if kr.owner_id == membership.id or kr.objective.owner_id == membership.id:
        return True
    if KeyResultUserObjectPermission.objects.filter(
        content_object=kr, user_id=membership.user_id, permission__codename="checkin_keyresult"
    ).exists():
        return True
    return can_edit_objective(membership, kr.objective)


def can_triage_objective(membership, objective) -> bool:
    """May act on a dashboard entry about ``objective`` (not a duplicate, align one under the
    other): admins, whoever may edit it, and the managers of its team or of its owner's teams
    (the people whose dashboard lists it)."""
    if objective.org_id != membership.org_id:
        return False
    if membership.is_admin or can_edit_objective(membership, objective):
        return True
    return _manages_owner_or_team(membership, objective)


def can_nudge_key_result(membership, kr) -> bool:
    """May e-mail a key result's owner a nudge: admins, whoever may edit its objective, and
    the managers of its team or of its owner's or its objective's owner's teams."""
    if kr.org_id != membership.org_id:
        return False
    if membership.is_admin or can_edit_objective(membership, kr.objective):
        return True
    return manages_people_or_team(
        membership, team_id=kr.objective.team_id, people=[kr.owner_id, kr.objective.owner_id]
    )


def would_manage_sharing_if_open(membership, objective) -> bool:
    """Admins, the owner and the managers of the owning team or owner open the share page
    (what they may grant there is ``can_grant``'s answer)."""
    if objective.org_id != membership.org_id:
        return False
    if membership.is_admin or objective.owner_id == membership.id:
        return True
    return _manages_owner_or_team(membership, objective)


def can_manage_sharing(membership, objective) -> bool:
    """May open the share page and make at least the read grant (closed periods aside)."""
    return period_open_for(membership, objective.period) and would_manage_sharing_if_open(
        membership, objective
    )


class Grant:
    """What a grant gives: reading a private objective, co-owning it (editing it and its
    key results), or checking in on one of its key results (contributor)."""

    READ = "read"
    CO_OWNER = "co_owner"
    CONTRIBUTOR = "contributor"


GRANT_REFUSED = {
    Grant.READ: "Only admins, the owner and their managers can share this objective.",
    Grant.CO_OWNER: "Only someone who may edit this objective can make co-owners.",
    Grant.CONTRIBUTOR: "Only someone who may edit this objective can add contributors.",
}
SELF_GRANT_REFUSED = "You cannot give yourself access or take it from yourself: ask an admin."


def can_grant(membership, objective, grant: str) -> bool:
    """Whether ``membership`` may give (or take away) ``grant`` on ``objective``: nobody
    gives a right they do not hold. Reading needs the share page's right; co-owning and
    contributing give edit and check-in rights, so they also need the right to edit."""
    if not can_manage_sharing(membership, objective):
        return False
    if grant == Grant.READ:
        return True
    return can_edit_objective(membership, objective)


def ensure_may_grant(actor, objective, grant: str, person) -> None:
    """Refuse (``PermissionDenied`` with a message for the person, or ``PeriodClosed``) a
    grant, or its removal, that ``actor`` may not make; never on themselves."""
    if person.org_id != objective.org_id or actor.org_id != objective.org_id:
        raise PermissionDenied("You can only share with people of this company.")
    if person.pk == actor.pk:
        raise PermissionDenied(SELF_GRANT_REFUSED)
    ensure_period_open(actor, objective.period)
    if not can_grant(actor, objective, grant):
        raise PermissionDenied(GRANT_REFUSED[grant])


def _grants_on(membership, objective_ids, kr_ids) -> tuple[set[int], set[int]]:
    """The viewer's co-owner grants among ``objective_ids`` and contributor grants among
    ``kr_ids``, in one query (a UNION of the two grant tables)."""
    wanted = [
        ("objective", ObjectiveUserObjectPermission, objective_ids, "change_objective"),
        ("kr", KeyResultUserObjectPermission, kr_ids, "checkin_keyresult"),
    ]
    queries = [
        grants.objects.filter(
            content_object_id__in=ids, user_id=membership.user_id, permission__codename=codename
        ).values_list("content_object_id", Value(kind))
        for kind, grants, ids, codename in wanted
        if ids
    ]
    found: dict[str, set[int]] = {"objective": set(), "kr": set()}
    if queries:
        rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
        for pk, kind in rows:
            found[kind].add(pk)
    return found["objective"], found["kr"]


def annotate_rights(membership, objectives) -> None:
    """Set ``can_edit`` / ``can_share`` on each objective and ``can_checkin`` on each of its
    prefetched KRs with a bounded number of queries (no per-row lookups), for list pages.

    Needs ``period`` loaded and ``key_results`` prefetched.
    """
    objectives = list(objectives)
    if not objectives:
        return
    admin = membership.is_admin
    managed = frozenset() if admin else managed_team_ids(membership)
    ids = [o.pk for o in objectives]
    kr_ids = [kr.pk for o in objectives for kr in o.key_results.all()]
    managed_owners: set[int] = set()
    if not admin and managed:
        owner_ids = {o.owner_id for o in objectives if o.owner_id}
        managed_owners = set(
            TeamMembership.objects.filter(
                membership_id__in=owner_ids, team_id__in=managed
            ).values_list("membership_id", flat=True)
        )
    facts = _facts(membership)
    co_owned, contributed = _grants_on(
        membership,
        ids if facts.objective_grants and not admin else [],
        kr_ids if facts.kr_grants else [],
    )
    for objective in objectives:
        closed = objective.period.is_closed and not admin  # read-only for all but admins
        if admin:
            editable = True
        else:
            mine = (
                objective.level == Objective.Level.INDIVIDUAL
                and objective.owner_id == membership.id
            )
            team_managed = objective.level == Objective.Level.TEAM and objective.team_id in managed
            editable = not closed and (mine or team_managed or objective.pk in co_owned)
        objective.can_edit = editable
        objective.can_share = admin or (
            not closed
            and (
                objective.owner_id == membership.id
                or objective.team_id in managed
                or objective.owner_id in managed_owners
            )
        )
        for kr in objective.key_results.all():
            kr.can_checkin = not closed and (
                editable
                or kr.owner_id == membership.id
                or objective.owner_id == membership.id
                or kr.pk in contributed
            )


MSG_CANNOT_CREATE = (
    "You may not create an objective there: your own, or your teams' if you manage them."
)
MSG_CANNOT_EDIT = "You may not change this objective or its key results."
MSG_CANNOT_CHECKIN = "You may not change this key result."


def ensure_may_create(actor, *, level: str, team=None, owner=None) -> None:
    """Refuse (``PermissionDenied``) an objective ``actor`` may not create at that level, team
    and owner; ``actor=None`` is the system (seeding, imports)."""
    if actor is not None and not can_create_objective(actor, level=level, team=team, owner=owner):
        raise PermissionDenied(MSG_CANNOT_CREATE)


def ensure_may_edit(actor, objective) -> None:
    """Refuse a change to ``objective`` or its key results by someone who may not edit it.
    Call ``ensure_period_open`` first: a closed period has its own message."""
    if actor is not None and not would_edit_if_open(actor, objective):
        raise PermissionDenied(MSG_CANNOT_EDIT)


def ensure_may_checkin(actor, kr) -> None:
    """Refuse a check-in (or a confidence change) on ``kr`` to someone who may not make one."""
    if actor is not None and not (
        would_edit_if_open(actor, kr.objective) or can_checkin(actor, kr)
    ):
        raise PermissionDenied(MSG_CANNOT_CHECKIN)


# --- review (when the company asks for it) ---------------------------------------------------

MSG_CANNOT_REVIEW = (
    "Only the managers of its team or owner (or admins) review this objective, and never "
    "the person who submitted it."
)


def review_applies(actor, objective, org) -> bool:
    """Whether publishing ``objective`` means submitting it for review: the company asks for
    review, it is a team or individual objective, and whoever publishes is a person who is
    not an admin (admins and the system publish at once)."""
    return (
        org.review_required
        and objective.level != Objective.Level.COMPANY
        and actor is not None
        and not actor.is_admin
    )


def submitter_id(objective) -> int | None:
    """Who submitted ``objective`` for review last (one query)."""
    from .models import ReviewStep

    return (
        ReviewStep.objects.filter(objective=objective, kind=ReviewStep.Kind.SUBMITTED)
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


def can_review_objective(membership, objective, *, submitted_by_id) -> bool:
    """Admins and the managers of its team or of its owner's teams approve an objective or
    ask for changes, while its period is open; never the person who submitted it."""
    if objective.org_id != membership.org_id or membership.pk == submitted_by_id:
        return False
    if not period_open_for(membership, objective.period):
        return False
    return membership.is_admin or _manages_owner_or_team(membership, objective)


def ensure_may_review(actor, objective) -> None:
    if not can_review_objective(actor, objective, submitted_by_id=submitter_id(objective)):
        raise PermissionDenied(MSG_CANNOT_REVIEW)
