"""The writing coach: plain-language hints about an objective and its key results as they
are being written.

The rules are pure functions over plain data (``ObjectiveDraft``, ``KeyResultDraft``): no
ORM, no request, so the table of examples in ``tests/objectives/test_coach.py`` runs them
directly. What needs the database (look-alike objectives already in the company, the likely
parents to align to) is found by a selector (``alignment.selectors.coach_suggestions``) and
handed in as ``Suggestions``; the rules only phrase it.

Each rule has a stable key (``RULES``): a company's admins may make chosen rules required to
publish (``Organization.publish_gates``, checked by ``publish_blockers``); otherwise they
only advise. Keys are stored in companies' settings: rename one only with a migration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

# Severity of a hint: ``advice`` is a suggestion; ``warning`` is something the form will
# refuse or that is almost surely a mistake; ``required`` is a rule the company made a
# publish gate (``publish_blockers``).
ADVICE, WARNING, REQUIRED = "advice", "warning", "required"

MILESTONE = "milestone"
MIN_KEY_RESULTS, MAX_KEY_RESULTS = 2, 5


# --- what the rules read -------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A period as the rules see it."""

    name: str
    start: date
    end: date

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True)
class ParentRef:
    title: str
    period: Span


@dataclass(frozen=True)
class KeyResultDraft:
    title: str
    kind: str = "increase"  # increase, decrease or milestone (KeyResult.Kind)
    start: Decimal | None = Decimal(0)  # None: left blank
    target: Decimal | None = None  # None: left blank
    # Where its fields are on the page: "" on the key-result form, "kr-0-" for the first
    # row of the new-objective form; the objective page lists them by title.
    prefix: str = ""

    @property
    def measured(self) -> bool:
        return self.kind != MILESTONE


@dataclass(frozen=True)
class ObjectiveDraft:
    title: str = ""
    description: str = ""
    level: str = ""  # company, team or individual (Objective.Level); "" not chosen yet
    period: Span | None = None
    parent: ParentRef | None = None
    # Aligned to something the rules were not shown (e.g. a parent the viewer cannot see).
    aligned: bool = False
    key_results: tuple[KeyResultDraft, ...] = ()
    # False where the page does not know its key results (the rules about how many skip).
    key_results_known: bool = True


@dataclass(frozen=True)
class Offer:
    """An objective the coach points to: a look-alike to open or align to, or a likely
    parent. ``can_align``: the alignment rules allow this one as the draft's parent."""

    id: int
    title: str
    owner: str = ""
    detail: str = ""  # e.g. "Team · Marketing · FY2026 Q3"
    can_align: bool = False


@dataclass(frozen=True)
class Suggestions:
    lookalikes: tuple[Offer, ...] = ()
    likely_parents: tuple[Offer, ...] = ()


NO_SUGGESTIONS = Suggestions()


@dataclass(frozen=True)
class Hint:
    rule: str  # a key of RULES
    field: str  # the form field it is about ("title", "kr-1-target_value", "key_results")
    message: str
    severity: str = ADVICE
    subject: str = ""  # the key result it is about, by title (the objective page lists them)
    offers: tuple[Offer, ...] = ()


# --- reading text --------------------------------------------------------------------------

