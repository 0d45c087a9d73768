"""Reads of the closing workflow, each with its joins applied (no query from a template)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from objectives.models import KeyResult, Objective
from objectives.permissions import can_view_objective, managed_team_ids, visible_objectives
from organizations.models import Team, TeamMembership

from .models import (
    CarryOver,
    KRGrade,
    ObjectiveOutcome,
    ReflectionAnswer,
    ReflectionQuestion,
)
from .permissions import CLOSED, OPEN, period_state
from .services import UNPUBLISHED

Outcome = ObjectiveOutcome.Outcome
LIST_LIMIT = 100  # ungraded objectives listed for one team; the rest are counted


def active_questions(org_id: int) -> list[ReflectionQuestion]:
    return list(ReflectionQuestion.objects.for_org(org_id).filter(archived_at=None))


def published(queryset):
    return queryset.exclude(status__in=UNPUBLISHED)


# --- the grade page ------------------------------------------------------------------------


@dataclass
class GradingSheet:
    key_results: list  # each with ``grade`` (or None) and ``suggested``
    outcome: str
    questions: list
    answers: dict[int, str]


def grading_sheet(objective) -> GradingSheet:
    from .services import suggested_score

    krs = list(
        KeyResult.objects.filter(objective=objective)
        .select_related("grade")
        .order_by("position", "id")
    )
    for kr in krs:
        kr.stored_grade = getattr(kr, "grade", None) if _has_grade(kr) else None
        kr.suggested = suggested_score(kr)
    outcome = ObjectiveOutcome.objects.filter(objective=objective).values_list("outcome", flat=True)
    answers = dict(
        ReflectionAnswer.objects.filter(objective=objective).values_list("question_id", "text")
    )
    return GradingSheet(
        key_results=krs,
        outcome=next(iter(outcome), ""),
        questions=active_questions(objective.org_id),
        answers=answers,
    )


def _has_grade(kr) -> bool:
    try:
        kr.grade  # noqa: B018
    except KRGrade.DoesNotExist:
        return False
    return True


# --- the objective page's panel -----------------------------------------------------------


@dataclass
class ClosingFacts:
    state: str
    can_grade: bool = False
    outcome: ObjectiveOutcome | None = None
    grades: list = field(default_factory=list)  # (kr title, grade or None)
    score: Decimal | None = None
    answers: list = field(default_factory=list)  # (question, text)
    continued_from: Objective | None = None
    continued_in: Objective | None = None
    can_carry: bool = False


def closing_facts(objective, membership) -> ClosingFacts:
    """What the objective page shows about grading and carrying over: one query for the
    outcome and both carry-over links, two more (grades, answers) once grading opened."""
    from .permissions import can_carry_over, can_grade
    from .services import carry_refusal

    row = (
        Objective.objects.select_related(
            "period__closing",
            "outcome__decided_by__user",
            "carried_from__source__period",
            "carried_into__copy__period",
        )
        .only(
            "id",
            "org_id",
            "progress",
            "title",
            "owner_id",
            "team_id",
            "visibility",
            "status",
            "level",
            "period__id",
            "period__name",
            "period__is_closed",
            "period__start",
            *(f"period__closing__{f}" for f in ("id", "closed_at", "forced")),
            *(f"outcome__{f}" for f in ("id", "outcome", "decided_at")),
            "outcome__decided_by__user__full_name",
            *(
                f"carried_from__{f}"
                for f in ("id", "source__id", "source__title", "source__org_id")
            ),
            "carried_from__source__owner_id",
            "carried_from__source__team_id",
            "carried_from__source__visibility",
            "carried_from__source__status",
            "carried_from__source__period__name",
            *(f"carried_into__{f}" for f in ("id", "copy__id", "copy__title", "copy__org_id")),
            "carried_into__copy__owner_id",
            "carried_into__copy__team_id",
            "carried_into__copy__visibility",
            "carried_into__copy__status",
            "carried_into__copy__period__name",
        )
        .get(pk=objective.pk)
    )
    facts = ClosingFacts(state=period_state(row.period))
    carried_from = getattr(row, "carried_from", None) if _has(row, "carried_from") else None
    carried_into = getattr(row, "carried_into", None) if _has(row, "carried_into") else None
    if carried_from and can_view_objective(membership, carried_from.source):
        facts.continued_from = carried_from.source
    if carried_into and can_view_objective(membership, carried_into.copy):
        facts.continued_in = carried_into.copy
    if facts.state == OPEN:
        return facts
    facts.outcome = row.outcome if _has(row, "outcome") else None
    objective.period = row.period  # with its closing state, for the rights below
    facts.can_grade = can_grade(membership, objective)
    grades = list(
        KeyResult.objects.filter(objective=objective)
        .order_by("position", "id")
        .values_list("title", "grade__score", "grade__reason", "weight")
    )
    facts.grades = [(title, score, reason) for title, score, reason, _ in grades]
    facts.score = objective_score((score, weight) for _, score, _, weight in grades)
    facts.answers = list(
        ReflectionAnswer.objects.filter(objective=objective)
        .select_related("question")
        .order_by("question__position", "question_id")
        .values_list("question__text", "text")
    )
    facts.can_carry = (
        facts.continued_in is None
        and carried_into is None
        and carry_refusal(row) is None
        and can_carry_over(membership, objective, objective.period)
    )
    return facts


def _has(row, name) -> bool:
    try:
        return getattr(row, name) is not None
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist of a reverse one-to-one)
        return False


def objective_score(pairs) -> Decimal | None:
    """The weighted mean of the graded KRs' scores (``None`` without a grade)."""
    total = weights = Decimal(0)
    for score, weight in pairs:
        if score is None:
            continue
        total += Decimal(score) * Decimal(weight)
        weights += Decimal(weight)
    return (total / weights).quantize(Decimal("0.01")) if weights else None


