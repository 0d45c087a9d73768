"""The only writers of dependencies: each takes the acting membership, checks its right
(``permissions``) and the period (closed: read-only for all but admins), writes, tells the
other side (``notifications``) and records what it did (``audit.record``).

Declaring on a private objective (or a draft) is refused unless the person asked, or a
manager of the team asked, may see it: a request nobody on the other side can open would
leak nothing but would help nobody either.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import record
from notifications.models import Notification
from notifications.services import notify_dependency
from objectives.access import who_sees
from objectives.models import KeyResult, Objective
from objectives.permissions import ensure_period_open
from organizations.clock import company_today
from organizations.models import Membership, Team, TeamMembership

from .models import Dependency
from .permissions import may_answer, may_change_request, may_declare, may_mark_done

Status = Dependency.Status

MSG_CANNOT_DECLARE = "Only someone who may edit this objective can say what it needs."
MSG_CANNOT_ANSWER = "Only the person or team asked (its managers) or an admin can answer."
MSG_CANNOT_CHANGE = "Only someone who may edit this objective can change its request."


def _clean_text(value: str, field: str, limit: int, *, required: str | None = None) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > limit:
        raise ValidationError({field: f"Keep it under {limit:,} characters ({len(text):,} now)."})
    return text


def _clean_date(org, value, field: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError({field: "Enter a date, like 2026-12-31."})
    if value < company_today(org):
        raise ValidationError({field: "Pick today or a later date."})
    return value


def team_managers(team: Team) -> set[int]:
    """The memberships managing ``team`` or a team above it (two queries)."""
    parents = dict(Team.objects.for_org(team.org_id).values_list("id", "parent_id"))
    chain, current = [], team.pk
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return set(
        TeamMembership.objects.filter(team_id__in=chain, is_manager=True).values_list(
            "membership_id", flat=True
        )
    )


def asked_people(dependency: Dependency) -> set[int]:
    """Who answers for the asked side: the person, or the team's managers."""
    if dependency.from_person_id is not None:
        return {dependency.from_person_id}
    return team_managers(dependency.from_team)


def _requesting_people(dependency: Dependency) -> set[int]:
    wanted = {dependency.requested_by_id}
    if dependency.objective.owner_id:
        wanted.add(dependency.objective.owner_id)
    return wanted


@transaction.atomic
def dependency_request(
    *,
    actor: Membership,
    objective: Objective,
    what: str,
    needed_by: datetime.date,
    from_team: Team | None = None,
    from_person: Membership | None = None,
    key_result: KeyResult | None = None,
) -> Dependency:
    """``actor`` says ``objective`` (or its ``key_result``) needs ``what`` from a team or a
    person by ``needed_by``."""
    if objective.org_id != actor.org_id or (
        key_result is not None and key_result.objective_id != objective.pk
    ):
        raise PermissionDenied("Not a key result of this objective.")
    ensure_period_open(actor, objective.period)
    if not may_declare(actor, objective):
        raise PermissionDenied(MSG_CANNOT_DECLARE)
    what = _clean_text(what, "what", Dependency.WHAT_MAX, required="Say what you need.")
    needed_by = _clean_date(actor.org, needed_by, "needed_by")
    if (from_team is None) == (from_person is None):
        raise ValidationError({"from_team": "Ask one team or one person."})
    if from_person is not None:
        if from_person.org_id != actor.org_id or not from_person.is_active:
            raise ValidationError({"from_person": "Pick someone of this company."})
        if from_person.pk == actor.pk:
            raise ValidationError({"from_person": "Ask someone else than yourself."})
        field, name = "from_person", from_person.user.get_full_name()
    else:
        if from_team.org_id != actor.org_id:
            raise ValidationError({"from_team": "Pick a team of this company."})
        if from_team.pk == objective.team_id:
            raise ValidationError({"from_team": "That is this objective's own team."})
        field, name = "from_team", from_team.name
    dependency = Dependency(
        org_id=actor.org_id,
        objective=objective,
        key_result=key_result,
        requested_by=actor,
        from_team=from_team,
        from_person=from_person,
        what=what,
        needed_by=needed_by,
    )
    answering = asked_people(dependency)
    if objective.is_restricted:  # private, or a draft not published yet
        seen = who_sees(actor.org_id, ((person, objective) for person in answering))
        if not seen:
            what_it_is = "private" if objective.is_private else "not published yet"
            raise ValidationError(
                {
                    field: f"This objective is {what_it_is} and {name} may not see it: "
                    "share or publish it first, or ask someone who sees it."
                }
            )
    dependency.full_clean()
    dependency.save()
    notify_dependency(
        dependency, actor=actor, people=answering, kind=Notification.Kind.DEPENDENCY_REQUEST
    )
    record(
        actor,
        "dependency.request",
        dependency,
        {
            "what": [None, dependency.what],
            "needed_by": [None, dependency.needed_by.isoformat()],
            "from": [None, name],
        },
    )
    return dependency


