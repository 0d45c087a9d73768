"""No edit silently loses another: optimistic concurrency on the objective and KR edit forms.

Each edit form carries the version it was opened at; saving succeeds only while that is still
the stored version, and writes only the fields the form changed. Check-ins are the only
writers of a key result's value and confidence.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from checkins.services import checkin_submit
from objectives import services
from objectives.models import KeyResult, Objective

HX = {"HTTP_HX_REQUEST": "true"}


def url(org, name, **kwargs):
    return reverse(f"objectives:{name}", kwargs={"org_slug": org.slug, **kwargs})


def opened_form(client, page_url, **extra) -> dict:
    """What a browser would post back from the form as it was rendered: every field's value."""
    response = client.get(page_url, **extra)
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else str(value)
    return data


def test_objective_edit_form_carries_its_version(member, my_objective, org):
    body = member.get(url(org, "objective-edit", objective_id=my_objective.pk)).content.decode()
    assert re.search(r'<input type="hidden" name="version" value="1"', body)


def test_second_objective_save_from_a_stale_form_is_refused_and_nothing_is_lost(
    member, admin, my_objective, org
):
    edit = url(org, "objective-edit", objective_id=my_objective.pk)
    first_tab = opened_form(member, edit)
    second_tab = opened_form(admin, edit)

    first = member.post(edit, {**first_tab, "title": "Grow followers to 10k"}, follow=True)
    assert "Objective saved." in first.content.decode()

    second = admin.post(
        edit, {**second_tab, "description": "Twice a week on every channel", "status": "done"}
    )
    assert second.status_code == 200  # the form again, not "Objective saved."
    body = second.content.decode()
    assert "Someone saved this objective after you opened this form" in body
    assert "Objective saved." not in body
    # What they typed is kept; the value saved meanwhile is shown beside the title.
    assert "Twice a week on every channel" in body
    assert "Now saved: Grow followers to 10k" in second.context["form"].errors["title"][0]
    stored = Objective.objects.get(pk=my_objective.pk)
    assert stored.title == "Grow followers to 10k"
    assert stored.description == ""
    assert stored.version == 2

    # Saving again from the re-shown form is a deliberate choice: it goes through.
    again = {
        name: "" if value is None else str(value)
        for name, value in ((f.html_name, f.value()) for f in second.context["form"])
    }
    assert again["version"] == "2"
    response = admin.post(edit, {**again, "title": "Grow followers to 10k"})
    assert response.status_code == 302
    stored.refresh_from_db()
    assert (stored.title, stored.description, stored.status) == (
        "Grow followers to 10k",
        "Twice a week on every channel",
        "done",
    )
    assert stored.version == 3


def test_an_objective_save_writes_only_the_fields_it_changes(member_membership, my_objective):
    stale = Objective.objects.get(pk=my_objective.pk)
    # A write this copy does not know about (another service, say) lands meanwhile...
    Objective.objects.filter(pk=my_objective.pk).update(description="Written elsewhere")
    services.objective_update(objective=stale, actor=member_membership, title="Renamed")
    stored = Objective.objects.get(pk=my_objective.pk)
    assert (stored.title, stored.description) == ("Renamed", "Written elsewhere")


def test_realigning_an_objective_makes_an_open_edit_form_stale(
    member, my_objective, org, period, admin_membership, member_membership
):
    from alignment.services import objective_align
    from tests.factories import ObjectiveFactory

    edit = url(org, "objective-edit", objective_id=my_objective.pk)
    tab = opened_form(member, edit)
    goal = ObjectiveFactory(org=org, period=period, level="company", owner=admin_membership)
    objective_align(objective=my_objective, parent=goal, actor=member_membership)
    response = member.post(edit, {**tab, "title": "Renamed"})
    assert response.status_code == 200
    assert "Someone saved this objective" in response.content.decode()
    stored = Objective.objects.get(pk=my_objective.pk)
    assert (stored.parent_id, stored.title) == (goal.pk, "Grow followers")


