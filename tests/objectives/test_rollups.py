"""Stored roll-ups (``objectives.rollups``): every write keeps them equal to a full recount."""

import io
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from alignment.services import objective_align
from checkins import services as checkin_services
from checkins.services import checkin_delete, checkin_submit
from objectives import rollups, services
from objectives.models import KeyResult, Objective
from objectives.rollups import refresh_rollups_for_org
from tests.factories import KeyResultFactory, MembershipFactory, ObjectiveFactory, PeriodFactory


def stored(objective):
    objective.refresh_from_db()
    return objective.progress, objective.aligned_progress, objective.confidence


def assert_exact(org):
    """A full recount of the company finds nothing to correct."""
    assert refresh_rollups_for_org(org.pk) == 0


def test_every_write_keeps_stored_progress_equal_to_a_full_recount(
    org, period, admin_membership, member_membership
):
    admin, member = admin_membership, member_membership
    top = services.objective_create(
        org=org,
        actor=admin,
        period=period,
        level="company",
        title="Top",
        owner=None,
        status="active",
    )
    top_kr = services.key_result_create(objective=top, actor=admin, title="Revenue")
    assert stored(top) == (Decimal(0), Decimal(0), "on_track")
    mine = services.objective_create(
        org=org,
        actor=member,
        period=period,
        level="individual",
        title="Mine",
        key_results=[{"title": "Calls", "target_value": Decimal(10)}],
    )
    objective_align(objective=mine, parent=top, actor=member)
    kr = mine.key_results.get()
    assert_exact(org)

    checkin = checkin_submit(kr=kr, author=member, value="5", confidence="at_risk")
    assert stored(mine) == (Decimal("0.5"), Decimal("0.5"), "at_risk")
    assert stored(top) == (Decimal(0), Decimal(0), "on_track")  # a draft counts nowhere
    assert_exact(org)
    services.objective_publish(objective=mine, actor=member)
    assert stored(top) == (Decimal(0), Decimal("0.25"), "on_track")
    assert_exact(org)

    steps = [
        lambda: services.key_result_update(kr=kr, actor=member, target_value=Decimal(20)),
        lambda: services.key_result_set_confidence(kr=top_kr, actor=admin, confidence="off_track"),
        lambda: checkin_delete(checkin=checkin, actor=member),
        lambda: services.objective_update(objective=mine, actor=member, visibility="private"),
        lambda: services.objective_update(objective=mine, actor=member, visibility="public"),
        lambda: services.objective_update(objective=mine, actor=member, status="abandoned"),
        lambda: services.objective_update(objective=mine, actor=member, status="active"),
        lambda: objective_align(objective=mine, parent=None, actor=member),
        lambda: objective_align(objective=mine, parent=top, actor=member),
        lambda: services.key_result_delete(kr=top_kr, actor=admin),
    ]
    for step in steps:
        step()
        assert_exact(org)
    assert stored(top) == (None, Decimal(0), "")  # only the child's 0 of 20 calls is left
    services.objective_delete(objective=mine, actor=member)
    assert stored(top) == (None, None, "")
    assert_exact(org)


def test_private_abandoned_and_unpublished_children_do_not_count(org, period):
    top = ObjectiveFactory(org=org, period=period, level="company", owner=None)
    KeyResultFactory(objective=top, current_value=0)
    for visibility, status in (("private", "active"), ("public", "abandoned")):
        child = ObjectiveFactory(
            org=org, period=period, parent=top, visibility=visibility, status=status
        )
        KeyResultFactory(objective=child, current_value=100)
    assert stored(top) == (Decimal(0), Decimal(0), "on_track")
    for status in ("draft", "submitted"):  # not published: counted nowhere either
        unpublished = ObjectiveFactory(org=org, period=period, parent=top, status=status)
        KeyResultFactory(objective=unpublished, current_value=100, confidence="off_track")
        assert stored(top) == (Decimal(0), Decimal(0), "on_track")
        assert stored(unpublished) == (Decimal(1), Decimal(1), "off_track")
    assert_exact(org)
    services.objective_publish(objective=unpublished, actor=None)
    assert stored(top) == (Decimal(0), Decimal("0.5"), "on_track")
    assert_exact(org)


def test_an_instance_loaded_before_a_checkin_does_not_put_old_numbers_back(
    org, period, member_membership
):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective)
    early = Objective.objects.get(pk=objective.pk)
    checkin_submit(kr=kr, author=member_membership, value="100", confidence="on_track")
    early.title = "Renamed"
    early.save()
    assert stored(objective) == (Decimal(1), Decimal(1), "on_track")