# --- grading progress ----------------------------------------------------------------------


def _graded_annotations(queryset):
    return queryset.annotate(
        has_outcome=Exists(ObjectiveOutcome.objects.filter(objective=OuterRef("pk"))),
        has_ungraded=Exists(KeyResult.objects.filter(objective=OuterRef("pk"), grade__isnull=True)),
    )


GRADED = Q(has_outcome=True, has_ungraded=False)


@dataclass
class TeamProgress:
    key: str  # a team id, "company" or "none"
    name: str
    graded: int
    total: int

    @property
    def left(self) -> int:
        return self.total - self.graded

    @property
    def percent(self) -> int:
        return round(100 * self.graded / self.total) if self.total else 100


@dataclass
class GradingProgress:
    rows: list[TeamProgress]
    graded: int
    total: int
    chosen: TeamProgress | None
    ungraded: list  # objectives of the chosen row still to grade (at most LIST_LIMIT)
    more: int  # beyond LIST_LIMIT


def grading_progress(period, membership, chosen: str | None = None) -> GradingProgress:
    """Graded / to grade per team, for admins (every team, company objectives, people in no
    team) and managers (their teams), counting only objectives they may see."""
    objectives = _graded_annotations(
        visible_objectives(published(Objective.objects.for_org(period.org_id)), membership)
        .filter(period=period)
        .order_by()
    )
    admin = membership.is_admin
    managed = None if admin else managed_team_ids(membership)
    counts: dict[str, list[int]] = {}

    def add(key, total, graded):
        slot = counts.setdefault(str(key), [0, 0])
        slot[0] += graded
        slot[1] += total

    aggregate = {"total": Count("id", distinct=True), "graded": Count("id", GRADED, distinct=True)}
    team_rows = objectives.filter(level=Objective.Level.TEAM)
    people_rows = objectives.filter(level=Objective.Level.INDIVIDUAL)
    if managed is not None:
        team_rows = team_rows.filter(team_id__in=managed)
        people_rows = people_rows.filter(owner__team_memberships__team_id__in=managed)
    for row in team_rows.values("team_id").annotate(**aggregate):
        add(row["team_id"], row["total"], row["graded"])
    for row in people_rows.values(team_key=F("owner__team_memberships__team_id")).annotate(
        **aggregate
    ):
        if managed is None or row["team_key"] in managed:
            add(row["team_key"] or "none", row["total"], row["graded"])
    whole = None
    if admin:  # the company's objectives and the whole period, in one query
        is_company = Q(level=Objective.Level.COMPANY)
        whole = objectives.aggregate(
            **aggregate,
            company_total=Count("id", is_company, distinct=True),
            company_graded=Count("id", GRADED & is_company, distinct=True),
        )
        if whole["company_total"]:
            add("company", whole["company_total"], whole["company_graded"])
    names = dict(
        Team.objects.for_org(period.org_id)
        .filter(pk__in=[int(k) for k in counts if k.isdigit()])
        .values_list("id", "name")
    )
    rows = []
    for key, (graded, total) in counts.items():
        name = {"company": "Company objectives", "none": "People in no team"}.get(key)
        rows.append(TeamProgress(key, name or names.get(int(key), "?"), graded, total))
    rows.sort(key=lambda r: (r.key != "company", r.key == "none", r.name.lower()))
    if whole is not None:
        graded, total = whole["graded"], whole["total"]
    else:
        graded = sum(r.graded for r in rows)
        total = sum(r.total for r in rows)
    picked = next((r for r in rows if r.key == chosen), None)
    ungraded, more = [], 0
    if picked is not None:
        todo = objectives.exclude(GRADED)
        if picked.key == "company":
            todo = todo.filter(level=Objective.Level.COMPANY)
        elif picked.key == "none":
            todo = todo.filter(level=Objective.Level.INDIVIDUAL).exclude(
                Exists(TeamMembership.objects.filter(membership_id=OuterRef("owner_id")))
            )
        else:
            team_id = int(picked.key)
            # The team's people as a subquery, not a join: their objectives are then found
            # through the owner index instead of hashing every individual objective.
            members = TeamMembership.objects.filter(team_id=team_id).values("membership_id")
            todo = todo.filter(
                Q(level=Objective.Level.TEAM, team_id=team_id)
                | Q(level=Objective.Level.INDIVIDUAL, owner_id__in=members)
            )
        ungraded = list(
            todo.select_related("owner__user", "team").order_by("title", "id")[: LIST_LIMIT + 1]
        )
        if len(ungraded) > LIST_LIMIT:
            ungraded = ungraded[:LIST_LIMIT]
            more = todo.count() - LIST_LIMIT
    return GradingProgress(rows, graded, total, picked, ungraded, more)


