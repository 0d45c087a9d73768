"""Example OKRs by function, offered to someone writing their first objective.

Pure data: outcome-style key results, each with a number to move from a start to a target
(a target below the start is a decrease). "Start from this" opens the new-objective form
with the objective's title and its key results filled in (``objective_new`` reads
``?example=<key>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ExampleKeyResult:
    title: str
    start: Decimal
    target: Decimal

    @property
    def is_decrease(self) -> bool:
        return self.target < self.start


@dataclass(frozen=True)
class Example:
    key: str
    function: str
    title: str
    key_results: tuple[ExampleKeyResult, ...]

    def form_initial(self) -> tuple[dict, list[dict]]:
        """Initial data of the objective form and of its quick key-result rows."""
        rows = [
            {"title": kr.title, "start_value": kr.start, "target_value": kr.target}
            for kr in self.key_results
        ]
        return {"title": self.title}, rows


def _kr(title: str, start: str, target: str) -> ExampleKeyResult:
    return ExampleKeyResult(title, Decimal(start), Decimal(target))


EXAMPLES: tuple[Example, ...] = (
    Example(
        key="sales-pipeline",
        function="Sales",
        title="Build a pipeline we can plan on",
        key_results=(
            _kr("Qualified pipeline for next quarter (k€)", "400", "1000"),
            _kr("Win rate on qualified deals (%)", "18", "25"),
            _kr("Days from first meeting to signed deal", "62", "45"),
        ),
    ),
    Example(
        key="marketing-demand",
        function="Marketing",
        title="Become the name buyers find first",
        key_results=(
            _kr("Marketing-qualified leads handed to Sales per month", "120", "250"),
            _kr("Organic search visits per month", "8000", "15000"),
            _kr("Cost per qualified lead (€)", "140", "90"),
        ),
    ),
    Example(
        key="engineering-delivery",
        function="Engineering",
        title="Ship small changes often, without breaking things",
        key_results=(
            _kr("Deploys to production per week", "3", "10"),
            _kr("Changes that cause an incident (%)", "15", "5"),
            _kr("Hours from merge to production (median)", "48", "4"),
        ),
    ),
    Example(
        key="support-fast-answers",
        function="Support",
        title="Customers get fast answers and leave happy",
        key_results=(
            _kr("Hours to first response (median)", "10", "2"),
            _kr("Customer satisfaction score (%)", "82", "92"),
            _kr("Tickets solved in one reply (%)", "35", "55"),
        ),
    ),
    Example(
        key="people-great-place",
        function="People",
        title="Make this a place people recommend to their friends",
        key_results=(
            _kr("Employee net promoter score", "12", "30"),
            _kr("Regretted leavers over the last 12 months (%)", "9", "5"),
            _kr("Days from job posting to accepted offer", "55", "35"),
        ),
    ),
)

BY_KEY: dict[str, Example] = {example.key: example for example in EXAMPLES}