# Verbs that start an activity rather than describe a result. A key result says where a
# number will be ("Weekly active teams from 40 to 60"), not what someone will do.
TASK_VERBS = frozenset(
    [
        "launch",
        "write",
        "hold",
        "create",
        "build",
        "implement",
        "organise",
        "organize",
        "run",
        "do",
        "complete",
        "finish",
        "deliver",
        "ship",
        "set",
        "develop",
        "design",
        "prepare",
        "publish",
        "conduct",
        "attend",
        "start",
        "make",
        "plan",
        "draft",
        "release",
        "introduce",
        "roll",
        "migrate",
        "host",
        "send",
        "define",
        "document",
        "research",
        "investigate",
        "analyse",
        "analyze",
        "meet",
        "schedule",
        "kick",
        "finalise",
        "finalize",
        "deploy",
        "install",
        "configure",
        "train",
        "redesign",
        "rewrite",
        "refactor",
        "establish",
        "arrange",
    ]
)
TASK_PHRASES = ("hold a meeting", "have a meeting", "set up", "kick off", "roll out", "work on")
# Verbs that move a number that exists already: a start of 0 is then suspicious.
FROM_SOMEWHERE_VERBS = frozenset(["raise", "improve", "increase", "lift", "boost", "grow"])
METRIC_VERBS = frozenset(
    [
        "increase",
        "decrease",
        "reduce",
        "raise",
        "grow",
        "reach",
        "achieve",
        "hit",
        "cut",
        "lower",
        "double",
        "triple",
        "halve",
        "boost",
        "lift",
        "gain",
        "get",
        "sign",
        "win",
    ]
)

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Numbers that name a period, not a quantity: "FY2026", "Q3", "H1", a year.
_PERIOD_WORD = re.compile(r"\b(?:FY|Q|H)\s?\d{1,4}\b|\b(?:19|20)\d{2}\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def _first_word(text: str) -> str:
    words = _words(text)
    return words[0] if words else ""


def quantities(text: str) -> list[str]:
    """The numbers of a text that count something (period names and years left out)."""
    return _NUMBER.findall(_PERIOD_WORD.sub(" ", text or ""))


def reads_like_task(title: str) -> bool:
    lowered = " ".join(_words(title))
    return _first_word(title) in TASK_VERBS or lowered.startswith(TASK_PHRASES)


def number_laden(title: str) -> bool:
    """An objective title that is itself a key result: a percentage or an amount, a "from
    X to Y", two quantities, or a metric verb with a number ("Reach 1,000 customers")."""
    text = _PERIOD_WORD.sub(" ", title or "")
    numbers = quantities(text)
    if not numbers:
        return False
    if re.search(r"\d\s*%|[€$£]\s*\d|\d\s*[€$£]|\d\s*(?:k|m|bn)\b", text, re.IGNORECASE):
        return True
    if re.search(r"\bfrom\b.*\d.*\bto\b.*\d", text, re.IGNORECASE):
        return True
    return len(numbers) >= 2 or _first_word(text) in METRIC_VERBS


def _looks_yes_no(kr: KeyResultDraft) -> bool:
    if kr.kind == MILESTONE:
        return True
    # 0 → 1 on a title with no quantity: done or not done, dressed as a number.
    return kr.start == 0 and kr.target == 1 and not quantities(kr.title)


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


# --- the rules -----------------------------------------------------------------------------


def kr_is_task(kr: KeyResultDraft) -> Iterable[Hint]:
    if reads_like_task(kr.title):
        verb = _first_word(kr.title).capitalize()
        yield Hint(
            "kr_is_task",
            f"{kr.prefix}title",
            f"“{verb} …” reads like a task, not an outcome. Say what will be different when "
            "it is done, with a number: not “Launch the new onboarding” but “New accounts "
            "active after a week, from 30% to 50%”.",
        )


def kr_no_target(kr: KeyResultDraft) -> Iterable[Hint]:
    if kr.measured and kr.target is None:
        yield Hint(
            "kr_no_target",
            f"{kr.prefix}target_value",
            "No measurable target yet: give the number it should reach by the end of the period.",
        )


def kr_start_equals_target(kr: KeyResultDraft) -> Iterable[Hint]:
    if kr.measured and kr.start is not None and kr.start == kr.target:
        yield Hint(
            "kr_start_equals_target",
            f"{kr.prefix}target_value",
            "The start and the target are the same, so there is nothing to move: where does "
            "it stand today, and where should it be?",
            WARNING,
        )


def kr_no_baseline(kr: KeyResultDraft) -> Iterable[Hint]:
    if not kr.measured:
        return
    if kr.start is None:
        yield Hint(
            "kr_no_baseline",
            f"{kr.prefix}start_value",
            "No baseline: where does it stand today? Progress is measured from the start value.",
        )
    elif (
        kr.start == 0
        and kr.kind == "increase"
        and _first_word(kr.title) in FROM_SOMEWHERE_VERBS
        and "from" not in _words(kr.title)
    ):
        yield Hint(
            "kr_no_baseline",
            f"{kr.prefix}start_value",
            f"“{_first_word(kr.title).capitalize()} …” starts from somewhere: is 0 really "
            "where it stands today? Put today's figure as the start.",
        )


def kr_yes_no(kr: KeyResultDraft) -> Iterable[Hint]:
    if kr.title and _looks_yes_no(kr):
        yield Hint(
            "kr_yes_no",
            f"{kr.prefix}kind",
            "This key result is done or not done. If you can count the way there "
            "(customers, %, €, days), track that number: check-ins then show progress, not "
            "just the end.",
        )


KEY_RESULT_RULES: tuple[Callable[[KeyResultDraft], Iterable[Hint]], ...] = (
    kr_is_task,
    kr_no_target,
    kr_start_equals_target,
    kr_no_baseline,
    kr_yes_no,
)


def _written(draft: ObjectiveDraft) -> list[KeyResultDraft]:
    return [kr for kr in draft.key_results if kr.title.strip()]


def too_few_key_results(draft: ObjectiveDraft, _: Suggestions) -> Iterable[Hint]:
    count = len(_written(draft))
    if draft.key_results_known and count < MIN_KEY_RESULTS:
        have = "no key result yet" if count == 0 else "one key result"
        yield Hint(
            "too_few_key_results",
            "key_results",
            f"It has {have}: two to five say what achieving it means from more than one "
            "side (for example how many, how fast, how well).",
        )


def too_many_key_results(draft: ObjectiveDraft, _: Suggestions) -> Iterable[Hint]:
    count = len(_written(draft))
    if draft.key_results_known and count > MAX_KEY_RESULTS:
        yield Hint(
            "too_many_key_results",
            "key_results",
            f"It has {count} key results: more than five usually mixes in tasks or spreads "
            "the focus. Keep the few that prove the objective; split the rest into another "
            "objective.",
        )


def title_is_key_result(draft: ObjectiveDraft, _: Suggestions) -> Iterable[Hint]:
    if number_laden(draft.title):
        yield Hint(
            "title_is_key_result",
            "title",
            "The title reads like a key result. An objective says in words what you want to "
            "achieve and why it matters (“Customers get fast answers”); move the number into a "
            "key result (“Hours to first response, from 10 to 2”).",
        )


def parent_period(draft: ObjectiveDraft, _: Suggestions) -> Iterable[Hint]:
    parent, period = draft.parent, draft.period
    if parent is not None and period is not None and not parent.period.contains(period):
        yield Hint(
            "parent_period",
            "parent",
            f"{_quote(parent.title)} is set for {parent.period.name}, which does not contain "
            f"{period.name}: choose a period within it, or another objective to align to.",
            WARNING,
        )


def not_aligned(draft: ObjectiveDraft, suggestions: Suggestions) -> Iterable[Hint]:
    if draft.level in ("team", "individual") and draft.parent is None and not draft.aligned:
        offers = tuple(o for o in suggestions.likely_parents if o.can_align)
        yield Hint(
            "not_aligned",
            "parent",
            "Not aligned yet: which team or company objective does this one serve? "
            + ("These look likely:" if offers else "Choose it under “Aligns to”."),
            offers=offers,
        )


def look_alike(draft: ObjectiveDraft, suggestions: Suggestions) -> Iterable[Hint]:
    if suggestions.lookalikes:
        yield Hint(
            "look_alike",
            "title",
            "Something similar is already in the company. Align to it, or talk to its owner, "
            "rather than doing the same work twice:",
            offers=suggestions.lookalikes,
        )


OBJECTIVE_RULES: tuple[Callable[[ObjectiveDraft, Suggestions], Iterable[Hint]], ...] = (
    title_is_key_result,
    look_alike,
    parent_period,
    not_aligned,
    too_few_key_results,
    too_many_key_results,
)


@dataclass(frozen=True)
class Rule:
    key: str
    label: str  # what it checks, as the admins' publish-gate settings list it
    gateable: bool = True  # may be required to publish


# Every rule, by its stable key. A look-alike is a question to ask, not a fault the author
# can fix, so it is never a publish gate.
RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        Rule("kr_is_task", "Key results read like outcomes, not tasks"),
        Rule("kr_no_target", "Every key result has a target"),
        Rule("kr_start_equals_target", "Start and target differ"),
        Rule("kr_no_baseline", "Every key result has a baseline (start value)"),
        Rule("kr_yes_no", "No yes/no key results"),
        Rule("too_few_key_results", "At least two key results"),
        Rule("too_many_key_results", "At most five key results"),
        Rule("title_is_key_result", "The objective's title is not itself a key result"),
        Rule("parent_period", "The parent's period contains the objective's"),
        Rule("not_aligned", "Team and individual objectives are aligned"),
        Rule("look_alike", "Look-alike objectives in the company", gateable=False),
    )
}
GATEABLE = tuple(key for key, rule in RULES.items() if rule.gateable)


