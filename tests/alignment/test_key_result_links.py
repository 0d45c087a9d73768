"""Aligning to a key result, contribution weights and "also supports" (issue 19, items 1-2):
roll-ups, rules, rights, the audit trail and what each person may see."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment import rules
from alignment.models import AlignmentRequest, AlsoSupports
from alignment.services import (
    MSG_WEIGHT_NOT_YOURS,
    alignment_request,
    alignment_request_answer,
    also_supports_add,
    also_supports_remove,
    contribution_weight_set,
    key_result_measure,
    objective_align,
)
from audit.models import AuditEntry
from checkins.services import MSG_MEASURED_BY_CONTRIBUTORS, checkin_submit
from objectives.models import KeyResult, Objective
from objectives.rollups import refresh_rollups_for_org
from tests.factories import KeyResultFactory, MembershipFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db
CONTRIBUTORS = KeyResult.MeasuredBy.CONTRIBUTORS
CHECKINS = KeyResult.MeasuredBy.CHECKINS


def fresh(obj):
    obj.refresh_from_db()
    return obj


def exact(org):
    """A full recount of the company finds nothing to correct."""
    return refresh_rollups_for_org(org.pk, write=False) == 0


@pytest.fixture
def chain(make_objective, admin_membership, teams):
    """Company objective (year) <- Marketing objective (q2) with a KR "Leads" (0 -> 200);
    two individual objectives of Mia and Max, each with one KR (0 -> 10)."""
    company = make_objective("company", "year", title="Grow APAC", owner=admin_membership)
    KeyResultFactory(objective=company, title="Brand value", target_value=100)
    team = make_objective("team:marketing", "q2", title="Social media", owner=None)
    objective_align(objective=team, parent=company, actor=None)
    leads = KeyResultFactory(
        objective=team, title="Leads", start_value=0, target_value=200, owner=None
    )
    mia = make_objective("individual", "q2", title="Mia's posts")
    max_ = make_objective("individual", "q2", title="Max's videos")
    mia_kr = KeyResultFactory(objective=mia, target_value=10)
    max_kr = KeyResultFactory(objective=max_, target_value=10)
    return {
        "company": company,
        "team": team,
        "leads": leads,
        "mia": mia,
        "max": max_,
        "mia_kr": mia_kr,
        "max_kr": max_kr,
    }


def _measure_from_contributors(c, actor):
    for child in (c["mia"], c["max"]):
        objective_align(objective=child, parent=c["team"], key_result=c["leads"], actor=None)
    key_result_measure(kr=c["leads"], measured_by=CONTRIBUTORS, actor=actor)


# --- roll-ups ----------------------------------------------------------------------------------


def test_kr_measured_by_contributors_moves_with_them_and_up_the_chain(org, chain, admin_membership):
    c = chain
    _measure_from_contributors(c, admin_membership)
    contribution_weight_set(objective=c["max"], weight="2", actor=admin_membership)
    checkin_submit(kr=c["mia_kr"], author=c["mia"].owner, value="6", confidence="on_track")

    # Leads = (0.6 x 1 + 0 x 2) / 3 = 0.2 of 200 = 40; the team's own progress follows.
    assert fresh(c["leads"]).current_value == Decimal(40)
    team = fresh(c["team"])
    assert team.progress == Decimal("0.2")
    assert team.aligned_progress == Decimal("0.2")  # its contributors count once, via Leads
    # The company objective: its own KR (0) and the team (0.2), one each.
    assert fresh(c["company"]).aligned_progress == Decimal("0.1")

    checkin_submit(kr=c["max_kr"], author=c["max"].owner, value="9", confidence="on_track")
    # (0.6 + 0.9 x 2) / 3 = 0.8 -> 160.
    assert fresh(c["leads"]).current_value == Decimal(160)
    assert fresh(c["team"]).progress == Decimal("0.8")
    assert fresh(c["company"]).aligned_progress == Decimal("0.4")
    assert exact(org)


def test_kr_measured_by_checkins_does_not_move_with_its_contributors(org, chain, admin_membership):
    c = chain
    for child in (c["mia"], c["max"]):
        objective_align(objective=child, parent=c["team"], key_result=c["leads"], actor=None)
    checkin_submit(kr=c["mia_kr"], author=c["mia"].owner, value="10", confidence="on_track")

    assert fresh(c["leads"]).current_value == Decimal(0)
    team = fresh(c["team"])
    # Listed beside the KR, not counted: neither in the KR nor in the team's aligned progress.
    assert (team.progress, team.aligned_progress) == (Decimal(0), Decimal(0))
    assert fresh(c["company"]).aligned_progress == Decimal(0)
    assert exact(org)


def test_check_ins_on_a_kr_measured_by_contributors_are_refused(org, chain, admin_membership):
    c = chain
    _measure_from_contributors(c, admin_membership)
    with pytest.raises(ValidationError) as refused:
        checkin_submit(kr=c["leads"], author=admin_membership, value="50", confidence="on_track")
    assert refused.value.message_dict["value"] == [MSG_MEASURED_BY_CONTRIBUTORS]
    assert fresh(c["leads"]).current_value == Decimal(0)


def test_measuring_by_checkins_again_keeps_the_last_value_and_stops_following(
    org, chain, admin_membership
):
    c = chain
    _measure_from_contributors(c, admin_membership)
    checkin_submit(kr=c["mia_kr"], author=c["mia"].owner, value="10", confidence="on_track")
    assert fresh(c["leads"]).current_value == Decimal(100)
    key_result_measure(kr=c["leads"], measured_by=CHECKINS, actor=admin_membership)
    checkin_submit(kr=c["max_kr"], author=c["max"].owner, value="10", confidence="on_track")
    assert fresh(c["leads"]).current_value == Decimal(100)
    checkin_submit(kr=c["leads"], author=admin_membership, value="150", confidence="at_risk")
    assert fresh(c["leads"]).current_value == Decimal(150)
    assert exact(org)


def test_weights_weigh_children_of_an_objective(org, make_objective, admin_membership):
    parent = make_objective("team:marketing", "q2", owner=None)
    a = make_objective("individual", "q2")
    b = make_objective("individual", "q2")
    KeyResultFactory(objective=a, target_value=10, current_value=10)
    KeyResultFactory(objective=b, target_value=10, current_value=0)
    for child in (a, b):
        objective_align(objective=child, parent=parent, actor=None)
    assert fresh(parent).aligned_progress == Decimal("0.5")
    contribution_weight_set(objective=a, weight="3", actor=admin_membership)
    assert fresh(parent).aligned_progress == Decimal("0.75")
    assert exact(org)


def test_a_private_contributor_does_not_move_the_kr(org, chain, admin_membership):
    c = chain
    _measure_from_contributors(c, admin_membership)
    Objective.objects.filter(pk=c["max"].pk).update(visibility="private")
    checkin_submit(kr=c["max_kr"], author=c["max"].owner, value="10", confidence="on_track")
    checkin_submit(kr=c["mia_kr"], author=c["mia"].owner, value="5", confidence="on_track")
    assert fresh(c["leads"]).current_value == Decimal(100)  # Mia's 50% alone
    assert exact(org)


def test_also_supports_is_counted_nowhere(org, chain, make_objective, admin_membership):
    c = chain
    other = make_objective("team:marketing", "q2", owner=None, title="Events")
    objective_align(objective=c["mia"], parent=c["team"], actor=None)
    also_supports_add(objective=c["mia"], supported=other, actor=admin_membership)
    checkin_submit(kr=c["mia_kr"], author=c["mia"].owner, value="10", confidence="on_track")
    assert fresh(other).aligned_progress is None  # no KRs, nothing aligned: no progress
    assert fresh(c["team"]).aligned_progress == Decimal("0.5")  # Leads 0, Mia 1
    assert exact(org)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    values=st.lists(st.integers(0, 10), min_size=3, max_size=3),
    weights=st.lists(st.sampled_from(["1", "2", "0.5", "4"]), min_size=3, max_size=3),
    via_kr=st.lists(st.booleans(), min_size=3, max_size=3),
    measured=st.booleans(),
    supports=st.booleans(),
)
def test_stored_rollups_always_equal_a_full_recount(
    org, make_objective, admin_membership, values, weights, via_kr, measured, supports
):
    """Whatever the links, weights and check-ins, every write leaves the stored numbers equal
    to a recount, a KR measured from contributors at their weighted mean, and "also supports"
    changing nothing."""
    with transaction.atomic():
        sid = transaction.savepoint()
        parent = make_objective("team:marketing", "q2", owner=None)
        kr = KeyResultFactory(objective=parent, target_value=100, owner=None)
        if measured:
            key_result_measure(kr=kr, measured_by=CONTRIBUTORS, actor=admin_membership)
        elsewhere = make_objective("team:marketing", "q2", owner=None)
        children = []
        for value, weight, to_kr in zip(values, weights, via_kr, strict=True):
            child = make_objective("individual", "q2")
            child_kr = KeyResultFactory(objective=child, target_value=10)
            objective_align(
                objective=child, parent=parent, key_result=kr if to_kr else None, actor=None
            )
            contribution_weight_set(objective=child, weight=weight, actor=admin_membership)
            if supports:
                also_supports_add(objective=child, supported=elsewhere, actor=None)
            checkin_submit(kr=child_kr, author=child.owner, value=str(value), confidence="on_track")
            children.append((Decimal(value) / 10, Decimal(weight), to_kr))
        assert exact(org)
        through = [(p, w) for p, w, k in children if k]
        if measured and through:
            mean = sum(p * w for p, w in through) / sum(w for _, w in through)
            assert fresh(kr).current_value == (mean * 100).quantize(Decimal("0.1"))
        else:
            assert fresh(kr).current_value == Decimal(0)
        assert fresh(elsewhere).aligned_progress is None
        transaction.savepoint_rollback(sid)


# --- rules ---------------------------------------------------------------------------------

# (child, child period, KR's objective, its period, expected error or None): a KR stands for
# its objective (its period, level and team).
KR_RULES = [
    ("individual", "q2", "team:marketing", "q2", None),
    ("individual", "may", "team:sales", "q2", None),
    ("individual", "q2", "company", "year", None),
    ("individual", "q2", "team:marketing", "may", "must lie within the parent's period"),
    ("individual", "q3", "company", "q2", "must lie within the parent's period"),
    ("individual", "q2", "individual", "q2", rules.MSG_INDIVIDUAL_PARENT),
    ("team:marketing", "q2", "team:growth", "q2", None),
    ("team:marketing", "q2", "team:sales", "q2", rules.MSG_TEAM_PARENT),
    ("company", "q2", "team:growth", "year", rules.MSG_COMPANY_PARENT),
    ("company", "q2", "company", "year", None),
]


@pytest.mark.parametrize(("child", "child_period", "parent", "parent_period", "error"), KR_RULES)
def test_kr_parent_rule_table(make_objective, child, child_period, parent, parent_period, error):
    child_obj = make_objective(child, child_period)
    parent_obj = make_objective(parent, parent_period)
    kr = KeyResultFactory(objective=parent_obj)
    if error is None:
        objective_align(objective=child_obj, parent=parent_obj, key_result=kr, actor=None)
        assert fresh(child_obj).parent_key_result_id == kr.pk
    else:
        with pytest.raises(ValidationError) as refused:
            objective_align(objective=child_obj, parent=parent_obj, key_result=kr, actor=None)
        assert error in " ".join(refused.value.messages)
        assert fresh(child_obj).parent_key_result_id is None


def test_a_cycle_through_a_key_result_is_refused(make_objective):
    top = make_objective("team:growth", "q2", owner=None)
    below = make_objective("team:marketing", "q2", owner=None)
    top_kr = KeyResultFactory(objective=top, owner=None)
    objective_align(objective=below, parent=top, key_result=top_kr, actor=None)
    below_kr = KeyResultFactory(objective=below, owner=None)
    company_q2 = make_objective("company", "q2", owner=None)
    objective_align(objective=top, parent=company_q2, actor=None)
    # Growth's objective under Marketing's KR would close Growth -> Marketing -> Growth; the
    # team rule refuses it first, so take two company objectives for the cycle itself.
    year = make_objective("company", "year", owner=None)
    year_kr = KeyResultFactory(objective=year, owner=None)
    objective_align(objective=company_q2, parent=year, key_result=year_kr, actor=None)
    with pytest.raises(ValidationError):
        objective_align(objective=top, parent=below, key_result=below_kr, actor=None)
    q2_kr = KeyResultFactory(objective=company_q2, owner=None)
    month = make_objective("company", "may", owner=None)
    objective_align(objective=month, parent=company_q2, key_result=q2_kr, actor=None)
    with pytest.raises(ValidationError) as refused:
        objective_align(objective=company_q2, parent=month, actor=None)
    assert "cycle" in " ".join(refused.value.messages) or "period" in " ".join(
        refused.value.messages
    )


def test_cycle_check_walks_through_key_results(make_objective):
    """A -> KR of B, B -> KR of C: C may not contribute to A's KR (nor to A)."""
    a = make_objective("company", "may", owner=None)
    b = make_objective("company", "q2", owner=None)
    c = make_objective("company", "year", owner=None)
    b_kr, c_kr = KeyResultFactory(objective=b, owner=None), KeyResultFactory(objective=c)
    objective_align(objective=a, parent=b, key_result=b_kr, actor=None)
    objective_align(objective=b, parent=c, key_result=c_kr, actor=None)
    a_kr = KeyResultFactory(objective=a, owner=None)
    # The period rule refuses c under a too; the cycle check must refuse on its own as well.
    from alignment.chain import ancestor_ids

    assert c.pk in ancestor_ids(a.pk, a.org_id)
    with pytest.raises(ValidationError):
        objective_align(objective=c, parent=a, key_result=a_kr, actor=None)


