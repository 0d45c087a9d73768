"""Progress arithmetic, in one place. Every percentage the pages show comes from here.

- A key result's progress is clamp((current - start) / (target - start), 0, 1); this covers
  decreasing KRs, where target < start. A milestone is 0 (not done) or 1 (done).
- An objective's own progress is the weight-averaged progress of its KRs, or ``None`` when
  it has no KRs ("no progress yet", never a misleading 0%).
- Its *aligned* progress also folds in what aligns to it: every child objective with a
  (aligned) progress counts like one more key result, weighing its ``contribution_weight``
  (``CHILD_WEIGHT``, 1, unless its parent's owner chose another). Abandoned children are left
  out. With neither KRs nor measured children it is ``None``.
- A key result measured from its contributors has the weighted mean of their aligned
  progress as its progress, stored as the value that gives it (``value_for_progress``), so
  every page reads it like any other key result. Objectives aligned to a key result count
  only through it (never also directly in its objective's aligned progress).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
CHILD_WEIGHT = Decimal(1)


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def kr_progress(*, kind: str, start, target, current) -> Decimal:
    """Progress of one key result, between 0 and 1."""
    start, target, current = Decimal(start), Decimal(target), Decimal(current)
    if kind == "milestone":
        return ONE if current >= ONE else ZERO
    if target == start:  # forms forbid it; be safe for legacy rows
        return ONE if current == target else ZERO
    return clamp((current - start) / (target - start))


VALUE_PLACES = Decimal("0.0001")  # KeyResult.current_value's four decimal places


def _places(value: Decimal) -> int:
    return max(0, -Decimal(value).normalize().as_tuple().exponent)


def value_for_progress(*, kind: str, start, target, progress: Decimal) -> Decimal:
    """The value a key result shows at ``progress`` (0..1): start + progress x (target - start),
    to one decimal more than its start and target have (152.6 leads of 400, not 152.6068);
    a milestone is done only at 100%."""
    if kind == "milestone":
        return ONE if progress >= ONE else ZERO
    start, target = Decimal(start), Decimal(target)
    places = min(4, max(_places(start), _places(target)) + 1)
    value = start + clamp(Decimal(progress)) * (target - start)
    return value.quantize(Decimal(1).scaleb(-places)).quantize(VALUE_PLACES)


def weighted_mean(parts: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Mean of ``(progress, weight)`` pairs, or ``None`` when there are none."""
    total = weight_sum = ZERO
    for progress, weight in parts:
        total += Decimal(progress) * Decimal(weight)
        weight_sum += Decimal(weight)
    if weight_sum <= ZERO:
        return None
    return total / weight_sum


def key_result_progress(kr) -> Decimal:
    return kr_progress(
        kind=kr.kind, start=kr.start_value, target=kr.target_value, current=kr.current_value
    )


def objective_progress(key_results: Iterable) -> Decimal | None:
    """Own progress of an objective from its key results (already loaded)."""
    return weighted_mean((key_result_progress(kr), kr.weight) for kr in key_results)


def aligned_progress(key_results: Iterable, children_progress: Iterable) -> Decimal | None:
    """Own KRs (by weight) plus each child's aligned progress (``None`` children skipped)."""
    parts = [(key_result_progress(kr), kr.weight) for kr in key_results]
    parts += [(p, CHILD_WEIGHT) for p in children_progress if p is not None]
    return weighted_mean(parts)


@dataclass(frozen=True)
class ProgressLine:
    """One line of a progress explanation: what was counted, its progress and weight."""

    label: str
    progress: Decimal
    weight: Decimal
    detail: str = ""


def _plain(value) -> str:
    """1000.0000 -> "1,000"; 2.5000 -> "2.5" (no exponent, no trailing zeros)."""
    return f"{Decimal(value).normalize():,f}"


def explain_objective(key_results: Iterable) -> list[ProgressLine]:
    """The lines behind an objective's own progress, for the "how is this made" view."""
    return [
        ProgressLine(
            label=kr.title,
            progress=key_result_progress(kr),
            weight=kr.weight,
            detail=(
                f"start {_plain(kr.start_value)}, target {_plain(kr.target_value)}, "
                f"now {_plain(kr.current_value)}"
            ),
        )
        for kr in key_results
    ]


def as_percent(progress: Decimal | None) -> int | None:
    return (
        None if progress is None else int((progress * 100).quantize(ONE, rounding="ROUND_HALF_UP"))
    )
