"""``seed_scale`` at a small head count, and the statistics of ``bench/run.py``."""

import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models
from django.db.models import Max

from bench.run import (
    Check,
    load_checks,
    page_checks,
    parse_reminder_output,
    percentile,
    ratio,
    reminder_checks,
    requests_within_budget,
    summarize,
)
from checkins.models import CheckIn
from demo.scale import quarter_starts, team_level_sizes
from objectives.models import KeyResult, Objective
from organizations.models import Membership, Organization, Period, Team, TeamMembership

PEOPLE = 60


def seed(slug="scale-test", people=PEOPLE):
    out = io.StringIO()
    call_command("seed_scale", org=slug, people=people, stdout=out)
    return out.getvalue()


@pytest.fixture
def company(db):
    output = seed()
    return Organization.objects.get(slug="scale-test"), output


def test_seed_scale_reports_what_it_built(company):
    _, output = company
    assert "Built “scale-test” (60 people" in output
    assert "admin@scale-test.example" in output


def test_people_all_sit_in_teams_nested_four_levels_with_one_manager_each(company):
    org, _ = company
    assert Membership.objects.for_org(org).count() == PEOPLE
    teams = {t.id: t for t in Team.objects.for_org(org)}

    def depth(team):
        return 1 if team.parent_id is None else 1 + depth(teams[team.parent_id])

    assert {depth(t) for t in teams.values()} == {1, 2, 3, 4}
    managers = Counter(
        TeamMembership.objects.for_org(org)
        .filter(is_manager=True)
        .values_list("team_id", flat=True)
    )
    assert set(managers) == set(teams) and set(managers.values()) == {1}
    in_a_team = set(TeamMembership.objects.for_org(org).values_list("membership_id", flat=True))
    assert in_a_team == set(Membership.objects.for_org(org).values_list("id", flat=True))


def test_eight_quarters_with_their_months_and_years(company):
    org, _ = company
    periods = Period.objects.for_org(org)
    quarters = periods.filter(kind="quarter")
    assert quarters.count() == 8
    assert quarters.filter(is_current=True, is_closed=False).count() == 1
    assert all(q.parent.kind == "year" and q.parent.contains(q) for q in quarters)
    months = periods.filter(kind="month").select_related("parent")
    assert months.count() == 24
    assert all(m.parent.kind == "quarter" and m.parent.contains(m) for m in months)


def test_objectives_at_three_levels_align_upward_in_the_same_period(company):
    org, _ = company
    objectives = {o.id: o for o in Objective.objects.for_org(org)}
    levels = Counter(o.level for o in objectives.values())
    assert set(levels) == {"company", "team", "individual"}
    assert len(objectives) == pytest.approx(2.2 * PEOPLE, rel=0.1)
    teams = {t.id: t for t in Team.objects.for_org(org)}
    teams_of = {}
    for membership_id, team_id in TeamMembership.objects.for_org(org).values_list(
        "membership_id", "team_id"
    ):
        teams_of.setdefault(membership_id, set()).add(team_id)
    aligned = 0
    for objective in objectives.values():
        if objective.parent_id is None:
            continue
        aligned += 1
        parent = objectives[objective.parent_id]
        assert parent.period_id == objective.period_id
        if objective.level == "company":
            pytest.fail("a company objective has a parent")
        elif objective.level == "team":
            expected = teams[objective.team_id].parent_id
            if expected is None:
                assert parent.level == "company"
            else:
                assert (parent.level, parent.team_id) == ("team", expected)
        else:
            assert parent.level == "team" and parent.team_id in teams_of[objective.owner_id]
    assert aligned >= 0.7 * (len(objectives) - levels["company"])


def test_key_results_and_check_ins_agree(company):
    org, _ = company
    krs = KeyResult.objects.for_org(org)
    per_objective = Counter(krs.values_list("objective_id", flat=True))
    assert min(per_objective.values()) >= 2
    assert krs.count() == pytest.approx(3.2 * len(per_objective), rel=0.15)
    checkins = CheckIn.objects.filter(org=org)
    assert checkins.count() == pytest.approx(80 * PEOPLE, rel=0.25)
    latest = {
        row["key_result_id"]: row["last"]
        for row in checkins.values("key_result_id").annotate(last=Max("created_at"))
    }
    # A KR measured from its contributing objectives keeps the check-ins it had before its
    # owner switched it; its value is their weighted mean now.
    by_checkins = krs.exclude(measured_by=KeyResult.MeasuredBy.CONTRIBUTORS)
    for kr in by_checkins.filter(id__in=list(latest)[:200]):
        newest = checkins.filter(key_result=kr).order_by("-created_at", "-id").first()
        assert kr.last_checkin_at == newest.created_at == latest[kr.id]
        assert (kr.current_value, kr.confidence) == (newest.value, newest.confidence)
    for kr in by_checkins.exclude(id__in=latest):  # never checked in: still at the start
        assert kr.last_checkin_at is None and kr.current_value == kr.start_value


