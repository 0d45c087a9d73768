"""A closed period is read-only for everyone but admins (issue 17, item 4).

One guard (``objectives.permissions.ensure_period_open``) in every service that writes a
period's objectives, key results, check-ins, alignment links and grants; the permission
module answers False for the same people, so the pages offer no such action.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from alignment.services import objective_align
from checkins.models import CheckIn
from checkins.services import checkin_delete, checkin_submit
from objectives import services
from objectives.models import KeyResult, Objective, ObjectiveUserObjectPermission
from objectives.permissions import PeriodClosed
from organizations.models import Membership

from ..factories import KeyResultFactory, MembershipFactory, ObjectiveFactory, PeriodFactory


@pytest.fixture
def closed(org):
    return PeriodFactory(org=org, name="Q1 past", is_closed=True)


@pytest.fixture
def setting(org, closed, member_membership, admin_membership):
    """The member's objective in the closed period, its two KRs and a check-in each made
    (by the member and by the admin) just before it closed; Tess, to share with; and an
    open company objective of the same dates to align under."""
    objective = ObjectiveFactory(org=org, period=closed, owner=member_membership, title="Mine")
    krs = [
        KeyResultFactory(objective=objective, owner=member_membership, title=f"KR {n}")
        for n in (1, 2)
    ]
    checkins = {}
    for who in (member_membership, admin_membership):
        checkins[who.pk] = CheckIn.objects.create(
            org=org,
            key_result=krs[0],
            author=who,
            value=Decimal(5),
            previous_value=Decimal(0),
            confidence="on_track",
            created_at=timezone.now() - datetime.timedelta(minutes=1),
        )
    KeyResult.objects.filter(pk=krs[0].pk).update(current_value=5)
    tess = MembershipFactory(org=org, role=Membership.Role.MEMBER, user__full_name="Tess")
    assign_perm("objectives.share_objective", tess.user, objective)
    assign_perm("objectives.checkin_keyresult", tess.user, krs[0])
    parent = ObjectiveFactory(org=org, period=closed, level="company", title="Parent")
    return {
        "objective": objective,
        "krs": krs,
        "checkins": checkins,
        "tess": tess,
        "parent": parent,
        "period": closed,
    }


def _write(name, s, actor):
    """Each write service, on the closed period's OKRs, as ``actor``."""
    objective, kr, other_kr = s["objective"], s["krs"][0], s["krs"][1]
    calls = {
        "objective_create": lambda: services.objective_create(
            org=objective.org, actor=actor, period=s["period"], level="individual", title="New"
        ),
        "objective_update": lambda: services.objective_update(
            objective=objective, actor=actor, title="Renamed"
        ),
        "objective_delete": lambda: services.objective_delete(objective=objective, actor=actor),
        "objective_share": lambda: services.objective_share(
            objective=objective, actor=actor, membership=s["tess"], co_owner=True
        ),
        "objective_unshare": lambda: services.objective_unshare(
            objective=objective, actor=actor, membership=s["tess"]
        ),
        "key_result_add_contributor": lambda: services.key_result_add_contributor(
            kr=other_kr, actor=actor, membership=s["tess"]
        ),
        "key_result_remove_contributor": lambda: services.key_result_remove_contributor(
            kr=kr, actor=actor, membership=s["tess"]
        ),
        "key_result_create": lambda: services.key_result_create(
            objective=objective, actor=actor, title="New KR"
        ),
        "key_result_update": lambda: services.key_result_update(
            kr=kr, actor=actor, title="Renamed KR"
        ),
        "key_result_set_confidence": lambda: services.key_result_set_confidence(
            kr=kr, actor=actor, confidence="off_track"
        ),
        "key_result_delete": lambda: services.key_result_delete(kr=other_kr, actor=actor),
        "key_result_reorder": lambda: services.key_result_reorder(
            kr=other_kr, actor=actor, direction="up"
        ),
        "checkin_submit": lambda: checkin_submit(
            kr=kr, author=actor, value="9", confidence="at_risk"
        ),
        "checkin_delete": lambda: checkin_delete(checkin=s["checkins"][actor.pk], actor=actor),
        "objective_align": lambda: objective_align(
            objective=objective, parent=s["parent"], actor=actor
        ),
    }
    return calls[name]()


WRITES = [
    "objective_create",
    "objective_update",
    "objective_delete",
    "objective_share",
    "objective_unshare",
    "key_result_add_contributor",
    "key_result_remove_contributor",
    "key_result_create",
    "key_result_update",
    "key_result_set_confidence",
    "key_result_delete",
    "key_result_reorder",
    "checkin_submit",
    "checkin_delete",
    "objective_align",
]


