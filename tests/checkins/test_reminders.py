"""Dispatching and sending reminders in-process (the worker tests cover real processes)."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from checkins import reminders, tasks
from checkins.models import ReminderDelivery
from checkins.services import checkin_submit
from objectives.models import KeyResult
from tests.factories import (
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    PeriodFactory,
    ReminderScheduleFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# A Wednesday in the middle of a quarter; the last Friday of January 2025 is the 31st.
NOW = datetime.datetime(2025, 1, 31, 8, 5, tzinfo=UTC)  # 09:05 in Oslo


def company(size, *, tz="Europe/Oslo", period_kwargs=None, **schedule_kwargs):
    org = OrganizationFactory(time_zone=tz)
    period = PeriodFactory(
        org=org,
        **(
            period_kwargs or {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 3, 31)}
        ),
    )
    people = []
    for i in range(size):
        person = MembershipFactory(org=org, user__full_name=f"Person {i}")
        KeyResultFactory(
            objective=ObjectiveFactory(org=org, period=period, owner=person),
            title=f"KR of person {i}",
            current_value=40,
        )
        people.append(person)
    # created_at is auto_now_add: age the KRs by hand.
    KeyResult.objects.filter(org=org).update(created_at=NOW - datetime.timedelta(days=30))
    schedule = ReminderScheduleFactory(
        org=org,
        **{
            "name": "Monthly check-in",
            "cadence": "monthly",
            "monthly_rule": "weekday",
            "week": -1,
            "weekday": 4,
            "send_time": datetime.time(9, 0),
            "created_at": NOW - datetime.timedelta(days=90),
            **schedule_kwargs,
        },
    )
    return org, schedule, people


def run(now=NOW, **kwargs):
    return reminders.run_in_process(now=now, **kwargs)


def test_due_reminder_goes_to_everyone_with_an_active_kr_once(django_capture_on_commit_callbacks):
    org, schedule, people = company(3)
    with django_capture_on_commit_callbacks(execute=True):
        report, results = run()
    assert [(s.pk, o, n) for s, o, n in report.dispatched] == [
        (schedule.pk, datetime.datetime(2025, 1, 31, 8, 0, tzinfo=UTC), 3)
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)
    with django_capture_on_commit_callbacks(execute=True):
        report, results = run(now=NOW + datetime.timedelta(minutes=5))
    assert report.dispatched == []
    assert len(mail.outbox) == 3
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_not_yet_due_and_long_past_occurrences_are_not_sent(django_capture_on_commit_callbacks):
    company(2)
    with django_capture_on_commit_callbacks(execute=True):
        run(now=NOW - datetime.timedelta(minutes=10))  # 08:55 in Oslo
        run(now=NOW + datetime.timedelta(days=2))  # beyond the grace period
    assert mail.outbox == []


def test_disabled_or_newer_schedules_send_nothing(django_capture_on_commit_callbacks):
    company(1, enabled=False)
    company(1, created_at=NOW + datetime.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert mail.outbox == []


def test_company_at_utc_plus_13_is_reminded_on_the_previous_utc_day(
    django_capture_on_commit_callbacks,
):
    company(1, tz="Pacific/Auckland")
    with django_capture_on_commit_callbacks(execute=True):
        run(now=datetime.datetime(2025, 1, 30, 19, 55, tzinfo=UTC))
        assert mail.outbox == []
        run(now=datetime.datetime(2025, 1, 30, 20, 1, tzinfo=UTC))  # Fri 31 Jan, 09:01 NZDT
    assert len(mail.outbox) == 1


def test_stale_audience_only_reaches_people_without_a_recent_checkin(
    django_capture_on_commit_callbacks,
):
    org, schedule, (fresh, stale) = company(2, audience="stale", stale_days=14)
    kr = fresh.owned_key_results.get()
    checkin_submit(
        kr=kr, author=fresh, value="50", confidence="on_track", now=NOW - datetime.timedelta(days=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert [m.to[0] for m in mail.outbox] == [stale.user.email]


def test_deactivated_people_and_closed_periods_are_not_in_the_audience(
    django_capture_on_commit_callbacks,
):
    org, schedule, (gone, closed_owner, here) = company(3)
    gone.is_active = False
    gone.save()
    kr = closed_owner.owned_key_results.get()
    kr.objective.period.is_closed = True  # shares the one period: give it its own
    closed = PeriodFactory(
        org=org, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 3, 31), is_closed=True
    )
    kr.objective.period = closed
    kr.objective.save()
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert [m.to[0] for m in mail.outbox] == [here.user.email]


def test_people_who_left_or_opted_out_after_dispatch_are_skipped():
    org, schedule, (opted_out, left, stays) = company(3)
    batches = []
    reminders.dispatch_due(now=NOW, enqueue=lambda org_id, ids: batches.append(ids))
    # on_commit ran immediately? Not inside the test transaction: collect ids directly.
    ids = list(ReminderDelivery.objects.values_list("id", flat=True))
    opted_out.user.reminder_emails = False
    opted_out.user.save()
    left.is_active = False
    left.save()
    result = reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
    assert len(result.sent) == 1 and len(result.skipped) == 2
    statuses = dict(ReminderDelivery.objects.values_list("membership_id", "status"))
    assert statuses == {opted_out.pk: "skipped", left.pk: "skipped", stays.pk: "sent"}
    assert [m.to[0] for m in mail.outbox] == [stays.user.email]
    detail = ReminderDelivery.objects.get(membership=opted_out).detail
    assert "Opted out" in detail


def test_the_email_has_html_and_text_with_progress_and_a_direct_link(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://okr.example.com"
    org, schedule, (person,) = company(1)
    kr = person.owned_key_results.get()
    with django_capture_on_commit_callbacks(execute=True):
        run()
    (message,) = mail.outbox
    link = f"https://okr.example.com/{org.slug}/krs/{kr.pk}/#checkin"
    assert link in message.body
    assert "40%" in message.body
    assert kr.title in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert "40%" in html
    assert message.extra_headers["Message-ID"].startswith("<reminder-")


def _deliveries(size):
    org, schedule, people = company(size)
    reminders.dispatch_due(now=NOW, enqueue=lambda *a: None)
    return org, list(ReminderDelivery.objects.filter(org=org).values_list("id", flat=True))


def test_sending_costs_a_constant_number_of_queries_plus_one_mark_per_message():
    """Each message is marked sent as soon as the server accepts it (a kill repeats at most
    the one in flight): one UPDATE per message; everything else is per batch."""

    def statements(queries):
        return [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]  # the test transaction

    counts = {}
    for size in (10, 100):
        org, ids = _deliveries(size)
        with CaptureQueriesContext(connection) as queries:
            result = reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
        assert len(result.sent) == size
        sql = statements(queries.captured_queries)
        marks = [q for q in sql if q.startswith("UPDATE") and "'sent'" in q]
        assert len(marks) == size
        counts[size] = len(sql) - len(marks)
    assert counts[10] == counts[100]
    assert counts[100] <= 8


def test_a_claimed_delivery_is_not_sent_twice():
    org, ids = _deliveries(2)
    reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
    again = reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
    assert (again.claimed, again.sent) == (0, [])
    assert len(mail.outbox) == 2


def test_fresh_claims_of_another_task_are_left_alone_and_stale_ones_are_taken_over():
    org, ids = _deliveries(2)
    ReminderDelivery.objects.filter(pk=ids[0]).update(
        status="sending", claimed_at=NOW - datetime.timedelta(seconds=5), claim_token="other"
    )
    ReminderDelivery.objects.filter(pk=ids[1]).update(
        status="sending", claimed_at=NOW - datetime.timedelta(hours=1), claim_token="dead"
    )
    result = reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
    assert result.sent == [ids[1]]
    assert result.busy == 1
    assert ReminderDelivery.objects.get(pk=ids[0]).status == "sending"


def test_deliveries_of_another_company_are_never_touched():
    org, ids = _deliveries(1)
    other = OrganizationFactory()
    result = reminders.send_batch(org_id=other.pk, delivery_ids=ids, now=NOW)
    assert result.claimed == 0
    assert ReminderDelivery.objects.get().status == "pending"


class FailingBackend(LocmemBackend):
    failures_left = 0

    def send_messages(self, messages):
        if FailingBackend.failures_left > 0:
            FailingBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


BACKEND = f"{__name__}.FailingBackend"


def test_mail_server_failure_puts_the_batch_back_for_a_retry(settings):
    settings.EMAIL_BACKEND = BACKEND
    FailingBackend.failures_left = 1
    org, ids = _deliveries(3)
    with pytest.raises(reminders.MailError):
        reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW, final_attempt=False)
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"pending"}
    assert "SMTPServerDisconnected" in ReminderDelivery.objects.first().detail
    result = reminders.send_batch(org_id=org.pk, delivery_ids=ids, now=NOW)
    assert len(result.sent) == 3
    assert len(mail.outbox) == 3


@pytest.fixture
def eager_retries(monkeypatch):
    """Eager retries run inline; keep their Retry signal from escaping the outer call."""
    from okr_site.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_the_task_retries_with_backoff_until_the_mail_server_recovers(settings, eager_retries):
    settings.EMAIL_BACKEND = BACKEND
    FailingBackend.failures_left = 2
    org, ids = _deliveries(2)
    assert tasks.send_reminder_batch.retry_backoff
    tasks.send_reminder_batch.apply(args=(org.pk, ids), throw=False)
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 2


def test_after_the_last_retry_the_deliveries_end_failed_with_the_error(settings, eager_retries):
    settings.EMAIL_BACKEND = BACKEND
    FailingBackend.failures_left = 100
    org, ids = _deliveries(2)
    tasks.send_reminder_batch.apply(args=(org.pk, ids), throw=False)
    rows = list(ReminderDelivery.objects.values_list("status", "detail", "attempts"))
    assert {status for status, _, _ in rows} == {"failed"}
    assert all("SMTPServerDisconnected" in detail for _, detail, _ in rows)
    assert all(attempts == tasks.send_reminder_batch.max_retries + 1 for *_, attempts in rows)
    FailingBackend.failures_left = 0


def test_lost_tasks_are_rescued_by_the_dispatcher(django_capture_on_commit_callbacks):
    org, ids = _deliveries(2)  # enqueue dropped the batch on the floor
    later = NOW + datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        report, results = run(now=later)
    assert report.rescued == 2
    assert len(mail.outbox) == 2


def test_a_dead_workers_claims_are_rescued_within_minutes_and_live_ones_are_not(
    django_capture_on_commit_callbacks,
):
    org, ids = _deliveries(3)
    dead, live, _ = ids
    ReminderDelivery.objects.filter(pk=dead).update(
        status="sending", claimed_at=NOW - datetime.timedelta(minutes=2, seconds=1)
    )
    ReminderDelivery.objects.filter(pk=live).update(
        status="sending",
        claimed_at=NOW - datetime.timedelta(seconds=30),  # heartbeat is live
    )
    batches = []
    with django_capture_on_commit_callbacks(execute=True):
        rescued = reminders.rescue_stuck(now=NOW, enqueue=lambda org_id, ids: batches.append(ids))
    assert rescued == 1
    assert batches == [[dead]]  # the PENDING one is young: its own task is still queued


def test_send_due_reminders_command_prints_what_it_sent(capsys, django_capture_on_commit_callbacks):
    org, schedule, people = company(2)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", "--now", "2025-01-31T09:05+01:00")
    out = capsys.readouterr().out
    assert "“Monthly check-in” of 2025-01-31 08:00 UTC for 2 people" in out
    assert f"sent to {people[0].user.email}" in out
    assert "Sent 2, skipped 0, failed 0." in out
    call_command("send_due_reminders", "--now", "2025-01-31T09:10+01:00")
    assert "No reminder is due." in capsys.readouterr().out
    assert len(mail.outbox) == 2


def test_send_due_reminders_rejects_a_naive_time():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_due_reminders", "--now", "2025-01-31T09:05")


def test_bench_reminders_command_reports_queries_per_recipient(
    capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bench_reminders", "--people", "30")
    out = capsys.readouterr().out
    assert "to 30 people" in out
    assert "per recipient" in out
    assert not OrganizationFactory._meta.model.objects.filter(slug__startswith="bench-").exists()


def test_the_beat_schedule_dispatches_every_five_minutes_and_rescues_every_minute():
    from okr_site.celery import app

    entry = app.conf.beat_schedule["dispatch-due-reminders"]
    assert entry["task"] == tasks.dispatch_due_reminders.name
    assert entry["schedule"] == 300
    rescue = app.conf.beat_schedule["rescue-stuck-reminders"]
    assert rescue["task"] == tasks.rescue_stuck_reminders.name
    assert rescue["schedule"] == 60


def test_dispatch_task_accepts_an_iso_time(django_capture_on_commit_callbacks):
    company(1)
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.dispatch_due_reminders.apply(kwargs={"now": NOW.isoformat()}).get()
    assert result["dispatched"][0]["recipients"] == 1
    assert len(mail.outbox) == 1
    assert timezone.is_aware(NOW)


# --- weekly schedules and "skip people who checked in within N days" ----------------------


def weekly_company(size, *, anchor, every=2, **kwargs):
    """A company with a weekly schedule on Fridays at 09:00 Oslo time (NOW is one)."""
    return company(
        size, cadence="weekly", every_weeks=every, week_anchor=anchor, weekday=4, **kwargs
    )


def test_an_every_2_weeks_reminder_is_sent_in_its_weeks_only(django_capture_on_commit_callbacks):
    weekly_company(1, anchor=datetime.date(2025, 1, 27))  # the week of Friday 31 January
    weekly_company(1, anchor=datetime.date(2025, 1, 20))  # 24 January, then 7 February
    with django_capture_on_commit_callbacks(execute=True):
        report, _ = run()
    assert [(s.week_anchor, o) for s, o, _ in report.dispatched] == [
        (datetime.date(2025, 1, 27), datetime.datetime(2025, 1, 31, 8, 0, tzinfo=UTC))
    ]
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run(now=NOW + datetime.timedelta(minutes=5))  # the same occurrence: nothing new
        report, _ = run(now=NOW + datetime.timedelta(days=7))
    assert [o for _, o, _ in report.dispatched] == [datetime.datetime(2025, 2, 7, 8, tzinfo=UTC)]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("skip_days, expect_recent_one", [(3, False), (1, True), (None, True)])
def test_people_who_checked_in_recently_are_skipped(
    django_capture_on_commit_callbacks, skip_days, expect_recent_one
):
    org, schedule, (recent, quiet) = company(2, skip_recent_days=skip_days)
    checkin_submit(
        kr=recent.owned_key_results.get(),
        author=recent,
        value="50",
        confidence="on_track",
        now=NOW - datetime.timedelta(days=2),
    )
    expected = {quiet.pk, recent.pk} if expect_recent_one else {quiet.pk}
    assert set(reminders.audience_ids(schedule, now=NOW)) == expected
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert {m.to[0] for m in mail.outbox} == {
        p.user.email for p in (recent, quiet) if p.pk in expected
    }
    # Exactly once still: one delivery per person reminded, none for the skipped.
    assert set(ReminderDelivery.objects.values_list("membership_id", flat=True)) == expected
    with django_capture_on_commit_callbacks(execute=True):
        run(now=NOW + datetime.timedelta(minutes=5))
    assert len(mail.outbox) == len(expected)


def test_a_checkin_by_someone_else_in_another_company_does_not_skip_anyone():
    org, schedule, (person,) = company(1, skip_recent_days=7)
    other_org, _, (stranger,) = company(1)
    checkin_submit(
        kr=stranger.owned_key_results.get(),
        author=stranger,
        value="50",
        confidence="on_track",
        now=NOW - datetime.timedelta(days=1),
    )
    assert reminders.audience_ids(schedule, now=NOW) == [person.pk]
