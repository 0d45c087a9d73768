"""Benchmark: dispatch one reminder occurrence to N people in-process and count queries.

Creates a throwaway company, sends with the locmem e-mail backend and deletes it again.
"""

import datetime
import time
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from checkins.models import ReminderDelivery, ReminderSchedule
from checkins.reminders import run_in_process
from objectives.models import KeyResult, Objective
from organizations.clock import company_today
from organizations.models import Membership, Organization, Period


class Command(BaseCommand):
    help = "Dispatch one reminder occurrence to --people people; report time and queries."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=5000)
        parser.add_argument("--keep", action="store_true", help="Keep the throwaway company.")

    def handle(self, *args, people, keep, **options):
        started = time.monotonic()
        org = self._build(people)
        built = time.monotonic() - started
        schedule = ReminderSchedule.objects.get(org=org)
        now = timezone.now()
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                CaptureQueriesContext(connection) as queries,
            ):
                t0 = time.monotonic()
                report, results = run_in_process(now=now, org_ids=[org.pk])
                elapsed = time.monotonic() - t0
            sent = sum(len(r.sent) for r in results)
            count = len(queries.captured_queries)
            self.stdout.write(f"Built {people} people with one KR each in {built:.1f}s.")
            self.stdout.write(
                f"Dispatched “{schedule.name}” to {sent} people in {elapsed:.2f}s "
                f"({elapsed / max(sent, 1) * 1000:.2f} ms per recipient), "
                f"{len(results)} batches, {count} SQL queries "
                f"({count / max(sent, 1):.3f} per recipient)."
            )
            if sent != people:
                self.stderr.write(f"Expected {people} e-mails, sent {sent}.")
        finally:
            if not keep:
                self._drop(org)

    def _build(self, people: int) -> Organization:
        User = get_user_model()
        tag = uuid.uuid4().hex[:8]
        today = company_today(None)  # the bench company runs on UTC
        org = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
        period = Period.objects.create(
            org=org,
            kind=Period.Kind.QUARTER,
            name="Bench quarter",
            start=today - datetime.timedelta(days=30),
            end=today + datetime.timedelta(days=60),
        )
        users = User.objects.bulk_create(
            [
                User(email=f"p{i}@{tag}.bench.example", full_name=f"Person {i}", password="!")
                for i in range(people)
            ],
            batch_size=1000,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(org=org, user=u) for u in users], batch_size=1000
        )
        objectives = Objective.objects.bulk_create(
            [
                Objective(
                    org=org, period=period, level="individual", owner=m, title=f"Objective {i}"
                )
                for i, m in enumerate(memberships)
            ],
            batch_size=1000,
        )
        KeyResult.objects.bulk_create(
            [
                KeyResult(
                    org=org,
                    objective=o,
                    owner=o.owner,
                    title=f"Key result {i}",
                    start_value=Decimal(0),
                    target_value=Decimal(100),
                    current_value=Decimal(i % 100),
                )
                for i, o in enumerate(objectives)
            ],
            batch_size=1000,
        )
        now = timezone.now()
        ReminderSchedule.objects.create(
            org=org,
            name="Bench reminder",
            cadence=ReminderSchedule.Cadence.MONTHLY,
            monthly_rule=ReminderSchedule.MonthlyRule.DAY,
            day_of_month=now.day,
            send_time=(now - datetime.timedelta(minutes=1)).time().replace(second=0, microsecond=0)
            if now.hour or now.minute
            else datetime.time(0, 0),
            created_at=now - datetime.timedelta(days=1),
        )
        return org

    def _drop(self, org: Organization) -> None:
        user_ids = list(Membership.objects.filter(org=org).values_list("user_id", flat=True))
        ReminderDelivery.objects.filter(org=org).delete()
        KeyResult.objects.filter(org=org).delete()
        Objective.objects.filter(org=org).delete()
        org.delete()
        get_user_model().objects.filter(id__in=user_ids).delete()