def _state(s):
    """Everything a write could change."""
    return (
        list(Objective.objects.order_by("pk").values_list("pk", "title", "parent_id")),
        list(
            KeyResult.objects.order_by("pk").values_list(
                "pk", "title", "current_value", "confidence", "position"
            )
        ),
        list(CheckIn.objects.order_by("pk").values_list("pk", "value")),
        sorted(
            ObjectiveUserObjectPermission.objects.values_list("user_id", "permission__codename")
        ),
        sorted(s["tess"].user.keyresultuserobjectpermission_set.values_list("content_object_id")),
    )


@pytest.mark.parametrize("write", WRITES)
def test_the_owner_may_not_write_to_a_closed_period(setting, member_membership, write):
    before = _state(setting)
    actor = Membership.objects.get(pk=member_membership.pk)
    with pytest.raises(PeriodClosed) as refused:
        _write(write, setting, actor)
    assert "“Q1 past” is closed: its OKRs are read-only" in refused.value.messages[0]
    assert _state(setting) == before


@pytest.mark.parametrize("write", WRITES)
def test_an_admin_may_still_write_to_a_closed_period(setting, admin_membership, write):
    before = _state(setting)
    _write(write, setting, Membership.objects.get(pk=admin_membership.pk))
    assert _state(setting) != before


def test_a_check_in_cannot_be_deleted_after_its_period_closed(org, member, member_membership):
    """The reproduction: check in, the period closes, delete the check-in."""
    period = PeriodFactory(org=org, name="Q2 closing")
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective, owner=member_membership)
    checkin = checkin_submit(kr=kr, author=member_membership, value="7", confidence="on_track")
    period.is_closed = True
    period.save()
    url = reverse("checkins:delete", kwargs={"org_slug": org.slug, "checkin_id": checkin.pk})
    response = member.post(url, follow=True)
    assert "“Q2 closing” is closed: its check-ins can no longer be deleted" in (
        response.content.decode()
    )
    assert CheckIn.objects.filter(pk=checkin.pk).exists()
    kr.refresh_from_db()
    assert kr.current_value == Decimal(7)
    assert member.get(url).status_code == 302  # no confirmation page either


@pytest.mark.parametrize(("persona", "offered"), [("member", False), ("admin", True)])
def test_pages_of_a_closed_period_offer_no_changes_but_to_admins(
    org, setting, request, persona, offered
):
    client = request.getfixturevalue(persona)
    objective, kr = setting["objective"], setting["krs"][0]
    html = client.get(
        reverse("objectives:objective", kwargs={"org_slug": org.slug, "objective_id": objective.pk})
    ).content.decode()
    for action in ("edit", "delete", "share"):
        url = reverse(
            f"objectives:objective-{action}",
            kwargs={"org_slug": org.slug, "objective_id": objective.pk},
        )
        # A link, or a form (delete opens its confirmation page): either offers the action.
        assert (f'"{url}"' in html) is offered, action
    html = client.get(
        reverse("objectives:kr", kwargs={"org_slug": org.slug, "kr_id": kr.pk})
    ).content.decode()
    for action in ("kr-edit", "kr-delete", "kr-confidence"):
        url = reverse(f"objectives:{action}", kwargs={"org_slug": org.slug, "kr_id": kr.pk})
        assert (url in html) is offered, action
    own_checkin = setting["checkins"][client.membership.pk]
    delete = reverse("checkins:delete", kwargs={"org_slug": org.slug, "checkin_id": own_checkin.pk})
    assert (delete in html) is offered


def test_the_share_page_of_a_closed_period_says_it_is_read_only(org, setting, member):
    url = reverse(
        "objectives:objective-share",
        kwargs={"org_slug": org.slug, "objective_id": setting["objective"].pk},
    )
    response = member.get(url, follow=True)
    assert "“Q1 past” is closed: its OKRs are read-only" in response.content.decode()
    response = member.post(url, {"person": setting["tess"].pk}, follow=True)
    assert "is closed" in response.content.decode()
    assert not ObjectiveUserObjectPermission.objects.filter(
        user=setting["tess"].user, permission__codename="change_objective"
    ).exists()


def test_a_closed_period_refuses_an_objective_moved_into_it(org, period, closed, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    with pytest.raises(PeriodClosed):
        services.objective_update(objective=objective, actor=member_membership, period=closed)
    objective.refresh_from_db()
    assert objective.period_id == period.pk


def test_the_forms_of_a_closed_period_open_read_only_for_its_owner(org, setting, member):
    """Opening the edit or add forms says the period is closed (it was a server error)."""
    objective, kr = setting["objective"], setting["krs"][0]
    for name, kwargs in (
        ("objectives:objective-edit", {"objective_id": objective.pk}),
        ("objectives:kr-new", {"objective_id": objective.pk}),
        ("objectives:kr-edit", {"kr_id": kr.pk}),
    ):
        response = member.get(reverse(name, kwargs={"org_slug": org.slug, **kwargs}))
        assert response.status_code == 200, name
        assert "is closed: its OKRs are read-only" in response.content.decode(), name
