"""Committed or aspirational: each objective says how its result is judged (committed:
expected to be met in full; aspirational: about 70% is success), chosen on its form and
shown as a small badge on its card and page."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from objectives.models import Objective
from tests.factories import ObjectiveFactory

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": "acme", **kwargs})


def _new(client, period, **extra):
    data = {
        "title": "Delight APAC customers",
        "period": period.pk,
        "level": "individual",
        "visibility": "public",
        "kr-TOTAL_FORMS": "0",
        "kr-INITIAL_FORMS": "0",
        **extra,
    }
    return client.post(url("objective-new"), data)


def test_the_form_explains_both_kinds_and_starts_committed(member):
    page = member.get(url("objective-new"))
    body = page.content.decode()
    assert "expected to be met in full" in body and "about 70% is success" in body
    assert page.context["form"]["commitment"].value() == "committed"


@pytest.mark.parametrize("chosen", ["committed", "aspirational"])
def test_the_chosen_kind_is_stored(member, period, chosen):
    assert _new(member, period, commitment=chosen).status_code == 302
    assert Objective.objects.get().commitment == chosen


def test_a_form_without_the_field_keeps_committed(member, period):
    """My OKRs' quick form does not ask: committed, the default."""
    assert _new(member, period).status_code == 302
    assert Objective.objects.get().commitment == Objective.Commitment.COMMITTED


def test_a_nonsense_kind_is_a_field_error(member, period):
    response = _new(member, period, commitment="maybe")
    assert response.status_code == 200
    assert response.context["form"].errors["commitment"]
    assert not Objective.objects.exists()


def test_changing_it_is_recorded(member, org, period, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    form = member.get(url("objective-edit", objective_id=objective.pk)).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["commitment"] = "aspirational"
    response = member.post(url("objective-edit", objective_id=objective.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    objective.refresh_from_db()
    assert objective.commitment == "aspirational"
    entry = AuditEntry.objects.get(action="objective.update")
    assert entry.changes["commitment"] == ["committed", "aspirational"]


def test_cards_and_the_page_show_the_badge(member, org, period, member_membership):
    aspirational = ObjectiveFactory(
        org=org, period=period, owner=member_membership, commitment="aspirational"
    )
    ObjectiveFactory(org=org, period=period, owner=member_membership)
    my = member.get(url("my")).content.decode()
    assert my.count('class="badge commitment-aspirational"') == 1
    assert my.count('class="badge commitment-committed"') == 1
    page = member.get(url("objective", objective_id=aspirational.pk)).content.decode()
    assert 'title="Aspirational: about 70% is success">Aspirational</span>' in page