# --- running them --------------------------------------------------------------------------


def key_result_hints(kr: KeyResultDraft) -> list[Hint]:
    """Hints about one key result (the key-result form); none until it has a title."""
    if not kr.title.strip():
        return []
    return [hint for rule in KEY_RESULT_RULES for hint in rule(kr)]


def objective_hints(draft: ObjectiveDraft, suggestions: Suggestions = NO_SUGGESTIONS) -> list[Hint]:
    """Hints about an objective and its key results; none until it has a title."""
    if not draft.title.strip():
        return []
    hints = [hint for rule in OBJECTIVE_RULES for hint in rule(draft, suggestions)]
    for kr in _written(draft):
        hints += [replace(hint, subject=kr.title) for hint in key_result_hints(kr)]
    return hints


def blocking(hints: Iterable[Hint], required: Iterable[str]) -> list[Hint]:
    """The hints whose rule the company requires to publish, marked ``required``."""
    gates = set(required) & set(GATEABLE)
    return [replace(hint, severity=REQUIRED) for hint in hints if hint.rule in gates]


def grouped(hints: Iterable[Hint]) -> list[tuple[str, list[Hint]]]:
    """Hints in the order the page reads them: the objective's, then each key result's."""
    groups: dict[str, list[Hint]] = {}
    for hint in hints:
        groups.setdefault(hint.subject, []).append(hint)
    return list(groups.items())


