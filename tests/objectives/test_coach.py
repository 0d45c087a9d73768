"""The writing coach's rules, as a table of examples: what was written → the rules that speak.

Pure: no database. Good outcome key results (and the example OKRs we offer) get no hint.
"""

from datetime import date
from decimal import Decimal

import pytest

from objectives import coach
from objectives.coach import (
    GATEABLE,
    RULES,
    KeyResultDraft,
    ObjectiveDraft,
    Offer,
    ParentRef,
    Span,
    Suggestions,
)
from objectives.examples import EXAMPLES

Q3 = Span("FY2026 Q3", date(2026, 7, 1), date(2026, 9, 30))
Q4 = Span("FY2026 Q4", date(2026, 10, 1), date(2026, 12, 31))
YEAR = Span("FY2026", date(2026, 1, 1), date(2026, 12, 31))
D = Decimal


def kr(title, start="0", target="10", kind="increase"):
    return KeyResultDraft(
        title,
        kind,
        None if start is None else D(start),
        None if target is None else D(target),
    )


GOOD_KRS = (
    kr("Weekly active teams", "40", "60"),
    kr("Hours to first response (median)", "10", "2", kind="decrease"),
    kr("Customer satisfaction score (%)", "82", "92"),
)


def objective(title="Customers get fast answers and leave happy", **kwargs):
    values = {"level": "team", "period": Q3, "aligned": True, "key_results": GOOD_KRS}
    values.update(kwargs)
    return ObjectiveDraft(title=title, **values)


# (what is written, the rule keys expected) — one key result at a time.
KEY_RESULT_EXAMPLES = [
    # Tasks, not outcomes.
    (kr("Launch the new onboarding flow", "0", "1"), {"kr_is_task", "kr_yes_no"}),
    (kr("Write the security whitepaper", kind="milestone"), {"kr_is_task", "kr_yes_no"}),
    (kr("Hold a meeting with every key account", "0", "12"), {"kr_is_task"}),
    (kr("hold a meeting with the board"), {"kr_is_task"}),
    (kr("Set up the data warehouse", "0", "3"), {"kr_is_task"}),
    (kr("Roll out SSO to customers", "0", "40"), {"kr_is_task"}),
    (kr("Organise 3 customer workshops", "0", "3"), {"kr_is_task"}),
    # No measurable target; no baseline; nothing to move.
    (kr("Qualified pipeline (k€)", "400", None), {"kr_no_target"}),
    (kr("Qualified pipeline (k€)", None, "1000"), {"kr_no_baseline"}),
    (kr("Raise NPS to 50", "0", "50"), {"kr_no_baseline"}),
    (kr("Qualified pipeline (k€)", "400", "400"), {"kr_start_equals_target"}),
    # Yes/no where a number would do.
    (kr("Security certification obtained", kind="milestone"), {"kr_yes_no"}),
    (kr("Customers love the new plan", "0", "1"), {"kr_yes_no"}),
    # Good outcome key results: nothing to say.
    (kr("Weekly active teams", "40", "60"), set()),
    (kr("Raise weekly active teams from 40 to 60", "40", "60"), set()),
    (kr("Gain 1,000 relevant followers", "0", "1000"), set()),
    (kr("Sign 10 paying customers", "0", "10"), set()),
    (kr("Cost per qualified lead (€)", "140", "90", kind="decrease"), set()),
    (kr("Deploys to production per week", "3", "10"), set()),
    (kr("Reach 5 reference customers", "0", "5"), set()),
    (kr("Planned releases shipped on time (%)", "60", "90"), set()),
    (kr("", None, None), set()),  # nothing written yet
]


@pytest.mark.parametrize(
    ("draft", "expected"),
    KEY_RESULT_EXAMPLES,
    ids=[d.title or "blank" for d, _ in KEY_RESULT_EXAMPLES],
)
def test_key_result_examples(draft, expected):
    assert {hint.rule for hint in coach.key_result_hints(draft)} == expected


# Objective titles: (title, expected) with good key results, aligned.
TITLE_EXAMPLES = [
    ("Increase revenue by 20%", {"title_is_key_result"}),
    ("Grow ARR from 2m to 3m", {"title_is_key_result"}),
    ("Reach 1,000 paying customers", {"title_is_key_result"}),
    ("Sign 40 customers and 3 partners", {"title_is_key_result"}),
    ("Cut churn to 2 %", {"title_is_key_result"}),
    ("Win € 500k of new business", {"title_is_key_result"}),
    ("Customers get fast answers and leave happy", set()),
    ("Delight our first 100 customers", set()),  # a number, but not a key result
    ("Be ready for the FY2027 launch", set()),
    ("Make Q3 2026 our best quarter yet", set()),
    ("Build a pipeline we can plan on", set()),
]


@pytest.mark.parametrize(("title", "expected"), TITLE_EXAMPLES, ids=[t for t, _ in TITLE_EXAMPLES])
def test_objective_title_examples(title, expected):
    assert {hint.rule for hint in coach.objective_hints(objective(title))} == expected