def test_a_kr_of_another_objective_is_refused(make_objective):
    child = make_objective("individual", "q2")
    parent = make_objective("team:marketing", "q2", owner=None)
    elsewhere = KeyResultFactory(objective=make_objective("team:marketing", "q2", owner=None))
    with pytest.raises(ValidationError) as refused:
        objective_align(objective=child, parent=parent, key_result=elsewhere, actor=None)
    assert refused.value.messages == [rules.MSG_KR_NOT_OF_PARENT]


def test_the_database_refuses_a_kr_that_is_not_the_parents(make_objective):
    child = make_objective("individual", "q2")
    parent = make_objective("team:marketing", "q2", owner=None)
    elsewhere = KeyResultFactory(objective=make_objective("team:marketing", "q2", owner=None))
    with pytest.raises(IntegrityError), transaction.atomic():
        Objective.objects.filter(pk=child.pk).update(parent=parent, parent_key_result=elsewhere)
        with transaction.get_connection().cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_deleting_the_kr_leaves_the_child_aligned_to_its_objective(org, chain, admin_membership):
    c = chain
    objective_align(objective=c["mia"], parent=c["team"], key_result=c["leads"], actor=None)
    from objectives.services import key_result_delete

    key_result_delete(kr=c["leads"], actor=admin_membership)
    mia = fresh(c["mia"])
    assert (mia.parent_id, mia.parent_key_result_id) == (c["team"].pk, None)


