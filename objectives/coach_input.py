"""The writing coach's adapters: what a form holds (typed, valid or not) and what is stored,
read into the plain drafts ``objectives.coach`` judges, and its hints shaped for a page.

Only raw strings are read from a form: the coach speaks while the form is still invalid
(a title without a period, a target not typed yet), and bad input is read as "not given",
never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from organizations.models import Period, Team

from . import coach
from .models import KeyResult, Objective
from .permissions import visible_objectives

MAX_ID = 2**63 - 1
MAX_QUICK_ROWS = 10  # QuickKeyResultFormSet.max_num
TEXT_LIMIT = 5000

FIELD_LABELS = {
    "title": "Title",
    "parent": "Aligns to",
    "period": "Period",
    "key_results": "Key results",
    "kind": "Kind",
    "start_value": "Start",
    "target_value": "Target",
}


def as_id(raw) -> int | None:
    raw = str(getattr(raw, "pk", raw) or "").strip()
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else None


def _text(raw, limit=200) -> str:
    return " ".join(str(raw or "").split())[:limit] if isinstance(raw, str | int) else ""


def _number(raw) -> Decimal | None:
    if isinstance(raw, Decimal | int):
        value = Decimal(raw)
    else:
        try:
            value = Decimal(str(raw or "").strip()[:40])
        except InvalidOperation:
            return None
    if not value.is_finite() or abs(value) >= 10**14:
        return None
    return value


def form_values(form, formset=None) -> dict:
    """What a form shows, as raw values: the posted data of a bound form, the initial values
    of an unbound one (so a page's first view and a re-rendered invalid POST read alike)."""
    values = {bf.html_name: bf.value() for bf in form}
    for row in formset or ():
        values.update({bf.html_name: bf.value() for bf in row})
    return values


def key_result_draft(values, prefix: str = "") -> coach.KeyResultDraft:
    """One key result from the key-result form's values (or a quick row's, by ``prefix``)."""
    start = _number(values.get(f"{prefix}start_value"))
    target = _number(values.get(f"{prefix}target_value"))
    kind = str(values.get(f"{prefix}kind") or "")
    if kind not in KeyResult.Kind.values:  # a quick row: increase or decrease, as saved
        decrease = start is not None and target is not None and target < start
        kind = KeyResult.Kind.DECREASE if decrease else KeyResult.Kind.INCREASE
    return coach.KeyResultDraft(_text(values.get(f"{prefix}title")), kind, start, target, prefix)


@dataclass
class ObjectiveInput:
    """An objective being written, read from its form: the draft the rules judge and what
    the suggestions selector needs."""

    draft: coach.ObjectiveDraft
    text: str
    level: str
    team: Team | None
    period: Period | None
    parent_id: int | None


def objective_input(
    org, membership, values, *, objective: Objective | None = None
) -> ObjectiveInput:
    """Read the objective form's ``values``. Ids name only rows of ``org`` (a parent only one
    ``membership`` may see); the key results are the quick rows of the new-objective form,
    or the stored ones of ``objective`` (the edit form has none). Three queries at most."""
    level = str(values.get("level") or "")
    level = level if level in Objective.Level.values else ""
    period_id, team_id = as_id(values.get("period")), as_id(values.get("team"))
    period = Period.objects.for_org(org).filter(pk=period_id).first() if period_id else None
    team = None
    if team_id and level == Objective.Level.TEAM:
        team = Team.objects.for_org(org).filter(pk=team_id).first()
    parent = None
    parent_id = as_id(values.get("parent"))
    raw_parent = str(values.get("parent") or "")
    if raw_parent.startswith("kr:") and (kr_id := as_id(raw_parent[3:])):
        # One of a parent's key results (the picker offers them): the coach reads its objective.
        parent_id = (
            KeyResult.objects.for_org(org).filter(pk=kr_id).values_list("objective_id", flat=True)
        ).first()
    if parent_id:
        parent = (
            visible_objectives(Objective.objects.for_org(org), membership)
            .select_related("period")
            .only("title", "period__name", "period__start", "period__end")
            .filter(pk=parent_id)
            .first()
        )
    if objective is not None:
        key_results = tuple(
            coach.KeyResultDraft(kr.title, kr.kind, kr.start_value, kr.target_value)
            for kr in objective.key_results.all()
        )
    else:
        key_results = tuple(
            key_result_draft(values, f"kr-{i}-")
            for i in range(MAX_QUICK_ROWS)
            if f"kr-{i}-title" in values
        )
    title = _text(values.get("title"))
    description = _text(values.get("description"), TEXT_LIMIT)
    draft = coach.ObjectiveDraft(
        title=title,
        description=description,
        level=level,
        period=coach.span_of(period),
        parent=coach.ParentRef(parent.title, coach.span_of(parent.period)) if parent else None,
        key_results=key_results,
    )
    return ObjectiveInput(
        draft=draft,
        text=f"{title} {description}",
        level=level,
        team=team,
        period=period,
        parent_id=parent.pk if parent else None,
    )


# --- shaped for a page -------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownHint:
    hint: coach.Hint
    about: str  # "Title", "Key result “…”"
    anchor: str  # the id of the field it is about on this page, "" for none

    @property
    def align_label(self) -> str:
        return "Align to it instead" if self.hint.rule == "look_alike" else "Align to it"


def shown(hints, *, anchors: bool = True, required=()) -> list[ShownHint]:
    """Hints as a page lists them; those the company requires to publish marked so."""
    required = set(required) & set(coach.GATEABLE)
    rows = []
    for hint in hints:
        if hint.rule in required:
            hint = coach.blocking([hint], required)[0]
        name = hint.field.rsplit("-", 1)[-1]
        if hint.subject:
            about = f"Key result “{hint.subject}”"
        else:
            about = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        anchor = f"id_{hint.field}" if anchors and hint.field != "key_results" else ""
        rows.append(ShownHint(hint, about, anchor))
    return rows