def test_key_result_count_two_to_five():
    def rules(n):
        krs = tuple(kr(f"Metric number {i}", "0", "10") for i in range(n))
        return {h.rule for h in coach.objective_hints(objective(key_results=krs))}

    assert rules(0) == {"too_few_key_results"}
    assert rules(1) == {"too_few_key_results"}
    assert rules(2) == rules(5) == set()
    assert rules(6) == {"too_many_key_results"}
    # Blank rows of the form do not count; an unknown list says nothing.
    blank = (kr("", None, None),) * 3
    assert {h.rule for h in coach.objective_hints(objective(key_results=blank))} == {
        "too_few_key_results"
    }
    unknown = objective(key_results=(), key_results_known=False)
    assert coach.objective_hints(unknown) == []


def test_parent_whose_period_does_not_contain_it():
    inside = objective(parent=ParentRef("Win the enterprise market", YEAR), period=Q3)
    outside = objective(parent=ParentRef("Win the enterprise market", Q3), period=Q4)
    assert coach.objective_hints(inside) == []
    [hint] = coach.objective_hints(outside)
    assert (hint.rule, hint.field, hint.severity) == ("parent_period", "parent", coach.WARNING)
    assert "FY2026 Q3" in hint.message and "FY2026 Q4" in hint.message


def test_not_aligned_offers_the_likely_parents_it_may_align_to():
    parents = Suggestions(
        likely_parents=(
            Offer(1, "Win the enterprise market", can_align=True),
            Offer(2, "A parent the rules refuse", can_align=False),
        )
    )
    hints = coach.objective_hints(objective(aligned=False), parents)
    [hint] = hints
    assert hint.rule == "not_aligned" and hint.field == "parent"
    assert [o.id for o in hint.offers] == [1]
    # Company objectives align to nothing by design; an aligned one is fine.
    assert coach.objective_hints(objective(level="company", aligned=False), parents) == []
    assert coach.objective_hints(objective(aligned=True), parents) == []
    # Without likely parents, it still says so.
    [alone] = coach.objective_hints(objective(level="individual", aligned=False))
    assert alone.rule == "not_aligned" and alone.offers == ()


def test_look_alikes_are_offered_to_open_or_align_to():
    lookalike = Offer(7, "Customers get quick answers", owner="Erik", can_align=True)
    [hint] = coach.objective_hints(objective(), Suggestions(lookalikes=(lookalike,)))
    assert hint.rule == "look_alike" and hint.offers == (lookalike,)


def test_nothing_is_said_before_a_title_is_written():
    assert coach.objective_hints(objective(title="  ", aligned=False, key_results=())) == []


def test_key_result_hints_on_the_objective_name_their_key_result_and_row():
    krs = (
        KeyResultDraft("Weekly active teams", "increase", D(40), D(60), prefix="kr-0-"),
        KeyResultDraft("Launch the beta", "milestone", D(0), D(1), prefix="kr-1-"),
    )
    hints = coach.objective_hints(objective(key_results=krs))
    assert {(h.rule, h.field, h.subject) for h in hints} == {
        ("kr_is_task", "kr-1-title", "Launch the beta"),
        ("kr_yes_no", "kr-1-kind", "Launch the beta"),
    }
    assert [subject for subject, _ in coach.grouped(hints)] == ["Launch the beta"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.key for e in EXAMPLES])
def test_the_example_okrs_we_offer_pass_the_coach(example):
    krs = tuple(KeyResultDraft(k.title, "increase", k.start, k.target) for k in example.key_results)
    assert coach.objective_hints(objective(example.title, key_results=krs)) == []


def test_rules_have_stable_keys_and_every_hint_names_one():
    assert set(RULES) == {
        "kr_is_task",
        "kr_no_target",
        "kr_start_equals_target",
        "kr_no_baseline",
        "kr_yes_no",
        "too_few_key_results",
        "too_many_key_results",
        "title_is_key_result",
        "parent_period",
        "not_aligned",
        "look_alike",
    }
    assert "look_alike" not in GATEABLE  # a question to ask, never a publish gate
    hints = coach.objective_hints(
        objective("Increase revenue by 20%", aligned=False, key_results=KEY_RESULT_EXAMPLES[0][:1]),
        Suggestions(lookalikes=(Offer(1, "x"),)),
    )
    assert hints and all(h.rule in RULES for h in hints)


def test_blocking_keeps_only_required_gateable_rules():
    hints = coach.objective_hints(
        objective("Increase revenue by 20%", aligned=False, key_results=()),
        Suggestions(lookalikes=(Offer(1, "x"),)),
    )
    blockers = coach.blocking(hints, ["not_aligned", "look_alike", "no_such_rule"])
    assert [(h.rule, h.severity) for h in blockers] == [("not_aligned", coach.REQUIRED)]
