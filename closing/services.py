"""Writes of the closing workflow: start closing, grade, close, reflection questions,
nudge a grader, carry over. Each takes the acting membership, checks it
(``closing.permissions``, ``organizations.permissions``) and records one audit entry.

Grades are locked when the period closes, for everyone but admins (who may still correct
them, like every other OKR of a closed period).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record
from objectives.models import KeyResult, Objective
from objectives.permissions import ensure_period_open
from objectives.progress import key_result_progress
from objectives.rollups import lock_okr_writes, refresh_rollups
from organizations.models import Membership, Period, note_data_change
from organizations.permissions import ensure_admin

from . import permissions as rules
from .models import (
    DEFAULT_QUESTIONS,
    CarryOver,
    KRGrade,
    ObjectiveOutcome,
    PeriodClosing,
    ReflectionAnswer,
    ReflectionQuestion,
)

MSG_ALREADY_CLOSING = "“%(period)s” is being closed already."
MSG_ALREADY_CLOSED = "“%(period)s” is closed already."
MSG_UNGRADED = (
    "%(count)s objective(s) of “%(period)s” are not graded yet: nudge their owners, "
    "or force-close it."
)
MSG_ALREADY_CARRIED = "“%(title)s” was carried over already: it continues in “%(period)s”."
MSG_NOT_ENDING = "Only objectives of a period being closed or closed can be carried over."
MSG_FINISHED = "“%(title)s” was %(outcome)s: only unfinished or postponed objectives carry over."
MSG_NOT_LATER = "Choose a period that starts after “%(period)s” ends."
MSG_TOO_MANY_QUESTIONS = "Ten questions at most."
MSG_NO_QUESTIONS = "Write at least one question."
MSG_QUESTION_TOO_LONG = "Each question fits in 200 characters."

UNPUBLISHED = tuple(getattr(Objective, "UNPUBLISHED", (Objective.Status.DRAFT,)))


def suggested_score(kr) -> Decimal:
    """A KR's suggested grade: its progress, to two decimals."""
    return key_result_progress(kr).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the period --------------------------------------------------------------------------


def reflection_questions_ensure_defaults(org_id: int) -> None:
    """Give a company that never had reflection questions the three defaults (the system's
    write, made when closing starts and when an admin first opens the questions)."""
    if not ReflectionQuestion.objects.filter(org_id=org_id).exists():
        ReflectionQuestion.objects.bulk_create(
            ReflectionQuestion(org_id=org_id, text=text, position=i)
            for i, text in enumerate(DEFAULT_QUESTIONS)
        )


@transaction.atomic
def period_closing_start(*, period: Period, actor: Membership, now=None) -> PeriodClosing:
    """Open grading for ``period``; its OKRs stay editable as before until it closes."""
    ensure_admin(actor, period.org_id)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise ValidationError(MSG_ALREADY_CLOSED % {"period": period.name}, code="closed")
    if PeriodClosing.objects.filter(period=period).exists():
        raise ValidationError(MSG_ALREADY_CLOSING % {"period": period.name}, code="closing")
    closing = PeriodClosing.objects.create(
        org_id=period.org_id, period=period, started_at=now or timezone.now(), started_by=actor
    )
    reflection_questions_ensure_defaults(period.org_id)
    record(actor, "period.closing_start", period)
    return closing


def objectives_to_grade(period: Period):
    """The period's published objectives (every one is graded, private ones too)."""
    return (
        Objective.objects.for_org(period.org_id)
        .filter(period=period)
        .exclude(status__in=UNPUBLISHED)
    )


def ungraded_count(period: Period) -> int:
    """Objectives of ``period`` without an outcome or with a key result without a grade."""
    # Unordered parts: SQLite (make run) refuses ORDER BY inside a UNION.
    objectives = objectives_to_grade(period).order_by()
    return (
        objectives.filter(outcome__isnull=True)
        .union(objectives.filter(key_results__grade__isnull=True, key_results__isnull=False))
        .count()
    )