# --- from stored rows (the objective page, publishing) -------------------------------------


def span_of(period) -> Span | None:
    return Span(period.name, period.start, period.end) if period is not None else None


def draft_from_objective(objective, key_results, *, parent=None) -> ObjectiveDraft:
    """An objective as the rules see it, from a loaded row and its key results (attribute
    reads only). ``parent`` (with its period) when loaded; otherwise only whether it is
    aligned counts."""
    return ObjectiveDraft(
        title=objective.title,
        description=objective.description,
        level=objective.level,
        period=span_of(objective.period),
        parent=ParentRef(parent.title, span_of(parent.period)) if parent is not None else None,
        aligned=objective.parent_id is not None,
        key_results=tuple(
            KeyResultDraft(kr.title, kr.kind, kr.start_value, kr.target_value) for kr in key_results
        ),
    )


def publish_blockers(org, objective) -> list[Hint]:
    """What stops ``objective`` from being published: the hints of the rules ``org``
    requires to publish (``Organization.publish_gates``), with severity ``required`` (a key
    result's message names it).
    Empty when the company requires none (no query then). The publish service calls it."""
    gates = [key for key in (org.publish_gates or []) if key in GATEABLE]
    if not gates:
        return []
    from .models import Objective  # the one adapter to stored rows

    parent = None
    if objective.parent_id is not None:
        parent = (
            Objective.objects.for_org(org)
            .select_related("period")
            .only("title", "period__name", "period__start", "period__end")
            .filter(pk=objective.parent_id)
            .first()
        )
    key_results = list(objective.key_results.all())
    draft = draft_from_objective(objective, key_results, parent=parent)
    # Read on their own (a refusal's message list), a key result's hints name it.
    return [
        replace(hint, message=f"Key result “{hint.subject}”: {hint.message}")
        if hint.subject
        else hint
        for hint in blocking(objective_hints(draft), gates)
    ]
