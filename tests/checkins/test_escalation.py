"""Missed check-ins escalate, politely: one follow-up a few days after a reminder, then the
managers hear of it in their weekly digest; never more than a few e-mails a week; and each
person can read why they were reminded."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from checkins import escalation, reminders
from checkins.models import KRNudge, ReminderDelivery
from checkins.nudges import send_nudge
from checkins.services import checkin_submit, kr_nudge
from notifications.delivery import send_digests
from notifications.models import Notification
from objectives.models import KeyResult, Objective
from organizations.clock import company_now
from organizations.models import Membership
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    ReminderScheduleFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# Friday 31 January 2025, 09:05 in Oslo: the monthly schedule's occurrence was at 09:00.
NOW = datetime.datetime(2025, 1, 31, 8, 5, tzinfo=UTC)
FOLLOW_UP = NOW + datetime.timedelta(days=reminders.FOLLOW_UP_DAYS, minutes=5)
ESCALATE = FOLLOW_UP + datetime.timedelta(days=escalation.ESCALATE_AFTER_DAYS, minutes=5)
KIND = ReminderDelivery.Kind


@pytest.fixture
def acme():
    """Mia owns a key result; Max manages her team; Bo is in the team too."""
    org = OrganizationFactory(time_zone="Europe/Oslo")
    period = PeriodFactory(org=org, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31))
    team = TeamFactory(org=org, name="Marketing")
    mia = MembershipFactory(org=org, user__full_name="Mia Member")
    max_ = MembershipFactory(org=org, user__full_name="Max Manager")
    bo = MembershipFactory(org=org, user__full_name="Bo Buddy")
    TeamMembershipFactory(team=team, membership=mia)
    TeamMembershipFactory(team=team, membership=bo)
    TeamMembershipFactory(team=team, membership=max_, is_manager=True)
    kr = KeyResultFactory(
        objective=ObjectiveFactory(org=org, period=period, owner=mia, title="Grow"),
        title="Gain followers",
    )
    KeyResult.objects.filter(pk=kr.pk).update(created_at=NOW - datetime.timedelta(days=30))
    schedule = ReminderScheduleFactory(
        org=org,
        name="Monthly check-in",
        cadence="monthly",
        monthly_rule="weekday",
        week=-1,
        weekday=4,
        send_time=datetime.time(9, 0),
        created_at=NOW - datetime.timedelta(days=90),
    )
    return {"org": org, "mia": mia, "max": max_, "bo": bo, "kr": kr, "schedule": schedule}


def run(now):
    """Dispatch, send and escalate as the beat task does; the e-mails sent now."""
    mail.outbox.clear()
    reminders.run_in_process(now=now)
    return list(mail.outbox)


def sent_at(kind, moment):
    """The reminders record the real time they were sent: move it to the story's time."""
    ReminderDelivery.objects.filter(kind=kind, status="sent").update(sent_at=moment)


def remind():
    sent = run(NOW)
    assert len(sent) == 1
    sent_at(KIND.REMINDER, NOW)
    return sent[0]


def test_the_reminder_says_why(acme):
    message = remind()
    assert "Why this e-mail: “Monthly check-in” (the last friday of each month at 09:00)" in (
        message.body
    )
    assert "on 31 January 2025" in message.body


def test_one_follow_up_days_after_the_reminder_to_who_has_not_checked_in(acme):
    remind()
    assert run(NOW + datetime.timedelta(days=reminders.FOLLOW_UP_DAYS - 1)) == []
    [follow_up] = run(FOLLOW_UP)
    assert follow_up.to == [acme["mia"].user.email]
    assert follow_up.subject == "Still waiting for a check-in: Gain followers"
    assert "you were reminded on 31 January 2025 (Monthly check-in)" in follow_up.body
    assert "these key results have not moved since" in follow_up.body
    assert "- Gain followers" in follow_up.body
    html = follow_up.alternatives[0][0]
    assert "Still waiting for a check-in" in html and "Gain followers" in html
    # Once: a second dispatch, and a later one, find it done.
    assert run(FOLLOW_UP + datetime.timedelta(minutes=5)) == []
    assert run(FOLLOW_UP + datetime.timedelta(hours=3)) == []
    assert ReminderDelivery.objects.filter(kind=KIND.FOLLOW_UP).count() == 1


def test_no_follow_up_after_a_check_in(acme):
    remind()
    checkin_submit(
        kr=acme["kr"],
        author=acme["mia"],
        value="50",
        confidence="on_track",
        now=NOW + datetime.timedelta(days=1),
    )
    assert run(FOLLOW_UP) == []
    follow_up = ReminderDelivery.objects.get(kind=KIND.FOLLOW_UP)
    assert (follow_up.status, follow_up.detail) == ("skipped", "Checked in since the reminder.")
    # Nothing to escalate either: no follow-up went out.
    run(ESCALATE)
    assert not Notification.objects.exists()


