import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, ReminderSchedule
from checkins.services import checkin_submit
from tests.factories import (
    CheckInFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    TeamFactory,
    TeamMembershipFactory,
)


def url(name, org_slug="acme", **kwargs):
    return reverse(f"checkins:{name}", kwargs={"org_slug": org_slug, **kwargs})


def post_checkin(client, kr, org_slug="acme", htmx=False, **data):
    payload = {"value": "25", "confidence": "on_track", "note": "Good week"}
    payload.update(data)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("create", org_slug=org_slug, kr_id=kr.pk), payload, **headers)


# --- check-in: who may -------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected",
    [("member", 302), ("admin", 302), ("manager", 403), ("outsider", 404), ("anon", 302)],
)
def test_checkin_permissions_on_the_members_kr(request, my_kr, persona, expected):
    client = request.getfixturevalue(persona)
    response = post_checkin(client, my_kr)
    assert response.status_code == expected
    stored = CheckIn.objects.filter(key_result=my_kr).exists()
    assert stored == (persona in ("member", "admin"))
    if persona == "anon":
        assert "/accounts/login/" in response["Location"]


def test_checkin_on_foreign_kr_is_404_and_stores_nothing(member, foreign_kr):
    response = post_checkin(member, foreign_kr)
    assert response.status_code == 404
    assert not CheckIn.objects.exists()
    foreign_kr.refresh_from_db()
    assert foreign_kr.current_value == 0


def test_checkin_on_a_kr_the_user_may_not_check_in_on_is_403(member, admins_kr):
    response = post_checkin(member, admins_kr)
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


HX = {"HTTP_HX_REQUEST": "true"}


def test_the_form_opens_on_demand_for_htmx(member, my_kr):
    response = member.get(
        url("create", kr_id=my_kr.pk), HTTP_HX_CURRENT_URL="http://testserver/acme/my/", **HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="checkin-{my_kr.pk}"' in body
    assert 'name="value"' in body and "Save check-in" in body
    assert 'name="next" value="/acme/my/"' in body
    assert not CheckIn.objects.exists()


def _previous_line(body: str) -> str:
    start = body.index('class="checkin-previous')
    return body[start : body.index("</p>", start)]


def test_the_form_shows_last_time_beside_the_new_check_in(member, my_kr, member_membership):
    form = member.get(url("create", kr_id=my_kr.pk), **HX).content.decode()
    assert "First check-in: it starts at</span> 0" in _previous_line(form)
    checkin_submit(
        kr=my_kr, author=member_membership, value="20", confidence="on_track", note="Two signed"
    )
    checkin = checkin_submit(
        kr=my_kr, author=member_membership, value="35", confidence="at_risk", note="Legal <waits>"
    )
    line = _previous_line(member.get(url("create", kr_id=my_kr.pk), **HX).content.decode())
    assert "Last time, now:" in line
    assert "35 · At risk" in line and "<q>Legal &lt;waits&gt;</q>" in line
    # Undoing the latest brings back the one before, note and all.
    member.post(url("delete", checkin_id=checkin.pk))
    line = _previous_line(member.get(url("create", kr_id=my_kr.pk), **HX).content.decode())
    assert "20 · On track" in line and "<q>Two signed</q>" in line


def test_a_plain_get_of_the_form_leads_to_the_kr_page(member, my_kr):
    response = member.get(url("create", kr_id=my_kr.pk))
    assert response.status_code == 302
    assert response["Location"] == f"/acme/krs/{my_kr.pk}/#checkin"


@pytest.mark.parametrize("persona, expected", [("manager", 403), ("outsider", 404)])
def test_the_form_is_not_offered_to_who_may_not_check_in(request, my_kr, persona, expected):
    client = request.getfixturevalue(persona)
    assert client.get(url("create", kr_id=my_kr.pk), **HX).status_code == expected


def test_the_form_of_a_closed_period_says_so(org, member, member_membership):
    closed = PeriodFactory(org=org, is_closed=True, name="Q1 old")
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=closed, owner=member_membership)
    )
    body = member.get(url("create", kr_id=kr.pk), **HX).content.decode()
    assert "is closed" in body
    assert 'name="value"' not in body


# --- check-in: results and bad input -------------------------------------------------------


def test_plain_post_redirects_back_with_a_message(member, my_kr):
    response = post_checkin(member, my_kr, next="/acme/my/")
    assert response.status_code == 302
    assert response["Location"] == "/acme/my/"
    my_kr.refresh_from_db()
    assert my_kr.current_value == 25
    page = member.get(reverse("checkins:feed", kwargs={"org_slug": "acme"}))
    assert "Checked in on" in page.content.decode()