# --- the period report ---------------------------------------------------------------------

BUCKETS = (
    ("low", "0.0–0.3", Q(grade__score__lt=Decimal("0.4"))),
    ("mid", "0.4–0.6", Q(grade__score__gte=Decimal("0.4"), grade__score__lt=Decimal("0.7"))),
    ("high", "0.7–1.0", Q(grade__score__gte=Decimal("0.7"))),
)
REFLECTIONS_LIMIT = 50  # answers shown per question; the CSV has them all


def commitment_field() -> str | None:
    """The committed / aspirational field on ``Objective`` once it exists (drafts work)."""
    names = {f.name for f in Objective._meta.concrete_fields}
    return "commitment" if "commitment" in names else None


def is_committed(value) -> bool | None:
    """``commitment``'s value as committed (True), aspirational (False) or unknown."""
    return None if not value else value == "committed"


COMMITTED_HIT = Decimal(1)  # a committed objective is met in full
ASPIRATIONAL_HIT = Decimal("0.7")  # an aspirational one succeeds at about 70%


def hit_rates(graded) -> list[tuple[str, int, int]]:
    """``(label, hits, graded)`` for committed and aspirational objectives, from
    ``(committed, score)`` pairs (objectives without a grade or a kind are left out)."""
    counts = {True: [0, 0], False: [0, 0]}
    for committed, score in graded:
        if committed is None or score is None:
            continue
        counts[committed][1] += 1
        counts[committed][0] += score >= (COMMITTED_HIT if committed else ASPIRATIONAL_HIT)
    return [
        ("Committed", *counts[True]),
        ("Aspirational", *counts[False]),
    ]


@dataclass
class ReportLine:
    objective_id: int
    title: str
    level: str
    team: str
    owner: str
    committed: bool | None
    outcome: str
    score: Decimal | None
    aligned: bool
    continued_in: str
    reflections: list = field(default_factory=list)  # answers, in the questions' order


@dataclass
class PeriodReport:
    period: object
    state: str
    team: Team | None
    objectives: int
    buckets: list  # (key, label, count)
    ungraded_krs: int
    outcomes: list  # (value, label, count)
    no_outcome: int
    coverage: int | None  # percent of team and individual objectives aligned upward
    alignable: int
    hit_rates: list | None  # (label, hit, total) or None without the field
    questions: list  # (question text, [(objective title, text)], more)
    question_texts: list
    carried: list  # CarryOver rows
    lines: list[ReportLine] = field(default_factory=list)


def report_objectives(period, membership, team: Team | None):
    queryset = visible_objectives(
        published(Objective.objects.for_org(period.org_id)), membership
    ).filter(period=period)
    if team is not None:
        queryset = queryset.filter(
            Q(team=team)
            | Q(
                level=Objective.Level.INDIVIDUAL,
                owner__in=TeamMembership.objects.filter(team=team).values("membership_id"),
            )
        )
    return queryset.order_by()