def test_no_follow_up_of_a_schedule_turned_off_since(acme):
    remind()
    acme["schedule"].enabled = False
    acme["schedule"].save()
    assert run(FOLLOW_UP) == []
    assert not ReminderDelivery.objects.filter(kind=KIND.FOLLOW_UP).exists()


def follow_up_unanswered():
    remind()
    assert len(run(FOLLOW_UP)) == 1
    sent_at(KIND.FOLLOW_UP, FOLLOW_UP)


def missed_checkins():
    return list(
        Notification.objects.filter(kind=Notification.Kind.MISSED_CHECKIN).values_list(
            "recipient_id", "actor_id", "key_result_id"
        )
    )


def test_the_manager_alone_hears_of_it_once_in_the_weekly_digest(acme):
    follow_up_unanswered()
    before = ESCALATE - datetime.timedelta(hours=1)
    assert run(before) == [] and missed_checkins() == []
    assert run(ESCALATE) == []  # no e-mail at once: the weekly digest by default
    expected = [(acme["max"].pk, acme["mia"].pk, acme["kr"].pk)]
    assert missed_checkins() == expected
    run(ESCALATE + datetime.timedelta(minutes=5))
    run(ESCALATE + datetime.timedelta(hours=6))
    assert missed_checkins() == expected
    told = ReminderDelivery.objects.get(kind=KIND.ESCALATION)
    assert told.status == "sent"
    assert told.detail == "No check-in after the reminder and the follow-up: told Max Manager."

    # The digest comes at 8:00 on the company's first weekday (after the notification).
    monday = company_now(acme["org"]) + datetime.timedelta(days=1)
    while monday.weekday() != acme["org"].week_start:
        monday += datetime.timedelta(days=1)
    mail.outbox.clear()
    assert send_digests(now=monday.replace(hour=8, minute=0)) == 1
    [digest] = mail.outbox
    assert digest.to == [acme["max"].user.email]
    assert (
        "Mia Member has not checked in on “Gain followers” after a reminder and a follow-up"
        in digest.body
    )


def test_no_manager_is_told_who_may_not_see_the_objective(acme):
    # Mia's key result is on Xena's private objective, shared with Mia alone: Max manages Mia,
    # not Xena, so he may not see it.
    kr = acme["kr"]
    secret = ObjectiveFactory(
        org=acme["org"],
        period=kr.objective.period,
        owner=MembershipFactory(org=acme["org"], user__full_name="Xena Elsewhere"),
        visibility=Objective.Visibility.PRIVATE,
        title="Secret merger",
    )
    KeyResult.objects.filter(pk=kr.pk).update(objective=secret)
    assign_perm("objectives.share_objective", acme["mia"].user, secret)
    follow_up_unanswered()
    run(ESCALATE)
    assert missed_checkins() == []
    told = ReminderDelivery.objects.get(kind=KIND.ESCALATION)
    assert (told.status, told.detail) == (
        "skipped",
        "No manager of your teams may see these key results.",
    )


def test_no_one_is_told_after_a_check_in_following_the_follow_up(acme):
    follow_up_unanswered()
    checkin_submit(
        kr=acme["kr"],
        author=acme["mia"],
        value="60",
        confidence="on_track",
        now=FOLLOW_UP + datetime.timedelta(days=1),
    )
    run(ESCALATE)
    assert missed_checkins() == []
    told = ReminderDelivery.objects.get(kind=KIND.ESCALATION)
    assert (told.status, told.detail) == ("skipped", "Checked in since the follow-up.")


# --- the weekly cap ------------------------------------------------------------------------


def earlier_emails(acme, count, *, at=NOW - datetime.timedelta(hours=1)):
    """``count`` reminders of other schedules sent to Mia at ``at``."""
    for i in range(count):
        other = ReminderScheduleFactory(org=acme["org"], name=f"Other {i}")
        ReminderDelivery.objects.create(
            org=acme["org"],
            schedule=other,
            membership=acme["mia"],
            occurrence=at,
            status="sent",
            sent_at=at,
        )


def nudge_sent(acme, at):
    KRNudge.objects.create(
        org=acme["org"],
        key_result=acme["kr"],
        recipient=acme["mia"],
        day=at.date(),
        created_at=at,
        sent_at=at,
    )


def test_no_one_gets_more_than_the_weekly_number_of_reminders_and_nudges(acme):
    earlier_emails(acme, reminders.NUDGES_PER_WEEK)
    assert run(NOW) == []
    reminder = ReminderDelivery.objects.get(schedule=acme["schedule"])
    assert reminder.status == "skipped"
    assert reminder.detail == (
        "Not sent: you had 5 reminders and nudges this week already (the most we send in a week)."
    )