def test_a_new_parent_starts_at_weight_one(make_objective, admin_membership):
    parent = make_objective("team:marketing", "q2", owner=None)
    other = make_objective("team:marketing", "q2", owner=None)
    child = make_objective("individual", "q2")
    objective_align(objective=child, parent=parent, actor=None)
    contribution_weight_set(objective=child, weight="5", actor=admin_membership)
    objective_align(objective=child, parent=other, actor=None)
    assert fresh(child).contribution_weight == Decimal(1)


def test_the_objective_form_keeps_the_kr_when_the_parent_stays(make_objective, member_membership):
    parent = make_objective("team:marketing", "q2", owner=None)
    kr = KeyResultFactory(objective=parent, owner=None)
    child = make_objective("individual", "q2", owner=member_membership)
    objective_align(objective=child, parent=parent, key_result=kr, actor=member_membership)
    objective_align(objective=child, parent=parent, actor=member_membership)  # as the form
    assert fresh(child).parent_key_result_id == kr.pk
    objective_align(objective=child, parent=parent, key_result=None, actor=member_membership)
    assert fresh(child).parent_key_result_id is None


# --- rights ----------------------------------------------------------------------------------


@pytest.fixture
def weighed(make_objective, member_membership, manager_membership):
    """Mia (member) aligns her objective to Marketing's (managed by the manager)."""
    parent = make_objective("team:marketing", "q2", owner=None)
    child = make_objective("individual", "q2", owner=member_membership)
    objective_align(objective=child, parent=parent, actor=member_membership)
    return child


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("member", False), ("manager", True), ("admin", True), ("colleague", False)],
)
def test_only_the_parents_owner_sets_the_weight(
    org, weighed, who, allowed, member_membership, manager_membership, admin_membership, teams
):
    colleague = MembershipFactory(org=org)
    TeamMembershipFactory(membership=colleague, team=teams["marketing"])
    actor = {
        "member": member_membership,  # the child's owner: may not raise its own weight
        "manager": manager_membership,
        "admin": admin_membership,
        "colleague": colleague,
    }[who]
    if allowed:
        contribution_weight_set(objective=weighed, weight="2", actor=actor)
        assert fresh(weighed).contribution_weight == Decimal(2)
    else:
        with pytest.raises(PermissionDenied) as refused:
            contribution_weight_set(objective=weighed, weight="2", actor=actor)
        assert str(refused.value) == MSG_WEIGHT_NOT_YOURS
        assert fresh(weighed).contribution_weight == Decimal(1)


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1000", "NaN", ""])
def test_bad_weights_are_refused_with_a_message(weighed, manager_membership, raw):
    with pytest.raises(ValidationError) as refused:
        contribution_weight_set(objective=weighed, weight=raw, actor=manager_membership)
    assert "between 0.01 and 100" in refused.value.message_dict["weight"][0]


