from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from objectives.progress import (
    as_percent,
    explain_objective,
    kr_progress,
    objective_progress,
)

values = st.decimals(min_value=-10_000, max_value=10_000, places=2, allow_nan=False)
weights = st.decimals(min_value=Decimal("0.01"), max_value=100, places=2)


def make_kr(kind="increase", start=0, target=100, current=0, weight=1, title="KR"):
    return SimpleNamespace(
        kind=kind,
        start_value=Decimal(start),
        target_value=Decimal(target),
        current_value=Decimal(current),
        weight=Decimal(weight),
        title=title,
    )


@given(start=values, target=values, current=values)
def test_kr_progress_is_between_0_and_1(start, target, current):
    assert Decimal(0) <= kr_progress(kind="increase", start=start, target=target, current=current)
    assert kr_progress(kind="increase", start=start, target=target, current=current) <= 1


@given(start=values, delta=st.decimals(min_value=1, max_value=1000, places=2), current=values)
def test_decreasing_kr_progresses_as_current_falls(start, delta, current):
    target = start - delta
    lower = kr_progress(kind="decrease", start=start, target=target, current=current - 1)
    higher = kr_progress(kind="decrease", start=start, target=target, current=current)
    assert lower >= higher


@given(current=values)
def test_milestone_is_zero_or_one(current):
    assert kr_progress(kind="milestone", start=0, target=1, current=current) in (0, 1)


@given(start=values, delta=st.decimals(min_value=1, max_value=1000, places=2), a=values, b=values)
def test_increase_progress_is_monotonic_in_current(start, delta, a, b):
    low, high = sorted([a, b])
    target = start + delta
    assert kr_progress(kind="increase", start=start, target=target, current=low) <= kr_progress(
        kind="increase", start=start, target=target, current=high
    )


@given(st.lists(st.tuples(values, weights), min_size=1, max_size=8))
def test_weighted_mean_lies_between_min_and_max(rows):
    krs = [make_kr(start=0, target=100, current=current, weight=w) for current, w in rows]
    progresses = [kr_progress(kind="increase", start=0, target=100, current=c) for c, _ in rows]
    result = objective_progress(krs)
    assert min(progresses) - Decimal("1e-20") <= result <= max(progresses) + Decimal("1e-20")


def test_no_key_results_means_no_progress_not_zero():
    assert objective_progress([]) is None
    assert as_percent(None) is None


@pytest.mark.parametrize(
    ("kind", "start", "target", "current", "expected"),
    [
        ("increase", 0, 100, 50, Decimal("0.5")),
        ("increase", 0, 100, 150, Decimal(1)),
        ("increase", 0, 100, -20, Decimal(0)),
        ("increase", 10, 20, 10, Decimal(0)),
        ("decrease", 30, 10, 20, Decimal("0.5")),
        ("decrease", 30, 10, 5, Decimal(1)),
        ("decrease", 30, 10, 40, Decimal(0)),
        ("milestone", 0, 1, 0, Decimal(0)),
        ("milestone", 0, 1, 1, Decimal(1)),
        ("increase", 5, 5, 5, Decimal(1)),  # legacy start == target row: done when reached
        ("increase", 5, 5, 4, Decimal(0)),
    ],
)
def test_kr_progress_edge_cases(kind, start, target, current, expected):
    assert kr_progress(kind=kind, start=start, target=target, current=current) == expected


def test_weights_shift_the_mean_and_explanation_lists_each_kr():
    krs = [make_kr(current=100, weight=3, title="A"), make_kr(current=0, weight=1, title="B")]
    assert objective_progress(krs) == Decimal("0.75")
    assert as_percent(objective_progress(krs)) == 75
    lines = explain_objective(krs)
    assert [line.label for line in lines] == ["A", "B"]
    assert lines[0].detail == "start 0, target 100, now 100"
    assert lines[0].weight == 3


@pytest.mark.parametrize(
    ("progress", "percent"), [(Decimal("0.004"), 0), (Decimal("0.005"), 1), (Decimal(1), 100)]
)
def test_as_percent_rounds_half_up(progress, percent):
    assert as_percent(progress) == percent