def period_report(period, membership, team: Team | None = None, *, lines=False) -> PeriodReport:
    objectives = report_objectives(period, membership, team)
    ids = objectives.values("id")
    krs = KeyResult.objects.filter(org_id=period.org_id, objective_id__in=ids).order_by()
    kr_counts = krs.aggregate(
        graded=Count("id", filter=Q(grade__isnull=False)),
        ungraded=Count("id", filter=Q(grade__isnull=True)),
        **{key: Count("id", filter=q) for key, _, q in BUCKETS},
    )
    commitment = commitment_field()
    values = ["id", "level", "parent_id", "outcome__outcome"]
    if commitment:
        values.append(commitment)
    scored = objectives.annotate(
        weighted=Sum(
            F("key_results__grade__score") * F("key_results__weight"),
            filter=Q(key_results__grade__isnull=False),
        ),
        weights=Sum("key_results__weight", filter=Q(key_results__grade__isnull=False)),
    )
    if lines:
        values += [
            "title",
            "team__name",
            "owner__user__full_name",
            "carried_into__copy__period__name",
        ]
    rows = list(scored.values(*values, "weighted", "weights"))
    by_outcome: dict[str, int] = {}
    alignable = aligned = 0
    graded_kinds = []
    report_lines = []
    for row in rows:
        outcome = row["outcome__outcome"] or ""
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
        if row["level"] != Objective.Level.COMPANY:
            alignable += 1
            aligned += row["parent_id"] is not None
        score = (
            (row["weighted"] / row["weights"]).quantize(Decimal("0.01")) if row["weights"] else None
        )
        committed = is_committed(row[commitment]) if commitment else None
        graded_kinds.append((committed, score))
        if lines:
            report_lines.append(
                ReportLine(
                    objective_id=row["id"],
                    title=row["title"],
                    level=row["level"],
                    team=row["team__name"] or "",
                    owner=row["owner__user__full_name"] or "",
                    committed=committed,
                    outcome=Outcome(outcome).label if outcome else "",
                    score=score,
                    aligned=row["parent_id"] is not None,
                    continued_in=row["carried_into__copy__period__name"] or "",
                )
            )
    active = active_questions(period.org_id)
    if lines and report_lines:
        answers_of: dict[int, dict[int, str]] = {}
        for objective_id, question_id, text in ReflectionAnswer.objects.filter(
            org_id=period.org_id, objective_id__in=ids
        ).values_list("objective_id", "question_id", "text"):
            answers_of.setdefault(objective_id, {})[question_id] = text
        for line in report_lines:
            mine = answers_of.get(line.objective_id, {})
            line.reflections = [mine.get(q.pk, "") for q in active]
    questions = []
    for question in active:
        answers = ReflectionAnswer.objects.filter(
            org_id=period.org_id, question=question, objective_id__in=ids
        )
        shown = (
            list(
                answers.select_related("objective")
                .order_by("objective__title", "id")[:REFLECTIONS_LIMIT]
                .values_list("objective__title", "text")
            )
            if rows
            else []
        )
        more = answers.count() - REFLECTIONS_LIMIT if len(shown) == REFLECTIONS_LIMIT else 0
        questions.append((question.text, shown, more))
    carried = (
        list(
            CarryOver.objects.filter(org_id=period.org_id, source_id__in=ids)
            .select_related("source", "copy__period")
            .order_by("source__title")[:LIST_LIMIT]
        )
        if rows
        else []
    )
    return PeriodReport(
        period=period,
        state=period_state(period),
        team=team,
        objectives=len(rows),
        buckets=[(key, label, kr_counts[key]) for key, label, _ in BUCKETS],
        ungraded_krs=kr_counts["ungraded"],
        outcomes=[(o.value, o.label, by_outcome.get(o.value, 0)) for o in Outcome],
        no_outcome=by_outcome.get("", 0),
        coverage=round(100 * aligned / alignable) if alignable else None,
        alignable=alignable,
        hit_rates=hit_rates(graded_kinds) if commitment else None,
        questions=questions,
        question_texts=[q.text for q in active],
        carried=carried,
        lines=report_lines,
    )


def is_closed(period) -> bool:
    return period_state(period) == CLOSED


def carried_into(objective) -> CarryOver | None:
    """Where ``objective`` continues, if it was carried over."""
    return CarryOver.objects.select_related("copy__period").filter(source=objective).first()


MY_GRADING_LIMIT = 10


def closing_periods(org) -> list:
    """The company's periods being closed (grading open), oldest first."""
    return list(
        org.periods.filter(is_closed=False, closing__isnull=False)
        .only("id", "name", "start")
        .order_by("start")
    )


def to_grade_by(membership) -> list:
    """The person's own objectives (owner) in periods being closed that still need a grade
    or an outcome, at most ``MY_GRADING_LIMIT`` (one query)."""
    return list(
        _graded_annotations(
            published(Objective.objects.for_org(membership.org_id)).filter(
                owner=membership, period__is_closed=False, period__closing__isnull=False
            )
        )
        .exclude(GRADED)
        .select_related("period")
        .only("id", "title", "period__id", "period__name")
        .order_by("period__start", "title")[:MY_GRADING_LIMIT]
    )
