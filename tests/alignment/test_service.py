"""The alignment service: rule table, cycles, history, permissions."""

import pytest
from django.core.exceptions import ValidationError

from alignment import rules
from alignment.selectors import eligible_parents
from alignment.services import objective_align
from audit.models import AuditEntry
from objectives.models import Objective
from organizations.models import Team
from tests.factories import ObjectiveFactory, PeriodFactory

pytestmark = pytest.mark.django_db

PERIOD = "must lie within the parent's period"


def _alignment_entries(objective):
    return AuditEntry.objects.filter(
        target_type="objectives.objective",
        target_id=objective.pk,
        action__in=["objective.align", "objective.realign", "objective.unlink"],
    ).order_by("id")


# (child level[:team], child period, parent level[:team], parent period, expected error or None)
RULES = [
    ("individual", "q2", "team:marketing", "q2", None),
    ("individual", "q2", "company", "year", None),
    ("individual", "may", "team:marketing", "q2", None),
    ("individual", "may", "team:sales", "q2", None),
    ("individual", "q2", "team:marketing", "may", PERIOD),
    ("individual", "q3", "company", "q2", PERIOD),
    ("individual", "q2", "individual", "q2", rules.MSG_INDIVIDUAL_PARENT),
    ("team:marketing", "q2", "team:growth", "q2", None),
    ("team:marketing", "may", "team:growth", "year", None),
    ("team:marketing", "q2", "company", "year", None),
    ("team:marketing", "q2", "company", "q2", None),
    ("team:marketing", "q2", "team:marketing", "q2", rules.MSG_TEAM_PARENT),
    ("team:marketing", "q2", "team:sales", "q2", rules.MSG_TEAM_PARENT),
    ("team:growth", "q2", "team:marketing", "q2", rules.MSG_TEAM_PARENT),
    ("team:marketing", "year", "company", "q2", PERIOD),
    ("team:marketing", "q3", "team:growth", "q2", PERIOD),
    ("team:marketing", "q2", "individual", "year", rules.MSG_INDIVIDUAL_PARENT),
    ("company", "q2", "company", "year", None),
    ("company", "may", "company", "q2", None),
    ("company", "q2", "company", "q2", rules.MSG_COMPANY_PERIOD),
    ("company", "year", "company", "q2", PERIOD),
    ("company", "q2", "team:growth", "year", rules.MSG_COMPANY_PARENT),
    ("company", "q2", "individual", "year", rules.MSG_INDIVIDUAL_PARENT),
]


@pytest.mark.parametrize(("child", "child_period", "parent", "parent_period", "error"), RULES)
def test_rule_table(
    make_objective, admin_membership, child, child_period, parent, parent_period, error
):
    child_obj = make_objective(child, child_period)
    parent_obj = make_objective(parent, parent_period)
    offered = [
        o.pk
        for g in eligible_parents(
            org=child_obj.org, membership=admin_membership, objective=child_obj
        )
        for o in g.objectives
    ]
    if error is None:
        objective_align(objective=child_obj, parent=parent_obj, actor=admin_membership)
        child_obj.refresh_from_db()
        assert child_obj.parent_id == parent_obj.pk
        assert parent_obj.pk in offered  # the picker offers exactly what the service accepts
    else:
        with pytest.raises(ValidationError) as exc:
            objective_align(objective=child_obj, parent=parent_obj, actor=admin_membership)
        assert error in " ".join(exc.value.messages)
        child_obj.refresh_from_db()
        assert child_obj.parent_id is None
        assert not AuditEntry.objects.filter(target_id=child_obj.pk).exists()
        assert parent_obj.pk not in offered


def test_period_error_names_both_periods(make_objective, admin_membership):
    child = make_objective("individual", "q3")
    parent = make_objective("company", "q2")
    with pytest.raises(ValidationError) as exc:
        objective_align(objective=child, parent=parent, actor=admin_membership)
    assert "Q3 2031" in exc.value.messages[0] and "Q2 2031" in exc.value.messages[0]


def test_cannot_align_to_itself(make_objective, admin_membership):
    objective = make_objective("team:marketing", "q2")
    with pytest.raises(ValidationError, match="itself"):
        objective_align(objective=objective, parent=objective, actor=admin_membership)