def test_only_the_kr_editor_chooses_how_it_is_measured(
    chain, member_membership, manager_membership
):
    with pytest.raises(PermissionDenied):
        key_result_measure(kr=chain["leads"], measured_by=CONTRIBUTORS, actor=member_membership)
    key_result_measure(kr=chain["leads"], measured_by=CONTRIBUTORS, actor=manager_membership)
    assert fresh(chain["leads"]).measured_by == CONTRIBUTORS


def test_a_milestone_is_not_measured_from_contributors(make_objective, admin_membership):
    kr = KeyResultFactory(
        objective=make_objective("team:marketing", "q2", owner=None),
        kind="milestone",
        start_value=0,
        target_value=1,
    )
    with pytest.raises(ValidationError):
        key_result_measure(kr=kr, measured_by=CONTRIBUTORS, actor=admin_membership)


def test_every_link_change_is_in_the_audit_trail(
    chain, make_objective, admin_membership, manager_membership
):
    c = chain
    objective_align(objective=c["mia"], parent=c["team"], actor=admin_membership)
    objective_align(
        objective=c["mia"], parent=c["team"], key_result=c["leads"], actor=admin_membership
    )
    contribution_weight_set(objective=c["mia"], weight="2", actor=manager_membership)
    other = make_objective("team:marketing", "q2", owner=None)
    link = also_supports_add(objective=c["mia"], supported=other, actor=admin_membership)
    also_supports_remove(link=link, actor=manager_membership)
    key_result_measure(kr=c["leads"], measured_by=CONTRIBUTORS, actor=manager_membership)
    entries = AuditEntry.objects.filter(target_id=c["mia"].pk, target_type="objectives.objective")
    changes = [(e.action, e.changes) for e in entries.order_by("id")]
    assert changes[-5:] == [
        ("objective.align", {"parent": [None, c["team"].pk]}),
        ("objective.realign", {"parent_key_result": [None, c["leads"].pk]}),
        ("objective.weight", {"contribution_weight": ["1.00", "2.00"]}),
        ("objective.also_supports", {"also_supports": [None, other.pk]}),
        ("objective.also_supports_remove", {"also_supports": [other.pk, None]}),
    ]
    measure = AuditEntry.objects.get(action="key_result.measure")
    assert measure.changes == {"measured_by": ["checkins", "contributors"]}