def test_links_beyond_one_parent(company):
    """Objectives aligned to key results (always their parent's), key results measured from
    them, weights and "also supports" links, and stored progress exact."""
    from alignment.models import AlsoSupports
    from objectives.models import Objective
    from objectives.rollups import refresh_rollups_for_org

    org, _ = company
    to_krs = Objective.objects.for_org(org).filter(parent_key_result__isnull=False)
    assert to_krs.count() > 0
    assert not to_krs.exclude(parent_key_result__objective_id=models.F("parent_id")).exists()
    measured = KeyResult.objects.for_org(org).filter(measured_by="contributors")
    assert measured.filter(contributors__isnull=False).exists()
    assert Objective.objects.for_org(org).exclude(contribution_weight=1).exists()
    assert AlsoSupports.objects.filter(org=org).exists()
    assert refresh_rollups_for_org(org.pk, write=False) == 0


def test_known_logins_fit_the_benchmark(company):
    org, _ = company
    user = get_user_model().objects.get(email="admin@scale-test.example")
    assert user.check_password("bench")
    assert Membership.objects.get(org=org, user=user).role == "admin"
    manager = Membership.objects.get(org=org, user__email="manager@scale-test.example")
    assert TeamMembership.objects.filter(
        membership=manager, is_manager=True, team__parent=None
    ).exists()
    member = Membership.objects.get(org=org, user__email="member@scale-test.example")
    assert member.role == "member"
    assert TeamMembership.objects.get(membership=member).team.parent.parent.parent.parent_id is None
    assert (
        KeyResult.objects.filter(
            owner=member, objective__period__is_current=True, objective__level="individual"
        )
        .exclude(kind="milestone")
        .exists()
    )


def test_seed_scale_twice_changes_nothing(company):
    org, _ = company
    before = (
        Membership.objects.for_org(org).count(),
        Objective.objects.for_org(org).count(),
        CheckIn.objects.filter(org=org).count(),
    )
    output = seed()
    assert "Already built" in output
    after = (
        Membership.objects.for_org(org).count(),
        Objective.objects.for_org(org).count(),
        CheckIn.objects.filter(org=org).count(),
    )
    assert after == before
    assert Organization.objects.filter(slug="scale-test").count() == 1


def test_seed_scale_refuses_an_existing_slug_with_another_head_count(company):
    with pytest.raises(CommandError, match="already exists with 60 people"):
        seed(people=80)


def test_team_levels_and_quarters_arithmetic():
    assert team_level_sizes(294) == [6, 24, 74, 190]
    assert team_level_sizes(1) == [1, 1, 1, 1]
    starts = quarter_starts(datetime.date(2026, 2, 10))
    assert starts[0] == datetime.date(2024, 4, 1) and starts[-1] == datetime.date(2026, 1, 1)
    assert len(starts) == 8


# --- bench/run.py statistics and verdicts --------------------------------------------------


def test_percentile_interpolates_between_ranks():
    values = list(range(1, 11))
    assert percentile(values, 50) == 5.5
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 0) == 1 and percentile(values, 100) == 10
    assert percentile([7.0], 95) == 7.0
    assert percentile([3, 1, 2], 50) == 2  # unsorted input
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_summarize_and_ratio():
    summary = summarize([10.0] * 19 + [100.0])
    assert summary["n"] == 20 and summary["p50_ms"] == 10.0
    assert summary["p95_ms"] == pytest.approx(14.5)
    assert ratio(20.0, 5.0) == 4.0
    assert ratio(None, 5.0) is None and ratio(5.0, 0) is None