@transaction.atomic
def period_close(*, period: Period, actor: Membership, force: bool = False, now=None) -> Period:
    """Close a period being closed: when every objective is graded, or anyway (``force``)."""
    ensure_admin(actor, period.org_id)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise ValidationError(MSG_ALREADY_CLOSED % {"period": period.name}, code="closed")
    closing = PeriodClosing.objects.filter(period=period).first()
    if closing is None:
        raise ValidationError(rules.MSG_NOT_CLOSING % {"period": period.name}, code="open")
    left = ungraded_count(period)
    if left and not force:
        raise ValidationError(
            MSG_UNGRADED % {"count": left, "period": period.name}, code="ungraded"
        )
    closing.closed_at = now or timezone.now()
    closing.closed_by = actor
    closing.forced = bool(left)
    closing.save(update_fields=["closed_at", "closed_by", "forced"])
    period.is_closed = True
    period.save(update_fields=["is_closed"])
    record(
        actor,
        "period.close",
        period,
        {"is_closed": [False, True], "ungraded": [None, left], "forced": [None, bool(left)]},
    )
    note_data_change(period.org_id)
    return period


@transaction.atomic
def reflection_questions_set(*, org, actor: Membership, texts: list[str], now=None) -> list:
    """Make ``texts`` the company's questions, in order. A question kept (same words) keeps
    its answers; a removed one is archived, so its answers stay readable."""
    ensure_admin(actor, org.pk)
    texts = [t.strip() for t in texts if t.strip()]
    if not texts:
        raise ValidationError(MSG_NO_QUESTIONS, code="empty")
    if len(texts) > 10:
        raise ValidationError(MSG_TOO_MANY_QUESTIONS, code="too_many")
    if any(len(t) > 200 for t in texts):
        raise ValidationError(MSG_QUESTION_TOO_LONG, code="too_long")
    now = now or timezone.now()
    existing = {q.text: q for q in ReflectionQuestion.objects.for_org(org)}
    before = [q.text for q in existing.values() if q.archived_at is None]
    kept = []
    for position, text in enumerate(dict.fromkeys(texts)):
        question = existing.pop(text, None) or ReflectionQuestion(org=org, text=text)
        question.position, question.archived_at = position, None
        question.save()
        kept.append(question)
    ReflectionQuestion.objects.filter(
        pk__in=[q.pk for q in existing.values()], archived_at=None
    ).update(archived_at=now)
    record(actor, "reflection_questions.set", org, {"questions": [before, texts]})
    return kept


# --- an objective ------------------------------------------------------------------------


@dataclass
class GradeInput:
    score: Decimal
    reason: str = ""


@transaction.atomic
def objective_grade(
    *,
    objective: Objective,
    actor: Membership,
    grades: dict[int, GradeInput],
    outcome: str | None,
    answers: dict[int, str] | None = None,
    now=None,
) -> Objective:
    """Grade ``objective``'s key results (``grades`` by KR id), set its outcome and its
    reflection answers (by question id; an empty answer removes one), in one write."""
    objective = (
        Objective.objects.select_related("period", "period__closing")
        .select_for_update(of=("self",))
        .get(pk=objective.pk, org_id=objective.org_id)
    )
    rules.ensure_may_grade(actor, objective)
    ensure_period_open(actor, objective.period)  # closed: admins only (said above already)
    now = now or timezone.now()
    krs = {kr.pk: kr for kr in KeyResult.objects.filter(objective=objective)}
    unknown = set(grades) - set(krs)
    if unknown:
        raise ValidationError("A key result of another objective was graded.", code="foreign")
    stored = {g.key_result_id: g for g in KRGrade.objects.filter(key_result_id__in=krs)}
    changes: dict = {}
    for kr_id, given in grades.items():
        score = Decimal(given.score).quantize(Decimal("0.01"))
        grade = stored.get(kr_id) or KRGrade(org_id=objective.org_id, key_result_id=kr_id)
        old = (str(grade.score), grade.reason) if grade.pk else None
        if old == (str(score), given.reason):
            continue
        grade.score, grade.reason = score, given.reason.strip()
        grade.graded_by, grade.graded_at = actor, now
        grade.full_clean(exclude=["key_result"])
        grade.save()
        changes[f"kr {kr_id}"] = [old and old[0], str(score)]
    if outcome is not None:
        if outcome not in ObjectiveOutcome.Outcome.values:
            raise ValidationError("Choose how the objective ended.", code="outcome")
        current = ObjectiveOutcome.objects.filter(objective=objective).first()
        if current is None or current.outcome != outcome:
            changes["outcome"] = [current and current.outcome, outcome]
            ObjectiveOutcome.objects.update_or_create(
                objective=objective,
                defaults={
                    "org_id": objective.org_id,
                    "outcome": outcome,
                    "decided_by": actor,
                    "decided_at": now,
                },
            )
    questions = set(
        ReflectionQuestion.objects.for_org(objective.org_id).values_list("pk", flat=True)
    )
    for question_id, text in (answers or {}).items():
        if question_id not in questions:
            raise ValidationError("No such reflection question.", code="question")
        text = (text or "").strip()[:2000]
        answer = ReflectionAnswer.objects.filter(
            objective=objective, question_id=question_id
        ).first()
        if not text:
            if answer is not None:
                answer.delete()
                changes[f"reflection {question_id}"] = ["answered", None]
            continue
        if answer is not None and answer.text == text:
            continue
        changes[f"reflection {question_id}"] = [answer and "answered", "answered"]
        ReflectionAnswer.objects.update_or_create(
            objective=objective,
            question_id=question_id,
            defaults={
                "org_id": objective.org_id,
                "text": text,
                "answered_by": actor,
                "answered_at": now,
            },
        )
    record(actor, "objective.grade", objective, changes)
    return objective