def test_managers_nudges_count_towards_the_weekly_number(acme):
    earlier_emails(acme, reminders.NUDGES_PER_WEEK - 1)
    nudge_sent(acme, NOW - datetime.timedelta(days=1))
    assert run(NOW) == []
    assert ReminderDelivery.objects.get(schedule=acme["schedule"]).status == "skipped"


def test_last_weeks_emails_do_not_count(acme):
    # The company's week starts on Monday 27 January (Oslo): the 26th is last week.
    earlier_emails(acme, 3, at=datetime.datetime(2025, 1, 26, 22, 30, tzinfo=UTC))
    earlier_emails(acme, reminders.NUDGES_PER_WEEK - 1)
    assert len(run(NOW)) == 1


def test_a_manager_may_not_nudge_beyond_the_weekly_number(acme):
    admin = MembershipFactory(org=acme["org"], role=Membership.Role.ADMIN)
    earlier_emails(acme, reminders.NUDGES_PER_WEEK)
    with pytest.raises(ValidationError) as refused:
        kr_nudge(kr=acme["kr"], actor=admin, now=NOW)
    assert refused.value.code == "weekly_cap"
    assert "Mia Member had 5 reminders and nudges this week already" in refused.value.messages[0]


def test_a_recorded_nudge_is_not_sent_once_the_week_is_full(acme):
    admin = MembershipFactory(org=acme["org"], role=Membership.Role.ADMIN)
    nudge = kr_nudge(kr=acme["kr"], actor=admin, now=NOW)
    earlier_emails(acme, reminders.NUDGES_PER_WEEK)  # reminders went out before it did
    mail.outbox.clear()
    assert send_nudge(nudge.pk, now=NOW) is False
    assert mail.outbox == []
    nudge.refresh_from_db()
    assert nudge.sent_at is None and nudge.detail.startswith("Not sent: you had 5")


# --- "Why were you reminded?" ----------------------------------------------------------------


def settings_url(org):
    return reverse("notifications:settings", kwargs={"org_slug": org.slug})


def test_people_can_read_why_they_were_reminded(client, acme):
    follow_up_unanswered()
    run(ESCALATE)
    ReminderDelivery.objects.create(
        org=acme["org"],
        schedule=acme["schedule"],
        membership=acme["bo"],
        occurrence=NOW,
        status="sent",
        sent_at=NOW,
    )
    client.force_login(acme["mia"].user)
    page = client.get(settings_url(acme["org"])).content.decode()
    assert "Why were you reminded?" in page
    assert (
        "“Monthly check-in” (the last friday of each month at 09:00) of 31 January 2025: "
        "you had key results to check in on." in page
    )
    assert (
        "The one follow-up, 3 days after the reminder of 31 January 2025 "
        "(“Monthly check-in”): your key results had not moved since." in page
    )
    assert "told Max Manager" in page
    assert page.count('class="why-item') == 3  # Bo's reminder is his business


def test_nothing_to_explain_yet(client, acme):
    client.force_login(acme["bo"].user)
    assert "No reminders yet." in client.get(settings_url(acme["org"])).content.decode()


@pytest.mark.parametrize("size", [2, 25])
def test_the_settings_page_costs_the_same_queries_however_many_reminders(
    django_assert_max_num_queries, client, acme, size
):
    for i in range(size):
        ReminderDelivery.objects.create(
            org=acme["org"],
            schedule=acme["schedule"],
            membership=acme["mia"],
            occurrence=NOW - datetime.timedelta(days=30 * i),
            kind=KIND.REMINDER if i % 2 else KIND.FOLLOW_UP,
            status="sent",
            sent_at=timezone.now(),
        )
    client.force_login(acme["mia"].user)
    # Session, user, membership, permission facts, navigation, the settings, the reminders.
    with django_assert_max_num_queries(8):
        response = client.get(settings_url(acme["org"]))
    assert response.content.decode().count('class="why-item') == min(size, 10)


def test_the_manager_opens_the_key_result_from_the_inbox(client, acme):
    follow_up_unanswered()
    run(ESCALATE)
    notification = Notification.objects.get(kind=Notification.Kind.MISSED_CHECKIN)
    client.force_login(acme["max"].user)
    slug = acme["org"].slug
    inbox = client.get(reverse("notifications:inbox", kwargs={"org_slug": slug}))
    assert (
        "Mia Member has not checked in on “Gain followers” after a reminder and a follow-up"
        in inbox.content.decode()
    )
    opened = client.get(
        reverse(
            "notifications:open",
            kwargs={"org_slug": slug, "notification_id": notification.pk},
        )
    )
    assert opened.status_code == 302
    assert opened["Location"] == reverse(
        "objectives:kr", kwargs={"org_slug": slug, "kr_id": acme["kr"].pk}
    )
