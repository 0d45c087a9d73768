"""The company's audit list: admins only, filtered by person and object, paginated, with a
query count that does not grow with the trail."""

import pytest
from django.urls import reverse

from audit.services import record
from objectives import services as objective_services
from tests.factories import MembershipFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

AUDIT = reverse("audit:list", kwargs={"org_slug": "acme"})


def _trail(org, period, count):
    people = [MembershipFactory(org=org) for _ in range(3)]
    objectives = [ObjectiveFactory(org=org, period=period, owner=p) for p in people]
    for i in range(count):
        who = people[i % 3]
        record(who, "objective.update", objectives[i % 3], {"title": [f"v{i}", f"v{i + 1}"]})
    return people, objectives


def test_admin_reads_who_changed_what(admin, member, org, period):
    objective_services.objective_update(
        objective=ObjectiveFactory(org=org, period=period, owner=member.membership, title="Old"),
        actor=member.membership,
        title="New",
    )
    page = admin.get(AUDIT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "objective.update" in html and "Mia Member" in html
    assert "Title: Old → New" in html


def test_a_new_parent_reads_as_its_title_not_its_id(admin, member, org, period):
    """The audit list used to print raw ids for a parent change."""
    from alignment.services import objective_align

    parent = ObjectiveFactory(org=org, period=period, level="company", title="Grow APAC")
    child = ObjectiveFactory(org=org, period=period, owner=member.membership)
    objective_align(objective=child, parent=parent, actor=member.membership)
    html = admin.get(AUDIT).content.decode()
    assert "Aligned to: — → Grow APAC" in html


def test_members_and_managers_may_not_read_it(member, manager):
    assert member.get(AUDIT).status_code == 403
    assert manager.get(AUDIT).status_code == 403


def test_filters_by_person_and_by_object(admin, org, period):
    people, objectives = _trail(org, period, 9)
    by_person = admin.get(AUDIT, {"person": people[0].pk}).context["page"]
    assert by_person.paginator.count == 3
    assert {e.actor_id for e in by_person.object_list} == {people[0].pk}
    by_object = admin.get(
        AUDIT, {"kind": "objectives.objective", "object": objectives[1].pk}
    ).context["page"]
    assert {e.target_id for e in by_object.object_list} == {objectives[1].pk}
    assert by_object.paginator.count == 3


@pytest.mark.parametrize("junk", ["abc", "-1", "9" * 40, "' OR 1=1"])
def test_junk_filters_show_the_whole_list(admin, org, period, junk):
    _trail(org, period, 2)
    response = admin.get(AUDIT, {"person": junk, "kind": junk, "object": junk, "page": junk})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2


def test_another_companys_trail_never_shows(admin, org, other_org, period):
    stranger = MembershipFactory(org=other_org)
    record(stranger, "team.create", other_org)
    assert admin.get(AUDIT).context["page"].paginator.count == 0


def test_pages_of_fifty(admin, org, period):
    _trail(org, period, 60)
    first = admin.get(AUDIT).context["page"]
    assert len(first.object_list) == 50 and first.has_next()
    assert len(admin.get(AUDIT, {"page": 2}).context["page"].object_list) == 10


@pytest.mark.parametrize("size", [5, 120])
def test_query_count_does_not_grow_with_the_trail(
    admin, org, period, size, django_assert_max_num_queries
):
    _trail(org, period, size)
    admin.get(AUDIT)  # warm the session and the company's caches
    with django_assert_max_num_queries(9):
        assert admin.get(AUDIT).status_code == 200
    with django_assert_max_num_queries(9):
        assert admin.get(AUDIT, {"person": 1, "kind": "objectives.objective"}).status_code == 200


def test_a_typed_name_or_email_narrows_the_list_which_never_lists_everyone(admin, org, period):
    people, _ = _trail(org, period, 9)
    extra = [MembershipFactory(org=org) for _ in range(20)]  # people who changed nothing
    first = people[0].user
    for typed in (first.full_name, first.email.upper()):
        page = admin.get(AUDIT, {"who": typed}).context["page"]
        assert {e.actor_id for e in page.object_list} == {people[0].pk}
    html = admin.get(AUDIT).content.decode()
    # The person filter is a search box, not a list of the company's people.
    assert 'name="who"' in html
    assert not any(f'value="{m.pk}"' in html for m in extra)
    chosen = admin.get(AUDIT, {"person": people[1].pk}).content.decode()
    assert f"The changes made by {people[1].user.get_full_name()}" in chosen