def test_also_supports_rules(chain, make_objective, member_membership, admin_membership):
    mine = make_objective("individual", "q2", owner=member_membership)
    objective_align(objective=mine, parent=chain["team"], actor=member_membership)
    with pytest.raises(ValidationError):  # its parent already
        also_supports_add(objective=mine, supported=chain["team"], actor=member_membership)
    with pytest.raises(ValidationError):  # a person's objective
        also_supports_add(objective=mine, supported=chain["mia"], actor=member_membership)
    with pytest.raises(PermissionDenied):  # not hers
        also_supports_add(objective=chain["mia"], supported=chain["team"], actor=member_membership)
    other = make_objective("team:sales", "q2", owner=None)
    also_supports_add(objective=mine, supported=other, actor=member_membership)
    with pytest.raises(ValidationError):  # twice
        also_supports_add(objective=mine, supported=other, actor=member_membership)
    assert AlsoSupports.objects.filter(objective=mine).count() == 1


def test_a_private_objective_cannot_be_named_by_someone_who_cannot_see_it(
    make_objective, member_membership
):
    mine = make_objective("individual", "q2", owner=member_membership)
    hidden = make_objective("team:sales", "q2", owner=None, visibility="private")
    with pytest.raises(ValidationError):
        also_supports_add(objective=mine, supported=hidden, actor=member_membership)
    hidden_kr = KeyResultFactory(objective=hidden, owner=None)
    with pytest.raises(ValidationError):
        objective_align(
            objective=mine, parent=hidden, key_result=hidden_kr, actor=member_membership
        )


