"""The getting-started checklist an admin sees on their home page until the company is set up.

Each step ticks itself off from the company's data. Steps about objectives or reminders
belong to the apps above this one, which register them (``register_step`` in their
``AppConfig.ready``), so ``organizations`` imports nothing from them. The whole checklist is
one query: each step contributes a boolean SQL expression over the company's row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, OuterRef, Q
from django.urls import reverse

from .clock import company_today
from .models import Invitation, Membership, Organization, Period, Team


@dataclass(frozen=True)
class StepSpec:
    key: str
    order: int
    title: str
    hint: str
    url_name: str
    # ``done(org, membership)``: a boolean expression evaluated on the company's row.
    done: Callable[[Organization, Membership], Expression]
    query: str = ""


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    url: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def next_step(self) -> Step | None:
        return next((step for step in self.steps if not step.done), None)


_STEPS: dict[str, StepSpec] = {}


def register_step(spec: StepSpec) -> None:
    _STEPS[spec.key] = spec


def _boolean(condition: Q) -> Expression:
    return ExpressionWrapper(condition, output_field=BooleanField())


def getting_started(org: Organization, membership: Membership) -> Checklist | None:
    """The checklist for an admin, or ``None`` (not an admin, every step done, or an admin
    hid it)."""
    if not membership.has_role(Membership.Role.ADMIN) or org.getting_started_hidden_at:
        return None
    checklist = checklist_for(org, membership)
    return None if checklist.complete else checklist


def checklist_for(org: Organization, membership: Membership) -> Checklist:
    specs = sorted(_STEPS.values(), key=lambda spec: spec.order)
    done = (
        Organization.objects.filter(pk=org.pk)
        .annotate(**{f"step_{spec.key}": spec.done(org, membership) for spec in specs})
        .values(*(f"step_{spec.key}" for spec in specs))
        .get()
    )
    return Checklist(
        steps=[
            Step(
                key=spec.key,
                title=spec.title,
                hint=spec.hint,
                url=reverse(spec.url_name, kwargs={"org_slug": org.slug}) + spec.query,
                done=bool(done[f"step_{spec.key}"]),
            )
            for spec in specs
        ]
    )


# --- the steps this app knows about --------------------------------------------------------


def _has_vision(org, membership):
    return _boolean(~Q(vision=""))


def _has_current_quarter(org, membership):
    today = company_today(org)
    quarters = Period.objects.filter(
        org=OuterRef("pk"), kind=Period.Kind.QUARTER, start__lte=today, end__gte=today
    )
    return Exists(quarters)


def _has_colleagues(org, membership):
    others = Membership.objects.filter(org=OuterRef("pk")).exclude(pk=membership.pk)
    return _boolean(Q(Exists(Invitation.objects.filter(org=OuterRef("pk")))) | Q(Exists(others)))


def _has_teams(org, membership):
    return Exists(Team.objects.filter(org=OuterRef("pk")))


register_step(
    StepSpec(
        key="vision",
        order=10,
        title="Write the vision",
        hint="Where the company is going, in a few lines: every objective aligns up to it.",
        url_name="config:strategy",
        done=_has_vision,
    )
)
register_step(
    StepSpec(
        key="periods",
        order=20,
        title="Check the periods",
        hint="Objectives belong to a quarter or a year; this quarter must exist.",
        url_name="config:periods",
        done=_has_current_quarter,
    )
)
register_step(
    StepSpec(
        key="people",
        order=30,
        title="Invite people",
        hint="Colleagues get an e-mail with a link to join.",
        url_name="organizations:people",
        done=_has_colleagues,
    )
)
register_step(
    StepSpec(
        key="teams",
        order=40,
        title="Add teams",
        hint="Teams write their own objectives and align them to the company's.",
        url_name="organizations:teams",
        done=_has_teams,
    )
)