def test_redirect_back_ignores_other_hosts(member, my_kr):
    response = post_checkin(member, my_kr, next="https://evil.example/")
    assert response["Location"] == f"/acme/krs/{my_kr.pk}/"


def test_htmx_returns_the_updated_kr_partial(member, my_kr):
    response = post_checkin(member, my_kr, htmx=True, value="40")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="checkin-{my_kr.pk}"' in body
    assert "Checked in" in body
    assert "40%" in body
    assert "checkin-saved" in response["HX-Trigger"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"value": "lots"}, "Enter a number"),
        ({"value": ""}, "This field is required"),
        ({"value": "1e400"}, "no more than 18 digits"),
        ({"note": "x" * 100_000}, "Keep the note under 2,000 characters"),
        ({"confidence": "ecstatic"}, "Select a valid choice"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_gives_a_clear_message_and_stores_nothing(member, my_kr, data, message, htmx):
    response = post_checkin(member, my_kr, htmx=htmx, **data)
    assert response.status_code == (200 if htmx else 400)
    body = response.content.decode()
    assert message in body
    assert not CheckIn.objects.exists()
    if "note" in data:
        assert "Good week" not in body  # the typed note is kept, not the default
    elif data.get("value"):
        assert data["value"] in body  # what was typed is kept


def test_a_value_far_outside_the_range_is_stored_and_shown(member, my_kr):
    response = post_checkin(member, my_kr, htmx=True, value="250000")
    assert "outside the range" in response.content.decode()
    my_kr.refresh_from_db()
    assert my_kr.current_value == Decimal(250000)
    history = member.get(url("kr-history", kr_id=my_kr.pk)).content.decode()
    assert "outside range" in history


@pytest.mark.parametrize("htmx", [False, True])
def test_closed_period_gives_a_message_and_stores_nothing(org, member, member_membership, htmx):
    closed = PeriodFactory(org=org, is_closed=True, name="Q1 old")
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=closed, owner=member_membership)
    )
    response = post_checkin(member, kr, htmx=htmx)
    assert response.status_code == (200 if htmx else 400)
    assert "is closed" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_milestone_form_offers_done_and_not_done(org, period, member, member_membership):
    objective = ObjectiveFactory(org=org, period=period, owner=member_membership)
    kr = KeyResultFactory(objective=objective, kind="milestone", start_value=0, target_value=1)
    response = post_checkin(member, kr, htmx=True, value="1")
    assert "Done" in response.content.decode()
    kr.refresh_from_db()
    assert kr.current_value == 1


# --- delete ------------------------------------------------------------------------------


def test_author_deletes_own_recent_checkin(member, my_kr, member_membership):
    checkin = checkin_submit(kr=my_kr, author=member_membership, value="30", confidence="on_track")
    response = member.post(url("delete", checkin_id=checkin.pk))
    assert response.status_code == 302
    assert not CheckIn.objects.exists()
    my_kr.refresh_from_db()
    assert my_kr.current_value == 0


@pytest.mark.parametrize("persona, expected", [("admin", 403), ("outsider", 404)])
def test_others_cannot_delete_a_checkin(request, my_kr, member_membership, persona, expected):
    checkin = checkin_submit(kr=my_kr, author=member_membership, value="30", confidence="on_track")
    response = request.getfixturevalue(persona).post(url("delete", checkin_id=checkin.pk))
    assert response.status_code == expected
    assert CheckIn.objects.count() == 1


def test_old_checkin_cannot_be_deleted(member, my_kr, member_membership):
    checkin = CheckInFactory(
        key_result=my_kr, created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert member.post(url("delete", checkin_id=checkin.pk)).status_code == 403


# --- history -----------------------------------------------------------------------------


def test_history_shows_who_when_value_confidence_note_and_an_svg_chart(
    member, my_kr, member_membership
):
    checkin_submit(
        kr=my_kr, author=member_membership, value="30", confidence="at_risk", note="<b>hi</b>"
    )
    response = member.get(url("kr-history", kr_id=my_kr.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert member_membership.user.get_full_name() in body
    assert "At risk" in body
    assert "&lt;b&gt;hi&lt;/b&gt;" in body
    assert "<svg" in body and "<polyline" in body and "stroke-dasharray" in body
    assert "style=" not in body
    assert "Delete" in body  # own check-in, within the window


def test_history_of_a_foreign_kr_is_404(member, foreign_kr):
    assert member.get(url("kr-history", kr_id=foreign_kr.pk)).status_code == 404


def test_history_of_a_private_objective_is_404_for_others(org, period, member, admin_membership):
    """Like a missing id: a 403 would tell that the id exists and is private."""
    objective = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility="private"
    )
    kr = KeyResultFactory(objective=objective)
    assert member.get(url("kr-history", kr_id=kr.pk)).status_code == 404


def _add_checkins(kr, n):
    now = timezone.now()
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                org_id=kr.org_id,
                key_result=kr,
                author=kr.owner,
                value=i,
                previous_value=i - 1,
                confidence="on_track",
                created_at=now - datetime.timedelta(days=n - i),
            )
            for i in range(1, n + 1)
        ]
    )