# --- requests --------------------------------------------------------------------------------


def test_a_request_to_a_kr_you_do_not_own_links_to_it_when_accepted(
    org, chain, member_membership, manager_membership
):
    org.alignment_requests = True
    org.save()
    mine = chain["mia"]
    Objective.objects.filter(pk=mine.pk).update(owner=member_membership)
    mine.owner = member_membership
    team = chain["team"]
    team.owner = manager_membership
    team.save()
    from alignment.services import align_or_request

    asked = align_or_request(
        objective=mine, parent=team, key_result=chain["leads"], actor=member_membership
    )
    assert isinstance(asked, AlignmentRequest)
    assert asked.parent_key_result_id == chain["leads"].pk
    assert fresh(mine).parent_id is None
    alignment_request_answer(request=asked, actor=manager_membership, accept=True)
    mine = fresh(mine)
    assert (mine.parent_id, mine.parent_key_result_id) == (team.pk, chain["leads"].pk)


def test_a_request_to_an_objective_still_works_without_a_kr(
    org, chain, member_membership, manager_membership
):
    org.alignment_requests = True
    org.save()
    team = chain["team"]
    team.owner = manager_membership
    team.save()
    mine = chain["mia"]
    Objective.objects.filter(pk=mine.pk).update(owner=member_membership)
    asked = alignment_request(objective=fresh(mine), parent=team, actor=member_membership)
    assert asked.parent_key_result_id is None
    alignment_request_answer(request=asked, actor=manager_membership, accept=True)
    assert (fresh(mine).parent_id, fresh(mine).parent_key_result_id) == (team.pk, None)


def test_a_kr_measured_by_contributors_is_never_reminded_nor_flagged_silent(
    org, make_objective, admin_membership
):
    import datetime

    from checkins.pace import flagged_key_results
    from checkins.reminders import active_krs
    from organizations.clock import company_today

    today = company_today(org)
    from tests.factories import PeriodFactory

    now_period = PeriodFactory(
        org=org, start=today - datetime.timedelta(days=40), end=today + datetime.timedelta(days=40)
    )
    team = make_objective("team:marketing", "q2", owner=None)
    Objective.objects.filter(pk=team.pk).update(period=now_period)
    silent = KeyResultFactory(objective=team, owner=admin_membership, title="Silent")
    measured = KeyResultFactory(objective=team, owner=admin_membership, title="Measured")
    key_result_measure(kr=measured, measured_by=CONTRIBUTORS, actor=admin_membership)
    long_ago = silent.created_at - datetime.timedelta(days=60)
    KeyResult.objects.filter(pk__in=[silent.pk, measured.pk]).update(created_at=long_ago)
    assert set(active_krs(org.pk, today).values_list("title", flat=True)) == {"Silent"}
    from checkins.pace import FLAG_STALE

    flags = {f.kr.title: f.pace.flags for f in flagged_key_results(org, today=today)}
    assert FLAG_STALE in flags["Silent"]
    assert FLAG_STALE not in flags.get("Measured", [])  # behind pace may still be said