MSG_NO_GRADER = "Nobody owns this objective: there is no one to nudge."
MSG_GRADER_OPTED_OUT = "%(name)s does not receive reminder e-mails."
MSG_NUDGED_TODAY = "Nudged today already."


@transaction.atomic
def objective_grading_nudge(*, objective: Objective, actor: Membership, now=None):
    """Ask the owner of an objective to grade it, by e-mail once committed (at most one
    nudge an objective a company day, like the check-in nudge)."""
    from organizations.clock import company_today
    from outbox.dispatch import publish_on_commit

    from .models import GradingNudge
    from .tasks import send_grading_nudge

    rules.ensure_may_nudge_grader(actor, objective)
    if rules.period_state(objective.period) != rules.CLOSING:
        raise ValidationError(
            rules.MSG_NOT_CLOSING % {"period": objective.period.name}, code="not_closing"
        )
    owner = objective.owner
    if owner is None or not owner.is_active or not owner.user.is_active:
        raise ValidationError(MSG_NO_GRADER, code="no_owner")
    if not owner.user.reminder_emails:
        raise ValidationError(
            MSG_GRADER_OPTED_OUT % {"name": owner.user.get_full_name()}, code="opted_out"
        )
    now = now or timezone.now()
    day = company_today(objective.org, now)
    list(Objective.objects.select_for_update(no_key=True).filter(pk=objective.pk).values("pk"))
    if GradingNudge.objects.filter(objective=objective, day=day).exists():
        raise ValidationError(MSG_NUDGED_TODAY, code="nudged_today")
    nudge = GradingNudge.objects.create(
        org_id=objective.org_id,
        objective=objective,
        recipient=owner,
        nudged_by=actor,
        day=day,
        created_at=now,
    )
    record(actor, "objective.grading_nudge", objective, {"recipient": [None, owner.pk]})
    publish_on_commit(send_grading_nudge, nudge.pk)
    return nudge


# --- carrying over -----------------------------------------------------------------------

CARRIED_FIELDS = ("level", "team_id", "owner_id", "title", "description", "theme_id", "visibility")
# Fields other work adds to objectives (committed / aspirational...): copied when present.
OPTIONAL_FIELDS = ("commitment",)


def carry_refusal(objective: Objective) -> str | None:
    """Why ``objective`` cannot be carried over at all (whoever asks), or ``None``."""
    if rules.period_state(objective.period) == rules.OPEN:
        return MSG_NOT_ENDING
    outcome = getattr(getattr(objective, "outcome", None), "outcome", None)
    if outcome in (ObjectiveOutcome.Outcome.ACHIEVED, ObjectiveOutcome.Outcome.DROPPED):
        return MSG_FINISHED % {
            "title": objective.title,
            "outcome": ObjectiveOutcome.Outcome(outcome).label.lower(),
        }
    if outcome is None and objective.progress is not None and objective.progress >= 1:
        return MSG_FINISHED % {"title": objective.title, "outcome": "achieved"}
    return None


def _already_carried(objective) -> ValidationError:
    carry = CarryOver.objects.select_related("copy__period").get(source=objective)
    return ValidationError(
        MSG_ALREADY_CARRIED % {"title": objective.title, "period": carry.copy.period.name},
        code="carried_twice",
    )


def _new_start(kr: KeyResult, start_from: str) -> Decimal | None:
    """The copy's start value, or ``None`` when the KR is left behind (it reached its
    target, and the copy starts where it ended: nothing would be left to do)."""
    if start_from == CarryOver.StartFrom.RESET:
        return kr.start_value
    if kr.kind == KeyResult.Kind.MILESTONE:
        return None if kr.current_value >= 1 else Decimal(0)
    if key_result_progress(kr) >= 1:
        return None
    return kr.current_value