def test_align_realign_unlink_are_recorded(make_objective, admin_membership):
    child = make_objective("individual", "q2")
    first = make_objective("team:marketing", "q2")
    second = make_objective("company", "year")

    objective_align(objective=child, parent=first, actor=admin_membership)
    objective_align(objective=child, parent=second, actor=admin_membership)
    objective_align(objective=child, parent=None, actor=admin_membership)

    child.refresh_from_db()
    assert child.parent_id is None
    events = list(_alignment_entries(child))
    assert [(e.changes["parent"], e.action) for e in events] == [
        ([None, first.pk], "objective.align"),
        ([first.pk, second.pk], "objective.realign"),
        ([second.pk, None], "objective.unlink"),
    ]
    assert all(e.actor_id == admin_membership.pk and e.org_id == child.org_id for e in events)


def test_same_parent_again_records_nothing(make_objective, admin_membership):
    child = make_objective("individual", "q2")
    parent = make_objective("company", "year")
    objective_align(objective=child, parent=parent, actor=admin_membership)
    objective_align(objective=child, parent=parent, actor=admin_membership)
    assert _alignment_entries(child).count() == 1


def _restructure(child_team, new_parent_team):
    # Teams move after objectives were aligned: existing links may now run "downwards".
    Team.objects.filter(pk=new_parent_team.pk).update(parent=None)
    Team.objects.filter(pk=child_team.pk).update(parent=new_parent_team)


def test_direct_cycle_is_refused(make_objective, teams, admin_membership):
    a = make_objective("team:growth", "q2")
    b = make_objective("team:marketing", "q2")
    objective_align(objective=b, parent=a, actor=admin_membership)
    _restructure(teams["growth"], teams["marketing"])  # Marketing now above Growth

    with pytest.raises(ValidationError, match="cycle"):
        objective_align(objective=a, parent=b, actor=admin_membership)
    a.refresh_from_db()
    assert a.parent_id is None


def test_indirect_cycle_is_refused(org, make_objective, teams, admin_membership):
    from tests.factories import TeamFactory

    ops = TeamFactory(org=org, name="Ops", parent=teams["marketing"])
    a = make_objective("team:growth", "q2")
    b = make_objective("team:marketing", "q2")
    c = make_objective("team:marketing", "q2", team=ops)
    objective_align(objective=b, parent=a, actor=admin_membership)
    objective_align(objective=c, parent=b, actor=admin_membership)
    _restructure(teams["growth"], ops)  # Ops (c's team) is now above Growth (a's team)

    with pytest.raises(ValidationError, match="cycle"):
        objective_align(objective=a, parent=c, actor=admin_membership)


def test_other_company_parent_is_refused(make_objective, other_org, admin_membership):
    child = make_objective("individual", "q2")
    foreign = ObjectiveFactory(
        org=other_org,
        level="company",
        owner=None,
        period=PeriodFactory(org=other_org, start=child.period.start, end=child.period.end),
    )
    with pytest.raises(ValidationError, match="same company"):
        objective_align(objective=child, parent=foreign, actor=admin_membership)


def test_parent_the_actor_cannot_see_is_refused(make_objective, member_membership):
    child = make_objective("individual", "q2", owner=member_membership)
    secret = make_objective("team:sales", "q2", visibility=Objective.Visibility.PRIVATE)
    with pytest.raises(ValidationError) as exc:
        objective_align(objective=child, parent=secret, actor=member_membership)
    assert exc.value.messages == [rules.MSG_NOT_VISIBLE]
    assert secret.title not in exc.value.messages[0]


def test_actor_must_be_able_to_edit_the_child(make_objective, member_membership):
    someone_elses = make_objective("individual", "q2")
    parent = make_objective("company", "year")
    with pytest.raises(ValidationError, match="may not change"):
        objective_align(objective=someone_elses, parent=parent, actor=member_membership)


def test_member_aligns_own_objective(make_objective, member_membership):
    mine = make_objective("individual", "may", owner=member_membership)
    parent = make_objective("team:marketing", "q2")
    objective_align(objective=mine, parent=parent, actor=member_membership)
    assert mine.parent_id == parent.pk
    assert _alignment_entries(mine).get().actor == member_membership


def test_system_actor_skips_permissions_not_rules(make_objective):
    child = make_objective("individual", "q2")
    objective_align(objective=child, parent=make_objective("company", "year"), actor=None)
    with pytest.raises(ValidationError):
        objective_align(objective=child, parent=make_objective("company", "may"), actor=None)