@pytest.mark.parametrize("n", [2, 40])
def test_history_partial_queries_are_bounded(member, my_kr, n, django_assert_max_num_queries):
    _add_checkins(my_kr, n)
    with django_assert_max_num_queries(10):
        response = member.get(url("kr-history", kr_id=my_kr.pk))
    body = response.content.decode()
    assert body.count('<tr id="checkin-') == min(n, 20)  # the newest 20 are listed
    assert body.count("<circle") == n + 1  # the chart shows every one (and the start)
    with django_assert_max_num_queries(10):
        everything = member.get(url("kr-history", kr_id=my_kr.pk) + "?history=all")
    assert everything.content.decode().count('<tr id="checkin-') == n


def test_a_long_history_lists_the_newest_and_links_to_all(member, my_kr, org):
    _add_checkins(my_kr, 25)
    oldest = CheckIn.objects.filter(key_result=my_kr).order_by("created_at").first()
    oldest.note = "The very first one"
    oldest.save()
    kr_page = reverse("objectives:kr", kwargs={"org_slug": org.slug, "kr_id": my_kr.pk})
    page = member.get(kr_page).content.decode()
    assert "The very first one" not in page
    assert "Show all 25 check-ins" in page
    # Without JavaScript the link reloads the KR page with every row; htmx swaps the table.
    assert f'href="{kr_page}?history=all#kr-history-{my_kr.pk}"' in page
    assert f'hx-get="{url("kr-history", kr_id=my_kr.pk)}?history=all"' in page
    assert "The very first one" in member.get(kr_page + "?history=all").content.decode()
    partial = member.get(url("kr-history", kr_id=my_kr.pk) + "?history=all").content.decode()
    assert "The very first one" in partial and "Show all" not in partial
    # A check-in's re-sent history keeps showing them all.
    live = f"kr-history-{my_kr.pk} kr-history-{my_kr.pk}-all"
    assert f'id="kr-history-{my_kr.pk}-all" data-live' in partial
    payload = {"value": "25", "confidence": "on_track"}
    answer = member.post(
        url("create", kr_id=my_kr.pk), payload, HTTP_X_LIVE_REGIONS=live, **HX
    ).content.decode()
    assert "The very first one" in answer and "Show all" not in answer


# --- feeds -------------------------------------------------------------------------------


def _busy_company(org, period, team, size):
    """``size`` people in the team, each with a KR and a check-in this week."""
    for i in range(size):
        person = MembershipFactory(org=org)
        TeamMembershipFactory(team=team, membership=person)
        kr = KeyResultFactory(objective=ObjectiveFactory(org=org, period=period, owner=person))
        checkin_submit(kr=kr, author=person, value=str(10 + i), confidence="on_track", note="n")


@pytest.mark.parametrize("size", [2, 25])
def test_company_feed_queries_are_bounded(
    org, period, team, member, size, django_assert_max_num_queries
):
    _busy_company(org, period, team, size)
    with django_assert_max_num_queries(14):
        response = member.get(url("feed"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card feed-item"') == size


@pytest.mark.parametrize("size", [2, 25])
def test_team_feed_queries_are_bounded(
    org, period, team, member, size, django_assert_max_num_queries
):
    _busy_company(org, period, team, size)
    with django_assert_max_num_queries(15):
        response = member.get(url("team-feed", team_id=team.pk))
    assert response.status_code == 200
    assert response.content.decode().count('class="card feed-item"') == size


def test_team_feed_shows_only_that_team_and_its_subteams(org, period, team, member):
    sub = TeamFactory(org=org, name="Social", parent=team)
    other = TeamFactory(org=org, name="Finance")
    for t, title in [(team, "Marketing KR"), (sub, "Social KR"), (other, "Finance KR")]:
        person = MembershipFactory(org=org)
        TeamMembershipFactory(team=t, membership=person)
        kr = KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=period, owner=person), title=title
        )
        checkin_submit(kr=kr, author=person, value="5", confidence="on_track")
    body = member.get(url("team-feed", team_id=team.pk)).content.decode()
    assert "Marketing KR" in body and "Social KR" in body
    assert "Finance KR" not in body
    company = member.get(url("feed")).content.decode()
    assert "Finance KR" in company