def page(scale_q=10, small_q=9, p95=30.0, ratio_p95=3.0, limit=4.0, status="ok"):
    side = {"status": status, "queries": scale_q, "p95_ms": p95}
    return {
        "label": "Team page",
        "url_name": "objectives:team",
        "p95_limit": limit,
        "scale": side,
        "small": {"status": status, "queries": small_q, "p95_ms": 10.0},
        "ratio_p95": ratio_p95,
    }


@pytest.mark.parametrize(
    ("kwargs", "statuses"),
    [
        ({}, ["PASS", "PASS"]),
        ({"scale_q": 11, "small_q": 9}, ["PASS", "PASS"]),
        ({"scale_q": 12, "small_q": 9}, ["FAIL", "PASS"]),
        ({"ratio_p95": 4.0}, ["PASS", "PASS"]),
        ({"ratio_p95": 4.01}, ["PASS", "FAIL"]),
        ({"ratio_p95": 7.5, "limit": 8.0}, ["PASS", "PASS"]),
        ({"ratio_p95": None}, ["PASS", "FAIL"]),
        ({"status": "MISSING"}, ["MISSING"]),
        ({"status": "HTTP 500"}, ["FAIL"]),
    ],
)
def test_page_checks(kwargs, statuses):
    assert [c.status for c in page_checks(page(**kwargs))] == statuses


def test_load_checks_count_errors_and_lost_checkins():
    ok = {"status": "ok", "errors": 0, "requests": 100, "checkins_sent": 20, "checkins_stored": 20}
    assert [c.status for c in load_checks(ok)] == ["PASS", "PASS"]
    lost = dict(ok, checkins_stored=19, errors=2)
    assert [c.status for c in load_checks(lost)] == ["FAIL", "FAIL"]
    assert load_checks({"status": "error", "error": "boom"}) == [Check("load run", "FAIL", "boom")]
    nothing = dict(ok, requests=0, errors=50, checkins_sent=0, checkins_stored=0)
    assert [c.status for c in load_checks(nothing)] == ["FAIL"]


def test_reminder_output_is_parsed_and_judged():
    text = (
        "Built 5000 people with one KR each in 3.1s.\n"
        "Dispatched “Bench reminder” to 5000 people in 12.34s (2.47 ms per recipient), "
        "10 batches, 63 SQL queries (0.013 per recipient)."
    )
    parsed = parse_reminder_output(text)
    assert parsed == {
        "queries_per_recipient": 0.013,
        "queries": 63,
        "batches": 10,
        "seconds": 12.34,
    }
    assert reminder_checks({"status": "ok", **parsed})[0].status == "PASS"
    # One mark per recipient, as the server accepts each message, plus a little per batch.
    assert reminder_checks({"status": "ok", "queries_per_recipient": 1.06})[0].status == "PASS"
    assert reminder_checks({"status": "ok", "queries_per_recipient": 2.0})[0].status == "FAIL"
    assert reminder_checks({"status": "MISSING"})[0].status == "MISSING"


def test_slow_pages_get_fewer_requests_but_never_under_five():
    assert requests_within_budget(30, 0.1, 45) == 30
    assert requests_within_budget(30, 3.0, 45) == 15
    assert requests_within_budget(30, 60.0, 45) == 5


def test_seeded_check_ins_are_in_the_history_as_the_trigger_records_them(company):
    """Seeding pauses the history trigger for its COPY and records the rows in one
    statement: each seeded check-in has the one row the trigger would have written, and
    the trigger is back on for what follows."""
    from history.models import Change

    org, _ = company
    seeded = CheckIn.objects.filter(org=org)
    rows = Change.objects.filter(org=org, model="checkins.checkin")
    assert rows.count() == seeded.count()
    checkin = seeded.order_by("id").first()
    row = rows.get(object_id=checkin.pk)
    assert (row.operation, row.key_result_id, row.actor_id) == (
        "insert",
        checkin.key_result_id,
        None,
    )
    assert row.created_at == checkin.created_at
    assert row.changes["key_result_id"] == [None, checkin.key_result_id]

    # A check-in made now goes through the trigger: its row has the same columns.
    later = CheckIn.objects.create(
        org=org,
        key_result_id=checkin.key_result_id,
        author_id=checkin.author_id,
        value=checkin.value,
        previous_value=checkin.previous_value,
        confidence=checkin.confidence,
        note="after seeding",
    )
    fresh = Change.objects.get(model="checkins.checkin", object_id=later.pk)
    assert set(fresh.changes) - {"note"} == set(row.changes) - {"note"}