def test_second_kr_save_from_a_stale_form_is_refused_and_nothing_is_lost(
    member, admin, my_objective, org
):
    kr = my_objective.key_results.get()
    edit = url(org, "kr-edit", kr_id=kr.pk)
    first_tab = opened_form(member, edit)
    second_tab = opened_form(admin, edit)

    assert member.post(edit, {**first_tab, "target_value": "2000"}).status_code == 302
    second = admin.post(edit, {**second_tab, "title": "Gain 1,500 followers"})
    assert second.status_code == 200
    body = second.content.decode()
    assert "Someone saved this key result after you opened this form" in body
    assert "Gain 1,500 followers" in body  # kept as typed
    assert "Now saved: 2000" in str(second.context["form"].errors["target_value"])
    stored = KeyResult.objects.get(pk=kr.pk)
    assert (stored.title, stored.target_value) == ("Gain 1,000 followers", Decimal(2000))


def test_kr_conflict_in_the_inline_htmx_form_stays_in_the_form(member, admin, my_objective, org):
    kr = my_objective.key_results.get()
    edit = url(org, "kr-edit", kr_id=kr.pk)
    first_tab = opened_form(member, edit, **HX)
    second_tab = opened_form(admin, edit, **HX)
    assert "HX-Retarget" in member.post(edit, {**first_tab, "title": "First"}, **HX)
    response = admin.post(edit, {**second_tab, "title": "Second"}, **HX)
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert body.lstrip().startswith("<form")
    assert "Someone saved this key result" in body and "Now saved: First" in body
    assert KeyResult.objects.get(pk=kr.pk).title == "First"


def test_a_kr_form_opened_before_a_checkin_does_not_roll_it_back(
    member, member_membership, my_objective, org
):
    kr = my_objective.key_results.get()
    edit = url(org, "kr-edit", kr_id=kr.pk)
    tab = opened_form(member, edit)
    assert "current_value" not in tab and "confidence" not in tab  # check-ins own them
    checkin_submit(kr=kr, author=member_membership, value="640", confidence="at_risk")

    # Even a crafted post of the old value and confidence is ignored.
    crafted = {"current_value": "0", "confidence": "on_track"}
    response = member.post(edit, {**tab, "title": "Gain 1,000 loyal followers", **crafted})
    assert response.status_code == 302
    stored = KeyResult.objects.get(pk=kr.pk)
    assert stored.title == "Gain 1,000 loyal followers"
    assert (stored.current_value, stored.confidence) == (Decimal(640), "at_risk")
    objective = Objective.objects.get(pk=my_objective.pk)
    assert objective.progress == Decimal("0.64")  # the roll-up follows the check-in


def test_the_kr_service_refuses_value_and_confidence(member_membership, my_objective):
    kr = my_objective.key_results.get()
    for field, value in (("current_value", Decimal(5)), ("confidence", "off_track")):
        with pytest.raises(TypeError, match="Only check-ins"):
            services.key_result_update(kr=kr, actor=member_membership, **{field: value})
    stored = KeyResult.objects.get(pk=kr.pk)
    assert (stored.current_value, stored.confidence) == (Decimal(0), "on_track")


def test_a_new_kr_still_takes_its_starting_value_and_confidence(member, my_objective, org):
    form = member.get(url(org, "kr-new", objective_id=my_objective.pk)).context["form"]
    assert {"current_value", "confidence"} <= set(form.fields)
    assert "version" not in form.fields


def test_set_confidence_control_still_works_and_leaves_an_open_form_valid(
    member, my_objective, org
):
    kr = my_objective.key_results.get()
    edit = url(org, "kr-edit", kr_id=kr.pk)
    tab = opened_form(member, edit)
    response = member.post(
        url(org, "kr-confidence", kr_id=kr.pk), {"confidence": "off_track"}, **HX
    )
    assert response.status_code == 200
    assert f'id="objective-{my_objective.pk}"' in response.content.decode()
    assert KeyResult.objects.get(pk=kr.pk).confidence == "off_track"
    # The edit form does not hold confidence, so it neither conflicts nor undoes it.
    assert member.post(edit, {**tab, "weight": "2"}).status_code == 302
    stored = KeyResult.objects.get(pk=kr.pk)
    assert (stored.confidence, stored.weight) == ("off_track", Decimal(2))


def test_a_form_without_its_version_is_refused_with_a_message(member, my_objective, org):
    kr = my_objective.key_results.get()
    edit = url(org, "kr-edit", kr_id=kr.pk)
    tab = opened_form(member, edit)
    del tab["version"]
    response = member.post(edit, {**tab, "title": "No version"})
    assert response.status_code == 200
    assert "This form is out of date" in response.content.decode()
    assert KeyResult.objects.get(pk=kr.pk).title == "Gain 1,000 followers"