@transaction.atomic
def objective_carry_over(
    *,
    actor: Membership,
    objective: Objective,
    into_period: Period,
    start_from: str = CarryOver.StartFrom.ENDED,
    now=None,
) -> Objective:
    """Continue ``objective`` in ``into_period`` with its key results (started where they
    ended, or reset to their start values), linked both ways; aligned to its parent's
    continuation when that exists (and its own carried-over children re-aligned to it)."""
    from alignment.rules import check_alignment
    from alignment.services import team_parent_map

    if into_period.org_id != objective.org_id:
        raise PermissionDenied("No such period.")
    if start_from not in CarryOver.StartFrom.values:
        raise ValidationError("Choose where the key results start.", code="start_from")
    objective = (
        Objective.objects.select_related("period", "period__closing", "outcome", "team", "owner")
        .filter(pk=objective.pk, org_id=objective.org_id)
        .get()
    )
    rules.ensure_may_carry_over(actor, objective, into_period)
    refusal = carry_refusal(objective)
    if refusal:
        raise ValidationError(refusal, code="not_carriable")
    if into_period.start <= objective.period.end:
        raise ValidationError(MSG_NOT_LATER % {"period": objective.period.name}, code="period")
    ensure_period_open(actor, into_period)
    lock_okr_writes(objective.org_id)
    if CarryOver.objects.filter(source=objective).exists():
        raise _already_carried(objective)
    now = now or timezone.now()
    copy = Objective(org_id=objective.org_id, period=into_period, created_by=actor)
    for name in CARRIED_FIELDS:
        setattr(copy, name, getattr(objective, name))
    concrete = {f.name for f in Objective._meta.concrete_fields}
    for name in OPTIONAL_FIELDS:
        if name in concrete:  # a stored field, not a property of the same name
            setattr(copy, name, getattr(objective, name))
    copy.status = Objective.Status.ACTIVE
    team_parents = team_parent_map(objective.org_id)
    parent_carry = (
        CarryOver.objects.select_related("copy__period", "copy__team")
        .filter(source_id=objective.parent_id)
        .first()
        if objective.parent_id
        else None
    )
    if parent_carry is not None:
        try:
            check_alignment(copy, parent_carry.copy, team_parents=team_parents)
        except ValidationError:
            pass  # the parent's continuation does not fit (another period, another team)
        else:
            copy.parent = parent_carry.copy
    copy.full_clean(exclude=["org"])
    copy.save()
    new_krs = []
    for kr in KeyResult.objects.filter(objective=objective).order_by("position", "id"):
        start = _new_start(kr, start_from)
        if start is None:
            continue
        new_krs.append(
            KeyResult(
                org_id=kr.org_id,
                objective=copy,
                title=kr.title,
                owner_id=kr.owner_id,
                kind=kr.kind,
                unit=kr.unit,
                currency_code=kr.currency_code,
                start_value=start,
                target_value=kr.target_value,
                current_value=start,
                weight=kr.weight,
                position=kr.position,
            )
        )
    KeyResult.objects.bulk_create(new_krs)
    try:
        with transaction.atomic():
            CarryOver.objects.create(
                org_id=objective.org_id,
                source=objective,
                copy=copy,
                start_from=start_from,
                carried_by=actor,
                carried_at=now,
            )
    except IntegrityError:  # a second request got here first
        raise _already_carried(objective) from None
    # Children carried over before it, left unaligned there, follow it now.
    realigned = []
    for carry in CarryOver.objects.select_related("copy__period", "copy__team").filter(
        source__parent=objective, copy__parent__isnull=True, copy__org_id=objective.org_id
    ):
        try:
            check_alignment(carry.copy, copy, team_parents=team_parents)
        except ValidationError:
            continue
        realigned.append(carry.copy_id)
    if realigned:
        Objective.objects.filter(pk__in=realigned).update(parent=copy)
    refresh_rollups([copy.pk, copy.parent_id, *realigned], org_id=objective.org_id)
    record(
        actor,
        "objective.carry_over",
        copy,
        {
            "continued_from": [None, objective.pk],
            "start_from": [None, start_from],
            "key_results": [None, len(new_krs)],
            "parent": [None, copy.parent_id],
            "children_realigned": [None, realigned],
        },
    )
    return copy