@pytest.mark.parametrize("depth", [2, 6])
def test_a_checkin_costs_the_same_queries_however_deep_the_chain(
    org, period, member_membership, depth, django_assert_num_queries
):
    parent = None
    for _ in range(depth):
        parent = ObjectiveFactory(
            org=org, period=period, level="company", owner=None, parent=parent
        )
        for _sibling in range(3):  # siblings at every level
            ObjectiveFactory(org=org, period=period, parent=parent, owner=member_membership)
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=member_membership, parent=parent)
    )
    # 13: the lock, the version bump, the check-in and KR writes, the audit entry, the roll-ups
    with django_assert_num_queries(13):
        checkin_submit(kr=kr, author=member_membership, value="40", confidence="on_track")
    assert_exact(org)


def _race_two_sibling_checkins(org, period, monkeypatch):
    owner = MembershipFactory(org=org)
    top = ObjectiveFactory(org=org, period=period, level="company", owner=None)
    krs = [
        KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=period, parent=top, owner=owner)
        )
        for _ in range(2)
    ]
    monkeypatch.setattr(rollups, "_before_save", lambda: time.sleep(0.3))
    barrier = threading.Barrier(2)
    errors = []

    def check_in(kr):
        try:
            barrier.wait(timeout=10)
            checkin_submit(
                kr=KeyResult.objects.get(pk=kr.pk), author=owner, value="100", confidence="on_track"
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=check_in, args=(kr,)) for kr in krs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    top.refresh_from_db()
    return top


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkins_under_one_parent_both_reach_it(org, period, monkeypatch):
    top = _race_two_sibling_checkins(org, period, monkeypatch)
    assert top.aligned_progress == Decimal(1)
    assert_exact(org)


@pytest.mark.django_db(transaction=True)
def test_without_the_company_lock_concurrent_checkins_lose_an_update(org, period, monkeypatch):
    """The control: it shows the race the lock prevents is real."""
    monkeypatch.setattr(checkin_services, "lock_okr_writes", lambda org_id: None)
    top = _race_two_sibling_checkins(org, period, monkeypatch)
    assert top.aligned_progress == Decimal("0.5")  # one child's 100% never reached it


def test_full_recount_after_bulk_loads_fills_every_objective(org):
    period = PeriodFactory(org=org)
    top = ObjectiveFactory(org=org, period=period, level="company", owner=None)
    child = ObjectiveFactory(org=org, period=period, parent=top)
    KeyResult.objects.bulk_create(
        [KeyResult(org=org, objective=child, title="x", target_value=4, current_value=1)]
    )
    assert stored(child) == (None, None, "")  # bulk inserts bypass the services
    assert refresh_rollups_for_org(org.pk) == 2
    assert stored(child) == (Decimal("0.25"), Decimal("0.25"), "on_track")
    assert stored(top) == (None, Decimal("0.25"), "")


def test_refresh_rollups_command_reports_and_corrects_drift(org, period):
    from django.core.management import CommandError, call_command

    objective = ObjectiveFactory(org=org, period=period)
    KeyResultFactory(objective=objective, current_value=50)
    call_command("refresh_rollups", "--check", stdout=io.StringIO())  # nothing out of date
    Objective.objects.filter(pk=objective.pk).update(progress=Decimal("0.9"))  # a raw SQL fix
    with pytest.raises(CommandError, match="1 objective"):
        call_command("refresh_rollups", "--check", "--org", org.slug, stdout=io.StringIO())
    assert stored(objective)[0] == Decimal("0.9")  # --check changes nothing
    out = io.StringIO()
    call_command("refresh_rollups", "--org", org.slug, stdout=out)
    assert f"{org.slug}: 1 objective(s) corrected" in out.getvalue()
    assert stored(objective)[0] == Decimal("0.5")
    with pytest.raises(CommandError, match="No company"):
        call_command("refresh_rollups", "--org", "nope")


def test_saving_a_partly_loaded_objective_writes_only_what_was_loaded(org, period):
    from django.test.utils import CaptureQueriesContext

    objective = ObjectiveFactory(org=org, period=period, description="Keep me")
    partial = Objective.objects.only("id", "title").get(pk=objective.pk)
    partial.title = "Renamed"
    with CaptureQueriesContext(connection) as captured:
        partial.save()
    updates = [q["sql"] for q in captured if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and 'SET "title" = ' in updates[0] and "description" not in updates[0]
    objective.refresh_from_db()
    assert (objective.title, objective.description) == ("Renamed", "Keep me")