def _answer(actor, dependency, *, status, answer, action, proposed_date=None) -> Dependency:
    objective = dependency.objective
    ensure_period_open(actor, objective.period)
    if not may_answer(actor, dependency):
        raise PermissionDenied(MSG_CANNOT_ANSWER)
    if dependency.status == Status.DONE:
        raise ValidationError({"answer": "It was delivered already."})
    text = _clean_text(
        answer,
        "answer",
        Dependency.ANSWER_MAX,
        required="Say why, so they can look elsewhere." if status == Status.DECLINED else None,
    )
    before = (dependency.status, dependency.proposed_date)
    dependency.status = status
    dependency.proposed_date = proposed_date
    dependency.answer = text
    dependency.answered_by = actor
    dependency.answered_at = timezone.now()
    dependency.save(
        update_fields=["status", "proposed_date", "answer", "answered_by", "answered_at"]
    )
    notify_dependency(
        dependency,
        actor=actor,
        people=_requesting_people(dependency),
        kind=Notification.Kind.DEPENDENCY_ANSWER,
    )
    changes = {"status": [before[0], status]}
    if before[1] != proposed_date:
        changes["proposed_date"] = [
            before[1] and before[1].isoformat(),
            proposed_date and proposed_date.isoformat(),
        ]
    if text:
        changes["answer"] = [None, text]
    record(actor, action, dependency, changes)
    return dependency


@transaction.atomic
def dependency_acknowledge(
    *, actor: Membership, dependency: Dependency, answer: str = ""
) -> Dependency:
    """The asked side will deliver by the date asked."""
    return _answer(
        actor,
        dependency,
        status=Status.ACKNOWLEDGED,
        answer=answer,
        action="dependency.acknowledge",
    )


@transaction.atomic
def dependency_decline(*, actor: Membership, dependency: Dependency, answer: str) -> Dependency:
    """The asked side will not deliver it (and says why)."""
    return _answer(
        actor, dependency, status=Status.DECLINED, answer=answer, action="dependency.decline"
    )


@transaction.atomic
def dependency_propose_date(
    *, actor: Membership, dependency: Dependency, proposed_date, answer: str = ""
) -> Dependency:
    """The asked side could deliver, but by another date; the requester accepts it or not."""
    proposed_date = _clean_date(actor.org, proposed_date, "proposed_date")
    if proposed_date == dependency.needed_by:
        raise ValidationError({"proposed_date": "That is the date they asked for: acknowledge it."})
    return _answer(
        actor,
        dependency,
        status=Status.PROPOSED,
        answer=answer,
        action="dependency.propose_date",
        proposed_date=proposed_date,
    )


def _ensure_requester(actor, dependency, message=MSG_CANNOT_CHANGE) -> None:
    ensure_period_open(actor, dependency.objective.period)
    if not may_change_request(actor, dependency):
        raise PermissionDenied(message)


@transaction.atomic
def dependency_accept_date(*, actor: Membership, dependency: Dependency) -> Dependency:
    """The requesting side takes the proposed date: it is now needed by then, acknowledged."""
    _ensure_requester(actor, dependency)
    if dependency.status != Status.PROPOSED:
        raise ValidationError({"proposed_date": "No other date is proposed."})
    before = dependency.needed_by
    dependency.needed_by, dependency.proposed_date = dependency.proposed_date, None
    dependency.status = Status.ACKNOWLEDGED
    dependency.save(update_fields=["needed_by", "proposed_date", "status"])
    notify_dependency(
        dependency,
        actor=actor,
        people=asked_people(dependency),
        kind=Notification.Kind.DEPENDENCY_ANSWER,
    )
    record(
        actor,
        "dependency.accept_date",
        dependency,
        {
            "needed_by": [before.isoformat(), dependency.needed_by.isoformat()],
            "status": [Status.PROPOSED, Status.ACKNOWLEDGED],
        },
    )
    return dependency


@transaction.atomic
def dependency_mark_done(*, actor: Membership, dependency: Dependency) -> Dependency:
    """Either side says it was delivered: it leaves every "needs attention" list."""
    ensure_period_open(actor, dependency.objective.period)
    if not may_mark_done(actor, dependency):
        raise PermissionDenied(MSG_CANNOT_CHANGE)
    if dependency.status == Status.DECLINED:
        raise ValidationError({"status": "It was declined: nothing was delivered."})
    before = dependency.status
    dependency.status, dependency.proposed_date = Status.DONE, None
    dependency.save(update_fields=["status", "proposed_date"])
    other = (
        _requesting_people(dependency)
        if may_answer(actor, dependency) and not may_change_request(actor, dependency)
        else asked_people(dependency)
    )
    notify_dependency(
        dependency, actor=actor, people=other, kind=Notification.Kind.DEPENDENCY_ANSWER
    )
    record(actor, "dependency.done", dependency, {"status": [before, Status.DONE]})
    return dependency


@transaction.atomic
def dependency_withdraw(*, actor: Membership, dependency: Dependency) -> None:
    """The requesting side no longer needs it: the request goes."""
    _ensure_requester(actor, dependency)
    record(
        actor,
        "dependency.withdraw",
        dependency,
        {"what": [dependency.what, None], "needed_by": [dependency.needed_by.isoformat(), None]},
    )
    dependency.delete()