def test_feed_hides_private_objectives_from_people_who_may_not_see_them(
    org, period, member, admin_membership
):
    objective = ObjectiveFactory(
        org=org, period=period, owner=admin_membership, visibility="private"
    )
    kr = KeyResultFactory(objective=objective, title="Secret KR")
    checkin_submit(kr=kr, author=admin_membership, value="5", confidence="on_track")
    assert "Secret KR" not in member.get(url("feed")).content.decode()


def test_feed_leaves_out_older_checkins(member, my_kr):
    CheckInFactory(key_result=my_kr, created_at=timezone.now() - datetime.timedelta(days=8))
    body = member.get(url("feed")).content.decode()
    assert "No check-ins this week yet" in body


def test_foreign_team_feed_is_404(member, other_org):
    foreign = TeamFactory(org=other_org)
    assert member.get(url("team-feed", team_id=foreign.pk)).status_code == 404


# --- schedules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, expected", [("admin", 200), ("manager", 403), ("member", 403), ("outsider", 404)]
)
def test_schedules_page_is_for_admins(request, org, persona, expected):
    assert request.getfixturevalue(persona).get(url("schedules")).status_code == expected


def test_admin_creates_a_last_friday_schedule(admin, org):
    response = admin.post(
        url("schedules"),
        {
            "name": "Monthly",
            "cadence": "monthly",
            "monthly_rule": "weekday",
            "week": "-1",
            "weekday": "4",
            "day_of_month": "25",
            "days_before_quarter_end": "10",
            "send_time": "09:00",
            "audience": "active",
            "stale_days": "14",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    schedule = ReminderSchedule.objects.get(org=org)
    assert schedule.rule_text == "The last Friday of each month at 09:00"
    page = admin.get(url("schedules")).content.decode()
    assert "The last Friday of each month at 09:00" in page


@pytest.mark.parametrize(
    "field, value", [("send_time", "25:99"), ("day_of_month", "40"), ("name", "x" * 10_000)]
)
def test_bad_schedule_input_is_a_field_error(admin, org, field, value):
    data = {
        "name": "Monthly",
        "cadence": "monthly",
        "monthly_rule": "day",
        "week": "-1",
        "weekday": "4",
        "day_of_month": "25",
        "days_before_quarter_end": "10",
        "send_time": "09:00",
        "audience": "active",
        "stale_days": "14",
    }
    data[field] = value
    response = admin.post(url("schedules"), data)
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not ReminderSchedule.objects.exists()


def test_admin_edits_disables_and_deletes_a_schedule(admin, org):
    schedule = ReminderScheduleFactory(org=org, name="Quarterly", cadence="quarterly")
    edit = url("schedule-edit", schedule_id=schedule.pk)
    assert admin.get(edit).status_code == 200
    data = {
        "name": "Quarter end",
        "cadence": "quarterly",
        "monthly_rule": "weekday",
        "week": "-1",
        "weekday": "4",
        "day_of_month": "25",
        "days_before_quarter_end": "5",
        "send_time": "08:30",
        "audience": "stale",
        "stale_days": "21",
    }
    assert admin.post(edit, data).status_code == 302
    schedule.refresh_from_db()
    assert (schedule.enabled, schedule.days_before_quarter_end) == (False, 5)
    assert schedule.rule_text == "5 days before each quarter ends at 08:30"
    assert admin.post(edit, {"action": "delete"}).status_code == 302
    assert not ReminderSchedule.objects.exists()


@pytest.mark.parametrize("persona, expected", [("member", 403), ("outsider", 404)])
def test_others_cannot_edit_a_schedule(request, org, persona, expected):
    schedule = ReminderScheduleFactory(org=org)
    client = request.getfixturevalue(persona)
    edit = url("schedule-edit", schedule_id=schedule.pk)
    assert client.post(edit, {"action": "delete"}).status_code == expected
    assert ReminderSchedule.objects.exists()


@pytest.mark.parametrize("size", [1, 12])
def test_schedules_page_queries_are_bounded(admin, org, size, django_assert_max_num_queries):
    for i in range(size):
        ReminderScheduleFactory(org=org, cadence="quarterly" if i % 2 else "monthly")
    with django_assert_max_num_queries(10):
        response = admin.get(url("schedules"))
    assert response.content.decode().count(">Edit</a>") == size
