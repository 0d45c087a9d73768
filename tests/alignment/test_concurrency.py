"""Two concurrent re-alignments must not close a cycle (real PostgreSQL, two connections)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from alignment import services
from objectives.models import Objective
from organizations.models import Team
from tests.factories import MembershipFactory, ObjectiveFactory, PeriodFactory, TeamFactory


def _two_team_objectives():
    """A and B, where A -> B and B -> A are each allowed alone: the teams point at each
    other (a half-finished restructure), so only the cycle check stands between them."""
    admin = MembershipFactory(role="admin")
    org = admin.org
    period = PeriodFactory(org=org)
    t1 = TeamFactory(org=org, name="One")
    t2 = TeamFactory(org=org, name="Two", parent=t1)
    Team.objects.filter(pk=t1.pk).update(parent=t2)
    a = ObjectiveFactory(org=org, period=period, level="team", team=t1, owner=None)
    b = ObjectiveFactory(org=org, period=period, level="team", team=t2, owner=None)
    return admin, a, b


def _race(admin, a, b):
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name, child, parent):
        try:
            barrier.wait(timeout=10)
            services.objective_align(objective=child, parent=parent, actor=admin)
            outcomes[name] = "aligned"
        except ValidationError as exc:
            outcomes[name] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("a->b", a, b)),
        threading.Thread(target=run, args=("b->a", b, a)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def _has_cycle(a, b):
    a.refresh_from_db()
    b.refresh_from_db()
    return a.parent_id == b.pk and b.parent_id == a.pk


@pytest.fixture
def slow_write(monkeypatch):
    # Widen the window between the checks and the write so an unlocked race is certain.
    monkeypatch.setattr(services, "_before_write", lambda: time.sleep(0.3))


@pytest.mark.django_db(transaction=True)
def test_concurrent_realignments_cannot_create_a_cycle(slow_write):
    assert connection.vendor == "postgresql"
    admin, a, b = _two_team_objectives()

    outcomes = _race(admin, a, b)

    assert list(outcomes.values()).count("aligned") == 1, outcomes
    refused = next(v for v in outcomes.values() if v != "aligned")
    assert "cycle" in refused
    assert not _has_cycle(a, b)
    assert Objective.objects.filter(parent__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_the_company_lock_the_race_does_create_a_cycle(slow_write, monkeypatch):
    """Proves the test above can fail: the lock, not luck, keeps the tree acyclic."""
    monkeypatch.setattr(services, "_lock_company_alignments", lambda org_id: None)
    admin, a, b = _two_team_objectives()

    outcomes = _race(admin, a, b)

    assert list(outcomes.values()) == ["aligned", "aligned"]
    assert _has_cycle(a, b)
